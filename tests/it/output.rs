//! The output directory: deterministic bytes, atomic replacement, and refusal to clobber
//! anything `informe` did not make.

use crate::harness::{TestSite, leftovers, tree};

#[test]
fn two_builds_are_byte_identical_whatever_the_locale_and_time_zone() {
    let site = TestSite::fixture("minimo");
    let a = site.dir.path().join("a");
    let b = site.dir.path().join("b");
    assert_eq!(site.build_to(&a, &[("TZ", "UTC"), ("LANG", "C")]).code, 0);
    assert_eq!(
        site.build_to(
            &b,
            &[("TZ", "America/Mexico_City"), ("LANG", "es_MX.UTF-8")]
        )
        .code,
        0
    );
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.len() > 5);
    assert_eq!(ta, tb);
}

#[test]
fn rebuild_replaces_the_old_site_and_leaves_no_staging_behind() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    std::fs::write(site.output().join("sobrante.html"), "viejo").unwrap();
    assert_eq!(site.build().code, 0);
    assert!(
        !site.output().join("sobrante.html").exists(),
        "stale file survived"
    );
    assert_eq!(leftovers(site.dir.path()), Vec::<String>::new());
}

#[test]
fn deleting_the_previous_site_removes_links_without_following_them() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let outside = site.dir.path().join("fuera");
    std::fs::create_dir_all(outside.join("sub")).unwrap();
    std::fs::write(outside.join("sub/conservar.txt"), "no borrar").unwrap();
    // At each level the deletion splits its work on: the top, one folder down, two down.
    let informes = site.output().join("informes");
    let year = std::fs::read_dir(&informes)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    for link in [
        site.output().join("enlace"),
        informes.join("enlace"),
        year.join("enlace"),
    ] {
        std::os::unix::fs::symlink(&outside, link).unwrap();
    }
    assert_eq!(site.build().code, 0);
    assert_eq!(
        std::fs::read_to_string(outside.join("sub/conservar.txt")).unwrap(),
        "no borrar"
    );
    assert!(!site.output().join("enlace").exists());
    assert_eq!(leftovers(site.dir.path()), Vec::<String>::new());
}

#[test]
fn stale_staging_from_a_killed_build_is_cleaned_up() {
    let site = TestSite::fixture("minimo");
    let stale = site.dir.path().join(".public.preparando-999999");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join(".informe-salida"), "x").unwrap();
    assert_eq!(site.build().code, 0);
    assert!(!stale.exists());
}

#[test]
fn refuses_a_non_empty_directory_it_did_not_make() {
    let site = TestSite::fixture("minimo");
    std::fs::create_dir_all(site.output()).unwrap();
    std::fs::write(site.output().join("tesis.docx"), "importante").unwrap();
    let run = site.build();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no la creó `informe`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(site.output().join("tesis.docx")).unwrap(),
        "importante"
    );
}

#[test]
fn refuses_to_write_over_content_or_the_project_root() {
    let site = TestSite::fixture("minimo");
    let content = site.content();
    for out in [
        content.clone(),
        content.join(".."),
        site.dir.path().to_path_buf(),
    ] {
        let run = site.build_to(&out, &[]);
        assert_eq!(run.code, 2, "{}: {}", out.display(), run.stderr);
    }
    assert!(content.join("sitio.yaml").is_file());
}

/// SIGKILL at many moments of a rebuild (loading, rendering, indexing, writing, swapping):
/// afterwards the output is always exactly the old site or exactly the new one.
#[cfg(unix)]
#[test]
fn a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let old = tree(&site.output());
    site.edit(
        "informes/2023-t2/unidades/datos.yaml",
        "Mantener los equipos.",
        "Mantener todos los equipos.",
    );
    let new_dir = site.dir.path().join("referencia");
    assert_eq!(site.build_to(&new_dir, &[]).code, 0);
    let new = tree(&new_dir);
    assert_ne!(old, new);

    // A full build of this fixture takes tens to hundreds of milliseconds; the delays sweep it.
    let mut seed: u64 = 0x5eed;
    let (mut saw_old, mut saw_new) = (0, 0);
    for _ in 0..16 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = std::time::Duration::from_micros((seed >> 33) % 400_000);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("informe"))
            .current_dir(site.dir.path())
            .args(["build", "--theme"])
            .arg(crate::harness::repo_root().join("theme"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let now = tree(&site.output());
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            panic!("after a kill at {delay:?} the output is neither the old nor the new site");
        }
        // Go back to the old site for the next round.
        if now == new {
            site.edit(
                "informes/2023-t2/unidades/datos.yaml",
                "Mantener todos los equipos.",
                "Mantener los equipos.",
            );
            assert_eq!(site.build().code, 0);
            site.edit(
                "informes/2023-t2/unidades/datos.yaml",
                "Mantener los equipos.",
                "Mantener todos los equipos.",
            );
        }
    }
    // The next build cleans whatever a killed build left beside the output.
    assert_eq!(site.build().code, 0);
    assert_eq!(leftovers(site.dir.path()), Vec::<String>::new());
    eprintln!("killed builds: {saw_old} left the old site, {saw_new} the new one");
}

/// (inode, modification time) of a published file.
fn identity(path: &std::path::Path) -> (u64, std::time::SystemTime) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(path).unwrap();
    (m.ino(), m.modified().unwrap())
}

#[test]
fn a_rebuild_keeps_the_files_that_did_not_change_and_replaces_the_ones_that_did() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let same = site.output().join("institucion/index.html");
    let unit = site.output().join("informes/2023/t2/datos/index.html");
    let (same_before, unit_before) = (identity(&same), identity(&unit));
    site.edit(
        "informes/2023-t2/unidades/datos.yaml",
        "Mantener los equipos.",
        "Mantener los equipos al día.",
    );
    assert_eq!(site.build().code, 0);
    // The institution page came out the same: it is the previous file, date included, so a
    // deployment by date does not upload it again.
    assert_eq!(identity(&same), same_before);
    assert_ne!(identity(&unit).0, unit_before.0);
    assert!(
        site.text("informes/2023/t2/datos/index.html")
            .contains("Mantener los equipos al día.")
    );
    // Byte for byte what a build into an empty folder makes.
    let fresh = site.dir.path().join("nuevo");
    assert_eq!(site.build_to(&fresh, &[]).code, 0);
    assert_eq!(tree(&site.output()), tree(&fresh));
}

/// The fixture built once, its institution page (which no content edit here changes) and the
/// page's bytes.
fn built_institution_page() -> (TestSite, std::path::PathBuf, Vec<u8>) {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let page = site.output().join("institucion/index.html");
    let good = std::fs::read(&page).unwrap();
    (site, page, good)
}

#[test]
fn a_published_file_edited_by_hand_is_written_again_even_at_the_same_size() {
    let (site, page, good) = built_institution_page();
    let text = String::from_utf8(good.clone()).unwrap();
    let (i, _) = text
        .match_indices("Misión")
        .next()
        .expect("the page names the mission");
    let mut edited = good.clone();
    edited[i] = b'X';
    std::fs::write(&page, &edited).unwrap();
    assert_eq!(site.build().code, 0);
    assert_eq!(std::fs::read(&page).unwrap(), good);
}

#[test]
fn a_previous_file_linked_from_elsewhere_is_copied_never_shared_or_followed() {
    let (site, page, good) = built_institution_page();
    // A snapshot made with `cp -al`: the published file has a second name outside.
    let snapshot = site.dir.path().join("copia.html");
    std::fs::hard_link(&page, &snapshot).unwrap();
    // And a page replaced by a link to a file outside that holds the same bytes.
    let css = site.output().join("static/estilo.css");
    let outside = site.dir.path().join("estilo-fuera.css");
    std::fs::copy(&css, &outside).unwrap();
    std::fs::remove_file(&css).unwrap();
    std::os::unix::fs::symlink(&outside, &css).unwrap();
    assert_eq!(site.build().code, 0);
    assert_ne!(identity(&page).0, identity(&snapshot).0);
    assert_eq!(std::fs::read(&page).unwrap(), good);
    let css_meta = std::fs::symlink_metadata(&css).unwrap();
    assert!(css_meta.is_file(), "the link was kept instead of a file");
    assert_ne!(identity(&css).0, identity(&outside).0);
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&outside).unwrap().nlink(), 1);
}

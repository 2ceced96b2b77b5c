//! The output directory: deterministic bytes, atomic replacement, and refusal to clobber
//! anything `informe` did not make.

use crate::harness::{TestSite, tree};

/// Staging or previous-output folders left beside `public/`.
fn leftovers(site: &TestSite) -> Vec<String> {
    std::fs::read_dir(site.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect()
}

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
    assert_eq!(leftovers(&site), Vec::<String>::new());
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
    assert_eq!(leftovers(&site), Vec::<String>::new());
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
    assert_eq!(leftovers(&site), Vec::<String>::new());
    eprintln!("killed builds: {saw_old} left the old site, {saw_new} the new one");
}

//! The search index in parts: how a build splits it, what the search page is told, and which
//! parts a rebuild takes from the previous site.

use crate::harness::{TestSite, tree};

#[test]
fn the_latest_quarter_is_a_part_of_its_own_once_the_site_outgrows_one_part() {
    let site = TestSite::fixture("historia");
    build(&site, &[]);
    assert_eq!(parts(&site), Vec::<String>::new());
    build(&site, &["--paginas-por-parte", "5"]);
    assert_eq!(parts(&site), ["parte-2/"]);
    let first = fragments_text(&site, "");
    assert!(
        first.contains("Se atendieron 6 equipos") && first.contains("Se atendieron 18 equipos")
    );
    assert!(fragments_text(&site, "parte-2").contains("Se atendieron 3 equipos"));
}

/// One part per quarter of the `historia` fixture (three quarters, two pages each).
const ONE_QUARTER_PER_PART: &[&str] = &["--paginas-por-parte", "1"];

fn pagefind(site: &TestSite, rel: &str) -> Vec<u8> {
    std::fs::read(site.output().join("pagefind").join(rel))
        .unwrap_or_else(|e| panic!("pagefind/{rel}: {e}"))
}

/// The `pagefind/` folders of the index's parts after the first, from the script the search
/// page loads.
fn parts(site: &TestSite) -> Vec<String> {
    let script = String::from_utf8(pagefind(site, informe::search::PARTS_FILE)).unwrap();
    let prefix = format!("window.{} = ", informe::search::PARTS_GLOBAL);
    let list = script
        .strip_prefix(&prefix)
        .and_then(|s| s.strip_suffix(";\n"))
        .unwrap_or_else(|| panic!("not the script the search page expects: {script}"));
    serde_json::from_str(list).unwrap()
}

/// What a part's fragments say: Pagefind gzips each page's record.
fn fragments_text(site: &TestSite, part: &str) -> String {
    let dir = site.output().join("pagefind").join(part).join("fragment");
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let gz = std::fs::read(entry.unwrap().path()).unwrap();
        let mut json = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut json)
            .unwrap();
        text.push_str(&json);
    }
    text
}

fn build(site: &TestSite, args: &[&str]) -> String {
    let run = site.build_with(&site.output(), &[], args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn a_site_of_one_quarter_has_one_part_and_the_search_page_is_told_so() {
    let site = TestSite::fixture("minimo");
    let stdout = build(&site, &[]);
    assert_eq!(parts(&site), Vec::<String>::new());
    assert!(!stdout.contains("partes"), "{stdout}");
    // The one part carries Pagefind's code for the search page.
    assert!(site.output().join("pagefind/pagefind-ui.js").is_file());
    // Built again unchanged, the index is taken from the previous site, and says so.
    let stdout = build(&site, &[]);
    assert!(
        stdout.contains("Índice de búsqueda sin cambios, tomado del sitio anterior"),
        "{stdout}"
    );
}

#[test]
fn an_edit_indexes_again_only_the_part_of_its_quarter() {
    let site = TestSite::fixture("historia");
    let stdout = build(&site, ONE_QUARTER_PER_PART);
    assert!(
        stdout
            .contains("Índice de búsqueda en 3 partes; sin cambios, tomadas del sitio anterior: 0"),
        "{stdout}"
    );
    assert_eq!(parts(&site), ["parte-2/", "parte-3/"]);
    // Oldest quarter first; the parts after the first hold only their index.
    assert!(fragments_text(&site, "").contains("Se atendieron 6 equipos"));
    assert!(fragments_text(&site, "parte-2").contains("Se atendieron 18 equipos"));
    assert!(fragments_text(&site, "parte-3").contains("Se atendieron 3 equipos"));
    assert!(
        !site
            .output()
            .join("pagefind/parte-2/pagefind-ui.js")
            .exists()
    );
    assert!(
        site.output()
            .join("pagefind/parte-3/pagefind-entry.json")
            .is_file()
    );

    site.edit(
        "informes/2024-t1/unidades/datos.yaml",
        "Se atendieron 3 equipos",
        "Se atendieron 3 equipos y 2 impresoras",
    );
    let stdout = build(&site, ONE_QUARTER_PER_PART);
    assert!(
        stdout
            .contains("Índice de búsqueda en 3 partes; sin cambios, tomadas del sitio anterior: 2"),
        "{stdout}"
    );
    assert!(fragments_text(&site, "parte-3").contains("3 equipos y 2 impresoras"));
    // The parts taken from the previous site are what indexing them again makes.
    let fresh = site.dir.path().join("nuevo");
    assert_eq!(site.build_with(&fresh, &[], ONE_QUARTER_PER_PART).code, 0);
    assert_eq!(tree(&site.output()), tree(&fresh));
}

#[test]
fn a_part_changed_by_hand_in_the_published_site_is_indexed_again() {
    let site = TestSite::fixture("historia");
    build(&site, ONE_QUARTER_PER_PART);
    let good = tree(&site.output());
    // One byte of a fragment of the middle part, same size; and a file of the last part gone.
    let fragment = std::fs::read_dir(site.output().join("pagefind/parte-2/fragment"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&fragment).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&fragment, &bytes).unwrap();
    std::fs::remove_file(site.output().join("pagefind/parte-3/pagefind-entry.json")).unwrap();
    let stdout = build(&site, ONE_QUARTER_PER_PART);
    assert!(
        stdout.contains("sin cambios, tomadas del sitio anterior: 1"),
        "{stdout}"
    );
    assert!(tree(&site.output()) == good, "the rebuilt index differs");
}

#[test]
fn a_part_is_not_taken_when_its_pages_moved_to_another_base_path() {
    let site = TestSite::fixture("historia");
    build(&site, ONE_QUARTER_PER_PART);
    let stdout = build(
        &site,
        &[
            "--paginas-por-parte",
            "1",
            "--base-url",
            "https://ejemplo.gob.mx/informe/",
        ],
    );
    assert!(
        stdout.contains("sin cambios, tomadas del sitio anterior: 0"),
        "{stdout}"
    );
    assert!(fragments_text(&site, "parte-3").contains("/informe/informes/2024/t1/"));
}

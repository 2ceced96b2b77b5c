//! Parses stored beside the output: a rebuild reads an unchanged content file back from what
//! the previous build stored instead of parsing its YAML, and the site is always what parsing
//! every file makes.

use crate::harness::{STORED_PARSES, TestSite, assert_same_as_fresh_build, tree};

/// Builds into the site's `public/` without a search index; returns the content files read
/// back from stored parses and the content files read, as the summary says them.
fn build(site: &TestSite) -> (usize, usize) {
    let run = site.build_with(&site.output(), &[], &["--sin-busqueda"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .split("leídos de la lectura anterior: ")
        .nth(1)
        .map(|s| {
            let line = s.lines().next().unwrap_or_default();
            let (back, of) = line.split_once(" de ").expect("«N de M»");
            (back.parse().unwrap(), of.parse().unwrap())
        })
        .unwrap_or((0, 0))
}

/// That `public/` is what a build into a new folder, whose stored parses are empty so that
/// every file is parsed, writes.
fn assert_same_as_parsing_everything(site: &TestSite, step: &str) {
    let run = assert_same_as_fresh_build(site, step);
    assert!(
        !run.stdout.contains("lectura anterior"),
        "{step}: a new folder has no stored parses:\n{}",
        run.stdout
    );
}

fn stored(site: &TestSite) -> std::path::PathBuf {
    site.dir.path().join(STORED_PARSES)
}

#[test]
fn a_rebuild_reads_every_unchanged_file_back_and_writes_the_same_site() {
    // The shipped report has every kind of content: tables with empty, text and number cells,
    // grouped columns, charts, figures, training events, notes, the glossary.
    let site = TestSite::shipped();
    assert_eq!(
        build(&site),
        (0, 0),
        "nothing is stored before the first build"
    );
    let files = walkdir::WalkDir::new(site.content())
        .into_iter()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert_eq!(build(&site), (files, files), "every file is read back");
    assert!(
        !site.output().join(STORED_PARSES).exists()
            && !tree(&site.output()).keys().any(|k| k.contains("lecturas")),
        "nothing of the stored parses is published"
    );
    assert_same_as_parsing_everything(&site, "unchanged");
}

#[test]
fn an_edited_file_is_parsed_again_and_a_removed_quarter_forgotten() {
    let site = TestSite::fixture("historia");
    build(&site);
    let (_, files) = build(&site);
    // An edit that breaks the file is reported, not hidden by its stored parse.
    site.edit(
        "informes/2024-t1/unidades/datos.yaml",
        "objetivo:",
        "antes: 1\nobjetivo:",
    );
    let run = site.build_with(&site.output(), &[], &["--sin-busqueda"]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("antes"), "{}", run.stderr);
    // Fixed with a new objective, the old one left behind as a comment.
    site.edit(
        "informes/2024-t1/unidades/datos.yaml",
        "antes: 1\nobjetivo:",
        "objetivo: Objetivo reescrito tras la edición.\n#",
    );
    assert_eq!(
        build(&site),
        (files - 1, files),
        "only the edited file is parsed"
    );
    assert!(
        site.text("informes/2024/t1/datos/index.html")
            .contains("Objetivo reescrito tras la edición."),
        "the edit is published"
    );
    assert_same_as_parsing_everything(&site, "after an edit");

    let quarter = stored(&site).join("informes/2023-t3.lecturas");
    assert!(quarter.is_file(), "each quarter's parses are stored apart");
    std::fs::remove_dir_all(site.content().join("informes/2023-t3")).unwrap();
    let (back, read) = build(&site);
    assert_eq!(back, read, "the other files are unchanged");
    assert!(!quarter.exists(), "a removed quarter's parses are deleted");
}

#[test]
fn damaged_stored_parses_are_not_read_and_are_written_again() {
    let site = TestSite::fixture("historia");
    build(&site);
    let (_, files) = build(&site);
    let quarter = stored(&site).join("informes/2023-t4.lecturas");
    let text = std::fs::read_to_string(&quarter).unwrap();
    // One letter of a stored text changed: the file no longer hashes as its header says.
    let damaged = text.replacen("Dirección de Datos", "Dirección de Dados", 1);
    assert_ne!(damaged, text);
    std::fs::write(&quarter, damaged).unwrap();
    let (back, _) = build(&site);
    assert_eq!(back, files - 2, "the quarter's two files are parsed again");
    assert!(
        !site.text("informes/2023/t4/index.html").contains("Dados"),
        "the damaged parse is not published"
    );
    assert_same_as_parsing_everything(&site, "damaged");
    assert_eq!(build(&site), (files, files), "the parses were stored again");

    // Cut short, as by a full disk: the same.
    let text = std::fs::read(&quarter).unwrap();
    std::fs::write(&quarter, &text[..text.len() / 2]).unwrap();
    assert_eq!(build(&site).0, files - 2);
    assert_same_as_parsing_everything(&site, "cut short");
}

//! `serve`'s incremental rebuilds (`informe::Incremental`): after any edit, the preview folder
//! holds exactly what a full `informe build` writes, and a quarter the edit does not reach is
//! not rewritten.

use crate::harness::{TestSite, assert_same_files, repo_root, tree};
use informe::{BuildOptions, Incremental, SearchIndex};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

fn preview_options(site: &TestSite) -> BuildOptions {
    BuildOptions {
        content_dir: site.content(),
        theme_dir: repo_root().join("theme"),
        output_dir: site.dir.path().join("vista-previa"),
        base_url: None,
        search: SearchIndex::KeepPrevious,
        ..BuildOptions::default()
    }
}

/// The site without its search index (the preview's is brought up to date in the background)
/// and without the manifest by which `informe build` takes unchanged pages from the site it
/// replaces (the preview keeps its last build in memory instead).
fn pages(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut t = tree(dir);
    t.retain(|path, _| !path.starts_with("pagefind/") && path != ".informe-paginas.json");
    t
}

/// A full build through the CLI, into a folder of its own, compared with the preview.
fn assert_same_as_full_build(site: &TestSite, step: &str) {
    let full = site.dir.path().join("completo");
    let run = site.build_to(&full, &[]);
    assert_eq!(run.code, 0, "{step}: {}", run.stderr);
    assert_same_files(
        &pages(&full),
        &pages(&preview_options(site).output_dir),
        &format!("{step}: the preview, against a full build"),
    );
}

/// That `rebuilt` replaced a small part of the site (`whole` is a full build's summary) and
/// left the page `untouched` (inode `before`) where it was.
fn assert_in_place(
    site: &TestSite,
    rebuilt: &informe::BuildSummary,
    whole: &informe::BuildSummary,
    untouched: &str,
    before: u64,
) {
    assert_eq!(inode(site, untouched), before, "{untouched} was rewritten");
    assert!(
        rebuilt.files < whole.files / 2,
        "an edit to one quarter rewrote {} of {} files",
        rebuilt.files,
        whole.files
    );
}

fn inode(site: &TestSite, rel: &str) -> u64 {
    std::fs::metadata(preview_options(site).output_dir.join(rel))
        .unwrap()
        .ino()
}

/// Makes the edit `from` → `to` in `rel`, which must fail the build as `expected` says and
/// leave the preview as it was; then undoes it, which must rebuild in place (`first` is the
/// first build's summary) what a full build writes.
fn break_and_fix(
    site: &TestSite,
    builder: &mut Incremental,
    first: &informe::BuildSummary,
    rel: &str,
    (from, to): (&str, &str),
    expected: &dyn Fn(&informe::Error) -> bool,
) {
    let opts = preview_options(site);
    let good = pages(&opts.output_dir);
    let untouched = "informes/2023/t3/datos/index.html";
    let before = inode(site, untouched);
    site.edit(rel, from, to);
    match builder.build(&opts) {
        Err(e) => assert!(expected(&e), "{to:?}: unexpected error {e}"),
        Ok(_) => panic!("{to:?} was accepted"),
    }
    assert_eq!(pages(&opts.output_dir), good, "{to:?} changed the preview");
    site.edit(rel, to, from);
    let fixed = builder.build(&opts).unwrap();
    assert_same_as_full_build(site, &format!("{to:?} fixed"));
    assert_in_place(site, &fixed, first, untouched, before);
}

#[test]
fn every_rebuild_in_place_writes_what_a_full_build_writes() {
    let site = TestSite::fixture("historia");
    let opts = preview_options(&site);
    let mut builder = Incremental::new();
    let first = builder.build(&opts).unwrap();
    assert_same_as_full_build(&site, "first build");

    // A goal's progress in 2023-t3 shows in the history of every 2023 quarter and in the
    // yearly view, not in 2024.
    let untouched = "informes/2024/t1/datos/index.html";
    let before = inode(&site, untouched);
    let site_pages: Vec<(&str, u64)> = ["index.html", "datos/index.html", "buscar/index.html"]
        .into_iter()
        .map(|rel| (rel, inode(&site, rel)))
        .collect();
    site.edit(
        "informes/2023-t3/unidades/datos.yaml",
        "logrado: 6\n",
        "logrado: 9\n",
    );
    let summary = builder.build(&opts).unwrap();
    assert_same_as_full_build(&site, "progress edited");
    assert_in_place(&site, &summary, &first, untouched, before);
    assert_eq!(summary.pages, first.pages);
    assert!(
        std::fs::read_to_string(opts.output_dir.join("informes/2023/t4/datos/index.html"))
            .unwrap()
            .contains("37.5"),
        "the 2023-t4 history does not show 9 of 24 (37.5 %)"
    );

    // Pages made from the site-wide inputs alone, and the open-data page whose labels the
    // edit did not change, were not rewritten either.
    for (rel, before) in &site_pages {
        assert_eq!(inode(&site, rel), *before, "{rel} was rewritten");
    }

    // A long description grows the quarter's whole-report JSON by kilobytes: the open-data
    // page shows the new size.
    site.edit(
        "informes/2023-t3/unidades/datos.yaml",
        "descripcion: Realizar el mantenimiento preventivo de los equipos.\n",
        &format!(
            "descripcion: Realizar el mantenimiento preventivo de los equipos. {}\n",
            "Mantenimiento preventivo de un equipo más. ".repeat(60)
        ),
    );
    builder.build(&opts).unwrap();
    assert_ne!(inode(&site, "datos/index.html"), site_pages[1].1);
    assert_same_as_full_build(&site, "data page relabelled");

    // A new unit adds pages, data and links; removing it takes them away again.
    let units = site.content().join("informes/2024-t1/unidades");
    let text = std::fs::read_to_string(units.join("datos.yaml")).unwrap();
    std::fs::write(
        units.join("otra.yaml"),
        text.replacen("unidad: Dirección de Datos", "unidad: Otra Dirección", 1)
            .replacen("orden: 1", "orden: 2", 1),
    )
    .unwrap();
    let grown = builder.build(&opts).unwrap();
    // Its page and its yearly view.
    assert_eq!(grown.pages, first.pages + 2);
    assert!(
        opts.output_dir
            .join("informes/2024/t1/otra/index.html")
            .is_file()
    );
    assert!(
        opts.output_dir
            .join("informes/2024/anual/otra/index.html")
            .is_file()
    );
    assert_same_as_full_build(&site, "unit added");
    std::fs::remove_file(units.join("otra.yaml")).unwrap();
    builder.build(&opts).unwrap();
    // Gone with their folders.
    assert!(!opts.output_dir.join("informes/2024/t1/otra").exists());
    assert!(!opts.output_dir.join("informes/2024/anual/otra").exists());
    assert!(
        opts.output_dir
            .join("informes/2024/t1/datos/index.html")
            .is_file()
    );
    assert_same_as_full_build(&site, "unit removed");

    // A broken file fails the build and leaves the preview as it was; the fix rebuilds, still
    // in place: the failed attempt kept what the last build knew.
    let unit = "informes/2024-t1/unidades/datos.yaml";
    break_and_fix(
        &site,
        &mut builder,
        &first,
        unit,
        ("lineas:", "lineas: ["),
        &|e| matches!(e, informe::Error::Content(_)),
    );
    // Content that parses but fails validation (a published percentage that does not match
    // logrado/programado) likewise.
    let percentage = (
        "      programado: 24\n",
        "      programado: 24\n      porcentaje: 99\n",
    );
    break_and_fix(
        &site,
        &mut builder,
        &first,
        unit,
        percentage,
        &|e| matches!(e, informe::Error::Content(d) if d.iter().any(|d| d.code == "E-PORCENTAJE")),
    );

    // The site's title is on every page: everything is rebuilt.
    let before = inode(&site, untouched);
    let sitio = std::fs::read_to_string(site.content().join("sitio.yaml")).unwrap();
    let title = sitio
        .lines()
        .find(|l| l.starts_with("titulo:"))
        .unwrap()
        .to_owned();
    site.edit("sitio.yaml", &title, "titulo: Informe de prueba renombrado");
    builder.build(&opts).unwrap();
    assert_ne!(inode(&site, untouched), before);
    assert_same_as_full_build(&site, "site title edited");
}

/// The findings of the validation rules, as the webmaster sees them.
fn findings(summary: &informe::BuildSummary) -> Vec<String> {
    summary.warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn a_quarter_the_edit_does_not_reach_keeps_its_warnings() {
    let site = TestSite::fixture("historia");
    // A goal of 24 measured against 20 programmed: a warning of 2023-t4 alone.
    site.edit(
        "informes/2023-t4/unidades/datos.yaml",
        "      programado: 24\n",
        "      programado: 20\n",
    );
    let opts = preview_options(&site);
    let mut builder = Incremental::new();
    let first = builder.build(&opts).unwrap();
    let goal_warnings = |s: &informe::BuildSummary| {
        s.warnings
            .iter()
            .filter(|d| d.code == "W-META" && d.file.ends_with("2023-t4/unidades/datos.yaml"))
            .count()
    };
    assert_eq!(goal_warnings(&first), 1, "{:?}", findings(&first));

    // 2023-t4's model is kept from the last build, and so is what checking it found.
    site.edit(
        "informes/2024-t1/unidades/datos.yaml",
        "objetivo: Mantener los equipos",
        "objetivo: Conservar los equipos",
    );
    let kept = builder.build(&opts).unwrap();
    assert_eq!(findings(&kept), findings(&first));
    assert_same_as_full_build(&site, "another quarter edited");

    // Fixed, the quarter is read and checked again: the warning is gone.
    site.edit(
        "informes/2023-t4/unidades/datos.yaml",
        "      programado: 20\n",
        "      programado: 24\n",
    );
    let fixed = builder.build(&opts).unwrap();
    assert_eq!(goal_warnings(&fixed), 0, "{:?}", findings(&fixed));
}

/// Sets the modification time of a file or folder to an hour ago.
fn age(path: &Path) {
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(path.is_file())
        .read(!path.is_file())
        .open(path)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
}

/// [`age`] for `dir` and everything in it, deepest first (setting a file's time leaves its
/// folder's alone).
fn age_files(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir).contents_first(true) {
        age(entry.unwrap().path());
    }
}

#[test]
fn a_theme_edit_rebuilds_every_page() {
    theme_edit_reaches_every_page(false);
}

/// A theme untouched for long: its templates are kept from one rebuild to the next, until a
/// template is edited.
#[test]
fn a_theme_edit_reaches_every_page_after_the_templates_were_kept() {
    theme_edit_reaches_every_page(true);
}

fn theme_edit_reaches_every_page(settled: bool) {
    let site = TestSite::fixture("historia");
    let theme = site.dir.path().join("tema");
    crate::harness::copy_tree(&repo_root().join("theme"), &theme);
    if settled {
        age_files(&theme);
    }
    let opts = BuildOptions {
        theme_dir: theme.clone(),
        ..preview_options(&site)
    };
    let mut builder = Incremental::new();
    builder.build(&opts).unwrap();
    builder.build(&opts).unwrap();
    let base = theme.join("templates/base.html");
    let html = std::fs::read_to_string(&base).unwrap();
    assert!(html.contains("</main>"));
    std::fs::write(
        &base,
        html.replacen("</main>", "<p>Pie de prueba</p></main>", 1),
    )
    .unwrap();
    builder.build(&opts).unwrap();
    for rel in [
        "index.html",
        "informes/2023/t3/datos/index.html",
        "informes/2024/t1/index.html",
    ] {
        let page = std::fs::read_to_string(opts.output_dir.join(rel)).unwrap();
        assert!(page.contains("Pie de prueba"), "{rel} kept the old theme");
    }
}

#[test]
fn a_same_size_edit_to_a_file_unchanged_for_long_is_seen() {
    let site = TestSite::fixture("historia");
    let opts = preview_options(&site);
    // A file last modified an hour ago: the cache trusts its size, inode and time.
    age(&site.content().join("informes/2024-t1/unidades/datos.yaml"));
    let mut builder = Incremental::new();
    builder.build(&opts).unwrap();
    builder.build(&opts).unwrap();
    site.edit(
        "informes/2024-t1/unidades/datos.yaml",
        "Mantener",
        "Mantenex",
    );
    builder.build(&opts).unwrap();
    let page =
        std::fs::read_to_string(opts.output_dir.join("informes/2024/t1/datos/index.html")).unwrap();
    assert!(page.contains("Mantenex"), "the edit did not reach the page");
    assert_same_as_full_build(&site, "same-size edit");
}

/// The search bundle as path → bytes.
fn bundle_map(bundle: Vec<informe::render::Artifact>) -> BTreeMap<String, Vec<u8>> {
    bundle.into_iter().map(|a| (a.path, a.bytes)).collect()
}

#[test]
fn the_live_search_index_reads_only_the_changed_page_and_matches_a_fresh_index() {
    let site = TestSite::fixture("historia");
    let opts = BuildOptions {
        search: SearchIndex::Skip,
        ..preview_options(&site)
    };
    let built = informe::build(&opts).unwrap();
    let root = &opts.output_dir;
    let scratch = site.dir.path().join("indice");
    let lock = std::sync::Mutex::new(());
    let pages = &built.search_pages;
    assert!(pages.len() >= 4, "{pages:?}");
    let mut live = informe::search::LiveIndex::new(scratch.clone()).unwrap();
    let (first, read) = live.update(root, pages, &built.base_path, &lock).unwrap();
    assert_eq!(read, pages.len());
    assert!(!scratch.exists(), "the scratch folder was left behind");

    // One page replaced as serve replaces it (a new file renamed over the old one).
    let rel = "informes/2023/t3/datos/index.html";
    let html = std::fs::read_to_string(root.join(rel)).unwrap();
    assert!(html.contains("Mantener los equipos"));
    let edited = root.join("editada.tmp");
    std::fs::write(
        &edited,
        html.replace("Mantener los equipos", "Conservar las zanahorias"),
    )
    .unwrap();
    std::fs::rename(&edited, root.join(rel)).unwrap();
    let (updated, read) = live.update(root, pages, &built.base_path, &lock).unwrap();
    assert_eq!(read, 1, "only the replaced page is read again");

    let (fresh, _) = informe::search::LiveIndex::new(scratch.clone())
        .unwrap()
        .update(root, pages, &built.base_path, &lock)
        .unwrap();
    let (first, updated, fresh) = (bundle_map(first), bundle_map(updated), bundle_map(fresh));
    assert_ne!(updated, first, "the edit did not reach the index");
    assert_eq!(
        updated, fresh,
        "the updated index differs from one made afresh from the same pages"
    );

    // A page gone from the site cannot be taken out of a Pagefind index: a fresh one is made.
    let fewer: Vec<String> = pages.iter().filter(|p| *p != rel).cloned().collect();
    let (_, read) = live.update(root, &fewer, &built.base_path, &lock).unwrap();
    assert_eq!(read, fewer.len());
}

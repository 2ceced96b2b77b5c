//! Pages a build takes from the site it replaces: only those nothing changed, and the result
//! is always what a build into an empty folder writes.

use crate::harness::{TestSite, assert_same_as_fresh_build, copy_tree, repo_root, tree};

/// Builds into the site's `public/` without a search index; returns the pages taken from the
/// previous site and the site's pages, as the summary says them.
fn build(site: &TestSite) -> (usize, usize) {
    let run = site.build_with(&site.output(), &[], &["--sin-busqueda"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let total: usize = run
        .stdout
        .split("generado en ")
        .nth(1)
        .and_then(|s| s.split(": ").nth(1))
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no page count in {}", run.stdout));
    let taken = run
        .stdout
        .split("tomadas del sitio anterior: ")
        .nth(1)
        .map(|s| {
            let (taken, of) = s.trim().split_once(" de ").expect("«N de M»");
            assert_eq!(of.parse::<usize>().unwrap(), total);
            taken.parse().unwrap()
        })
        .unwrap_or(0);
    (taken, total)
}

/// The quarter and yearly pages under `informes/<year>/` of the output.
fn pages_of_year(site: &TestSite, year: &str) -> usize {
    tree(&site.output())
        .keys()
        .filter(|k| k.starts_with(&format!("informes/{year}/")) && k.ends_with(".html"))
        .count()
}

#[test]
fn an_edit_renders_again_only_the_quarters_it_reaches() {
    let site = TestSite::fixture("historia");
    // An attachment in the quarter whose pages are taken: the site must keep it.
    let anexos = site.content().join("informes/2024-t1/anexos");
    std::fs::create_dir_all(&anexos).unwrap();
    std::fs::write(anexos.join("acta.pdf"), b"%PDF-1.4 acta ficticia\n").unwrap();
    site.edit(
        "informes/2024-t1/informe.yaml",
        "presentacion:",
        "anexos:\n  - titulo: Acta\n    archivo: anexos/acta.pdf\npresentacion:",
    );
    assert_eq!(build(&site).0, 0, "nothing to take from an empty folder");
    let (taken, total) = build(&site);
    let (y2023, y2024) = (pages_of_year(&site, "2023"), pages_of_year(&site, "2024"));
    assert_eq!(
        taken,
        y2023 + y2024,
        "an unchanged rebuild takes every quarter's pages"
    );
    assert!(taken < total, "the site-wide pages are always rendered");
    assert_same_as_fresh_build(&site, "unchanged");

    // A goal's progress in 2023-t3 shows in the history of every 2023 quarter and in the
    // yearly views of 2023: all of 2023 is rendered again, 2024 is taken.
    site.edit(
        "informes/2023-t3/unidades/datos.yaml",
        "logrado: 6\n",
        "logrado: 9\n",
    );
    assert_eq!(build(&site).0, y2024);
    assert!(
        site.page("informes/2023/t4/datos/index.html")
            .contains("37.5"),
        "the 2023-t4 history does not show 9 of 24 (37.5 %)"
    );
    assert!(
        site.output()
            .join("informes/2024/t1/anexos/acta.pdf")
            .is_file()
    );
    assert_same_as_fresh_build(&site, "progress edited");

    // A new quarter changes every page's navigation: nothing is taken.
    let src = site.content().join("informes/2024-t1");
    copy_tree(&src, &site.content().join("informes/2024-t2"));
    site.edit(
        "informes/2024-t2/informe.yaml",
        "trimestre: 1",
        "trimestre: 2",
    );
    site.edit(
        "informes/2024-t2/informe.yaml",
        "fecha_corte: 2024-03-31",
        "fecha_corte: 2024-06-30",
    );
    site.edit(
        "informes/2024-t2/informe.yaml",
        "actualizado: 2024-03-31",
        "actualizado: 2024-06-30",
    );
    assert_eq!(build(&site).0, 0);
    assert_same_as_fresh_build(&site, "quarter added");
}

#[test]
fn a_page_changed_or_removed_in_the_output_is_made_again() {
    let site = TestSite::fixture("historia");
    build(&site);
    let (all, _) = build(&site);
    // Edited by hand at the same size, and deleted: their quarters are made again.
    let edited = site.output().join("informes/2024/t1/datos/index.html");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, text.replacen("<title>", "<TITLE>", 1)).unwrap();
    assert_ne!(std::fs::read_to_string(&edited).unwrap(), text);
    std::fs::remove_file(site.output().join("informes/2023/t3/imprimir/index.html")).unwrap();
    // A data file of 2023-t4, its pages untouched: the quarter is made again all the same.
    let data = site.output().join("datos/2023-t4");
    let csv = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .expect("a CSV file of 2023-t4");
    std::fs::write(&csv, "editado,a mano\r\n").unwrap();
    let quarter = |q: &str| {
        tree(&site.output())
            .keys()
            .filter(|k| k.starts_with(q) && k.ends_with(".html"))
            .count()
    };
    let (t1_2024, t3_2023) = (
        quarter("informes/2024/t1/"),
        quarter("informes/2023/t3/") + 1,
    );
    let t4_2023 = quarter("informes/2023/t4/");
    assert_eq!(build(&site).0, all - t1_2024 - t3_2023 - t4_2023);
    assert_same_as_fresh_build(&site, "pages tampered with");
}

#[test]
fn a_theme_edit_renders_every_page_again() {
    let site = TestSite::fixture("historia");
    let theme = site.dir.path().join("tema");
    copy_tree(&repo_root().join("theme"), &theme);
    let opts = informe::BuildOptions {
        content_dir: site.content(),
        theme_dir: theme.clone(),
        output_dir: site.output(),
        search: informe::SearchIndex::Skip,
        ..Default::default()
    };
    informe::build(&opts).unwrap();
    assert!(informe::build(&opts).unwrap().pages_reused > 0);
    let base = theme.join("templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replacen("</body>", "<!-- tema editado --></body>", 1),
    )
    .unwrap();
    assert_eq!(informe::build(&opts).unwrap().pages_reused, 0);
    let page = std::fs::read_to_string(site.output().join("informes/2023/t3/datos/index.html"));
    assert!(page.unwrap().contains("tema editado"));
    // A static file the templates do not read changes no page, but it is part of the theme.
    std::fs::write(theme.join("static/nuevo.txt"), "x").unwrap();
    assert_eq!(informe::build(&opts).unwrap().pages_reused, 0);
    assert!(site.output().join("static/nuevo.txt").is_file());
}

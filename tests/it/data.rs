//! Open data: every table's CSV and JSON carry exactly the numbers its page shows, links name
//! the table, format and size, and the downloads page lists them all.

use crate::harness::TestSite;
use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The same value as the page shows it and as the CSV stores it: numbers compare as numbers
/// (the page groups thousands, «1,000»), text as text.
fn same(page: &str, csv: &str) -> bool {
    let p = norm(page);
    let c = norm(csv);
    match (p.replace(',', "").parse::<f64>(), c.parse::<f64>()) {
        (Ok(a), Ok(b)) => (a - b).abs() < 1e-9,
        _ => p == c,
    }
}

/// Compares every table on every unit page with its CSV and JSON; returns how many tables.
fn compare_all_tables(site: &TestSite) -> usize {
    let mut tables = 0;
    let datos = site.output().join("datos");
    for entry in walkdir::WalkDir::new(site.output().join("informes")) {
        let entry = entry.unwrap();
        if entry.file_name() != "index.html" {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(site.output())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let doc = Html::parse_document(&site.page(&rel));
        for section in doc.select(&sel("section.tabla[id]")) {
            let id = section.value().attr("id").unwrap();
            if id.ends_with("-eventos") {
                continue;
            }
            let link = section
                .select(&sel("ul.descargas a"))
                .map(|a| a.value().attr("href").unwrap().to_owned())
                .find(|h| h.ends_with(".csv"))
                .unwrap_or_else(|| panic!("{rel}#{id} has no CSV link"));
            let file = datos.join(link.split("/datos/").nth(1).unwrap());
            let mut reader = csv::Reader::from_path(&file).unwrap();
            let csv_rows: Vec<Vec<String>> = reader
                .records()
                .map(|r| r.unwrap().iter().map(str::to_owned).collect())
                .collect();
            let page_rows: Vec<Vec<String>> = section
                .select(&sel("tbody tr, tfoot tr"))
                .map(|tr| {
                    tr.select(&sel("th, td"))
                        .map(|c| c.text().collect::<String>())
                        .collect()
                })
                .collect();
            assert_eq!(page_rows.len(), csv_rows.len(), "{rel}#{id}: row count");
            for (pr, cr) in page_rows.iter().zip(&csv_rows) {
                assert_eq!(pr.len(), cr.len(), "{rel}#{id}: {pr:?} vs {cr:?}");
                for (p, c) in pr.iter().zip(cr) {
                    assert!(same(p, c), "{rel}#{id}: page {p:?} ≠ CSV {c:?}");
                }
            }
            let json: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(file.with_extension("json")).unwrap(),
            )
            .unwrap();
            let mut json_rows: Vec<&serde_json::Value> =
                json["filas"].as_array().unwrap().iter().collect();
            if !json["total"].is_null() {
                json_rows.push(&json["total"]);
            }
            assert_eq!(json_rows.len(), page_rows.len(), "{rel}#{id}: JSON rows");
            for (jr, pr) in json_rows.iter().zip(&page_rows) {
                for (j, p) in jr.as_array().unwrap().iter().zip(pr) {
                    let j = match j {
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    assert!(same(p, &j), "{rel}#{id}: page {p:?} ≠ JSON {j:?}");
                }
            }
            tables += 1;
        }
    }
    tables
}

#[test]
fn every_shipped_table_has_csv_and_json_equal_to_its_page() {
    let site = TestSite::shipped();
    assert_eq!(site.build().code, 0);
    assert_eq!(compare_all_tables(&site), 8);
    let package: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.output().join("datos/2023-t2/datapackage.json")).unwrap(),
    )
    .unwrap();
    let resources = package["resources"].as_array().unwrap();
    assert!(resources.iter().any(|r| r["name"] == "dsepd-tabla-4"));
    for r in resources {
        assert!(
            site.output()
                .join("datos/2023-t2")
                .join(r["path"].as_str().unwrap())
                .is_file(),
            "{r}"
        );
    }
}

#[test]
fn download_links_name_the_table_format_and_size() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let text = site.text("informes/2023/t2/datos/index.html");
    for expected in [
        "Descargar Tabla 1 (CSV, 1 KB)",
        "Descargar Tabla 1 (JSON, 1 KB)",
        "Descargar datos de la Gráfica 1 (CSV, 1 KB)",
    ] {
        assert!(text.contains(expected), "missing {expected:?}: {text}");
    }
    let csv =
        std::fs::read_to_string(site.output().join("datos/2023-t2/datos-tabla-1.csv")).unwrap();
    assert_eq!(
        csv,
        "Mes,Programados,Ejecutados\r\nEnero,10,4\r\nFebrero,14,3\r\nTotal,24,7\r\n"
    );
    let listing = site.text("datos/index.html");
    assert!(
        listing.contains("Descargar el informe completo del segundo trimestre de 2023 (JSON"),
        "{listing}"
    );
    assert!(
        listing.contains("Descargar el diccionario de datos (datapackage)"),
        "{listing}"
    );
    let whole: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.output().join("datos/2023-t2/informe-2023-t2.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        whole["unidades"][0]["lineas"][0]["avance"]["programado"],
        24.0
    );
    assert_eq!(
        whole["unidades"][0]["lineas"][0]["meta"]["unidad"],
        "Mantenimientos"
    );
}

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_neutralized() {
    let site = TestSite::fixture("minimo");
    site.edit(
        "informes/2023-t2/unidades/datos.yaml",
        "- [Enero, 10, 4]",
        "- [\"=cmd|' /C calc'!A0\", 10, 4]",
    );
    assert_eq!(site.build().code, 0);
    let csv =
        std::fs::read_to_string(site.output().join("datos/2023-t2/datos-tabla-1.csv")).unwrap();
    assert!(csv.contains("\r\n'=cmd|' /C calc'!A0,10,4\r\n"), "{csv}");
    assert!(!csv.lines().any(|l| l.starts_with('=')), "{csv}");
}

#[test]
fn the_search_bundle_is_built_from_quarter_and_unit_pages() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    assert!(site.output().join("pagefind/pagefind-ui.js").is_file());
    assert!(site.output().join("pagefind/pagefind-entry.json").is_file());
    let entry =
        std::fs::read_to_string(site.output().join("pagefind/pagefind-entry.json")).unwrap();
    assert!(entry.contains("\"es-mx\""), "indexed as Spanish: {entry}");
    let buscar = site.page("buscar/index.html");
    assert!(buscar.contains(r#"<script src="/informe/pagefind/pagefind-ui.js"></script>"#));
    assert!(buscar.contains(r#"<script src="/informe/static/buscar.js"></script>"#));
    assert!(
        std::fs::read_to_string(site.output().join("static/buscar.js"))
            .unwrap()
            .contains("new PagefindUI")
    );
    assert!(buscar.contains("<noscript>"), "graceful without JavaScript");
    assert!(
        site.page("index.html").contains(
            r#"<form class="buscar" action="/informe/buscar/" method="get" role="search">"#
        )
    );
}

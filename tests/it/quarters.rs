//! Several quarters over two years (fictitious data in tests/fixtures/historia): navigation,
//! goal history, yearly view, corrections, feed, sitemap and deployment under a sub-path.

use crate::harness::{TestSite, repo_root, tree};
use assert_cmd::Command;

fn built() -> TestSite {
    let site = TestSite::fixture("historia");
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    site
}

#[test]
fn every_navigation_link_and_anchor_resolves() {
    let site = TestSite::fixture("historia");
    let out = Command::cargo_bin("informe")
        .unwrap()
        .current_dir(site.dir.path())
        .args(["check", "--theme"])
        .arg(repo_root().join("theme"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 errores"), "{stdout}");
    let site = built();
    let t4 = site.text("informes/2023/t4/index.html");
    assert!(
        t4.contains("Trimestre anterior: tercer trimestre de 2023"),
        "{t4}"
    );
    assert!(
        t4.contains("Trimestre siguiente: primer trimestre de 2024"),
        "{t4}"
    );
    let unit = site.text("informes/2023/t4/datos/index.html");
    assert!(unit.contains("Esta unidad en otros trimestres: Tercer trimestre de 2023 Cuarto trimestre de 2023 (este) Primer trimestre de 2024"), "{unit}");
    let home = site.text("index.html");
    assert!(
        home.contains("Informe más reciente Primer Informe Ficticio"),
        "{home}"
    );
    assert!(
        home.contains("2024 Primer trimestre de 2024: Enero - Marzo 2023 Cuarto trimestre de 2023"),
        "{home}"
    );
}

#[test]
fn goal_history_and_change_since_previous_quarter() {
    let site = built();
    let unit = site.text("informes/2023/t4/datos/index.html");
    assert!(
        unit.contains("Avance de la meta de la línea de acción 1 en los trimestres de 2023 Trimestre Avance Tercer trimestre 25 % Cuarto trimestre (este informe) 75 %"),
        "{unit}"
    );
    let quarter = site.text("informes/2023/t4/index.html");
    assert!(
        quarter
            .contains("1. Soporte Técnico 24 Mantenimientos 75 % 18 de 24, calculado +50 puntos"),
        "{quarter}"
    );
    assert!(
        quarter.contains("2. Elaborar el manual de procedimientos. 1 Documento 40 % +30 puntos"),
        "{quarter}"
    );
    // A new year starts its own history: no change against the previous year.
    let q1 = site.text("informes/2024/t1/index.html");
    assert!(
        q1.contains("1. Soporte Técnico 24 Mantenimientos 12.5 % 3 de 24, calculado —"),
        "{q1}"
    );
}

#[test]
fn yearly_view_shows_each_line_through_the_quarters() {
    let site = built();
    let year = site.text("informes/2023/anual/datos/index.html");
    assert!(
        year.contains("1. Soporte Técnico 24 Mantenimientos no publicado no publicado 25 % 75 %"),
        "{year}"
    );
    assert!(year.contains("2. Elaborar el manual de procedimientos. 1 Documento no publicado no publicado 10 % 40 %"), "{year}");
}

#[test]
fn corrections_show_on_the_page_and_site_wide() {
    let site = built();
    let unit = site.text("informes/2023/t4/datos/index.html");
    assert!(
        unit.contains(
            "Fe de erratas, 15 de enero de 2024 Cambio: Se corrigió el número de equipos atendidos"
        ),
        "{unit}"
    );
    let all = site.text("fe-de-erratas/index.html");
    assert!(
        all.contains("Cuarto trimestre de 2023 Fe de erratas 15 de enero de 2024: Se corrigió"),
        "{all}"
    );
    assert!(
        all.contains(
            "Tercer trimestre de 2023 Fe de erratas Sin correcciones desde su publicación."
        ),
        "{all}"
    );
}

#[test]
fn transparency_metadata_on_quarter_and_unit_pages() {
    let site = built();
    for page in [
        "informes/2023/t4/index.html",
        "informes/2023/t4/datos/index.html",
    ] {
        let text = site.text(page);
        for expected in [
            "Periodo que se informa Octubre - Diciembre de 2023",
            "Fecha de corte 31 de diciembre de 2023",
            "Última actualización 31 de diciembre de 2023",
            "Área responsable de la publicación Unidad de Pruebas",
        ] {
            assert!(text.contains(expected), "{page}: missing {expected:?}");
        }
    }
}

#[test]
fn feed_and_sitemap_are_valid_and_complete() {
    let site = built();
    let feed = atom_syndication::Feed::read_from(
        std::fs::read(site.output().join("feed.xml"))
            .unwrap()
            .as_slice(),
    )
    .unwrap();
    let ids: Vec<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(
        ids,
        [
            "https://ejemplo.org/informe/informes/2024/t1/",
            "https://ejemplo.org/informe/informes/2023/t4/",
            "https://ejemplo.org/informe/informes/2023/t3/",
        ]
    );
    assert_eq!(feed.lang(), Some("es-MX"));

    let xml = std::fs::read_to_string(site.output().join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    let pages: Vec<String> = tree(&site.output())
        .keys()
        .filter(|p| p.ends_with("index.html"))
        .map(|p| {
            format!(
                "https://ejemplo.org/informe/{}",
                p.trim_end_matches("index.html")
            )
        })
        .collect();
    assert_eq!(locs.len(), pages.len(), "{locs:?}");
    for p in &pages {
        assert!(locs.contains(&p.as_str()), "sitemap lacks {p}");
    }
    let robots = std::fs::read_to_string(site.output().join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://ejemplo.org/informe/sitemap.xml"));
}

#[test]
fn under_a_sub_path_no_link_escapes_it() {
    let site = TestSite::fixture("historia");
    let out = site.dir.path().join("sub");
    let run = site.build_to(&out, &[]);
    assert_eq!(run.code, 0);
    let mut cmd = Command::cargo_bin("informe").unwrap();
    let o = cmd
        .current_dir(site.dir.path())
        .args(["build", "--content"])
        .arg(site.content())
        .arg("--theme")
        .arg(repo_root().join("theme"))
        .args(["--base-url", "https://example.org/sub/", "--output"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success());
    let attr = attribute_urls();
    let mut checked = 0;
    for (path, bytes) in tree(&out) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for url in attr(&html) {
            if url.starts_with('/') {
                assert!(url.starts_with("/sub/"), "{path}: {url} escapes /sub/");
                checked += 1;
            } else if url.starts_with("http") && url.contains("example.org") {
                assert!(url.starts_with("https://example.org/sub/"), "{path}: {url}");
            }
        }
        assert!(
            html.contains(r#"<link rel="canonical" href="https://example.org/sub/"#),
            "{path}"
        );
    }
    assert!(checked > 100, "{checked}");
}

/// Every `href="…"` and `src="…"` value of a page.
fn attribute_urls() -> impl Fn(&str) -> Vec<String> {
    |html: &str| {
        let mut out = Vec::new();
        for key in ["href=\"", "src=\""] {
            let mut rest = html;
            while let Some(i) = rest.find(key) {
                rest = &rest[i + key.len()..];
                if let Some(end) = rest.find('"') {
                    out.push(rest[..end].to_owned());
                }
            }
        }
        out
    }
}

#[test]
fn printable_quarter_has_a_cover_and_every_unit() {
    let site = built();
    let print = site.page("informes/2023/t4/imprimir/index.html");
    assert!(print.contains(r#"<section class="portada""#));
    assert!(
        print.contains(r#"<section class="salto unidad-impresa" aria-labelledby="unidad-datos">"#)
    );
    assert!(print.contains("Fecha de corte: 31 de diciembre de 2023"));
    // Every printed sheet's footer sits in the page margin (an `@page` margin box), numbered.
    let footer = print
        .split("@bottom-center { content: ")
        .nth(1)
        .expect("a running footer for the printed sheets");
    assert!(
        footer.starts_with('"')
            && footer.contains(
                r#"Fecha de corte: 31 de diciembre de 2023 · Página " counter(page) " de " counter(pages);"#
            ),
        "{}",
        &footer[..footer.len().min(300)]
    );
    let quarter = site.page("informes/2023/t4/index.html");
    assert!(quarter.contains(r#"href="/informe/informes/2023/t4/imprimir/">Versión para imprimir del informe completo</a>"#));
}

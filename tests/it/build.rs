//! A full build of the minimal fixture and what a citizen sees on its pages.

use crate::harness::TestSite;

const UNIT: &str = "informes/2023/t2/datos/index.html";
const QUARTER: &str = "informes/2023/t2/index.html";

#[test]
fn build_makes_every_page_and_reports_a_summary() {
    let site = TestSite::fixture("minimo");
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("12 páginas"), "{}", run.stdout);
    for page in [
        "index.html",
        "institucion/index.html",
        "404.html",
        QUARTER,
        UNIT,
        "static/estilo.css",
    ] {
        assert!(site.output().join(page).is_file(), "missing {page}");
    }
    let home = site.page("index.html");
    assert!(home.contains(r#"<html lang="es-MX">"#));
    assert!(
        home.contains(r#"href="/informe/informes/2023/t2/""#),
        "links use the base_url path"
    );
}

#[test]
fn unit_page_shows_goal_dates_progress_and_activities() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let html = site.page(UNIT);
    assert!(
        html.contains(r#"id="linea-1""#),
        "stable anchor per action line"
    );
    let text = site.text(UNIT);
    for expected in [
        "Línea de acción 1: Soporte Técnico",
        "Meta 24 Mantenimientos",
        "Fecha de inicio 1 de enero de 2023",
        "Fecha de término 31 de diciembre de 2023",
        "29.17 %",
        "7 de 24, calculado",
        "La meta tiene un avance del 29.17%.",
        "14 actas en el año y 12 acuerdos de cada órgano.",
        "Sin avance reportado en este trimestre",
        "Gráfica 1. Elaboración propia.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn numbers_and_dates_are_spanish() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let text = site.text(UNIT);
    assert!(
        text.contains("60,167 declaraciones de 131 sujetos obligados"),
        "{text}"
    );
    assert!(text.contains("24 de abril de 2023"), "{text}");
    assert!(text.contains("4 de mayo de 2023"), "{text}");
    // Event totals are computed, with the thousands separator.
    assert!(
        text.contains("Total (2 eventos, calculado) 976 206 245"),
        "{text}"
    );
    let quarter = site.text(QUARTER);
    assert!(
        quarter.contains("Fecha de corte 30 de junio de 2023"),
        "{quarter}"
    );
    assert!(
        quarter.contains("2 eventos formativos con 976 participantes"),
        "{quarter}"
    );
}

#[test]
fn tables_are_real_tables_with_caption_and_header_scopes() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let html = site.page(UNIT);
    assert!(html.contains(r#"<caption id="tabla-1-titulo"><span class="etiqueta">Tabla 1.</span> Cronograma de mantenimiento</caption>"#), "{html}");
    assert!(html.contains(r#"<th scope="col" class="num">Programados</th>"#));
    assert!(html.contains(r#"<th scope="row">Enero</th>"#));
    assert!(html.contains("<tfoot>"));
    assert!(html.contains(r#"id="tabla-1""#));
}

#[test]
fn raw_html_in_content_is_shown_as_text_never_executed() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let html = site.page(UNIT);
    assert!(!html.contains("<script>alert"), "script passed through");
    assert!(!html.contains("<b onclick"), "event handler passed through");
    assert!(
        html.contains("&lt;script&gt;alert("),
        "the text is kept, escaped"
    );
}

#[test]
fn quarter_page_has_presentation_overview_and_notes() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let text = site.text(QUARTER);
    for expected in [
        "Segundo Informe de Prueba",
        "Segundo trimestre de 2023 (Abril - Junio)",
        "En cumplimiento al artículo 1 de la Ley de Prueba.",
        "La Dirección de Datos avanzó en el mantenimiento.",
        "Nota editorial El encabezado de prueba dice «PRIMER TRIMESTRE».",
        "1. Soporte Técnico 24 Mantenimientos 29.17 %",
        "2. Elaborar un documento.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let html = site.page(QUARTER);
    assert!(
        html.contains(r#"href="/informe/informes/2023/t2/datos/#linea-1""#),
        "overview links to the anchor"
    );
}

#[test]
fn institution_page_has_mission_vision_principles_structure() {
    let site = TestSite::fixture("minimo");
    assert_eq!(site.build().code, 0);
    let text = site.text("institucion/index.html");
    for expected in [
        "Misión",
        "Probar que el generador publica la misión.",
        "Visión",
        "Certeza",
        "Legalidad",
        "Unidad: Unidad Única",
        "La Comisaría vigila.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn base_url_flag_overrides_site_settings() {
    let site = TestSite::fixture("minimo");
    let mut cmd = assert_cmd::Command::cargo_bin("informe").unwrap();
    let out = cmd
        .current_dir(site.dir.path())
        .args(["build", "--theme"])
        .arg(crate::harness::repo_root().join("theme"))
        .args(["--base-url", "https://otro.mx/"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let home = site.page("index.html");
    assert!(home.contains(r#"href="/informes/2023/t2/""#), "{home}");
    assert!(home.contains(r#"href="/static/estilo.css""#));
}

#[test]
fn sin_busqueda_builds_the_pages_without_an_index_and_says_so() {
    let site = TestSite::fixture("minimo");
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.output().join("pagefind/pagefind-ui.js").is_file());
    let with_index = crate::harness::tree(&site.output());

    let out = assert_cmd::Command::cargo_bin("informe")
        .unwrap()
        .current_dir(site.dir.path())
        .args(["build", "--sin-busqueda", "--content"])
        .arg(site.content())
        .arg("--theme")
        .arg(crate::harness::repo_root().join("theme"))
        .arg("--output")
        .arg(site.output())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sin índice de búsqueda"));
    let without = crate::harness::tree(&site.output());
    assert!(!without.keys().any(|k| k.starts_with("pagefind/")));
    let pages = |t: &std::collections::BTreeMap<String, Vec<u8>>| {
        t.iter()
            .filter(|(k, _)| !k.starts_with("pagefind/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        pages(&with_index),
        pages(&without),
        "the pages are the same"
    );
}

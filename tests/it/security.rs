//! Hostile content: every text field carries payloads (script tags, event handlers,
//! `javascript:` links, SVG and XML breakers, CSV formulas) and no output can run any of them.

use crate::harness::{TestSite, tree};
use scraper::{Html, Selector};

/// Each payload, written as a YAML double-quoted scalar (JSON strings are valid YAML).
const PAYLOADS: [&str; 6] = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "]]><!-- --><![CDATA[",
    "=cmd|' /C calc'!A0",
    "@SUM(A1)+javascript:alert(1)",
];

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn hostile_site() -> TestSite {
    let site = TestSite::fixture("minimo");
    let p = |i: usize| q(&format!("Texto {i} {}", PAYLOADS[i % PAYLOADS.len()]));
    let c = site.content();
    std::fs::write(
        c.join("sitio.yaml"),
        format!(
            "titulo: {}\ndescripcion: {}\nbase_url: https://ejemplo.gob.mx/\nidioma: es-MX\n",
            p(0),
            p(1)
        ),
    )
    .unwrap();
    std::fs::write(
        c.join("institucion.yaml"),
        format!(
            "nombre: {}\nsiglas: {}\nlema: {}\nmision: {}\nvision: {}\nprincipios:\n  - nombre: {}\n    texto: {}\n\
             estructura:\n  introduccion: {}\n  organos:\n    - {{ nombre: {}, tipo: {} }}\n  nota: {}\n  figura: {}\n",
            p(2), p(3), p(4), p(5), p(0), p(1), p(2), p(3), p(4), p(5), p(0), p(1)
        ),
    )
    .unwrap();
    std::fs::write(
        c.join("informes/2023-t2/informe.yaml"),
        format!(
            "anio: 2023\ntrimestre: 2\nperiodo: {}\ntitulo: {}\nsubtitulo: {}\nfecha_corte: 2023-06-30\n\
             fundamento: {}\npresentacion:\n  - unidad: datos\n    texto: {}\nnotas:\n  - texto: {}\n\
             area_responsable: {}\nfe_de_erratas:\n  - fecha: 2023-07-01\n    cambio: {}\n    motivo: {}\n",
            p(1), p(2), p(3), q("[enlace](javascript:alert(1)) <script>alert(2)</script>"), p(4), p(5), p(0), p(1), p(2)
        ),
    )
    .unwrap();
    // Placeholders `@n` take payload n; `@S` is the series (column) name the chart draws.
    let unit = r#"unidad: @0
orden: 1
objetivo: @1
estrategia: @2
lineas:
  - numero: 1
    titulo: @3
    descripcion: @4
    meta: { cantidad: 2, unidad: @5, texto: @0 }
    inicio: 2023-01-01
    termino: 2023-12-31
    avance: { logrado: 1, programado: 2, texto: @1 }
    actividades:
      - texto: @2
      - figura: @3
      - cifras: { titulo: @4, elementos: [{ concepto: @5, valor: 5, detalle: @0 }] }
      - tabla:
          id: t-1
          titulo: @1
          fuente: @2
          encabezado: [@3]
          columnas: [@4, @S]
          filas:
            - [@5, 1]
            - [@0, 2]
          total: [@1, 3]
          notas: [{ texto: @2 }]
      - grafica:
          id: g-1
          tipo: barras-agrupadas
          origen: t-1
          series: [@S]
          titulo: @3
          subtitulo: @4
          unidad: @5
    eventos:
      - nombre: @0
        inicio: 2023-04-01
        participantes: 3
        mujeres: 1
        hombres: 2
    notas: [{ texto: @1 }]
"#;
    let mut unit = unit.replace("@S", &q("Serie <b onclick=x>"));
    for i in 0..PAYLOADS.len() {
        unit = unit.replace(&format!("@{i}"), &p(i));
    }
    std::fs::write(c.join("informes/2023-t2/unidades/datos.yaml"), unit).unwrap();
    site
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn no_output_carries_an_executable_payload() {
    let site = hostile_site();
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = tree(&site.output());
    let mut html_pages = 0;
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        if path.ends_with(".html") {
            html_pages += 1;
            let doc = Html::parse_document(&text);
            for s in doc.select(&sel("script")) {
                let src = s.value().attr("src").unwrap_or("");
                assert!(
                    src.ends_with("/pagefind/pagefind-ui.js")
                        || src.ends_with("/pagefind/partes.js")
                        || src.ends_with("/static/buscar.js"),
                    "{path}: unexpected script {:?}",
                    s.html()
                );
            }
            for el in doc.select(&sel("*")) {
                for (name, value) in el.value().attrs() {
                    assert!(
                        !name.to_ascii_lowercase().starts_with("on"),
                        "{path}: handler {name}={value}"
                    );
                    if matches!(name, "href" | "src" | "action") {
                        assert!(
                            !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                            "{path}: {name}={value}"
                        );
                    }
                }
            }
            assert!(!text.contains("<svg onload"), "{path}");
            assert!(!text.contains("<img src=x"), "{path}");
        } else if path.ends_with(".xml") {
            roxmltree::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{path} is not valid XML: {e}"));
        } else if path.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        } else if path.ends_with(".csv") {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(bytes.as_slice());
            for record in reader.records() {
                for cell in record.unwrap().iter() {
                    let risky = cell.starts_with(['=', '+', '-', '@']);
                    assert!(
                        !risky || cell.parse::<f64>().is_ok(),
                        "{path}: formula cell {cell:?}"
                    );
                }
            }
        }
    }
    assert!(html_pages >= 8);
    // The payloads are still there, as text, for the reader to see.
    let unit = site.text("informes/2023/t2/datos/index.html");
    assert!(unit.contains("<script>alert('x')</script>"), "{unit}");
    assert!(unit.contains("=cmd|' /C calc'!A0"));
}

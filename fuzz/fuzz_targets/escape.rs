//! The escapers: `render::escape` (every field of every HTML, SVG and XML page) and the open
//! data CSV writer (`data::export`).
//!
//! - `render::escape(s)` never leaves `<`, `>`, `"` or `'`, every `&` starts one of the five
//!   entities it writes, and decoding gives `s` back.
//! - A unit with a fuzzed table, a chart drawn from it and training events goes through the real
//!   parser (`content::parse`, prescan included), `model::Site::from_raw` and `validate`; when it
//!   is valid (as `build` requires), every CSV `data::export` writes is read back with the csv
//!   crate, and no field may start with `=`, `+`, `-`, `@`, tab or CR (a spreadsheet would run it
//!   as a formula, OWASP) unless it is a number the generator wrote. Every JSON file must parse.

#![no_main]

use arbitrary::Arbitrary;
use informe::content::{self, Sourced, raw};
use informe::{model, render, validate};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

#[derive(Arbitrary, Debug)]
struct Input {
    escape: String,
    unit: String,
    line_title: String,
    table_title: String,
    columns: Vec<(String, Option<String>)>,
    rows: Vec<Vec<CellIn>>,
    chart: Option<ChartIn>,
    events: Vec<(String, u16, u16)>,
}

#[derive(Arbitrary, Debug)]
enum CellIn {
    Text(String),
    Number(f64),
    Integer(i32),
    Empty,
}

#[derive(Arbitrary, Debug)]
struct ChartIn {
    ranking: bool,
    categories: Option<String>,
    highlight: Option<String>,
    title: String,
}

fn check_escape(s: &str) {
    let e = render::escape(s);
    assert!(!e.contains(['<', '>', '"', '\'']), "{s:?} → {e:?}");
    let mut decoded = String::new();
    let mut rest = e.as_str();
    while let Some(i) = rest.find('&') {
        decoded.push_str(&rest[..i]);
        rest = &rest[i..];
        let (entity, ch) = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
        ]
        .into_iter()
        .find(|(ent, _)| rest.starts_with(ent))
        .unwrap_or_else(|| panic!("bare & in {e:?}"));
        decoded.push(ch);
        rest = &rest[entity.len()..];
    }
    decoded.push_str(rest);
    assert_eq!(decoded, s, "escape does not round-trip");
}

fn cell(c: &CellIn) -> Value {
    match c {
        CellIn::Text(t) => json!(t),
        CellIn::Number(n) => json!(n),
        CellIn::Integer(n) => json!(n),
        CellIn::Empty => Value::Null,
    }
}

/// The fuzzed unit as YAML text (JSON is a subset of the YAML that serde_yaml reads).
fn unit_source(input: &Input) -> String {
    let columns: Vec<&(String, Option<String>)> = input.columns.iter().take(5).collect();
    let width = columns.len().max(1);
    let rows: Vec<Vec<Value>> = input
        .rows
        .iter()
        .take(8)
        .map(|r| {
            (0..width)
                .map(|i| r.get(i).map_or(Value::Null, cell))
                .collect()
        })
        .collect();
    let mut activities = vec![json!({ "tabla": {
        "id": "tabla-1",
        "numero": "Tabla 1",
        "titulo": input.table_title,
        "columnas": columns.iter().map(|(name, group)| match group {
            Some(g) => json!({ "nombre": name, "grupo": g }),
            None => json!(name),
        }).collect::<Vec<_>>(),
        "filas": rows,
    }})];
    if let Some(c) = &input.chart {
        // Series: every column after the first whose cells are all numbers or empty.
        let series: Vec<&String> = columns
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(i, _)| rows.iter().all(|r| r[*i].is_number() || r[*i].is_null()))
            .map(|(_, (name, _))| name)
            .collect();
        activities.push(json!({ "grafica": {
            "id": "grafica-1",
            "tipo": if c.ranking { "clasificacion" } else { "barras-agrupadas" },
            "origen": "tabla-1",
            "categorias": c.categories,
            "series": series,
            "resaltar": c.highlight,
            "titulo": c.title,
            "subtitulo": "Subtítulo.",
        }}));
    }
    if !input.events.is_empty() {
        activities.push(json!({ "grafica": {
            "id": "grafica-2",
            "tipo": "capacitacion",
            "origen": "eventos",
            "titulo": "Eventos",
            "subtitulo": "Subtítulo.",
        }}));
    }
    let events: Vec<Value> = input
        .events
        .iter()
        .take(4)
        .map(|(name, women, men)| {
            json!({
                "nombre": name,
                "inicio": "2023-05-04",
                "participantes": u32::from(*women) + u32::from(*men),
                "mujeres": women,
                "hombres": men,
            })
        })
        .collect();
    json!({
        "unidad": input.unit,
        "orden": 1,
        "objetivo": "Objetivo.",
        "estrategia": "Estrategia.",
        "lineas": [{
            "numero": 1,
            "titulo": input.line_title,
            "descripcion": "Descripción.",
            "meta": { "texto": "Meta." },
            "inicio": "2023-01-01",
            "termino": "2023-12-31",
            "avance": { "porcentaje": 50 },
            "actividades": activities,
            "eventos": events,
        }],
    })
    .to_string()
}

fuzz_target!(|input: Input| {
    check_escape(&input.escape);

    let minimo = informe_fuzz::minimo();
    let (slug, fixture) = &minimo.reports[0].units[0];
    let source = unit_source(&input);
    let Ok(unit) = content::parse::<raw::Unit>(&fixture.path, &source) else {
        return;
    };
    let mut raw = minimo.clone();
    raw.reports[0].units[0] = (
        slug.clone(),
        std::sync::Arc::new(Sourced {
            path: fixture.path.clone(),
            source: content::Source::Kept(std::sync::Arc::new(source)),
            value: unit,
        }),
    );
    let site = model::Site::from_raw(raw, None);
    if validate::validate(&site).iter().any(|d| d.is_error()) {
        return; // `build` stops before writing any data
    }
    informe_fuzz::check_exports(&site);
});

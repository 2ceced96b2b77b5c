//! `informe new <año> <trimestre>`: the next quarter's files, scaffolded from the latest one.
//!
//! Units, action lines, goals and dates are carried over (dates moved to the new year when the
//! year changes); progress, activities, events, figures and editorial notes are emptied for the
//! webmaster to fill. Works on YAML values, not on the typed model, so key order is kept.

use crate::content::{self, raw};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::fsx;
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

const ORDINALS: [&str; 4] = ["Primer", "Segundo", "Tercer", "Cuarto"];
const PERIODS: [&str; 4] = [
    "Enero - Marzo",
    "Abril - Junio",
    "Julio - Septiembre",
    "Octubre - Diciembre",
];
const CUTOFFS: [&str; 4] = ["03-31", "06-30", "09-30", "12-31"];

fn key(m: &mut Mapping, k: &str, v: impl Into<Value>) {
    m.insert(Value::from(k), v.into());
}

/// Moves an ISO date string to `year`, keeping month and day (29 February becomes the 28th).
fn move_year(v: &Value, year: i32) -> Value {
    match v.as_str() {
        Some(s) if s.len() == 10 => {
            let md = &s[5..];
            let md = if md == "02-29" { "02-28" } else { md };
            Value::from(format!("{year:04}-{md}"))
        }
        _ => v.clone(),
    }
}

fn parse_value(path: &Path) -> Result<Value> {
    let text = String::from_utf8_lossy(&fsx::read(path)?).into_owned();
    serde_yaml::from_str(&text)
        .map_err(|e| Error::Content(vec![Diagnostic::error("E-ESQUEMA", path, e.to_string())]))
}

fn to_yaml(v: &Value, path: &Path) -> Result<String> {
    serde_yaml::to_string(v).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))
}

/// Creates `informes/<year>-t<quarter>/` from the latest report. Returns the files written.
pub fn new_quarter(content_dir: &Path, year: i32, quarter: u8) -> Result<Vec<PathBuf>> {
    if !(1..=4).contains(&quarter) {
        return Err(Error::Usage("el trimestre debe ser 1, 2, 3 o 4".into()));
    }
    let (raw_content, _) = content::load(content_dir).map_err(Error::Content)?;
    let latest = raw_content
        .reports
        .iter()
        .max_by_key(|r| (r.report.value.anio, r.report.value.trimestre))
        .ok_or_else(|| {
            Error::Usage("no hay un informe del cual partir en content/informes/".into())
        })?;
    let target = content_dir
        .join("informes")
        .join(format!("{year}-t{quarter}"));
    if target.exists() {
        return Err(Error::Usage(format!(
            "{} ya existe; no se sobrescribe un trimestre",
            target.display()
        )));
    }
    let q = usize::from(quarter - 1);
    let from_year = latest.report.value.anio;
    let mut written = Vec::new();

    let mut report = parse_value(&latest.report.path)?;
    if let Some(m) = report.as_mapping_mut() {
        key(m, "anio", year);
        key(m, "trimestre", u64::from(quarter));
        key(m, "periodo", PERIODS[q]);
        key(m, "fecha_corte", format!("{year}-{}", CUTOFFS[q]));
        if let Some(t) = m.get("titulo").and_then(Value::as_str) {
            let rest = ORDINALS.iter().find_map(|o| t.strip_prefix(o)).unwrap_or(t);
            let title = if rest == t {
                t.to_owned()
            } else {
                format!("{}{rest}", ORDINALS[q])
            };
            key(m, "titulo", title);
        }
        if let Some(Value::Sequence(items)) = m.get_mut("presentacion") {
            for item in items.iter_mut().filter_map(Value::as_mapping_mut) {
                key(item, "texto", "");
            }
        }
        // A new quarter attaches its own documents; the old ones stay with their quarter.
        m.remove("notas");
        m.remove("anexos");
    }
    let report_path = target.join("informe.yaml");
    fsx::write(&report_path, to_yaml(&report, &report_path)?.as_bytes())?;
    written.push(report_path);

    for (slug, unit) in &latest.units {
        let mut v = parse_value(&unit.path)?;
        if let Some(m) = v.as_mapping_mut() {
            m.remove("notas");
            if let Some(Value::Sequence(lines)) = m.get_mut("lineas") {
                for line in lines.iter_mut().filter_map(Value::as_mapping_mut) {
                    for k in ["avance", "eventos", "notas"] {
                        line.remove(k);
                    }
                    key(line, "actividades", Value::Sequence(Vec::new()));
                    if year != from_year {
                        for k in ["inicio", "termino"] {
                            if let Some(d) = line.get(k).map(|d| move_year(d, year)) {
                                key(line, k, d);
                            }
                        }
                    }
                }
            }
        }
        let path = target.join("unidades").join(format!("{slug}.yaml"));
        fsx::write(&path, to_yaml(&v, &path)?.as_bytes())?;
        written.push(path);
    }
    // The scaffold must load like any content; a failure here is a bug, reported as such.
    for p in &written {
        let text = String::from_utf8_lossy(&fsx::read(p)?).into_owned();
        let ok = if p.ends_with("informe.yaml") {
            content::parse::<raw::Report>(p, &text).map(drop)
        } else {
            content::parse::<raw::Unit>(p, &text).map(drop)
        };
        ok.map_err(|d| Error::Content(vec![*d]))?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_move_to_the_new_year() {
        assert_eq!(
            move_year(&Value::from("2023-01-01"), 2024),
            Value::from("2024-01-01")
        );
        assert_eq!(
            move_year(&Value::from("2024-02-29"), 2025),
            Value::from("2025-02-28")
        );
    }
}

//! OPEN DATA: every table and chart of a quarter as CSV and JSON, the whole report as JSON, and
//! a Frictionless `datapackage.json` that describes every CSV (it doubles as the data
//! dictionary). Everything is generated from the same model the pages use, so a number cannot
//! differ between a page and its download.
//!
//! Files live under `/datos/<año>-t<n>/` with lower-case dashed names (`dsepd-tabla-4.csv`);
//! they depend only on the quarter's content, so a published quarter's URLs never change.

use crate::model::{Block, Cell, Chart, ChartKind, Report, Site, Table, Unit};
use crate::render::Artifact;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

mod json;
use json::{FieldJson, PackageJson, ResourceJson};

/// One downloadable file, as linked from pages. What pages read of a quarter's downloads
/// (everything but the bytes) is also kept in the site, for a later build that takes the
/// quarter's files from it (`reuse`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Download {
    pub url: String,
    pub format: Cow<'static, str>,
    /// Pages show `text`; the exact size stays out of their context, so that a file whose
    /// size changes within the same label leaves the pages that link it unchanged.
    #[serde(skip)]
    pub bytes: usize,
    /// «Descargar Tabla 4 (CSV, 1 KB)».
    pub text: String,
}

/// A table's or a chart's files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dataset {
    /// The table or chart id.
    pub key: String,
    pub title: String,
    pub unit: String,
    pub downloads: Vec<Download>,
}

/// Everything one quarter publishes as data.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QuarterData {
    pub report_id: String,
    pub title: String,
    pub datasets: Vec<Dataset>,
    /// The whole-report JSON and the datapackage.
    pub whole: Vec<Download>,
    /// The files themselves; the plan takes their bytes and leaves the paths.
    #[serde(skip)]
    pub files: Vec<Artifact>,
}

impl QuarterData {
    /// Whether the open-data page shows `self` and `other` alike (the files' bytes aside).
    pub fn same_listing(&self, other: &Self) -> bool {
        let same = |a: &[Download], b: &[Download]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(a, b)| (&a.url, &a.format, &a.text) == (&b.url, &b.format, &b.text))
        };
        self.report_id == other.report_id
            && self.title == other.title
            && same(&self.whole, &other.whole)
            && self.datasets.len() == other.datasets.len()
            && self.datasets.iter().zip(&other.datasets).all(|(a, b)| {
                (&a.key, &a.title, &a.unit) == (&b.key, &b.title, &b.unit)
                    && same(&a.downloads, &b.downloads)
            })
    }
}

/// «1 KB»: whole kilobytes rounded up, so a tiny file never reads as «0 KB»; from 1 MB on,
/// megabytes with one decimal («2.5 MB»).
fn size_label(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB {
        format!("{} MB", crate::format::number(bytes as f64 / MB as f64, 1))
    } else {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    }
}

/// A link to a downloadable file: «Descargar Tabla 4 (CSV, 1 KB)». The one place download
/// texts are worded, for data files and attachments alike.
pub fn download(url: String, format: &'static str, bytes: usize, what: &str) -> Download {
    Download {
        url,
        format: Cow::Borrowed(format),
        bytes,
        text: format!("Descargar {what} ({format}, {})", size_label(bytes)),
    }
}

/// OWASP CSV-injection guidance: a text cell that a spreadsheet would run as a formula gets a
/// leading apostrophe.
fn neutralize(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn cell_csv(c: &Cell) -> String {
    match c {
        Cell::Number(n) => format!("{n}"),
        Cell::Text(t) => neutralize(t),
        Cell::Empty(_) => String::new(),
    }
}

/// Column headers as they appear in the CSV: a grouped column carries its group.
fn headers(t: &Table) -> Vec<String> {
    t.columns
        .iter()
        .map(|c| match &c.group {
            Some(g) => format!("{g}: {}", c.name),
            None => c.name.clone(),
        })
        .collect()
}

fn csv_bytes(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail; an error here would be a bug in the csv crate.
    // Headers are content too (column and series names): neutralised like text cells.
    let _ = w.write_record(header.iter().map(|h| neutralize(h)));
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

fn table_label(t: &Table) -> String {
    t.label
        .clone()
        .unwrap_or_else(|| format!("la tabla «{}»", t.title))
}

fn field_type(t: &Table, i: usize) -> &'static str {
    let c = &t.columns[i];
    if !c.numeric {
        return "string";
    }
    let integral = t
        .rows
        .iter()
        .chain(t.total.iter())
        .filter_map(|r| r.get(i).and_then(Cell::number))
        .all(|n| n.fract() == 0.0);
    if integral { "integer" } else { "number" }
}

/// `dsepd-tabla-4`; an id that already names its unit (`archivo-asesorias`) is kept as is.
fn file_stem(u: &Unit, id: &str) -> String {
    if id.starts_with(&format!("{}-", u.slug)) {
        id.to_owned()
    } else {
        format!("{}-{id}", u.slug)
    }
}

struct Builder<'a> {
    report: &'a Report,
    dir: String,
    data: QuarterData,
    resources: Vec<ResourceJson>,
}

impl Builder<'_> {
    fn add(&mut self, name: &str, ext: &'static str, bytes: Vec<u8>, what: &str) -> Download {
        let file = format!("{name}.{ext}");
        let format = if ext == "csv" { "CSV" } else { "JSON" };
        let d = download(format!("/{}{file}", self.dir), format, bytes.len(), what);
        self.data.files.push(Artifact {
            path: format!("{}{file}", self.dir),
            bytes,
        });
        d
    }

    fn table(&mut self, u: &Unit, t: &Table) {
        let name = file_stem(u, &t.id);
        let head = headers(t);
        let rows = t
            .rows
            .iter()
            .chain(t.total.iter())
            .map(|r| r.iter().map(cell_csv).collect());
        let csv = csv_bytes(&head, rows);
        let label = table_label(t);
        let csv_dl = self.add(&name, "csv", csv, &label);
        let json_dl = self.add(
            &name,
            "json",
            json::bytes(&json::table(t, u, self.report)),
            &label,
        );
        let fields = head
            .iter()
            .enumerate()
            .map(|(i, h)| FieldJson {
                description: if i == 0 {
                    "Encabezado de la fila".to_owned()
                } else if t.columns[i].numeric {
                    format!("Valor numérico de la columna «{}»", t.columns[i].name)
                } else {
                    format!("Texto de la columna «{}»", t.columns[i].name)
                },
                name: h.clone(),
                title: h.clone(),
                kind: field_type(t, i),
            })
            .collect();
        self.resources.push(ResourceJson::csv(
            name,
            format!(
                "{}{}",
                t.label.as_ref().map_or(String::new(), |l| format!("{l}. ")),
                t.title
            ),
            format!(
                "Tabla de la unidad «{}», {}.{}{}",
                u.name,
                self.report.title,
                t.source
                    .as_ref()
                    .map_or(String::new(), |s| format!(" Fuente: {s}")),
                if t.total.is_some() {
                    " La última fila es el total publicado."
                } else {
                    ""
                }
            ),
            fields,
        ));
        self.data.datasets.push(Dataset {
            key: t.id.clone(),
            title: t.title.clone(),
            unit: u.name.clone(),
            downloads: vec![csv_dl, json_dl],
        });
    }

    fn chart(&mut self, u: &Unit, c: &Chart) {
        let name = if c.kind == ChartKind::Progress {
            c.id.clone()
        } else {
            file_stem(u, &c.id)
        };
        let d = &c.data;
        let with_notes = d.notes.iter().any(Option::is_some);
        let mut head = vec![d.category_header.clone()];
        head.extend(d.series.iter().map(|s| s.name.clone()));
        if with_notes {
            head.push("Nota".to_owned());
        }
        let rows = d.categories.iter().enumerate().map(|(i, cat)| {
            let mut r = vec![neutralize(cat)];
            r.extend(
                d.series
                    .iter()
                    .map(|s| s.values[i].map_or(String::new(), |v| format!("{v}"))),
            );
            if with_notes {
                r.push(d.notes[i].as_deref().map(neutralize).unwrap_or_default());
            }
            r
        });
        let label = match &c.label {
            Some(l) => format!("datos de la {l}"),
            None => format!("datos de la gráfica «{}»", c.title),
        };
        let csv = self.add(&name, "csv", csv_bytes(&head, rows), &label);
        let fields = head
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let numeric = i > 0 && i <= d.series.len();
                FieldJson {
                    description: if numeric {
                        format!("Valores de la serie «{h}»")
                    } else if i == 0 {
                        "Categoría".to_owned()
                    } else {
                        "Observación sobre la fila".to_owned()
                    },
                    name: h.clone(),
                    title: h.clone(),
                    kind: if numeric { "number" } else { "string" },
                }
            })
            .collect();
        self.resources.push(ResourceJson::csv(
            name,
            format!("Datos de la gráfica: {}", c.title),
            format!("{} {}", c.subtitle, c.description),
            fields,
        ));
        self.data.datasets.push(Dataset {
            key: c.id.clone(),
            title: c.title.clone(),
            unit: u.name.clone(),
            downloads: vec![csv],
        });
    }
}

/// The data downloads of one quarter (they depend on the institution and that quarter only).
/// The folder of a quarter's data files, `datos/2023-t2/`.
pub(crate) fn quarter_dir(r: &Report) -> String {
    format!("datos/{}/", r.id)
}

pub fn quarter(site: &Site, r: &Report) -> QuarterData {
    let mut b = Builder {
        report: r,
        dir: quarter_dir(r),
        data: QuarterData {
            report_id: r.id.clone(),
            title: format!("{} de {}", r.quarter_name, r.year),
            datasets: Vec::new(),
            whole: Vec::new(),
            files: Vec::new(),
        },
        resources: Vec::new(),
    };
    for u in &r.units {
        for l in &u.lines {
            for block in &l.blocks {
                match block {
                    Block::Table(t) => b.table(u, t),
                    Block::Chart(c) => b.chart(u, c),
                    _ => {}
                }
            }
        }
        if let Some(c) = &u.progress_chart {
            b.chart(u, c);
        }
    }
    let whole = b.add(
        &format!("informe-{}", r.id),
        "json",
        json::bytes(&json::report(r)),
        &format!(
            "el informe completo del {} de {}",
            r.quarter_name.to_lowercase(),
            r.year
        ),
    );
    let package = PackageJson {
        description: format!(
            "Datos abiertos del informe trimestral de la {}: cada tabla y los datos de cada gráfica, en CSV (UTF-8, separado por comas, con fila de encabezados).",
            site.institution.name
        ),
        name: format!(
            "informe-{}-{}",
            site.institution.short_name.to_lowercase(),
            r.id
        ),
        resources: std::mem::take(&mut b.resources),
        title: format!(
            "{} ({} de {})",
            r.title,
            r.quarter_name.to_lowercase(),
            r.year
        ),
    };
    let package_dl = b.add(
        "datapackage",
        "json",
        json::bytes(&package),
        &format!(
            "el diccionario de datos (datapackage) del {} de {}",
            r.quarter_name.to_lowercase(),
            r.year
        ),
    );
    b.data.whole = vec![whole, package_dl];
    b.data
}

/// Data exports of every quarter, oldest first.
pub fn export(site: &Site) -> Vec<QuarterData> {
    use rayon::prelude::*;
    // Quarters are independent; `collect` keeps their order.
    site.reports.par_iter().map(|r| quarter(site, r)).collect()
}

/// A file written: its path, size and fingerprint.
pub(crate) type WrittenFile = (String, u64, blake3::Hash);

/// [`export`], each quarter's files written to `dest` as soon as they are made and then
/// let go: what comes back describes the downloads, with no files left to write. At 10,000
/// pages the files are 150 MB, which a build no longer holds all at once. A quarter whose
/// listing `kept` holds (its files were taken from the previous site) is not made again.
/// Also returns, by quarter, the files written.
pub(crate) fn export_written(
    site: &Site,
    dest: crate::output::Dest<'_>,
    kept: Vec<Option<QuarterData>>,
) -> crate::Result<(
    Vec<QuarterData>,
    crate::output::Written,
    Vec<Vec<WrittenFile>>,
)> {
    use rayon::prelude::*;
    let quarters: Vec<(QuarterData, crate::output::Written, Vec<WrittenFile>)> = site
        .reports
        .par_iter()
        .zip(kept)
        .map(|(r, kept)| {
            if let Some(q) = kept {
                return Ok((q, crate::output::Written::default(), Vec::new()));
            }
            let mut q = quarter(site, r);
            let written = dest.write_files(&q.files)?;
            let files = std::mem::take(&mut q.files)
                .into_iter()
                .map(|f| {
                    let hash = blake3::hash(&f.bytes);
                    (f.path, f.bytes.len() as u64, hash)
                })
                .collect();
            Ok((q, written, files))
        })
        .collect::<crate::Result<_>>()?;
    let mut total = crate::output::Written::default();
    let mut files = Vec::with_capacity(quarters.len());
    let exports = quarters
        .into_iter()
        .map(|(q, w, f)| {
            total.add(w);
            files.push(f);
            q
        })
        .collect();
    Ok((exports, total, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_numbers_are_not() {
        assert_eq!(neutralize("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(neutralize("@SUM(1)"), "'@SUM(1)");
        assert_eq!(neutralize("Enero"), "Enero");
        // Found by `fuzz/` (regresiones/contenido/unidad-encabezado-formula.yaml): headers are
        // content too.
        let csv = csv_bytes(&["=1+1".into(), "\rX".into()], std::iter::empty());
        assert_eq!(String::from_utf8_lossy(&csv), "'=1+1,\"'\rX\"\r\n");
        assert_eq!(cell_csv(&Cell::Number(-3.0)), "-3");
        assert_eq!(cell_csv(&Cell::Number(12.6)), "12.6");
    }

    /// The JSON files are written from typed shapes whose fields must be declared in
    /// alphabetical order, as the published files always had them: each file of the shipped
    /// report must come out the same when its keys are sorted again.
    #[test]
    fn json_files_keep_their_keys_sorted() {
        let (site, _) = crate::load_site(std::path::Path::new("content"), None).unwrap();
        let mut checked = 0;
        for r in &site.reports {
            for f in quarter(&site, r)
                .files
                .iter()
                .filter(|f| f.path.ends_with(".json"))
            {
                let sorted: serde_json::Value = serde_json::from_slice(&f.bytes).unwrap();
                let sorted = json::bytes(&sorted);
                let first_difference = sorted
                    .split(|b| *b == b'\n')
                    .zip(f.bytes.split(|b| *b == b'\n'))
                    .map(|(a, b)| (String::from_utf8_lossy(a), String::from_utf8_lossy(b)))
                    .find(|(a, b)| a != b);
                assert_eq!(first_difference, None, "{}: (sorted, written)", f.path);
                assert_eq!(sorted, f.bytes, "{}", f.path);
                checked += 1;
            }
        }
        assert!(checked >= 5, "{checked} JSON files");
    }

    #[test]
    fn sizes_never_read_zero() {
        assert_eq!(size_label(10), "1 KB");
        assert_eq!(size_label(1024), "1 KB");
        assert_eq!(size_label(1025), "2 KB");
        assert_eq!(size_label(1024 * 1024), "1 MB");
        assert_eq!(size_label(5 * 1024 * 1024 / 2), "2.5 MB");
    }
}

//! LOAD: walk `content/`, parse every YAML file into the raw mirror, and collect every
//! problem as a located diagnostic before giving up.
//!
//! What this stage does not do: compute, cross-check or format anything (that is `model` and
//! `validate`). It only knows where files live and how to read them.

pub mod raw;
mod walk;
mod yaml;

use crate::diagnostic::Diagnostic;
use std::path::{Path, PathBuf};

pub use yaml::{MAX_DEPTH, MAX_FILE_BYTES, parse};

/// A parsed value with the file it came from, kept so later stages can locate problems.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub path: PathBuf,
    pub source: String,
    pub value: T,
}

/// Everything under `content/`, parsed but not yet checked against itself.
#[derive(Debug, Clone)]
pub struct RawContent {
    pub site: Sourced<raw::Site>,
    pub institution: Sourced<raw::Institution>,
    /// `glosario.yaml` is optional.
    pub glossary: Option<Sourced<raw::Glossary>>,
    pub reports: Vec<RawReport>,
}

/// One `informes/<año>-t<n>/` folder.
#[derive(Debug, Clone)]
pub struct RawReport {
    /// Folder name, e.g. `2023-t2`.
    pub dir_name: String,
    pub report: Sourced<raw::Report>,
    /// Sorted by file name; the slug is the file stem.
    pub units: Vec<(String, Sourced<raw::Unit>)>,
}

/// Reads the content directory. On failure, returns every diagnostic found (warnings included).
pub fn load(content_dir: &Path) -> Result<(RawContent, Vec<Diagnostic>), Vec<Diagnostic>> {
    let files = walk::walk(content_dir)?;
    let mut diags = files.diagnostics;
    let mut site = None;
    let mut institution = None;
    let mut reports = Vec::new();

    if let Some(s) = load_file(content_dir, Path::new("sitio.yaml"), &mut diags) {
        site = Some(s);
    }
    if let Some(i) = load_file(content_dir, Path::new("institucion.yaml"), &mut diags) {
        institution = Some(i);
    }
    let glossary = if content_dir.join("glosario.yaml").is_file() {
        load_file(content_dir, Path::new("glosario.yaml"), &mut diags)
    } else {
        None
    };
    for dir in &files.reports {
        let report = load_file(content_dir, &dir.report, &mut diags);
        let units = dir
            .units
            .iter()
            .filter_map(|(slug, rel)| {
                load_file(content_dir, rel, &mut diags).map(|u| (slug.clone(), u))
            })
            .collect();
        if let Some(report) = report {
            reports.push(RawReport {
                dir_name: dir.name.clone(),
                report,
                units,
            });
        }
    }

    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    match (site, institution) {
        (Some(site), Some(institution)) => Ok((
            RawContent {
                site,
                institution,
                glossary,
                reports,
            },
            diags,
        )),
        _ => Err(diags),
    }
}

/// Reads and parses one file; a problem becomes a diagnostic and `None`.
fn load_file<T: serde::de::DeserializeOwned>(
    content_dir: &Path,
    rel: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sourced<T>> {
    let path = content_dir.join(rel);
    let parsed = yaml::read_source(&path)
        .and_then(|source| parse::<T>(&path, &source).map(|value| (source, value)));
    match parsed {
        Ok((source, value)) => Some(Sourced {
            path,
            source,
            value,
        }),
        Err(d) => {
            diags.push(*d);
            None
        }
    }
}

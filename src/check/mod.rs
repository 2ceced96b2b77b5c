//! CHECK: everything `build` validates, plus checks over the rendered pages (internal links
//! and anchors, a static accessibility lint) and the theme's colours, without writing any
//! output. Each finding is a [`Diagnostic`] with a stable code listed in the README.

mod a11y;
mod contrast;
mod links;

use crate::diagnostic::Diagnostic;
use crate::render::Artifact;
use std::path::Path;

/// What a check looked at, for the summary line.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub pages: usize,
    pub links: usize,
    pub anchors: usize,
}

/// Checks rendered pages. `static_files` are output-relative paths of the theme's static files.
pub fn pages(
    artifacts: &[Artifact],
    static_files: &[String],
    base_path: &str,
    theme_css: Option<(&Path, &str)>,
) -> (Vec<Diagnostic>, Counts) {
    let docs: Vec<(String, scraper::Html)> = artifacts
        .iter()
        .filter(|a| a.path.ends_with(".html"))
        .map(|a| {
            (
                a.path.clone(),
                scraper::Html::parse_document(&String::from_utf8_lossy(&a.bytes)),
            )
        })
        .collect();
    let mut out = Vec::new();
    let mut counts = Counts {
        pages: docs.len(),
        ..Counts::default()
    };
    // Links may point at any output: pages, data downloads, the search bundle, static files.
    let files: Vec<&str> = artifacts
        .iter()
        .map(|a| a.path.as_str())
        .chain(static_files.iter().map(String::as_str))
        .collect();
    links::check(&docs, &files, base_path, &mut out, &mut counts);
    a11y::check(&docs, &mut out);
    if let Some((file, css)) = theme_css {
        contrast::check(file, css, &mut out);
    }
    (out, counts)
}

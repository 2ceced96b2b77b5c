//! RENDER: each planned page through its template, in plan order.

pub mod env;

/// The one HTML/XML escaper (text and attributes; `/` left readable).
pub use env::escape_attr as escape;
pub mod glossary;
pub mod markdown;

use crate::error::Result;
use crate::plan::Page;
use minijinja::Environment;

/// A finished output file, path relative to the output root.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Renders in parallel; `collect` keeps plan order, so the output does not depend on timing.
pub fn render(env: &Environment<'_>, pages: &[Page]) -> Result<Vec<Artifact>> {
    use rayon::prelude::*;
    pages
        .par_iter()
        .map(|p| {
            let html = env.get_template(p.template)?.render(p.context.clone())?;
            Ok(Artifact {
                path: p.path.clone(),
                bytes: html.into_bytes(),
            })
        })
        .collect()
}

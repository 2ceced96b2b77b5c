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

/// Renders one page: its template, then the glossary links.
fn render_page(
    env: &Environment<'_>,
    page: &Page,
    linker: Option<&glossary::Linker>,
) -> Result<Artifact> {
    let html = env
        .get_template(page.template)?
        .render(page.context.clone())?;
    let mut a = Artifact {
        path: page.path.clone(),
        bytes: html.into_bytes(),
    };
    if let Some(linker) = linker {
        linker.link_page(&mut a);
    }
    Ok(a)
}

/// Renders in parallel into memory; `collect` keeps plan order, so the output does not depend
/// on timing. For `check`, which looks at every page at once.
pub fn render(
    env: &Environment<'_>,
    pages: &[Page],
    linker: Option<&glossary::Linker>,
) -> Result<Vec<Artifact>> {
    use rayon::prelude::*;
    pages
        .par_iter()
        .map(|p| render_page(env, p, linker))
        .collect()
}

/// Renders in parallel and hands each page to `sink` as soon as it is made (a build writes it
/// and lets it go, so memory holds a few pages, not the site). Returns what `sink` returned,
/// in plan order.
pub fn render_each<T: Send>(
    env: &Environment<'_>,
    pages: &[Page],
    linker: Option<&glossary::Linker>,
    sink: impl Fn(Artifact) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    use rayon::prelude::*;
    pages
        .par_iter()
        .map(|p| render_page(env, p, linker).and_then(&sink))
        .collect()
}

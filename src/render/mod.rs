//! RENDER: each planned page through its template, in plan order.

pub mod env;

/// The one HTML/XML escaper (text and attributes; `/` left readable).
pub use env::escape_attr as escape;
pub(crate) use env::write_escaped;
pub mod glossary;
pub mod markdown;

use crate::data::QuarterData;
use crate::error::Result;
use crate::model::Site;
use crate::plan::{Page, Plan};
use minijinja::Environment;
use std::cell::RefCell;

/// A finished output file, path relative to the output root.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The largest page buffer a thread keeps for its next page: ordinary pages are tens to
/// hundreds of kilobytes.
const KEEP_BUFFER: usize = 1 << 20;

thread_local! {
    // Each thread renders into one buffer that keeps the size of its largest page, and the
    // page is written from it: a page rendered into a fresh string grew it a dozen times,
    // each growth a copy and, for large pages, memory the kernel had to clear (a fifth of
    // rendering), and was then copied once more to be kept.
    static PAGE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Renders one page into `a.bytes` (emptied first): its template, then the glossary links.
fn render_page(
    env: &Environment<'_>,
    page: &Page,
    exports: &[QuarterData],
    linker: Option<&glossary::Linker>,
    a: &mut Artifact,
) -> Result<()> {
    a.bytes.clear();
    env.get_template(page.template)?
        .render_captured_to(page.context(exports), &mut a.bytes)?;
    if let Some(linker) = linker {
        linker.link_page(a);
    }
    Ok(())
}

/// Renders every page of `plan` on every core and hands each to `sink` as soon as it is made
/// (a build writes it; the buffer is then the next page's). A quarter's pages are planned
/// just before they are rendered, so memory holds the contexts of a few quarters, not of the
/// site. Returns each
/// page's path with what `sink` returned: the pages made up front first, then each quarter's,
/// in plan order, whatever the timing. `exports` are the ones the plan was made from.
pub fn render_plan<T: Send>(
    env: &Environment<'_>,
    plan: &Plan,
    site: &Site,
    exports: &[QuarterData],
    linker: Option<&glossary::Linker>,
    sink: impl Fn(&Artifact) -> Result<T> + Sync,
) -> Result<Vec<(String, T)>> {
    use rayon::prelude::*;
    let one = |p: &Page| {
        let mut a = Artifact {
            path: p.path.clone(),
            bytes: PAGE.take(),
        };
        let made = render_page(env, p, exports, linker, &mut a).and_then(|()| sink(&a));
        // A buffer grown by an outsized page (the open-data listing of a long series of
        // quarters runs to megabytes) is let go rather than kept by its thread to the end.
        if a.bytes.capacity() <= KEEP_BUFFER {
            PAGE.set(a.bytes);
        }
        Ok((a.path, made?))
    };
    let mut out: Vec<(String, T)> = plan.pages.par_iter().map(one).collect::<Result<_>>()?;
    let quarters: Vec<Vec<(String, T)>> = plan
        .quarters
        .par_iter()
        .map(|&i| {
            let pages = plan.quarter_pages(site, exports, i)?;
            pages.par_iter().map(one).collect::<Result<Vec<_>>>()
        })
        .collect::<Result<_>>()?;
    out.extend(quarters.into_iter().flatten());
    Ok(out)
}

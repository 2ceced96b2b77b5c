//! SEARCH: a Pagefind index of the rendered quarter and unit pages, read by Pagefind's folder
//! walker from the pages just written (on every core) and written with the rest of the site,
//! in parts of a few hundred pages that a rebuild takes unchanged when it can (`parts.rs`).
//! Pagefind reads `lang="es-MX"` and stems Spanish, so «capacitacion» finds «capacitaciones».
//! Only `<main data-pagefind-body>` is indexed; headings with ids become results that link to
//! the exact action line (`#linea-3`).

mod parts;
mod strip;

use crate::fsx;
use crate::render::Artifact;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Folder of the search bundle inside the output.
pub const BUNDLE: &str = "pagefind";

pub use parts::{DEFAULT_PART_PAGES, PARTS_FILE, PARTS_GLOBAL, PartsMade, SearchPage, index_parts};

/// Puts `pages` (paths relative to `root`) into `scratch`, laid out as their URLs: hard-linked,
/// or, for a page with inline SVG, copied without it.
fn stage_pages(
    root: &Path,
    scratch: &Path,
    pages: &[String],
    base_path: &str,
) -> crate::Result<()> {
    if scratch.exists() {
        fsx::remove_dir_all(scratch)?;
    }
    let site_root = scratch.join(base_path.trim_start_matches('/'));
    let folders: BTreeSet<&str> = pages
        .iter()
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir))
        .collect();
    fsx::create_dir_all(&site_root)?;
    for dir in folders {
        fsx::create_dir_all(&site_root.join(dir))?;
    }
    pages.par_iter().try_for_each(|p| {
        let (from, to) = (root.join(p), site_root.join(p));
        let html = fsx::read(&from)?;
        match strip::without_inline_svg(&html) {
            Cow::Borrowed(_) => fsx::hard_link(&from, &to),
            Cow::Owned(cut) => fsx::write_in_place(&to, &cut),
        }
    })
}

/// Writes `bundle` (a search bundle as this module makes it) beside the search bundle of the site
/// published at `site_root`, for [`swap_bundle`]; the site is untouched meanwhile.
pub fn write_bundle(site_root: &Path, bundle: Vec<Artifact>) -> crate::Result<PathBuf> {
    let prefix = format!("{BUNDLE}/");
    let inside: Vec<Artifact> = bundle
        .into_iter()
        .map(|mut a| {
            a.path = a.path.trim_start_matches(&prefix).to_owned();
            a
        })
        .collect();
    crate::output::write_beside(&site_root.join(BUNDLE), &inside)
}

/// Puts a bundle made by [`write_bundle`] in place, so readers see the old index or the new
/// one, never a mix. Returns the folder holding the old one, to delete.
pub fn swap_bundle(site_root: &Path, fresh: &Path) -> crate::Result<Option<PathBuf>> {
    crate::output::swap_folder(&site_root.join(BUNDLE), fresh)
}

/// A Pagefind index kept between `serve`'s rebuilds. After an edit, only the pages whose file
/// changed are read and indexed again (Pagefind replaces a page added under the same URL);
/// the index itself is then made from every page, which Pagefind cannot do in part. A page
/// that left the site, or an edit that rewrote most pages, starts a fresh index, read from the
/// written pages on every core.
pub struct LiveIndex {
    /// Where a fresh index's pages are hard-linked, laid out as their URLs.
    scratch: PathBuf,
    index: Option<PagefindIndex>,
    /// Each indexed page (path in the site) and its file's stamp when it was read.
    stamps: HashMap<String, Stamp>,
    base_path: String,
    runtime: tokio::runtime::Runtime,
}

/// What changes when a page is written in place (`serve` replaces files by renaming).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    inode: u64,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = fsx::symlink_metadata(path).ok()?;
    Some(Stamp {
        inode: m.ino(),
        len: m.len(),
    })
}

impl LiveIndex {
    pub fn new(scratch: PathBuf) -> crate::Result<Self> {
        Ok(LiveIndex {
            runtime: runtime().map_err(crate::Error::Search)?,
            scratch,
            index: None,
            stamps: HashMap::new(),
            base_path: String::new(),
        })
    }

    /// Brings the index up to the `pages` written under `root`; returns the bundle and how many
    /// pages were read. A fresh index hard-links the pages into the scratch folder under `lock`
    /// (held by whoever writes `root`), so it reads one build's pages.
    pub fn update(
        &mut self,
        root: &Path,
        pages: &[String],
        base_path: &str,
        lock: &std::sync::Mutex<()>,
    ) -> crate::Result<(Vec<Artifact>, usize)> {
        let current: HashMap<&str, Option<Stamp>> = pages
            .iter()
            .map(|p| (p.as_str(), stamp(&root.join(p))))
            .collect();
        let changed: Vec<&str> = pages
            .iter()
            .map(String::as_str)
            .filter(|p| current[p].is_none() || self.stamps.get(*p) != current[p].as_ref())
            .collect();
        let fresh = self.index.is_none()
            || base_path != self.base_path
            || !plain_url(base_path)
            || self
                .stamps
                .keys()
                .any(|p| !current.contains_key(p.as_str()))
            || changed.len() * 2 > pages.len();
        let result = if fresh {
            self.base_path = base_path.to_owned();
            self.rebuild(root, pages, lock).map(|b| (b, pages.len()))
        } else {
            self.refresh(root, &changed).map(|b| (b, changed.len()))
        };
        if result.is_err() {
            // Whatever the index holds now is unknown: the next update starts afresh.
            self.index = None;
            self.stamps.clear();
        }
        result.map_err(crate::Error::Search)
    }

    fn rebuild(
        &mut self,
        root: &Path,
        pages: &[String],
        lock: &std::sync::Mutex<()>,
    ) -> Result<Vec<Artifact>, String> {
        self.index = None;
        self.stamps.clear();
        {
            let _writing = lock.lock().unwrap_or_else(|e| e.into_inner());
            // Stamped before linking: a page replaced in between is read again next time.
            for p in pages {
                if let Some(s) = stamp(&root.join(p)) {
                    self.stamps.insert(p.clone(), s);
                }
            }
            stage_pages(root, &self.scratch, pages, &self.base_path).map_err(|e| e.to_string())?;
        }
        let mut index = index_folder(&self.runtime, &self.scratch)?;
        let bundle = files(&self.runtime, &mut index);
        self.index = Some(index);
        bundle
    }

    fn refresh(&mut self, root: &Path, changed: &[&str]) -> Result<Vec<Artifact>, String> {
        let mut index = self.index.take().ok_or("no index to refresh")?;
        for p in changed {
            let path = root.join(p);
            let Some(s) = stamp(&path) else { continue };
            let html = match fsx::read(&path) {
                Ok(html) => html,
                // Removed by a rebuild since: that rebuild's own update starts a fresh index.
                Err(_) if stamp(&path).is_none() => continue,
                Err(e) => return Err(e.to_string()),
            };
            let html = strip::page_text(&html);
            let url = page_url(&self.base_path, p);
            self.runtime
                .block_on(index.add_html_file(None, Some(url), html))
                .map_err(|e| format!("{p}: {e}"))?;
            self.stamps.insert((*p).to_owned(), s);
        }
        let bundle = files(&self.runtime, &mut index);
        self.index = Some(index);
        bundle
    }
}

/// The URL Pagefind gives a page it reads from a folder laid out as the site (see
/// [`stage_pages`]): the base path and the page's path, without `index.html`. Only for
/// [`plain_url`] base paths, which Pagefind leaves unencoded.
fn page_url(base_path: &str, page: &str) -> String {
    let dir = base_path.trim_matches('/');
    let rel = if dir.is_empty() {
        page.to_owned()
    } else {
        format!("{dir}/{page}")
    };
    let rel = match rel.strip_suffix("index.html") {
        Some(stripped) if stripped.is_empty() || stripped.ends_with('/') => stripped,
        _ => &rel,
    };
    format!("/{rel}")
}

/// Whether Pagefind would write `s` in a URL as it is (it percent-encodes spaces, quotes, `#`,
/// `%`, `<`, `>`, `?`, backticks, braces and non-ASCII).
fn plain_url(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~'))
}

/// Pagefind's API is async; a current-thread runtime is all it needs (its folder walker parses
/// on rayon's pool, not on the runtime).
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn new_index() -> Result<PagefindIndex, String> {
    PagefindIndex::new(Some(PagefindServiceConfig::builder().build())).map_err(|e| e.to_string())
}

/// An index of the pages [`stage_pages`] put in `scratch`, read on every core; `scratch` is
/// removed, whatever happens.
fn index_folder(
    runtime: &tokio::runtime::Runtime,
    scratch: &Path,
) -> Result<PagefindIndex, String> {
    let mut index = new_index()?;
    let added = scratch_str(scratch).and_then(|dir| {
        runtime
            .block_on(index.add_directory(dir, Some("**/*.html".into())))
            .map_err(|e| e.to_string())
    });
    let removed = fsx::remove_dir_all(scratch).map_err(|e| e.to_string());
    added?;
    removed?;
    Ok(index)
}

/// The bundle's files (UI, index, fragments), sorted by path, with a [`PARTS_FILE`] that
/// lists no other part: the whole index in one part.
fn files(
    runtime: &tokio::runtime::Runtime,
    index: &mut PagefindIndex,
) -> Result<Vec<Artifact>, String> {
    let mut out = files_in(runtime, index, &format!("{BUNDLE}/"), true)?;
    out.push(parts::parts_file(&[]));
    Ok(out)
}

/// The bundle's files under `dir` (`pagefind/`, `pagefind/parte-2/`…), sorted by path. A
/// part after the first keeps only its index: the search page runs Pagefind's code, UI and
/// WebAssembly from the first part, and a merged index reads none of its own.
fn files_in(
    runtime: &tokio::runtime::Runtime,
    index: &mut PagefindIndex,
    dir: &str,
    first: bool,
) -> Result<Vec<Artifact>, String> {
    let files = runtime
        .block_on(index.get_files())
        .map_err(|e| e.to_string())?;
    let mut out: Vec<Artifact> = files
        .into_iter()
        .map(|f| Artifact {
            path: format!("{dir}{}", f.filename.to_string_lossy().replace('\\', "/")),
            bytes: f.contents,
        })
        .filter(|a| first || index_file(&a.path[dir.len()..]))
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Whether a bundle file is part of the index proper (what a merged index reads).
fn index_file(rel: &str) -> bool {
    rel == "pagefind-entry.json"
        || rel.ends_with(".pf_meta")
        || ["index/", "fragment/", "filter/"]
            .iter()
            .any(|d| rel.starts_with(d))
}

fn scratch_str(p: &Path) -> Result<String, String> {
    p.to_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("ruta no válida para la búsqueda: {}", p.display()))
}

/// Pages meant for search mark their main text; everything else is left out.
pub fn is_searchable(a: &Artifact) -> bool {
    a.path.ends_with(".html") && memchr::memmem::find(&a.bytes, b"data-pagefind-body").is_some()
}

/// Indexes every searchable artifact from memory, one page at a time (for `check`, which
/// writes nothing; builds use [`index_parts`]).
pub fn index(artifacts: &[Artifact], base_path: &str) -> Result<Vec<Artifact>, String> {
    let rt = runtime()?;
    let mut index = new_index()?;
    for a in artifacts.iter().filter(|a| is_searchable(a)) {
        let html = strip::page_text(&a.bytes);
        rt.block_on(index.add_html_file(None, Some(page_url(base_path, &a.path)), html))
            .map_err(|e| format!("{}: {e}", a.path))?;
    }
    files(&rt, &mut index)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundle Pagefind makes of `html` as it is, without [`strip`]'s cut.
    fn bundle_of_uncut(html: &str) -> Vec<Artifact> {
        let rt = runtime().unwrap();
        let mut index = new_index().unwrap();
        rt.block_on(index.add_html_file(None, Some("/informes/2023/t2/uaa/".into()), html.into()))
            .unwrap();
        files(&rt, &mut index).unwrap()
    }

    /// Guards the premise of [`strip`] against a Pagefind upgrade: if Pagefind ever indexed
    /// something inside an `svg` (its title, a label), cutting charts out would change the
    /// index, and this fails. A Pagefind attribute inside an `svg` does count (the second
    /// page), so such an `svg` must be left in.
    #[test]
    fn cutting_charts_out_leaves_the_search_bundle_byte_identical() {
        let page = |chart_meta: &str| {
            format!(
                r#"<!DOCTYPE html><html lang="es-MX"><head><title>UAA</title></head><body>
<main data-pagefind-body><h1 data-pagefind-filter="Unidad:UAA">Unidad de Apoyo Administrativo</h1>
<h2 id="linea-1">Línea de acción 1: capacitación</h2><p>Se impartieron capacitaciones.</p>
<figure><svg viewBox="0 0 10 10" role="img" aria-labelledby="g-t"><title id="g-t">Gráfica de mantenimientos</title>
<desc id="g-d"{chart_meta}>Ventiladores por trimestre</desc><g><text>enero</text><rect/></g></svg>
<figcaption>Mantenimientos del trimestre</figcaption></figure>
<h2 id="linea-2">Línea de acción 2</h2><p>Sin gráfica.</p></main></body></html>"#
            )
        };
        let files = |b: Vec<Artifact>| b.into_iter().map(|a| (a.path, a.bytes)).collect::<Vec<_>>();
        for (html, cut_expected) in [
            (page(""), true),
            (
                page(r#" data-pagefind-meta="grafica:mantenimientos""#),
                false,
            ),
        ] {
            let was_cut = strip::page_text(html.as_bytes()) != html;
            assert_eq!(was_cut, cut_expected, "{html}");
            let artifact = Artifact {
                path: "informes/2023/t2/uaa/index.html".into(),
                bytes: html.as_bytes().to_vec(),
            };
            let cut = files(index(std::slice::from_ref(&artifact), "/").unwrap());
            let uncut = files(bundle_of_uncut(&html));
            assert!(cut.iter().any(|(p, _)| p.contains("/fragment/")));
            assert!(cut == uncut, "the bundles differ for {html}");
        }
    }
}

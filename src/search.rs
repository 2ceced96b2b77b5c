//! SEARCH: a Pagefind index of the rendered quarter and unit pages, built in memory from the
//! HTML we just rendered (nothing is re-read from disk) and written with the rest of the site.
//! Pagefind reads `lang="es-MX"` and stems Spanish, so «capacitacion» finds «capacitaciones».
//! Only `<main data-pagefind-body>` is indexed; headings with ids become results that link to
//! the exact action line (`#linea-3`).

use crate::fsx;
use crate::render::Artifact;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Folder of the search bundle inside the output.
pub const BUNDLE: &str = "pagefind";

/// Indexes the quarter and unit pages already written under `root` (the staging folder), in
/// parallel: Pagefind's in-memory API takes one page at a time under a lock, while its folder
/// walker reads and parses pages on every core. The pages are hard-linked into a scratch folder
/// laid out as their URLs (`<base_path>/informes/…`), so Pagefind reads only the pages meant for
/// search and records each URL with the site's base path. The scratch folder is removed before
/// returning; the bundle comes back as artifacts to write.
pub fn index_written(
    root: &Path,
    pages: &[String],
    base_path: &str,
) -> crate::Result<Vec<Artifact>> {
    let scratch = root.join(".indice-busqueda");
    stage_pages(root, &scratch, pages, base_path)?;
    index_staged(&scratch)
}

/// Hard-links `pages` (paths relative to `root`) into `scratch`, laid out as their URLs.
pub fn stage_pages(
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
    for p in pages {
        fsx::hard_link(&root.join(p), &site_root.join(p))?;
    }
    Ok(())
}

/// Indexes the pages [`stage_pages`] put in `scratch`, then removes `scratch`.
pub fn index_staged(scratch: &Path) -> crate::Result<Vec<Artifact>> {
    let result = scratch_str(scratch).and_then(|dir| run(Source::Folder(dir)));
    fsx::remove_dir_all(scratch)?;
    result.map_err(crate::Error::Search)
}

/// Writes `bundle` (as [`index_staged`] returns it) beside the search bundle of the site
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
/// writes nothing; builds use [`index_written`]).
pub fn index(artifacts: &[Artifact], base_path: &str) -> Result<Vec<Artifact>, String> {
    run(Source::Memory(artifacts, base_path))
}

enum Source<'a> {
    /// Rendered pages and the site's base path.
    Memory(&'a [Artifact], &'a str),
    /// A folder laid out as the site's URLs.
    Folder(String),
}

/// Indexes the pages of `source` and returns the bundle's files (UI, index, fragments)
/// sorted by path.
fn run(source: Source<'_>) -> Result<Vec<Artifact>, String> {
    // Pagefind's API is async; a current-thread runtime is all it needs (its folder walker
    // parses on rayon's pool, not on the runtime).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let config = PagefindServiceConfig::builder().build();
    let mut index = PagefindIndex::new(Some(config)).map_err(|e| e.to_string())?;
    let files = runtime.block_on(async {
        match source {
            Source::Memory(artifacts, base_path) => {
                for a in artifacts.iter().filter(|a| is_searchable(a)) {
                    let html = String::from_utf8_lossy(&a.bytes).into_owned();
                    let url = format!("{base_path}/{}", a.path.trim_end_matches("index.html"));
                    index
                        .add_html_file(None, Some(url), html)
                        .await
                        .map_err(|e| format!("{}: {e}", a.path))?;
                }
            }
            Source::Folder(dir) => {
                index
                    .add_directory(dir, Some("**/*.html".into()))
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        index.get_files().await.map_err(|e| e.to_string())
    })?;
    let mut out: Vec<Artifact> = files
        .into_iter()
        .map(|f| Artifact {
            path: format!(
                "{BUNDLE}/{}",
                f.filename.to_string_lossy().replace('\\', "/")
            ),
            bytes: f.contents,
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

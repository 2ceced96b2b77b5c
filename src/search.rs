//! SEARCH: a Pagefind index of the rendered quarter and unit pages, built in memory from the
//! HTML we just rendered (nothing is re-read from disk) and written with the rest of the site.
//! Pagefind reads `lang="es-MX"` and stems Spanish, so «capacitacion» finds «capacitaciones».
//! Only `<main data-pagefind-body>` is indexed; headings with ids become results that link to
//! the exact action line (`#linea-3`).

use crate::render::Artifact;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

/// Folder of the search bundle inside the output.
pub const BUNDLE: &str = "pagefind";

/// Indexes every HTML artifact and returns the bundle's files (UI, index, fragments).
pub fn index(artifacts: &[Artifact], base_path: &str) -> Result<Vec<Artifact>, String> {
    // Pagefind's API is async; a current-thread runtime is all it needs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let config = PagefindServiceConfig::builder().build();
        let mut index = PagefindIndex::new(Some(config)).map_err(|e| e.to_string())?;
        for a in artifacts.iter().filter(|a| a.path.ends_with(".html")) {
            let html = String::from_utf8_lossy(&a.bytes).into_owned();
            if !html.contains("data-pagefind-body") {
                continue;
            }
            let url = format!("{base_path}/{}", a.path.trim_end_matches("index.html"));
            index
                .add_html_file(None, Some(url), html)
                .await
                .map_err(|e| format!("{}: {e}", a.path))?;
        }
        let files = index.get_files().await.map_err(|e| e.to_string())?;
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
    })
}

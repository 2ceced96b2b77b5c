//! Shared by the fuzz targets: the repository's fixture and shipped content, loaded once through
//! the real loader, and the structural HTML safety check.

use informe::content::{self, RawContent};
use informe::diagnostic::Diagnostic;
use informe::model::Site;
use informe::render::glossary::Linker;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The repository root (the fuzz crate lives in `fuzz/`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `tests/fixtures/minimo/content`: the smallest complete site.
pub fn minimo_dir() -> PathBuf {
    repo().join("tests/fixtures/minimo/content")
}

/// Loads a content folder through `content::load`, or panics with every diagnostic.
pub fn load(dir: &Path) -> RawContent {
    match content::load(dir) {
        Ok((raw, _)) => raw,
        Err(diags) => panic!("{} does not load: {diags:#?}", dir.display()),
    }
}

/// The fixture site, loaded once.
pub fn minimo() -> &'static RawContent {
    static RAW: OnceLock<RawContent> = OnceLock::new();
    RAW.get_or_init(|| load(&minimo_dir()))
}

/// The glossary linker of the shipped report (`content/glosario.yaml`), built once the way
/// `build` builds it.
pub fn linker() -> &'static Linker {
    static LINKER: OnceLock<Linker> = OnceLock::new();
    LINKER.get_or_init(|| {
        let raw = load(&repo().join("content"));
        let site = Site::from_raw(raw, None);
        let glossary = site.glossary.expect("content/glosario.yaml is loaded");
        assert!(!glossary.terms.is_empty(), "the shipped glossary has terms");
        Linker::new(&glossary, &site.settings.base_path)
    })
}

/// Renders each diagnostic as the CLI prints it (the caret code is easy to get wrong).
pub fn render_all(diags: &[Diagnostic]) -> usize {
    diags.iter().map(|d| d.to_string().len()).sum()
}

/// A field a spreadsheet would evaluate as a formula (OWASP CSV injection: `=`, `+`, `-`, `@`,
/// tab, CR first), unless it is exactly how the generator prints a number.
pub fn formula(field: &str) -> bool {
    field.starts_with(['=', '+', '-', '@', '\t', '\r'])
        && !field.parse::<f64>().is_ok_and(|n| format!("{n}") == field)
}

/// Runs `data::export` on a valid site and checks what it writes: every JSON file parses, every
/// CSV file reads back with the csv crate and none of its fields (headers included) is a
/// formula.
pub fn check_exports(site: &Site) {
    for quarter in informe::data::export(site) {
        for file in &quarter.files {
            if file.path.ends_with(".json") {
                serde_json::from_slice::<serde_json::Value>(&file.bytes)
                    .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", file.path));
                continue;
            }
            assert!(file.path.ends_with(".csv"), "{}", file.path);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(file.bytes.as_slice());
            for record in reader.records() {
                let record = record.unwrap_or_else(|e| panic!("{}: invalid CSV: {e}", file.path));
                for field in &record {
                    assert!(
                        !formula(field),
                        "{}: a spreadsheet would run {field:?} as a formula\n{}",
                        file.path,
                        String::from_utf8_lossy(&file.bytes)
                    );
                }
            }
        }
    }
}

pub mod html;

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_glossary_links_a_page() {
        let page = "<html><body><main><p>La SESAECH y el SAECH.</p></main></body></html>";
        let linked = super::linker().link(page).expect("terms are linked");
        let doc = super::html::parse(&linked);
        assert_eq!(super::html::term_links(&doc).0.len(), 2, "{linked}");
    }
}

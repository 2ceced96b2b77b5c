//! `informe`: a static site generator for the SESAECH quarterly performance report.
//!
//! The pipeline, one module per stage:
//! `content` (load YAML) → `model` (typed report, derived numbers) → `validate` (cross-record
//! rules) → `plan` (pages to make) → `render` (minijinja + comrak) → `output` (staging + swap).

pub mod charts;
pub mod content;
pub mod diagnostic;
pub mod error;
pub mod format;
mod fsx;
pub mod model;
pub mod output;
pub mod plan;
pub mod render;
pub mod serve;
pub mod validate;

use diagnostic::Diagnostic;
pub use error::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where to read and write; the CLI's `build` flags.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub content_dir: PathBuf,
    pub theme_dir: PathBuf,
    pub output_dir: PathBuf,
    /// Overrides `base_url` from `sitio.yaml` (e.g. for a preview under another address).
    pub base_url: Option<String>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            content_dir: "content".into(),
            theme_dir: "theme".into(),
            output_dir: "public".into(),
            base_url: None,
        }
    }
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub pages: usize,
    pub files: usize,
    pub bytes: u64,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// Loads, models and validates the content. Errors carry every diagnostic found.
pub fn load_site(
    content_dir: &Path,
    base_url: Option<&str>,
) -> Result<(model::Site, Vec<Diagnostic>)> {
    let (raw, mut diags) = content::load(content_dir).map_err(sorted_content_error)?;
    let site = model::Site::from_raw(&raw, base_url);
    diags.extend(validate::validate(&site));
    diagnostic::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(diags));
    }
    Ok((site, diags))
}

fn sorted_content_error(mut diags: Vec<Diagnostic>) -> Error {
    diagnostic::sort(&mut diags);
    Error::Content(diags)
}

/// Builds the site into `output_dir`, replacing it only when everything succeeded.
pub fn build(opts: &BuildOptions) -> Result<BuildSummary> {
    let started = Instant::now();
    output::check_output_dir(
        &opts.output_dir,
        &[&opts.content_dir, &opts.theme_dir, Path::new(".")],
    )?;
    let (site, warnings) = load_site(&opts.content_dir, opts.base_url.as_deref())?;
    let env =
        render::env::environment(&opts.theme_dir.join("templates"), &site.settings.base_path)?;
    let pages = plan::plan(&site)?;
    let artifacts = render::render(&env, &pages)?;
    let written = output::publish(&opts.output_dir, &artifacts, &opts.theme_dir.join("static"))?;
    Ok(BuildSummary {
        pages: pages.len(),
        files: written.files,
        bytes: written.bytes,
        warnings,
        elapsed: started.elapsed(),
    })
}

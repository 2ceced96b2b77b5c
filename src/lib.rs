//! `informe`: a static site generator for the SESAECH quarterly performance report.
//!
//! The pipeline, one module per stage:
//! `content` (load YAML) → `model` (typed report, derived numbers) → `validate` (cross-record
//! rules) → `plan` (pages to make) → `render` (minijinja + comrak) → `output` (staging + swap).

pub mod charts;
pub mod check;
pub mod content;
pub mod data;
pub mod diagnostic;
pub mod error;
mod fingerprint;
pub mod format;
mod fsx;
pub mod incremental;
pub mod memory;
pub mod model;
pub mod output;
pub mod plan;
pub mod render;
mod reuse;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
mod timing;
pub mod validate;

use diagnostic::Diagnostic;
pub use error::{Error, Result};
pub use incremental::Incremental;
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
    /// What to do about the search index.
    pub search: SearchIndex,
    /// About how many pages each part of the search index holds (see `search::index_parts`).
    pub search_part_pages: usize,
}

/// How a build treats the Pagefind search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchIndex {
    /// Index every quarter and unit page (what a published site needs).
    #[default]
    Build,
    /// Keep the index of the site already in `output_dir` (when there is one); the caller
    /// brings it up to date afterwards. For `serve`, whose reader should see an edit before the
    /// index catches up.
    KeepPrevious,
    /// Write no index (`--sin-busqueda`: quick builds and benchmarks; the search page of such
    /// a site finds nothing).
    Skip,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            content_dir: "content".into(),
            theme_dir: "theme".into(),
            output_dir: "public".into(),
            base_url: None,
            search: SearchIndex::Build,
            search_part_pages: search::DEFAULT_PART_PAGES,
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
    /// Output paths of the pages in the search index, and the site's base path.
    pub search_pages: Vec<String>,
    pub base_path: String,
    /// Whether the search index was kept from the previous build (see
    /// [`SearchIndex::KeepPrevious`]).
    pub search_deferred: bool,
    /// The parts of the search index this build made, and how many it took unchanged from
    /// the previous site (none when it wrote no index or kept the previous one).
    pub search_parts: search::PartsMade,
    /// Pages taken unchanged from the site the build replaced (README: «Pages taken from the
    /// previous site»).
    pub pages_reused: usize,
    /// Content files read back from the parses an earlier build stored, and content files
    /// read (README: «Parses stored beside the output»).
    pub files_read_back: (usize, usize),
}

/// Loads, models and validates the content. Errors carry every diagnostic found.
pub fn load_site(
    content_dir: &Path,
    base_url: Option<&str>,
) -> Result<(model::Site, Vec<Diagnostic>)> {
    load_site_from(content_dir, base_url, content::Reuse::Nothing)
}

/// [`load_site`], taking the parses of unchanged files from `reuse`.
fn load_site_from(
    content_dir: &Path,
    base_url: Option<&str>,
    reuse: content::Reuse<'_>,
) -> Result<(model::Site, Vec<Diagnostic>)> {
    let mut clock = timing::Clock::start();
    // Each report is modelled as soon as it has parsed (see `content::load_mapped`).
    let (raw, mut diags) = content::load_mapped(content_dir, reuse, &model::Report::from_raw)
        .map_err(sorted_content_error)?;
    clock.lap("lectura de YAML y modelo");
    let (site, _) = model::Site::from_reports(raw, base_url);
    clock.lap("enlaces entre trimestres");
    add_sorted(&mut diags, validate::validate(&site));
    clock.lap("validación");
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Content(diags));
    }
    Ok((site, diags))
}

/// A site loaded and validated by [`load_site_with`].
struct Loaded {
    site: model::Site,
    /// What validation found, sorted; with errors, the site must not be published.
    diagnostics: Vec<Diagnostic>,
    /// Per report of `site`: whether its cross-quarter links changed (see
    /// [`model::Site::from_raw_reusing`]).
    relinked: Vec<bool>,
    /// Per report of `site`: what its own validation rules found.
    checked: Vec<Vec<Diagnostic>>,
}

/// [`load_site`] with a parse cache, modelling once every file has parsed: `reuse` sees the
/// files read and returns, for each raw report, a model already made from the same files (or
/// `None`). Files that do not parse are an error; content that parses but fails validation
/// comes back with its diagnostics, so the caller still has the models. `checked` gives, by
/// report id, what validating a reused model found last time; it is taken only for a model
/// whose cross-quarter links did not change either.
fn load_site_with(
    content_dir: &Path,
    base_url: Option<&str>,
    cache: Option<&content::ParseCache>,
    reuse: &mut dyn FnMut(&content::RawContent) -> Vec<Option<model::Report>>,
    checked: &(dyn Fn(&str) -> Option<Vec<Diagnostic>> + Sync),
) -> Result<Loaded> {
    let mut clock = timing::Clock::start();
    let (raw, mut diags) = content::load_with(content_dir, cache).map_err(sorted_content_error)?;
    clock.lap("lectura de YAML");
    let reused: Vec<Option<model::Report>> = reuse(&raw);
    let reused_ids: std::collections::HashSet<String> =
        reused.iter().flatten().map(|r| r.id.clone()).collect();
    let slots: Vec<std::sync::Mutex<Option<model::Report>>> =
        reused.into_iter().map(std::sync::Mutex::new).collect();
    let (site, relinked) = model::Site::from_raw_reusing(raw, base_url, &|i| {
        slots
            .get(i)?
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    });
    clock.lap("modelo");
    let (found, per_report) = validate::validate_reusing(&site, &|i| {
        let r = &site.reports[i];
        let unchanged = reused_ids.contains(&r.id) && !relinked[i];
        unchanged.then(|| checked(&r.id)).flatten()
    });
    add_sorted(&mut diags, found);
    clock.lap("validación");
    Ok(Loaded {
        site,
        diagnostics: diags,
        relinked,
        checked: per_report,
    })
}

impl Loaded {
    fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Adds what validation `found` to the loader's `diags`, and sorts them all.
fn add_sorted(diags: &mut Vec<Diagnostic>, found: Vec<Diagnostic>) {
    diags.extend(found);
    diagnostic::sort(diags);
}

fn sorted_content_error(mut diags: Vec<Diagnostic>) -> Error {
    diagnostic::sort(&mut diags);
    Error::Content(diags)
}

/// A site loaded and validated, with the theme's templates, ready to plan.
struct Prepared {
    site: model::Site,
    warnings: Vec<Diagnostic>,
    env: minijinja::Environment<'static>,
    linker: Option<render::glossary::Linker>,
}

/// Loads and validates the site, taking the parses of unchanged files from `reuse`, and
/// reads the theme.
fn prepare(opts: &BuildOptions, reuse: content::Reuse<'_>) -> Result<Prepared> {
    let mut clock = timing::Clock::start();
    let (site, warnings) = load_site_from(&opts.content_dir, opts.base_url.as_deref(), reuse)?;
    clock.lap("contenido");
    let env = render::env::environment(
        &opts.theme_dir.join("templates"),
        &site.settings.base_path,
        &site.settings.base_url,
    )?;
    let linker = site
        .glossary
        .as_ref()
        .map(|g| render::glossary::Linker::new(g, &site.settings.base_path));
    Ok(Prepared {
        site,
        warnings,
        env,
        linker,
    })
}

/// Builds the site into `output_dir`, replacing it only when everything succeeded.
///
/// Each quarter's data files are written to the staging folder as they are made, and pages
/// are rendered in parallel and written as they are made, each quarter's contexts made just
/// before, so memory holds the model and a few quarters' files and pages, never the whole
/// site. The model is then let go, and the search index reads the written pages.
pub fn build(opts: &BuildOptions) -> Result<BuildSummary> {
    let started = Instant::now();
    fingerprint::program_ahead();
    let mut clock = timing::Clock::start();
    output::check_output_dir(
        &opts.output_dir,
        &[&opts.content_dir, &opts.theme_dir, Path::new(".")],
    )?;
    clock.lap("comprobación de la salida");
    let stored = content::StoredParses::new(output::stored_parses_dir(&opts.output_dir)?);
    let Prepared {
        site,
        warnings,
        env,
        linker,
    } = prepare(opts, content::Reuse::Stored(&stored))?;
    memory::release_freed_memory();
    clock.lap("contenido y plantillas");
    let (staging, mut written) =
        output::Staging::begin(&opts.output_dir, &opts.theme_dir.join("static"))?;
    let taken = reuse::take(staging.dest(), &site, opts)?;
    written.add(taken.data_written());
    memory::release_freed_memory();
    clock.lap("páginas tomadas del sitio anterior");
    let (mut exports, data_written, data_files) =
        data::export_written(&site, staging.dest(), taken.listings(site.reports.len()))?;
    written.add(data_written);
    clock.lap("datos");
    let plan = plan::plan_parts(&site, &mut exports, &|g| taken.renders(g))?;
    // The attachments of the quarters whose pages were taken, which the plan leaves out.
    written.add(
        staging
            .dest()
            .write_files(&plan::attachment_files_of(&site, taken.reports()))?,
    );
    clock.lap("plan");
    let staged = stage_plan(
        staging,
        written,
        &Renderer {
            site: &site,
            exports: &exports,
            env: &env,
            plan: &plan,
            linker: linker.as_ref(),
        },
        &taken,
        &data_files,
    )?;
    let pages = plan.paths.len();
    let pages_reused = taken.pages();
    let base_path = site.settings.base_path.clone();
    // The search index keeps every page's words until it is written: the model and the plan
    // are let go first, so the two never add up.
    let mut clock = timing::Clock::start();
    // On every core: at 13,424 pages freeing the quarters one by one took 150 ms on one.
    {
        use rayon::prelude::*;
        let model::Site { reports, .. } = site;
        rayon::join(
            || reports.into_par_iter().for_each(drop),
            || exports.into_par_iter().for_each(drop),
        );
    }
    drop((plan, env, linker, taken, data_files));
    if opts.search == SearchIndex::Build {
        memory::release_freed_memory();
    }
    clock.lap("liberación del modelo");
    let published = publish_staged(opts, staged, &base_path)?;
    Ok(BuildSummary {
        pages,
        files: published.written.files,
        bytes: published.written.bytes,
        warnings,
        elapsed: started.elapsed(),
        search_pages: published.search_pages,
        base_path,
        search_deferred: published.search_deferred,
        search_parts: published.search_parts,
        pages_reused,
        files_read_back: stored.read_back(),
    })
}

/// A site written into staging by [`stage_plan`], not yet indexed or in place.
struct Staged {
    staging: output::Staging,
    written: output::Written,
    /// The pages search takes, each with its fingerprint.
    search_pages: Vec<search::SearchPage>,
}

/// What [`publish_staged`] wrote.
struct Published {
    written: output::Written,
    search_pages: Vec<String>,
    search_deferred: bool,
    search_parts: search::PartsMade,
}

/// What rendering a planned site takes.
struct Renderer<'a> {
    site: &'a model::Site,
    exports: &'a [data::QuarterData],
    env: &'a minijinja::Environment<'static>,
    plan: &'a plan::Plan,
    linker: Option<&'a render::glossary::Linker>,
}

/// Writes the rest of a planned site into its staging folder (`written` so far): the plan's
/// files, then the pages, rendered on the fly, beside those `taken` from the site it
/// replaces, and the manifest a later build takes pages by ([`reuse`]).
fn stage_plan(
    staging: output::Staging,
    mut written: output::Written,
    r: &Renderer<'_>,
    taken: &reuse::Taken,
    data_files: &[Vec<data::WrittenFile>],
) -> Result<Staged> {
    let mut clock = timing::Clock::start();
    let dest = staging.dest();
    written.add(dest.write_files(&r.plan.files)?);
    clock.lap("escritura de archivos");
    let (pages_written, mut pages) = write_pages(dest.root(), r, &|_, page| dest.write_one(page))?;
    clock.lap("render y escritura de páginas");
    written.add(pages_written);
    written.add(taken.write_manifest(dest.root(), &pages, r.exports, data_files)?);
    let before = pages.len();
    pages.extend(taken.made());
    written.add(output::Written {
        files: pages.len() - before,
        bytes: pages[before..].iter().map(|p| p.bytes).sum(),
    });
    // In the order of their paths, whichever were taken.
    pages.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let search_pages = pages
        .into_iter()
        .filter(|p| p.searchable)
        .map(|p| (p.path, p.hash))
        .collect();
    Ok(Staged {
        staging,
        written,
        search_pages,
    })
}

/// Makes the folders of the plan's pages under `root`, then renders every page into it
/// through `write`. Returns what was written, and each page with the fingerprint of its bytes
/// (made while the page is at hand, not read back later).
fn write_pages(
    root: &Path,
    r: &Renderer<'_>,
    write: &(dyn Fn(&Path, &render::Artifact) -> Result<()> + Sync),
) -> Result<(output::Written, Vec<reuse::Made>)> {
    let paths: Vec<String> = r.plan.page_paths(r.site).collect();
    output::make_folders(root, paths.iter().map(String::as_str))?;
    let pages = render::render_plan(r.env, r.plan, r.site, r.exports, r.linker, |page| {
        write(root, page)?;
        Ok((
            page.bytes.len() as u64,
            search::is_searchable(page),
            blake3::hash(&page.bytes),
        ))
    })?;
    let written = output::Written {
        files: pages.len(),
        bytes: pages.iter().map(|(_, (bytes, _, _))| bytes).sum(),
    };
    let pages = pages
        .into_iter()
        .map(|(path, (bytes, searchable, hash))| reuse::Made {
            path,
            bytes,
            searchable,
            hash,
        })
        .collect();
    Ok((written, pages))
}

/// Gives a staged site its search index, as `opts.search` says, and swaps it into
/// `opts.output_dir`.
fn publish_staged(opts: &BuildOptions, staged: Staged, base_path: &str) -> Result<Published> {
    let mut clock = timing::Clock::start();
    let Staged {
        staging,
        mut written,
        search_pages,
    } = staged;
    let search_deferred =
        opts.search == SearchIndex::KeepPrevious && opts.output_dir.join(search::BUNDLE).is_dir();
    let root = staging.path();
    let mut search_parts = search::PartsMade::default();
    if search_deferred {
        output::link_tree(
            &opts.output_dir.join(search::BUNDLE),
            &root.join(search::BUNDLE),
        )?;
    } else if opts.search != SearchIndex::Skip {
        let (bundle, parts) = search::index_parts(
            staging.dest(),
            &search_pages,
            base_path,
            opts.search_part_pages,
        )?;
        clock.lap("busqueda");
        written.add(bundle);
        search_parts = parts;
    }
    staging.finish()?;
    clock.lap("escritura del índice y cambio");
    Ok(Published {
        written,
        search_pages: search_pages.into_iter().map(|(path, _)| path).collect(),
        search_deferred,
        search_parts,
    })
}

/// What `check` found: every diagnostic (content, pages, theme) and what it looked at.
#[derive(Debug, Clone)]
pub struct CheckSummary {
    pub diagnostics: Vec<Diagnostic>,
    pub counts: check::Counts,
}

impl CheckSummary {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

/// Everything `build` checks, plus links, anchors, an accessibility lint and the theme's
/// contrast, without writing anything. Content errors still come back as `Error::Content`.
pub fn check(opts: &BuildOptions) -> Result<CheckSummary> {
    let Prepared {
        site,
        warnings: mut diagnostics,
        env,
        linker,
    } = prepare(opts, content::Reuse::Nothing)?;
    let mut exports = data::export(&site);
    let plan = plan::plan(&site, &mut exports)?;
    let mut artifacts: Vec<render::Artifact> =
        render::render_plan(&env, &plan, &site, &exports, linker.as_ref(), |a| {
            Ok(a.clone())
        })?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    artifacts.extend(plan.files);
    artifacts.extend(search::index(&artifacts, &site.settings.base_path).map_err(Error::Search)?);
    let static_dir = opts.theme_dir.join("static");
    let statics: Vec<String> = output::static_files(&static_dir)?
        .into_iter()
        .map(|(rel, _)| rel)
        .collect();
    let css_path = static_dir.join("estilo.css");
    let css = if css_path.is_file() {
        Some(String::from_utf8_lossy(&fsx::read(&css_path)?).into_owned())
    } else {
        None
    };
    let (found, counts) = check::pages(
        &artifacts,
        &statics,
        &site.settings.base_path,
        css.as_deref().map(|c| (css_path.as_path(), c)),
    );
    diagnostics.extend(found);
    diagnostic::sort(&mut diagnostics);
    Ok(CheckSummary {
        diagnostics,
        counts,
    })
}

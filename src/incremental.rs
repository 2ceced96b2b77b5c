//! INCREMENTAL: rebuilds that redo only what an edit changed, for `serve`.
//!
//! Every page depends on the site-wide inputs (settings, institution, glossary, the list of
//! reports and the theme) and on one group of the model: a quarter's pages on that quarter's
//! report, the yearly views on the reports of their year. The model already carries what
//! crosses quarters (each line's history in its year, each unit's other quarters), so a
//! quarter whose model equals the last build's has the same pages, byte for byte.
//!
//! So a rebuild parses only the files whose bytes changed, models and validates the whole site
//! (cheap), and renders and writes only the changed groups plus the site-wide pages; the rest
//! of the output stays as it is. When a site-wide input changed, or there is no previous build
//! in the output folder, it makes a full build, staged and swapped in like `informe build`.
//! The result is the same files a full build writes: `tests/it/incremental.rs` checks it.

use crate::content::{ParseCache, RawReport};
use crate::output::{self, MARKER};
use crate::plan::{self, Group};
use crate::{BuildOptions, BuildSummary, Result, SearchIndex, data, fsx, model, render, search};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

/// Page paths: hashed with foldhash, as the rendering memo's keys are (see `render::env`).
type Paths = HashSet<String, foldhash::fast::RandomState>;

/// A builder that remembers its last build. Only builds with
/// [`SearchIndex::KeepPrevious`] (the preview server's) are made in place; the others are full.
#[derive(Debug, Default)]
pub struct Incremental {
    cache: ParseCache,
    last: Option<Last>,
    templates: Option<Templates>,
}

/// The template environment of the last build, kept while the theme and the base address do
/// not change.
#[derive(Debug)]
struct Templates {
    /// The templates folder, the base path and address, and the theme's state.
    key: (PathBuf, String, String, ThemeState),
    /// Whether every theme file had settled when the templates were read
    /// ([`crate::content::has_settled`], the parse cache's rule for content).
    settled: bool,
    env: minijinja::Environment<'static>,
    made: render::env::Made,
}

type ThemeState = Vec<(PathBuf, u64, u64, Option<SystemTime>)>;

/// What the last build wrote, and from what.
#[derive(Debug)]
struct Last {
    output: PathBuf,
    key: Key,
    /// The files read, for the next build to know which quarters it can take from `reports`.
    raw: Vec<RawReport>,
    reports: Vec<model::Report>,
    exports: Vec<data::QuarterData>,
    /// Pages the search index takes.
    searchable: Paths,
    /// Every page and file written (not the static files, the marker or the search index),
    /// sorted, without repeats.
    outputs: Vec<String>,
    /// What each report's own validation rules found, by report id.
    checked: HashMap<String, Vec<crate::diagnostic::Diagnostic>>,
}

/// The inputs every page depends on.
#[derive(Debug, PartialEq)]
struct Key {
    options: (PathBuf, PathBuf, Option<String>),
    settings: model::Settings,
    institution: model::Institution,
    glossary: Option<model::Glossary>,
    links: Vec<plan::ReportLink>,
    theme: ThemeState,
}

/// Every page and file of `plan`, sorted and without repeats. A sort of one list, not a
/// `BTreeSet` filled path by path: `serve` makes it on every rebuild, for every quarter, and
/// the set's inserts and its nodes were a twentieth of a rebuild's CPU at 1,000 pages.
fn sorted_outputs(plan: &plan::Plan) -> Vec<String> {
    let mut outputs: Vec<String> =
        Vec::with_capacity(plan.paths.len() + plan.kept_files.len() + plan.files.len());
    outputs.extend(plan.paths.iter().cloned());
    outputs.extend(plan.kept_files.iter().cloned());
    outputs.extend(plan.files.iter().map(|f| f.path.clone()));
    outputs.sort_unstable();
    outputs.dedup();
    outputs
}

/// The paths of `before` that are not in `now`, both sorted without repeats, in order.
fn missing<'a>(before: &'a [String], now: &'a [String]) -> impl Iterator<Item = &'a String> {
    let mut now = now.iter().peekable();
    before.iter().filter(move |p| {
        while now.next_if(|n| n < p).is_some() {}
        now.peek() != Some(p)
    })
}

/// Each theme file's path, size, inode and modification time: an edited or replaced template
/// or static file changes one of them.
fn theme_state(theme_dir: &std::path::Path) -> ThemeState {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(theme_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| {
            let e = e.ok()?;
            let m = e.metadata().ok()?;
            Some((e.into_path(), m.len(), m.ino(), m.modified().ok()))
        })
        .collect()
}

impl Incremental {
    pub fn new() -> Self {
        Self::default()
    }

    /// The last build's templates if they were read from the same, settled theme for the same
    /// address (what `una_vez` made forgotten), else the theme's templates read anew.
    fn templates(
        &mut self,
        opts: &BuildOptions,
        settings: &model::Settings,
        theme: &ThemeState,
    ) -> Result<Templates> {
        let key = (
            opts.theme_dir.join("templates"),
            settings.base_path.clone(),
            settings.base_url.clone(),
            theme.clone(),
        );
        if let Some(kept) = self.templates.take()
            && kept.settled
            && kept.key == key
        {
            kept.made.forget();
            return Ok(kept);
        }
        let read_at = SystemTime::now();
        let settled = theme.iter().all(|(_, _, _, modified)| {
            modified.is_some_and(|m| crate::content::has_settled(m, read_at))
        });
        let (env, made) =
            render::env::reusable_environment(&key.0, &settings.base_path, &settings.base_url)?;
        Ok(Templates {
            key,
            settled,
            env,
            made,
        })
    }

    /// Builds like [`crate::build`]; with [`SearchIndex::KeepPrevious`] and the previous build
    /// still in `opts.output_dir`, only what changed is rendered and replaced, file by file.
    /// The summary's `files` and `bytes` then count what this build wrote.
    pub fn build(&mut self, opts: &BuildOptions) -> Result<BuildSummary> {
        let started = Instant::now();
        let mut clock = crate::timing::Clock::start();
        // Quarters read from the same files as last time keep their model; the model checks
        // their cross-quarter links against every quarter and says whether they changed.
        let mut last = self.last.take();
        let mut previous: HashMap<String, model::Report> = HashMap::new();
        let mut raw_reports = Vec::new();
        let mut reused: HashSet<String> = HashSet::new();
        let mut taken = false;
        // Taken out of `last` for the loader to read while `reuse` takes `last` apart; a build
        // that fails before the end loses them and checks every report again next time.
        let checked = last
            .as_mut()
            .map(|l| std::mem::take(&mut l.checked))
            .unwrap_or_default();
        let loaded = crate::load_site_with(
            &opts.content_dir,
            opts.base_url.as_deref(),
            Some(&self.cache),
            &mut |raw| {
                // Called once every file has parsed: only from here on is the last build's
                // state taken apart.
                taken = true;
                raw_reports = raw.reports.clone();
                let previous_raw = match last.as_mut() {
                    Some(l) => {
                        previous = std::mem::take(&mut l.reports)
                            .into_iter()
                            .map(|r| (r.id.clone(), r))
                            .collect();
                        std::mem::take(&mut l.raw)
                    }
                    None => Vec::new(),
                };
                let previous_raw: HashMap<&str, &RawReport> = previous_raw
                    .iter()
                    .map(|p| (p.dir_name.as_str(), p))
                    .collect();
                raw.reports
                    .iter()
                    .map(|r| {
                        let same = previous_raw
                            .get(r.dir_name.as_str())
                            .is_some_and(|p| r.same_files(p));
                        if !same {
                            return None;
                        }
                        let kept = previous.remove(&r.dir_name)?;
                        reused.insert(kept.id.clone());
                        Some(kept)
                    })
                    .collect()
            },
            &|id| checked.get(id).cloned(),
        );
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(e) => {
                // A file that does not parse (the usual slip while typing) leaves the last
                // build whole, so the fix is again a rebuild in place.
                if !taken {
                    if let Some(l) = last.as_mut() {
                        l.checked = checked;
                    }
                    self.last = last;
                }
                return Err(e);
            }
        };
        if loaded.has_errors() {
            // The last build's pages are still what is on disk. Its models that still describe
            // them are kept: those of the quarters this attempt did not read again, and those
            // read again from the same files whose links it did not change. So the fix, too,
            // is a rebuild in place.
            if let Some(mut l) = last {
                let mut reports: Vec<model::Report> = previous.into_values().collect();
                for (r, relinked) in loaded.site.reports.into_iter().zip(loaded.relinked) {
                    if !reused.contains(&r.id) || relinked {
                        continue;
                    }
                    if let Some(raw) = raw_reports.iter().find(|raw| raw.dir_name == r.id) {
                        l.raw.push(raw.clone());
                        reports.push(r);
                    }
                }
                l.reports = reports;
                self.last = Some(l);
            }
            return Err(crate::Error::Content(loaded.diagnostics));
        }
        let crate::Loaded {
            site,
            diagnostics: warnings,
            relinked,
            checked,
        } = loaded;
        let checked = site
            .reports
            .iter()
            .map(|r| r.id.clone())
            .zip(checked)
            .collect();
        let theme = theme_state(&opts.theme_dir);
        let templates = self.templates(opts, &site.settings, &theme)?;
        let env = &templates.env;
        clock.lap("contenido y plantillas");
        let key = Key {
            options: (
                opts.content_dir.clone(),
                opts.theme_dir.clone(),
                opts.base_url.clone(),
            ),
            settings: site.settings.clone(),
            institution: site.institution.clone(),
            glossary: site.glossary.clone(),
            links: plan::report_links(&site),
            theme,
        };
        clock.lap("clave");
        let mut last = last.filter(|l| {
            opts.search == SearchIndex::KeepPrevious
                && l.key == key
                && l.output == opts.output_dir
                && opts.output_dir.join(MARKER).is_file()
        });
        // Only a build in place keeps anything of the last one.
        let in_place = last.is_some();
        let unchanged: Vec<bool> = site
            .reports
            .iter()
            .zip(&relinked)
            .map(|(r, relinked)| {
                in_place
                    && if reused.contains(&r.id) {
                        !relinked
                    } else {
                        previous.get(&r.id) == Some(r)
                    }
            })
            .collect();
        let (mut exports, exports_changed): (Vec<data::QuarterData>, Vec<bool>) = {
            use rayon::prelude::*;
            let mut previous = last
                .as_mut()
                .map(|l| std::mem::take(&mut l.exports))
                .unwrap_or_default();
            previous.resize_with(site.reports.len(), Default::default);
            site.reports
                .par_iter()
                .zip(previous)
                .zip(&unchanged)
                .map(|((r, kept), same)| {
                    if *same {
                        (kept, false)
                    } else {
                        let fresh = data::quarter(&site, r);
                        let changed = !fresh.same_listing(&kept);
                        (fresh, changed)
                    }
                })
                .unzip()
        };
        clock.lap("datos del trimestre");
        let changed_years: BTreeSet<i32> = site
            .reports
            .iter()
            .zip(&unchanged)
            .filter(|(_, same)| !**same)
            .map(|(r, _)| r.year)
            .collect();
        let select = |g: Group| match g {
            // Made from the inputs in `Key` alone, which an in-place build has unchanged.
            Group::Site => !in_place,
            Group::Data => !in_place || exports_changed.contains(&true),
            Group::Listings => true,
            Group::Report(i) => !unchanged[i],
            Group::Year(y) => !in_place || changed_years.contains(&y),
        };
        let plan = plan::plan_parts(&site, &mut exports, &select)?;
        clock.lap("plan");
        let linker = site
            .glossary
            .as_ref()
            .map(|g| render::glossary::Linker::new(g, &site.settings.base_path));

        let outputs = sorted_outputs(&plan);
        let renderer = crate::Renderer {
            site: &site,
            exports: &exports,
            env,
            plan: &plan,
            linker: linker.as_ref(),
        };
        let (written, searchable, search_deferred) = match last {
            Some(last) => {
                let root = &opts.output_dir;
                let mut searchable = last.searchable;
                let (mut written, pages) = crate::write_pages(root, &renderer, &|root, page| {
                    fsx::replace_file(&root.join(&page.path), &page.bytes)
                })?;
                clock.lap("páginas en su lugar");
                for page in pages {
                    if page.searchable {
                        searchable.insert(page.path);
                    } else {
                        searchable.remove(&page.path);
                    }
                }
                output::make_folders(root, plan.files.iter().map(|f| f.path.as_str()))?;
                {
                    use rayon::prelude::*;
                    plan.files
                        .par_iter()
                        .try_for_each(|f| fsx::replace_file(&root.join(&f.path), &f.bytes))?;
                }
                clock.lap("archivos en su lugar");
                written.add(output::Written {
                    files: plan.files.len(),
                    bytes: plan.files.iter().map(|f| f.bytes.len() as u64).sum(),
                });
                for gone in missing(&last.outputs, &outputs) {
                    fsx::remove_file(&root.join(gone))?;
                    fsx::remove_empty_parents(root, std::path::Path::new(gone));
                    searchable.remove(gone);
                }
                clock.lap("borrado de lo que ya no está");
                let deferred = root.join(search::BUNDLE).is_dir();
                (written, searchable, deferred)
            }
            None => {
                output::check_output_dir(
                    &opts.output_dir,
                    &[
                        &opts.content_dir,
                        &opts.theme_dir,
                        std::path::Path::new("."),
                    ],
                )?;
                let (staging, written) =
                    output::Staging::begin(&opts.output_dir, &opts.theme_dir.join("static"))?;
                let staged =
                    crate::stage_plan(staging, written, &renderer, &Default::default(), &[])?;
                let published = crate::publish_staged(opts, staged, &site.settings.base_path)?;
                let searchable: Paths = published.search_pages.into_iter().collect();
                (published.written, searchable, published.search_deferred)
            }
        };
        let search_pages = plan
            .paths
            .iter()
            .filter(|p| searchable.contains(*p))
            .cloned()
            .collect();
        let summary = BuildSummary {
            pages: plan.paths.len(),
            files: written.files,
            bytes: written.bytes,
            warnings,
            elapsed: started.elapsed(),
            search_pages,
            base_path: site.settings.base_path.clone(),
            search_deferred,
            search_parts: crate::search::PartsMade::default(),
            pages_reused: 0,
            files_read_back: (0, 0),
        };
        self.templates = Some(templates);
        self.last = Some(Last {
            output: opts.output_dir.clone(),
            key,
            raw: raw_reports,
            reports: site.reports,
            exports,
            searchable,
            outputs,
            checked,
        });
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::missing;

    #[test]
    fn missing_lists_what_only_the_earlier_list_has() {
        let list = |s: &str| -> Vec<String> { s.split_whitespace().map(String::from).collect() };
        let gone = |before: &str, now: &str| -> Vec<String> {
            missing(&list(before), &list(now)).cloned().collect()
        };
        assert_eq!(gone("a b c d", "b d e"), ["a", "c"]);
        assert_eq!(gone("a b", "a b"), Vec::<String>::new());
        assert_eq!(gone("b c", ""), ["b", "c"]);
        assert_eq!(gone("", "a"), Vec::<String>::new());
        assert_eq!(gone("m z", "a b c n"), ["m", "z"]);
    }
}

//! LOAD: walk `content/`, parse every YAML file into the raw mirror, and collect every
//! problem as a located diagnostic before giving up.
//!
//! What this stage does not do: compute, cross-check or format anything (that is `model` and
//! `validate`). It only knows where files live and how to read them.

mod attachments;
mod blocks;
pub mod raw;
mod stored;
mod walk;
mod yaml;

use crate::diagnostic::Diagnostic;
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

pub use attachments::{AttachmentFile, FORMATS, MAX_ATTACHMENT_BYTES};
pub use stored::StoredParses;
pub use yaml::{MAX_DEPTH, MAX_FILE_BYTES, parse, value_position};

/// A parsed value with the file it came from, kept so later stages can locate problems.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub path: PathBuf,
    /// Shared with the model's `Origin`, which keeps it to locate later problems.
    pub source: Source,
    pub value: T,
}

/// A content file's text, to show where in it a problem found after parsing is.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Kept in memory: `serve`'s parse cache compares it with the file's next read.
    Kept(Arc<String>),
    /// Let go of once parsed, since a build that finds no problem never needs it again (at
    /// 10,000 pages it was 150 MB, a fifth of the peak). Its length and CRC-32 tell whether
    /// the file, read again to show a problem, still holds the text that was parsed.
    Released { len: usize, crc: u32 },
}

impl Default for Source {
    fn default() -> Self {
        Source::Kept(Arc::default())
    }
}

impl Source {
    fn released(text: &str) -> Source {
        Source::Released {
            len: text.len(),
            crc: crc32fast::hash(text.as_bytes()),
        }
    }

    /// The text as parsed, read again from `path` if it was let go of. Empty when the file no
    /// longer holds that text (edited since): a problem is then reported without its line,
    /// never with a line of another version of the file.
    pub fn text(&self, path: &Path) -> Arc<String> {
        match self {
            Source::Kept(text) => Arc::clone(text),
            Source::Released { len, crc } => {
                let same = crate::fsx::read(path)
                    .ok()
                    .filter(|b| b.len() == *len && crc32fast::hash(b) == *crc)
                    .and_then(|b| String::from_utf8(b).ok());
                Arc::new(same.unwrap_or_default())
            }
        }
    }
}

/// A parsed file, shared: a rebuild reuses the parse of an unchanged file without copying it.
pub type Parse<T> = Arc<Sourced<T>>;

/// Everything under `content/`, parsed but not yet checked against itself; each report as
/// parsed, or as [`load_mapped`] made it.
#[derive(Debug, Clone)]
pub struct RawContent<R = RawReport> {
    pub site: Parse<raw::Site>,
    pub institution: Parse<raw::Institution>,
    /// `glosario.yaml` is optional.
    pub glossary: Option<Parse<raw::Glossary>>,
    pub reports: Vec<R>,
}

/// One `informes/<año>-t<n>/` folder.
#[derive(Debug, Clone)]
pub struct RawReport {
    /// Folder name, e.g. `2023-t2`.
    pub dir_name: String,
    pub report: Parse<raw::Report>,
    /// Sorted by file name; the slug is the file stem.
    pub units: Vec<(String, Parse<raw::Unit>)>,
    /// The files of `anexos`, checked and read, in the same order.
    pub attachments: Vec<AttachmentFile>,
}

/// Parsed files kept between builds (`serve`): a file whose bytes did not change is not parsed
/// again. Keyed by path; a hit compares the whole source, so it never serves a stale parse,
/// except that a file whose size, inode and modification time are unchanged, and which had
/// been still for a while when it was read, is not even read again (Git's "racy clean" rule:
/// two saves within one clock tick can share a modification time). The walk of the content
/// folder is kept by the same rule, applied to its folders: adding, removing or renaming an
/// entry changes its folder's modification time.
#[derive(Default)]
pub struct ParseCache {
    files: Mutex<HashMap<PathBuf, Cached>>,
    walked: Mutex<Option<Walked>>,
}

/// The last walk, and a settled stamp of each folder it listed (`None` for one that had
/// changed too recently to vouch for it).
struct Walked {
    content_dir: PathBuf,
    files: walk::Files,
    folders: Vec<Option<Stamp>>,
}

struct Cached {
    parse: Arc<dyn Any + Send + Sync>,
    stamp: Option<Stamp>,
}

/// What changes when a file is written or replaced.
#[derive(Clone, Copy, PartialEq)]
struct Stamp {
    len: u64,
    inode: u64,
    modified: SystemTime,
}

/// How long a file must have been unmodified when read for its stamp to be trusted.
const SETTLED: Duration = Duration::from_secs(2);

fn stamp(path: &Path) -> Option<Stamp> {
    stamp_of(&crate::fsx::symlink_metadata(path).ok()?)
}

fn stamp_of(m: &std::fs::Metadata) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    Some(Stamp {
        len: m.len(),
        inode: m.ino(),
        modified: m.modified().ok()?,
    })
}

/// `stamp`, if it had been still for [`SETTLED`] at `at`.
fn settled(stamp: Option<Stamp>, at: SystemTime) -> Option<Stamp> {
    stamp.filter(|s| has_settled(s.modified, at))
}

/// Whether something last modified at `modified` had been still for [`SETTLED`] at `at`: a
/// file rewritten within its clock's tick keeps its stamp, so a stamp is trusted only then.
pub(crate) fn has_settled(modified: SystemTime, at: SystemTime) -> bool {
    at.duration_since(modified).is_ok_and(|age| age > SETTLED)
}

/// A folder's stamp; `content_dir` itself may be a symbolic link, which the walk follows.
fn folder_stamp(path: &Path) -> Option<Stamp> {
    stamp_of(&crate::fsx::metadata(path).ok()?)
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseCache").finish_non_exhaustive()
    }
}

impl ParseCache {
    /// The parse of a file that has not changed since a settled read, without reading it.
    fn unchanged<T: Send + Sync + 'static>(
        &self,
        path: &Path,
        now: Option<Stamp>,
    ) -> Option<Parse<T>> {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let hit = files.get(path)?;
        if hit.stamp.is_none() || hit.stamp != now {
            return None;
        }
        Arc::clone(&hit.parse).downcast::<Sourced<T>>().ok()
    }

    fn get<T: Send + Sync + 'static>(&self, path: &Path, source: &str) -> Option<Parse<T>> {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let hit = Arc::clone(&files.get(path)?.parse)
            .downcast::<Sourced<T>>()
            .ok()?;
        matches!(&hit.source, Source::Kept(kept) if **kept == source).then_some(hit)
    }

    /// Remembers a parse; `before` is the file's stamp taken before it was read, kept only if
    /// the file had settled by then.
    fn put<T: Send + Sync + 'static>(&self, parsed: &Parse<T>, before: Option<Stamp>) {
        let settled = settled(before, SystemTime::now());
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(
            parsed.path.clone(),
            Cached {
                parse: Arc::clone(parsed) as Arc<dyn Any + Send + Sync>,
                stamp: settled,
            },
        );
    }

    /// Lets go of the parses of report and unit files the walk no longer found, so a long
    /// preview session does not keep every quarter ever deleted or renamed. The site-wide
    /// files at the top of the folder are at most three and stay.
    fn keep_only(&self, content_dir: &Path, files: &walk::Files) {
        let present: HashSet<PathBuf> = files
            .reports
            .iter()
            .flat_map(|dir| {
                std::iter::once(&dir.report).chain(dir.units.iter().map(|(_, rel)| rel))
            })
            .map(|rel| content_dir.join(rel))
            .collect();
        let mut kept = self.files.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|path, _| path.parent() == Some(content_dir) || present.contains(path));
    }

    /// The content folder's files: the last walk's while none of its folders changed, else a
    /// new walk (and the parses of files it no longer finds are let go). A serve rebuild after
    /// an edit then reads no folder, only each file's stamp.
    fn walk(&self, content_dir: &Path) -> Result<walk::Files, Vec<Diagnostic>> {
        {
            let walked = self.walked.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(w) = walked.as_ref()
                && w.content_dir == content_dir
                && w.files
                    .folders
                    .iter()
                    .zip(&w.folders)
                    .all(|(f, kept)| kept.is_some() && folder_stamp(f) == *kept)
            {
                return Ok(w.files.clone());
            }
        }
        let started = SystemTime::now();
        let files = walk::walk(content_dir)?;
        // Stamped after the walk, and kept only if the folder had been still for a while
        // when the walk began: one changed meanwhile, however long the walk took, is walked
        // again next time.
        let folders = files
            .folders
            .iter()
            .map(|f| settled(folder_stamp(f), started))
            .collect();
        self.keep_only(content_dir, &files);
        *self.walked.lock().unwrap_or_else(|e| e.into_inner()) = Some(Walked {
            content_dir: content_dir.to_path_buf(),
            files: files.clone(),
            folders,
        });
        Ok(files)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl RawReport {
    /// Whether both were read from the same files with the same bytes (the parse cache hands
    /// out the same parse for an unchanged file), so they make the same model.
    pub fn same_files(&self, other: &RawReport) -> bool {
        self.dir_name == other.dir_name
            && Arc::ptr_eq(&self.report, &other.report)
            && self.units.len() == other.units.len()
            && self
                .units
                .iter()
                .zip(&other.units)
                .all(|((a, x), (b, y))| a == b && Arc::ptr_eq(x, y))
            && self.attachments == other.attachments
    }
}

/// Where the parses of files whose bytes are unchanged come from.
#[derive(Clone, Copy)]
pub enum Reuse<'a> {
    /// Every file is parsed.
    Nothing,
    /// `serve`'s parses, kept in memory between its builds.
    Memory(&'a ParseCache),
    /// The parses earlier builds stored on disk (`informe build`).
    Stored(&'a StoredParses),
}

impl<'a> Reuse<'a> {
    fn memory(self) -> Option<&'a ParseCache> {
        match self {
            Reuse::Memory(cache) => Some(cache),
            _ => None,
        }
    }

    /// The shelf of `group`'s stored parses, when parses are stored.
    fn shelf(self, group: &str) -> Option<stored::Shelf<'a>> {
        match self {
            Reuse::Stored(stored) => Some(stored.shelf(group)),
            _ => None,
        }
    }
}

/// Reads the content directory. On failure, returns every diagnostic found (warnings included).
pub fn load(content_dir: &Path) -> Result<(RawContent, Vec<Diagnostic>), Vec<Diagnostic>> {
    load_with(content_dir, None)
}

/// [`load`], reusing the parses in `cache` of files whose bytes are unchanged.
pub fn load_with(
    content_dir: &Path,
    cache: Option<&ParseCache>,
) -> Result<(RawContent, Vec<Diagnostic>), Vec<Diagnostic>> {
    let reuse = cache.map_or(Reuse::Nothing, Reuse::Memory);
    load_mapped(content_dir, reuse, &|r| r)
}

/// [`load_with`], each report handed to `make` as soon as its files have parsed, in the same
/// parallel task: a build turns it into its model there, so the parses of every report and
/// their models are never all in memory at once. `make` is not called for a report
/// whose files have errors (the load fails then anyway).
pub fn load_mapped<R: Send>(
    content_dir: &Path,
    reuse: Reuse<'_>,
    make: &(dyn Fn(RawReport) -> R + Sync),
) -> Result<(RawContent<R>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let cache = reuse.memory();
    let files = match cache {
        Some(c) => c.walk(content_dir)?,
        None => walk::walk(content_dir)?,
    };
    let mut diags = files.diagnostics;
    let mut site = None;
    let mut institution = None;
    let mut reports = Vec::new();

    let shelf = reuse.shelf("sitio");
    let from = Parser {
        content_dir,
        cache,
        shelf: shelf.as_ref(),
    };
    if let Some(s) = from.load_file(Path::new("sitio.yaml"), &mut diags) {
        site = Some(s);
    }
    if let Some(i) = from.load_file(Path::new("institucion.yaml"), &mut diags) {
        institution = Some(i);
    }
    let glossary = if content_dir.join("glosario.yaml").is_file() {
        from.load_file(Path::new("glosario.yaml"), &mut diags)
    } else {
        None
    };
    if let Some(shelf) = shelf {
        shelf.save();
    }
    // Every report and unit file is independent: parse them on all cores, then collect the
    // results (and diagnostics) in the walk's order, so nothing depends on timing.
    use rayon::prelude::*;
    let parsed: Vec<(Option<R>, Vec<Diagnostic>)> = files
        .reports
        .par_iter()
        .map(|dir| {
            let shelf = reuse.shelf(&format!("informes/{}", dir.name));
            let from = Parser {
                content_dir,
                cache,
                shelf: shelf.as_ref(),
            };
            let units: Vec<_> = dir
                .units
                .par_iter()
                .map(|(slug, rel)| (slug.clone(), from.read_and_parse(rel)))
                .collect();
            let report = from.read_and_parse::<raw::Report>(&dir.report);
            if let Some(shelf) = shelf {
                shelf.save();
            }
            let (attached, problems) = match &report {
                Ok(r) => attachments::load(&content_dir.join("informes").join(&dir.name), r),
                Err(_) => Default::default(),
            };
            let mut diags = Vec::new();
            let report = keep(report, &mut diags);
            let units = units
                .into_iter()
                .filter_map(|(slug, u)| keep(u, &mut diags).map(|u| (slug, u)))
                .collect();
            diags.extend(problems);
            // Files no attachment names are reported as the walker reports a stray file; when
            // the report could not be read, only symbolic links are (they are errors either
            // way).
            for other in &dir.others {
                let claimed = report
                    .as_ref()
                    .is_some_and(|r| attachments::claimed(&r.value, &other.rel));
                if !claimed && (report.is_some() || other.symlink) {
                    diags.push(other.unclaimed(content_dir));
                }
            }
            let made = report
                .filter(|_| !diags.iter().any(Diagnostic::is_error))
                .map(|report| {
                    make(RawReport {
                        dir_name: dir.name.clone(),
                        report,
                        units,
                        attachments: attached,
                    })
                });
            (made, diags)
        })
        .collect();
    for (made, problems) in parsed {
        diags.extend(problems);
        reports.extend(made);
    }
    if let Reuse::Stored(stored) = reuse {
        stored.keep_only(files.reports.iter().map(|r| r.name.as_str()));
    }

    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    match (site, institution) {
        (Some(site), Some(institution)) => Ok((
            RawContent {
                site,
                institution,
                glossary,
                reports,
            },
            diags,
        )),
        _ => Err(diags),
    }
}

/// What content files parse into.
trait Parsed:
    serde::de::DeserializeOwned + serde::Serialize + PartialEq + Send + Sync + 'static
{
}
impl<T> Parsed for T where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + Send + Sync + 'static
{
}

/// Reads and parses content files, with what earlier builds parsed.
#[derive(Clone, Copy)]
struct Parser<'a> {
    content_dir: &'a Path,
    cache: Option<&'a ParseCache>,
    shelf: Option<&'a stored::Shelf<'a>>,
}

impl Parser<'_> {
    /// Reads and parses one file; a problem becomes a diagnostic and `None`.
    fn load_file<T: Parsed>(&self, rel: &Path, diags: &mut Vec<Diagnostic>) -> Option<Parse<T>> {
        keep(self.read_and_parse(rel), diags)
    }

    fn read_and_parse<T: Parsed>(&self, rel: &Path) -> Result<Parse<T>, Box<Diagnostic>> {
        let cache = self.cache;
        let path = self.content_dir.join(rel);
        let before = cache.and_then(|_| stamp(&path));
        if let Some(hit) = cache.and_then(|c| c.unchanged(&path, before)) {
            return Ok(hit);
        }
        let source = yaml::read_source(&path)?;
        if let Some(hit) = cache.and_then(|c| c.get(&path, &source)) {
            if let Some(c) = cache {
                c.put(&hit, before);
            }
            return Ok(hit);
        }
        let value = match self.shelf {
            Some(shelf) => shelf.parse::<T>(&path, &source)?,
            None => parse::<T>(&path, &source)?,
        };
        let source = match cache {
            Some(_) => Source::Kept(Arc::new(source)),
            None => Source::released(&source),
        };
        let parsed = Arc::new(Sourced {
            path,
            source,
            value,
        });
        if let Some(c) = cache {
            c.put(&parsed, before);
        }
        Ok(parsed)
    }
}

fn keep<T>(r: Result<T, Box<Diagnostic>>, diags: &mut Vec<Diagnostic>) -> Option<T> {
    r.map_err(|d| diags.push(*d)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the smallest fixture's content, to change.
    fn minimal_copy() -> tempfile::TempDir {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimo/content");
        let dir = tempfile::tempdir().expect("temporary folder");
        for entry in walkdir::WalkDir::new(&fixture) {
            let entry = entry.expect("fixture");
            let to = dir
                .path()
                .join(entry.path().strip_prefix(&fixture).expect("inside"));
            if entry.file_type().is_dir() {
                crate::fsx::create_dir_all(&to).expect("folder");
            } else {
                crate::fsx::write(&to, &crate::fsx::read(entry.path()).expect("read"))
                    .expect("write");
            }
        }
        dir
    }

    fn set_modified(path: &Path, when: SystemTime) {
        std::fs::File::open(path)
            .and_then(|f| f.set_modified(when))
            .expect("set the modification time");
    }

    fn stray_warnings(diags: &[Diagnostic]) -> usize {
        diags.iter().filter(|d| d.code == "W-ARCHIVO").count()
    }

    #[test]
    fn the_walk_is_kept_until_a_folder_changes() {
        let dir = minimal_copy();
        let units = dir.path().join("informes/2023-t2/unidades");
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        for entry in walkdir::WalkDir::new(dir.path()) {
            let entry = entry.expect("copy");
            if entry.file_type().is_dir() {
                set_modified(entry.path(), long_ago);
            }
        }
        let cache = ParseCache::default();
        let (_, diags) = load_with(dir.path(), Some(&cache)).expect("the fixture loads");
        assert_eq!(stray_warnings(&diags), 0);

        crate::fsx::write(&units.join("notas.txt"), b"borrador").expect("write");
        // The one way to fool the kept walk: a new entry under a folder whose modification
        // time was put back. That it does shows the walk was kept, not done again.
        set_modified(&units, long_ago);
        let (_, diags) = load_with(dir.path(), Some(&cache)).expect("loads");
        assert_eq!(stray_warnings(&diags), 0, "the settled walk is kept");

        // As the file system leaves it, the folder's time moved: the walk is done again.
        let just_now = SystemTime::now() - Duration::from_millis(500);
        set_modified(&units, just_now);
        let (_, diags) = load_with(dir.path(), Some(&cache)).expect("loads");
        assert_eq!(stray_warnings(&diags), 1, "{diags:?}");
        // A folder changed too recently is not vouched for: even with its time put back, as
        // above, a second stray file is found, because the walk is done every time until
        // the folder settles.
        crate::fsx::write(&units.join("notas-2.txt"), b"borrador").expect("write");
        set_modified(&units, just_now);
        let (_, diags) = load_with(dir.path(), Some(&cache)).expect("loads");
        assert_eq!(stray_warnings(&diags), 2, "{diags:?}");
    }

    #[test]
    fn the_parse_cache_forgets_files_that_are_gone() {
        let dir = minimal_copy();
        let cache = ParseCache::default();
        load_with(dir.path(), Some(&cache)).expect("the fixture loads");
        let before = cache.len();
        let units = dir.path().join("informes/2023-t2/unidades");
        let unit = walkdir::WalkDir::new(&units)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| e.file_type().is_file())
            .expect("a unit file");
        crate::fsx::remove_file(unit.path()).expect("remove");
        let _ = load_with(dir.path(), Some(&cache));
        assert_eq!(cache.len(), before - 1);
    }

    #[test]
    fn a_released_source_is_read_again_only_while_the_file_holds_it() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("unidad.yaml");
        let text = "unidad: Jurídica\norden: 1\n";
        crate::fsx::write(&path, text.as_bytes()).expect("write");
        let source = Source::released(text);
        assert_eq!(*source.text(&path), text);
        // Same length, other bytes: an edit since the parse.
        crate::fsx::write(&path, "unidad: Juridicá\norden: 1\n".as_bytes()).expect("write");
        assert_eq!(*source.text(&path), "");
        crate::fsx::write(&path, text.as_bytes()).expect("write");
        assert_eq!(*source.text(&path), text);
        crate::fsx::remove_file(&path).expect("remove");
        assert_eq!(*source.text(&path), "");
    }
}

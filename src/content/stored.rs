//! Parses stored on disk between builds: a file whose bytes a previous build of the same
//! program parsed is read back from what that build stored, not parsed as YAML again.
//!
//! Parsing YAML was a third of a rebuild at 1,341 pages (150–180 ms of 380), and reading the
//! same values back from JSON takes a fraction of that. Each quarter's parses are one file,
//! read just before the quarter's files are parsed and written again right after, only if it
//! changed: memory holds a few quarters' worth at a time, and an edit rewrites one small file.
//!
//! A stored parse is keyed by the BLAKE3 hash of the type it parses into and of the file's
//! whole text, under the fingerprint of the program, so it can only stand for the same bytes
//! read by the same code. A parse is stored only if reading its JSON back gives the same value
//! (a YAML `.nan`, which JSON cannot hold, is never stored). A stored file whose contents do
//! not hash as its header says, or that another program wrote, is not read at all.

use super::Parsed;
use crate::diagnostic::Diagnostic;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// First line of every stored file; a new layout changes the number.
const HEADER: &str = "informe: lecturas guardadas 1";

/// The ending of a stored file's name: three lines of header, then each parse as
/// `<key> <length>`, a line of JSON, and a line break.
const EXT: &str = "lecturas";

/// The folder of stored parses of one content folder (see [`crate::output::stored_parses_dir`]).
#[derive(Debug)]
pub struct StoredParses {
    dir: PathBuf,
    /// Files read back from a stored parse, and files parsed, this build.
    read_back: AtomicUsize,
    parsed: AtomicUsize,
}

/// The key of a parse: the hash of the type's name and of the file's text.
type Key = [u8; 32];

/// Where each stored parse is in its file's bytes.
type Index = HashMap<Key, Range<usize>>;

/// The stored parses of one group of files (a quarter's folder, or the site-wide files) and
/// what this build parsed of them.
pub(super) struct Shelf<'a> {
    stored: &'a StoredParses,
    file: PathBuf,
    /// The program's fingerprint; `None` disables storing (the program could not be read).
    program: Option<blake3::Hash>,
    /// The stored file as read, when it was valid.
    text: Vec<u8>,
    index: Index,
    /// Every file parsed through this shelf: its key, and its JSON when it was not stored.
    used: Mutex<Vec<(Key, Option<Vec<u8>>)>>,
}

impl StoredParses {
    pub fn new(dir: PathBuf) -> StoredParses {
        StoredParses {
            dir,
            read_back: AtomicUsize::new(0),
            parsed: AtomicUsize::new(0),
        }
    }

    /// How many content files were read back from a stored parse, of how many read.
    pub fn read_back(&self) -> (usize, usize) {
        let read_back = self.read_back.load(Ordering::Relaxed);
        (read_back, read_back + self.parsed.load(Ordering::Relaxed))
    }

    /// The shelf of the files of `group`, a relative path of the content folder.
    pub(super) fn shelf(&self, group: &str) -> Shelf<'_> {
        let file = self.dir.join(format!("{group}.{EXT}"));
        let program = crate::fingerprint::program();
        let (text, index) = program.and_then(|p| read(&file, &p)).unwrap_or_default();
        Shelf {
            stored: self,
            file,
            program,
            text,
            index,
            used: Mutex::default(),
        }
    }

    /// Deletes the stored parses of report folders not in `names` (removed from the content),
    /// and whatever else is in the folder but the site-wide parses (a file half-written by a
    /// build that was killed).
    pub(super) fn keep_only<'a>(&self, names: impl Iterator<Item = &'a str>) {
        let keep: std::collections::HashSet<String> = names.map(|n| format!("{n}.{EXT}")).collect();
        let prune = |dir: &Path, keep: &dyn Fn(&str) -> bool| {
            for name in crate::fsx::read_dir_names(dir).unwrap_or_default() {
                let path = dir.join(&name);
                if !keep(&name.to_string_lossy()) && path.is_file() {
                    let _ = crate::fsx::remove_file(&path);
                }
            }
        };
        prune(&self.dir, &|n| n == format!("sitio.{EXT}"));
        prune(&self.dir.join("informes"), &|n| keep.contains(n));
    }
}

/// A stored file's bytes and where each entry is in them; `None` unless the file is whole
/// and this program wrote it.
fn read(file: &Path, program: &blake3::Hash) -> Option<(Vec<u8>, Index)> {
    let text = crate::fsx::read(file).ok()?;
    let line = |at: usize| -> Option<(&str, usize)> {
        let end = at + memchr::memchr(b'\n', text.get(at..)?)?;
        Some((std::str::from_utf8(&text[at..end]).ok()?, end + 1))
    };
    let (header, at) = line(0)?;
    let (by, at) = line(at)?;
    let (body_hash, body_start) = line(at)?;
    let body = &text[body_start..];
    if header != HEADER
        || by.strip_prefix("programa ")? != program.to_hex().as_str()
        || body_hash.strip_prefix("contenido ")? != blake3::hash(body).to_hex().as_str()
    {
        return None;
    }
    let mut index = HashMap::new();
    let mut at = body_start;
    while at < text.len() {
        let (entry, start) = line(at)?;
        let (key, len) = entry.split_once(' ')?;
        let key = blake3::Hash::from_hex(key).ok()?;
        let end = start.checked_add(len.parse::<usize>().ok()?)?;
        if text.get(end) != Some(&b'\n') {
            return None;
        }
        index.insert(*key.as_bytes(), start..end);
        at = end + 1;
    }
    Some((text, index))
}

/// JSON, which a webmaster can read; MessagePack was tried and read back no faster.
fn encode<T: serde::Serialize>(value: &T) -> Option<Vec<u8>> {
    serde_json::to_vec(value).ok()
}

fn decode<T: Parsed>(bytes: &[u8]) -> Option<T> {
    serde_json::from_slice(bytes).ok()
}

fn key<T>(source: &str) -> Key {
    use crate::fingerprint::Framed;
    *blake3::Hasher::new()
        .text(std::any::type_name::<T>().as_bytes())
        .text(source.as_bytes())
        .finalize()
        .as_bytes()
}

impl Shelf<'_> {
    /// `source`, the text of the file at `path`, as a `T`: read back from the stored parse
    /// when there is one, else parsed (and its parse kept for [`Shelf::save`]).
    pub(super) fn parse<T: Parsed>(&self, path: &Path, source: &str) -> Result<T, Box<Diagnostic>> {
        let key = key::<T>(source);
        if let Some(stored) = self.index.get(&key).map(|r| &self.text[r.clone()])
            && let Some(value) = decode::<T>(stored)
        {
            self.used().push((key, None));
            self.stored.read_back.fetch_add(1, Ordering::Relaxed);
            return Ok(value);
        }
        let value = super::yaml::parse::<T>(path, source)?;
        self.stored.parsed.fetch_add(1, Ordering::Relaxed);
        if self.program.is_some()
            && let Some(bytes) = encode(&value)
            && decode::<T>(&bytes).is_some_and(|back| back == value)
        {
            self.used().push((key, Some(bytes)));
        }
        Ok(value)
    }

    fn used(&self) -> std::sync::MutexGuard<'_, Vec<(Key, Option<Vec<u8>>)>> {
        self.used.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the parses of the files read through this shelf, in the order of their keys, if
    /// they are not exactly what was stored. A failure only costs the next build a parse, so
    /// it is not reported.
    pub(super) fn save(self) {
        let Some(program) = self.program else {
            return;
        };
        let mut used = self.used.into_inner().unwrap_or_else(|e| e.into_inner());
        used.sort_unstable_by_key(|a| a.0);
        used.dedup_by(|a, b| a.0 == b.0);
        if used.iter().all(|(_, json)| json.is_none()) && used.len() == self.index.len() {
            return;
        }
        let mut body = Vec::new();
        for (key, bytes) in &used {
            let bytes = match bytes {
                Some(bytes) => bytes.as_slice(),
                None => &self.text[self.index[key].clone()],
            };
            let entry = format!(
                "{} {}\n",
                blake3::Hash::from_bytes(*key).to_hex(),
                bytes.len()
            );
            body.extend_from_slice(entry.as_bytes());
            body.extend_from_slice(bytes);
            body.push(b'\n');
        }
        let mut text = format!(
            "{HEADER}\nprograma {}\ncontenido {}\n",
            program.to_hex(),
            blake3::hash(&body).to_hex()
        )
        .into_bytes();
        text.extend_from_slice(&body);
        if let Some(dir) = self.file.parent() {
            let _ = crate::fsx::create_dir_all(dir);
        }
        let _ = crate::fsx::replace_file(&self.file, &text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::raw;

    #[test]
    fn only_a_parse_that_reads_back_the_same_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let stored = StoredParses::new(dir.path().to_path_buf());
        let path = Path::new("meta.yaml");
        let parse =
            |shelf: &Shelf<'_>, source: &str| -> raw::Goal { shelf.parse(path, source).unwrap() };
        let shelf = stored.shelf("prueba");
        // JSON has no NaN: serde_json writes it as `null`, which would read back as no goal.
        assert!(parse(&shelf, "cantidad: .nan\n").cantidad.unwrap().is_nan());
        let tenth = parse(&shelf, "cantidad: 0.1\nunidad: ~\n");
        shelf.save();
        assert_eq!(stored.read_back(), (0, 2));

        let shelf = stored.shelf("prueba");
        assert_eq!(parse(&shelf, "cantidad: 0.1\nunidad: ~\n"), tenth);
        assert!(parse(&shelf, "cantidad: .nan\n").cantidad.unwrap().is_nan());
        assert_eq!(
            stored.read_back(),
            (1, 4),
            "the goal of 0.1 is read back, NaN parsed"
        );
    }
}

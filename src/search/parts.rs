//! The search index in parts. The quarter and unit pages are split, in the order of their
//! quarters, into parts of about `per_part` pages; each part is a Pagefind bundle of its own,
//! and the search page merges them (Pagefind's `mergeIndex`, listed in [`PARTS_FILE`]).
//!
//! Why parts:
//! - Pagefind keeps every page it has read until it writes the index, about 360 KB a page:
//!   one index of 13,424 pages peaked at 3.6 GB. A part is written and let go before the next.
//! - A part whose pages are byte for byte those of the site being replaced, built by this same
//!   program, is taken from that site instead of being indexed again: a rebuild after an edit
//!   of the latest quarter indexes only the part that holds it. Each part records a fingerprint
//!   of what it was made from, and of each of its files, in [`MANIFEST`]; a file that does not
//!   match (edited or removed by hand) makes the part be indexed again.
//!
//! A site of at most `per_part` pages is one part. In a larger one the latest quarter is a
//! part of its own: it is the one a webmaster edits, build after build, while preparing a
//! report, so such a rebuild indexes only its pages. The quarters before it are grouped,
//! oldest first, into parts closed once they hold `per_part` pages or more; a quarter is
//! never split. Pages outside a quarter's folder go in the last part.

use super::{BUNDLE, files_in, index_folder, runtime, stage_pages};
use crate::fsx;
use crate::output::{Dest, Written};
use crate::render::Artifact;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Pages per part when the build is not told otherwise: about 180 MB of Pagefind's memory,
/// and at the report's pace (seven or eight searchable pages a quarter) one index for about
/// fifteen years.
pub const DEFAULT_PART_PAGES: usize = 500;

/// The list of the parts after the first, relative to the first (`["parte-2/"]`), for the
/// search page (`theme/static/buscar.js`); in the first part's folder. A script that sets
/// [`PARTS_GLOBAL`], not a JSON file to fetch: the page loads it beside Pagefind's own script,
/// so the search does not wait for one more round trip before it starts.
pub const PARTS_FILE: &str = "partes.js";

/// The global variable [`PARTS_FILE`] sets.
pub const PARTS_GLOBAL: &str = "informeBusquedaPartes";

/// What a part was made from and the fingerprint of each of its files; in the part's folder.
const MANIFEST: &str = "informe-parte.json";

/// Files larger than this in a previous part are not read back (the largest Pagefind files of
/// a 500-page part are a few megabytes).
const MAX_REUSED_FILE: u64 = 256 << 20;

/// A page search takes, with the fingerprint of its bytes (made as it was rendered, or
/// recorded when it was taken from the previous site).
pub type SearchPage = (String, blake3::Hash);

/// One part: its folder in the site (`pagefind/`, `pagefind/parte-2/`…) and its pages.
#[derive(Debug, PartialEq)]
struct Part {
    dir: String,
    pages: Vec<SearchPage>,
}

/// `informes/2023/t2/` for a page inside that quarter's folder.
fn quarter_of(page: &str) -> Option<&str> {
    let mut slashes = page.match_indices('/').map(|(i, _)| i);
    let end = slashes.nth(2)?;
    // A page of the quarter itself or of one of its units, not the `informes/` listing.
    (page.starts_with("informes/") && page.len() > end + 1).then(|| &page[..=end])
}

fn split(pages: &[SearchPage], per_part: usize) -> Vec<Part> {
    let mut quarters: BTreeMap<&str, Vec<SearchPage>> = BTreeMap::new();
    let mut others = Vec::new();
    for p in pages {
        match quarter_of(&p.0) {
            Some(q) => quarters.entry(q).or_default().push(p.clone()),
            None => others.push(p.clone()),
        }
    }
    // A site that fits in one part gets one index: each part costs a search a few more
    // requests (about 100 ms more with three parts than with one, benches/search-latency.sh),
    // and indexing such a site again is quick.
    let latest = if pages.len() > per_part {
        quarters.pop_last()
    } else {
        None
    };
    let mut groups: Vec<Vec<SearchPage>> = vec![Vec::new()];
    for (_, mut quarter) in quarters {
        let last = groups.last_mut().expect("one group at least");
        if last.len() >= per_part.max(1) {
            groups.push(quarter);
        } else {
            last.append(&mut quarter);
        }
    }
    if let Some((_, quarter)) = latest {
        if groups[0].is_empty() {
            groups[0] = quarter;
        } else {
            groups.push(quarter);
        }
    }
    groups
        .last_mut()
        .expect("one group at least")
        .append(&mut others);
    groups
        .into_iter()
        .enumerate()
        .map(|(i, mut pages)| {
            pages.sort_by(|a, b| a.0.cmp(&b.0));
            Part {
                dir: part_dir(i),
                pages,
            }
        })
        .collect()
}

fn part_dir(i: usize) -> String {
    if i == 0 {
        format!("{BUNDLE}/")
    } else {
        format!("{BUNDLE}/parte-{}/", i + 1)
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    huella: String,
    archivos: BTreeMap<String, String>,
}

/// What [`index_parts`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartsMade {
    /// Parts of the index.
    pub parts: usize,
    /// Parts taken unchanged from the previous site.
    pub reused: usize,
}

/// Indexes the `pages` written under `dest`'s root (the staging folder), each with its
/// fingerprint, part by part, taking
/// unchanged parts from the site `dest` replaces, and writes every part and [`PARTS_FILE`]
/// through `dest`.
pub fn index_parts(
    dest: Dest<'_>,
    pages: &[SearchPage],
    base_path: &str,
    per_part: usize,
) -> crate::Result<(Written, PartsMade)> {
    let root = dest.root();
    let parts = split(pages, per_part);
    let program = program();
    let rt = runtime().map_err(crate::Error::Search)?;
    let mut written = Written::default();
    let mut reused = 0;
    for (i, part) in parts.iter().enumerate() {
        let fingerprint = program.map(|program| fingerprint(part, base_path, &program));
        let previous = fingerprint.as_ref().and_then(|f| {
            dest.previous()
                .and_then(|prev| take_previous(&prev.join(&part.dir), &part.dir, f))
        });
        let files = match previous {
            Some(files) => {
                reused += 1;
                files
            }
            None => {
                let scratch = root.join(format!(".indice-busqueda-{}", i + 1));
                let paths: Vec<String> = part.pages.iter().map(|(p, _)| p.clone()).collect();
                stage_pages(root, &scratch, &paths, base_path)?;
                let mut index = index_folder(&rt, &scratch).map_err(crate::Error::Search)?;
                let made =
                    files_in(&rt, &mut index, &part.dir, i == 0).map_err(crate::Error::Search)?;
                drop(index);
                with_manifest(made, &part.dir, fingerprint.as_deref())
            }
        };
        written.add(dest.write_files(&files)?);
    }
    let others: Vec<String> = parts[1..]
        .iter()
        .map(|p| p.dir[BUNDLE.len() + 1..].to_owned())
        .collect();
    written.add(dest.write_files(&[parts_file(&others)])?);
    let made = PartsMade {
        parts: parts.len(),
        reused,
    };
    Ok((written, made))
}

/// [`PARTS_FILE`] listing `others`, the folders of the parts after the first.
pub(super) fn parts_file(others: &[String]) -> Artifact {
    let list = serde_json::to_string(others).expect("a list of strings serializes");
    let bytes = format!("window.{PARTS_GLOBAL} = {list};\n").into_bytes();
    Artifact {
        path: format!("{BUNDLE}/{PARTS_FILE}"),
        bytes,
    }
}

/// The fingerprint of the running program (see [`crate::fingerprint::program`]) and of the one
/// setting Pagefind reads from the environment.
fn program() -> Option<blake3::Hash> {
    let program = crate::fingerprint::program()?;
    let chunk = std::env::var_os("PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE").unwrap_or_default();
    let mut h = blake3::Hasher::new();
    h.update(program.as_bytes())
        .update(chunk.as_encoded_bytes());
    Some(h.finalize())
}

/// What `part` is made from: the program, the base path and each page's path and bytes.
fn fingerprint(part: &Part, base_path: &str, program: &blake3::Hash) -> String {
    let mut h = blake3::Hasher::new();
    h.update(b"informe: parte del indice de busqueda\0");
    h.update(program.as_bytes());
    for text in [base_path, &part.dir] {
        h.update(&(text.len() as u64).to_le_bytes())
            .update(text.as_bytes());
    }
    for (path, page) in &part.pages {
        h.update(&(path.len() as u64).to_le_bytes())
            .update(path.as_bytes())
            .update(page.as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// The files of the part in `folder` of the previous site (paths under `dir` in the new
/// one), with its manifest, when that part was made from `fingerprint` and every file is as
/// it was written. Anything else (no manifest, a file changed, missing, or not a regular
/// file) answers `None`, and the part is indexed again.
fn take_previous(folder: &Path, dir: &str, fingerprint: &str) -> Option<Vec<Artifact>> {
    let manifest_bytes = fsx::read_regular(&folder.join(MANIFEST), MAX_REUSED_FILE).ok()?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).ok()?;
    if manifest.huella != fingerprint {
        return None;
    }
    let mut files = manifest
        .archivos
        .par_iter()
        .map(|(rel, hash)| {
            if rel
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
            {
                return None;
            }
            let bytes = fsx::read_regular(&folder.join(rel), MAX_REUSED_FILE).ok()?;
            (blake3::hash(&bytes).to_hex().as_str() == hash).then(|| Artifact {
                path: format!("{dir}{rel}"),
                bytes,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    files.push(Artifact {
        path: format!("{dir}{MANIFEST}"),
        bytes: manifest_bytes,
    });
    Some(files)
}

/// `files` (a part's bundle, paths under `dir`) with the part's manifest. Without a
/// fingerprint (the program's own file could not be read) the manifest records none, and the
/// next build indexes the part again.
fn with_manifest(mut files: Vec<Artifact>, dir: &str, fingerprint: Option<&str>) -> Vec<Artifact> {
    let archivos = files
        .iter()
        .map(|a| {
            (
                a.path[dir.len()..].to_owned(),
                blake3::hash(&a.bytes).to_hex().to_string(),
            )
        })
        .collect();
    let huella = fingerprint.unwrap_or_default().to_owned();
    let mut bytes =
        serde_json::to_vec_pretty(&Manifest { huella, archivos }).expect("a manifest serializes");
    bytes.push(b'\n');
    files.push(Artifact {
        path: format!("{dir}{MANIFEST}"),
        bytes,
    });
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(list: &[&str]) -> Vec<SearchPage> {
        list.iter()
            .map(|s| ((*s).to_owned(), blake3::hash(s.as_bytes())))
            .collect()
    }

    #[test]
    fn quarters_stay_whole_and_the_latest_is_a_part_of_its_own() {
        let all = pages(&[
            "informes/2024/t1/index.html",
            "informes/2023/t3/index.html",
            "informes/2023/t3/uaa/index.html",
            "informes/2023/t4/index.html",
            "informes/2023/t4/uaa/index.html",
            "institucion/index.html",
        ]);
        let parts = split(&all, 3);
        let dirs: Vec<&str> = parts.iter().map(|p| p.dir.as_str()).collect();
        assert_eq!(dirs, ["pagefind/", "pagefind/parte-2/"]);
        assert_eq!(
            parts[0].pages,
            pages(&[
                "informes/2023/t3/index.html",
                "informes/2023/t3/uaa/index.html",
                "informes/2023/t4/index.html",
                "informes/2023/t4/uaa/index.html",
            ])
        );
        assert_eq!(
            parts[1].pages,
            pages(&["informes/2024/t1/index.html", "institucion/index.html"])
        );
        // The first part is closed only once full; the latest quarter stands alone anyway.
        let parts = split(&all, 5);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].pages.len(), 4);
        // A site that fits in one part is one part.
        assert_eq!(split(&all, 6).len(), 1);
        assert_eq!(split(&all, 500).len(), 1);
        let parts = split(&all, 1);
        assert_eq!(parts.len(), 3);
        assert_eq!(
            parts[1].pages,
            pages(&[
                "informes/2023/t4/index.html",
                "informes/2023/t4/uaa/index.html"
            ])
        );
        // One quarter, or none: one part.
        assert_eq!(split(&all[..1], 500).len(), 1);
        assert_eq!(split(&all[5..], 500).len(), 1);
        assert_eq!(split(&[], 500).len(), 1);
    }
}

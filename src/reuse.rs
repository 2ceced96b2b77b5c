//! REUSE: a quarter's pages, and a year's views, taken from the site a build replaces when
//! nothing they are made from has changed, instead of being rendered again.
//!
//! [`crate::incremental`] (the preview server) keeps the last build's model in memory. A build
//! from the command line starts with nothing, so each build leaves in the site, in
//! [`MANIFEST`], a fingerprint of what each group of pages was made from and one of each page:
//! - what every page depends on: the program's own bytes, every file of the theme, the
//!   settings, the institution, the glossary and the list of quarters;
//! - a quarter's pages: that quarter's model, which carries what crosses quarters (each
//!   line's history in its year, each unit's other quarters; see `incremental`), and its
//!   attachments;
//! - a year's views: the models of its quarters.
//!
//! A group whose fingerprint matches the manifest's, and each of whose pages is in the old site
//! byte for byte as recorded, is hard-linked from there. Anything else (no manifest, a page
//! edited or removed by hand, another program) renders the group again. The site-wide pages,
//! the open-data page and the listings are always rendered: they are a handful, and most
//! depend on every quarter.

use crate::fingerprint::{self, Framed};
use crate::model::Site;
use crate::output::{self, Dest};
use crate::plan::{self, Group};
use crate::{BuildOptions, fsx};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The manifest of the site's pages, at its root.
pub(crate) const MANIFEST: &str = ".informe-paginas.json";

/// A manifest larger than this is not read (10,000 pages make about 2 MB).
const MAX_MANIFEST: u64 = 256 << 20;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    /// By group: `trimestre <id>`, `año <year>`.
    grupos: BTreeMap<String, Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    /// What the group's pages were made from.
    huella: String,
    /// Each page, in plan order.
    paginas: Vec<PageEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PageEntry {
    ruta: String,
    /// BLAKE3 of the page's bytes.
    blake3: String,
    bytes: u64,
    /// Whether the search index takes the page.
    busqueda: bool,
}

/// A page of the site, rendered or taken, as the rest of the build needs it.
#[derive(Debug, Clone)]
pub(crate) struct Made {
    pub(crate) path: String,
    pub(crate) bytes: u64,
    pub(crate) searchable: bool,
    pub(crate) hash: blake3::Hash,
}

/// One group of pages that can be taken, with what it is made from.
#[derive(Debug)]
struct Candidate {
    group: Group,
    key: String,
    huella: String,
    paths: Vec<String>,
}

/// What [`take`] did: the groups taken, and their pages.
#[derive(Debug, Default)]
pub(crate) struct Taken {
    /// By group key, the groups' fingerprints and pages (taken ones filled in).
    candidates: Vec<(Candidate, Option<Vec<PageEntry>>)>,
}

impl Taken {
    /// Whether `group`'s pages are to be rendered.
    pub(crate) fn renders(&self, group: Group) -> bool {
        !self
            .candidates
            .iter()
            .any(|(c, taken)| c.group == group && taken.is_some())
    }

    /// The quarters whose pages were taken, by index in `Site::reports`.
    pub(crate) fn reports(&self) -> impl Iterator<Item = usize> + '_ {
        self.candidates
            .iter()
            .filter_map(|(c, taken)| match c.group {
                Group::Report(i) if taken.is_some() => Some(i),
                _ => None,
            })
    }

    /// The pages taken.
    pub(crate) fn pages(&self) -> usize {
        self.candidates
            .iter()
            .filter_map(|(_, t)| t.as_ref())
            .map(Vec::len)
            .sum()
    }

    /// The pages taken, as the build's other pages are described.
    pub(crate) fn made(&self) -> impl Iterator<Item = Made> + '_ {
        self.candidates
            .iter()
            .filter_map(|(_, t)| t.as_ref())
            .flatten()
            .filter_map(|p| {
                Some(Made {
                    path: p.ruta.clone(),
                    bytes: p.bytes,
                    searchable: p.busqueda,
                    hash: blake3::Hash::from_hex(&p.blake3).ok()?,
                })
            })
    }

    /// The manifest of the new site: each candidate group's fingerprint and pages, those
    /// rendered found in `rendered`. `None` without a fingerprint of the program.
    pub(crate) fn manifest(&self, rendered: &[Made]) -> Option<crate::render::Artifact> {
        if self.candidates.is_empty() {
            return None;
        }
        let by_path: HashMap<&str, &Made> = rendered.iter().map(|m| (m.path.as_str(), m)).collect();
        let mut manifest = Manifest::default();
        for (c, taken) in &self.candidates {
            let paginas = match taken {
                Some(pages) => pages.clone(),
                None => c
                    .paths
                    .iter()
                    .map(|p| {
                        let m = by_path.get(p.as_str())?;
                        Some(PageEntry {
                            ruta: p.clone(),
                            blake3: m.hash.to_hex().to_string(),
                            bytes: m.bytes,
                            busqueda: m.searchable,
                        })
                    })
                    // A page not rendered is not recorded: the group is rendered next time.
                    .collect::<Option<Vec<_>>>()?,
            };
            manifest.grupos.insert(
                c.key.clone(),
                Entry {
                    huella: c.huella.clone(),
                    paginas,
                },
            );
        }
        let mut bytes = serde_json::to_vec(&manifest).expect("a manifest serializes");
        bytes.push(b'\n');
        Some(crate::render::Artifact {
            path: MANIFEST.to_owned(),
            bytes,
        })
    }
}

/// What every page depends on besides its own group's model.
fn site_key(
    site: &Site,
    opts: &BuildOptions,
    program: &blake3::Hash,
) -> crate::Result<blake3::Hash> {
    let mut h = blake3::Hasher::new();
    h.update(b"informe: paginas\0").update(program.as_bytes());
    for entry in walkdir::WalkDir::new(&opts.theme_dir)
        .sort_by_file_name()
        .follow_links(true)
    {
        let entry = entry.map_err(|e| {
            crate::Error::Usage(format!("no se pudo leer {}: {e}", opts.theme_dir.display()))
        })?;
        let rel = entry
            .path()
            .strip_prefix(&opts.theme_dir)
            .unwrap_or(entry.path());
        h.text(rel.as_os_str().as_encoded_bytes());
        if entry.file_type().is_file() {
            fsx::hash_file(entry.path(), &mut h)?;
        }
    }
    fingerprint::add_serialized(&mut h, &site.settings);
    fingerprint::add_serialized(&mut h, &site.institution);
    fingerprint::add_serialized(&mut h, &site.glossary);
    fingerprint::add_serialized(&mut h, &plan::report_links(site));
    Ok(h.finalize())
}

/// Each quarter's and each year's group, with its fingerprint.
fn candidates(site: &Site, key: &blake3::Hash) -> Vec<Candidate> {
    let reports: Vec<blake3::Hash> = site
        .reports
        .par_iter()
        .map(|r| {
            let mut h = blake3::Hasher::new();
            h.update(b"trimestre\0").update(key.as_bytes());
            fingerprint::add_serialized(&mut h, r);
            // Attachments are read into the model but not serialized with it.
            for a in &r.attachments {
                h.text(a.url.as_bytes()).text(&a.bytes);
            }
            h.finalize()
        })
        .collect();
    let mut years: BTreeMap<i32, blake3::Hasher> = BTreeMap::new();
    for (r, fp) in site.reports.iter().zip(&reports) {
        years
            .entry(r.year)
            .or_insert_with(|| {
                let mut h = blake3::Hasher::new();
                h.update(b"anio\0").update(key.as_bytes());
                h
            })
            .update(fp.as_bytes());
    }
    let mut year_paths: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    for (year, path) in plan::year_paths(site) {
        year_paths.entry(year).or_default().push(path);
    }
    let mut out: Vec<Candidate> = site
        .reports
        .iter()
        .zip(&reports)
        .enumerate()
        .map(|(i, (r, fp))| Candidate {
            group: Group::Report(i),
            key: format!("trimestre {}", r.id),
            huella: fp.to_hex().to_string(),
            paths: plan::report_paths(r),
        })
        .collect();
    out.extend(years.into_iter().map(|(year, h)| Candidate {
        group: Group::Year(year),
        key: format!("año {year}"),
        huella: h.finalize().to_hex().to_string(),
        paths: year_paths.remove(&year).unwrap_or_default(),
    }));
    out
}

/// Fingerprints every group of `site` and hard-links into `dest` the pages of those the site
/// it replaces holds unchanged. With no fingerprint of the program, takes nothing and
/// records nothing.
pub(crate) fn take(dest: Dest<'_>, site: &Site, opts: &BuildOptions) -> crate::Result<Taken> {
    let Some(program) = fingerprint::program() else {
        return Ok(Taken::default());
    };
    let mut clock = crate::timing::Clock::start();
    let key = site_key(site, opts, &program)?;
    let candidates = candidates(site, &key);
    clock.lap("huellas de las páginas");
    let mut manifest = dest
        .previous()
        .and_then(|prev| read_manifest(&prev.join(MANIFEST)))
        .unwrap_or_default();
    let wanted: Vec<(Candidate, Option<Entry>)> = candidates
        .into_iter()
        .map(|c| {
            let entry = manifest
                .grupos
                .remove(&c.key)
                .filter(|e| e.huella == c.huella);
            (c, entry)
        })
        .collect();
    let candidates = wanted
        .into_par_iter()
        .map(|(c, entry)| -> crate::Result<_> {
            let taken = match (entry, dest.previous()) {
                (Some(entry), Some(prev)) => take_group(dest.root(), prev, &c, entry.paginas)?,
                _ => None,
            };
            Ok((c, taken))
        })
        .collect::<crate::Result<_>>()?;
    clock.lap("páginas comprobadas y enlazadas");
    Ok(Taken { candidates })
}

fn read_manifest(path: &Path) -> Option<Manifest> {
    let bytes = fsx::read_regular(path, MAX_MANIFEST).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Links `pages` (the group's as the manifest recorded them) from `prev` into `root` when they
/// are the pages the group has now and each is as recorded; otherwise links nothing.
fn take_group(
    root: &Path,
    prev: &Path,
    c: &Candidate,
    pages: Vec<PageEntry>,
) -> crate::Result<Option<Vec<PageEntry>>> {
    if pages.len() != c.paths.len() || pages.iter().zip(&c.paths).any(|(p, q)| p.ruta != *q) {
        return Ok(None);
    }
    output::make_folders(root, c.paths.iter().map(String::as_str))?;
    for (n, p) in pages.iter().enumerate() {
        let linked = blake3::Hash::from_hex(&p.blake3)
            .is_ok_and(|hash| fsx::link_if_hash(&prev.join(&p.ruta), &root.join(&p.ruta), &hash));
        if !linked {
            // The group is rendered after all, into files of its own: the links made so far
            // are to the old site's files, which must not be written through.
            for done in &pages[..n] {
                fsx::remove_file(&root.join(&done.ruta))?;
            }
            return Ok(None);
        }
    }
    Ok(Some(pages))
}

//! REUSE: a quarter's pages, and a year's views, taken from the site a build replaces when
//! nothing they are made from has changed, instead of being rendered again.
//!
//! [`crate::incremental`] (the preview server) keeps the last build's model in memory. A build
//! from the command line starts with nothing, so each build leaves in the site, in
//! [`MANIFEST`], a fingerprint of what each group of pages was made from and one of each page:
//! - what every page depends on: the program's own bytes, every file of the theme, the
//!   settings, the institution, the glossary and the list of quarters;
//! - a quarter's pages and data files: that quarter's model, which carries what crosses
//!   quarters (each line's history in its year, each unit's other quarters; see
//!   `incremental`), and its attachments;
//! - a year's views: the models of its quarters.
//!
//! A group whose fingerprint matches the manifest's, and each of whose files is in the old site
//! byte for byte as recorded, is hard-linked from there; a quarter's listing of its downloads,
//! which the open-data page and its own pages read, comes from the manifest too. Anything else
//! (no manifest, a file edited or removed by hand, another program) makes the group again. The
//! site-wide pages, the open-data page and the listings are always rendered: they are a
//! handful, and most depend on every quarter.

use crate::data::{QuarterData, WrittenFile};
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

#[derive(Debug, Default, Deserialize)]
struct Manifest {
    /// By group: `trimestre <id>`, `año <year>`.
    grupos: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// What the group's files were made from.
    huella: String,
    /// Each page, in plan order.
    paginas: Vec<FileEntry>,
    /// A quarter's data files, and the listing of its downloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    datos: Option<DataEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DataEntry {
    listado: QuarterData,
    archivos: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileEntry {
    ruta: String,
    /// BLAKE3 of the file's bytes.
    blake3: String,
    bytes: u64,
    /// Whether the search index takes the page.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
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

/// What [`take`] did: every group, with the manifest's entry for those taken.
#[derive(Debug, Default)]
pub(crate) struct Taken {
    candidates: Vec<(Candidate, Option<Entry>)>,
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
            .map(|e| e.paginas.len())
            .sum()
    }

    /// By quarter, the listing of the downloads of those whose data files were taken.
    pub(crate) fn listings(&self, quarters: usize) -> Vec<Option<QuarterData>> {
        let mut out = vec![None; quarters];
        for (c, taken) in &self.candidates {
            if let (Group::Report(i), Some(Entry { datos: Some(d), .. })) = (c.group, taken) {
                out[i] = Some(d.listado.clone());
            }
        }
        out
    }

    /// The data files taken.
    pub(crate) fn data_written(&self) -> output::Written {
        let files = self
            .candidates
            .iter()
            .filter_map(|(_, t)| t.as_ref()?.datos.as_ref())
            .flat_map(|d| &d.archivos);
        let mut written = output::Written::default();
        for f in files {
            written.add(output::Written {
                files: 1,
                bytes: f.bytes,
            });
        }
        written
    }

    /// The pages taken, as the build's other pages are described.
    pub(crate) fn made(&self) -> impl Iterator<Item = Made> + '_ {
        self.candidates
            .iter()
            .filter_map(|(_, t)| t.as_ref())
            .flat_map(|e| &e.paginas)
            .filter_map(|p| {
                Some(Made {
                    path: p.ruta.clone(),
                    bytes: p.bytes,
                    searchable: p.busqueda,
                    hash: blake3::Hash::from_hex(&p.blake3).ok()?,
                })
            })
    }

    /// Writes the manifest of the new site into `root`: each group's fingerprint and files,
    /// those this build made found in `rendered` (pages) and in `exports` and `data_files` (by
    /// quarter). Written as it is serialized, from what the build holds: at 13,424 pages the
    /// manifest is 17 MB, and a copy of it all would raise the build's peak memory. Writes
    /// nothing without a fingerprint of the program.
    pub(crate) fn write_manifest(
        &self,
        root: &Path,
        rendered: &[Made],
        exports: &[QuarterData],
        data_files: &[Vec<WrittenFile>],
    ) -> crate::Result<output::Written> {
        if self.candidates.is_empty() {
            return Ok(output::Written::default());
        }
        let by_path: HashMap<&str, &Made> = rendered.iter().map(|m| (m.path.as_str(), m)).collect();
        let mut grupos = BTreeMap::new();
        for (c, taken) in &self.candidates {
            let entry = match taken {
                Some(entry) => EntryOut::Taken(entry),
                None => {
                    let Some(paginas) = c
                        .paths
                        .iter()
                        .map(|p| {
                            let m = by_path.get(p.as_str())?;
                            Some(FileOut {
                                ruta: p,
                                blake3: Hex(m.hash),
                                bytes: m.bytes,
                                busqueda: m.searchable,
                            })
                        })
                        .collect::<Option<Vec<_>>>()
                    else {
                        // A page not made is not recorded: the group is made next time.
                        continue;
                    };
                    let datos = match c.group {
                        Group::Report(i) => match (exports.get(i), data_files.get(i)) {
                            (Some(listado), Some(files)) => Some(DataOut {
                                listado,
                                archivos: files
                                    .iter()
                                    .map(|(ruta, bytes, hash)| FileOut {
                                        ruta,
                                        blake3: Hex(*hash),
                                        bytes: *bytes,
                                        busqueda: false,
                                    })
                                    .collect(),
                            }),
                            _ => continue,
                        },
                        _ => None,
                    };
                    EntryOut::Made {
                        huella: &c.huella,
                        paginas,
                        datos,
                    }
                }
            };
            grupos.insert(c.key.as_str(), entry);
        }
        let manifest = ManifestOut { grupos };
        let path = root.join(MANIFEST);
        let bytes = fsx::write_with(&path, &mut |w| {
            serde_json::to_writer(&mut *w, &manifest)?;
            w.write_all(b"\n")
        })?;
        Ok(output::Written { files: 1, bytes })
    }
}

/// [`Manifest`] as written, borrowing from the build.
#[derive(Serialize)]
struct ManifestOut<'a> {
    grupos: BTreeMap<&'a str, EntryOut<'a>>,
}

/// An [`Entry`]: taken whole from the previous manifest, or made by this build (the same
/// fields, in the same order).
#[derive(Serialize)]
#[serde(untagged)]
enum EntryOut<'a> {
    Taken(&'a Entry),
    Made {
        huella: &'a str,
        paginas: Vec<FileOut<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        datos: Option<DataOut<'a>>,
    },
}

#[derive(Serialize)]
struct DataOut<'a> {
    listado: &'a QuarterData,
    archivos: Vec<FileOut<'a>>,
}

/// A [`FileEntry`] as written.
#[derive(Serialize)]
struct FileOut<'a> {
    ruta: &'a str,
    blake3: Hex,
    bytes: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    busqueda: bool,
}

/// A hash written in hexadecimal, as [`FileEntry::blake3`] holds it.
struct Hex(blake3::Hash);

impl Serialize for Hex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.to_hex().as_str())
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
        // Each file as its own hash, of fixed length: its bytes cannot run into the next name.
        if entry.file_type().is_file() {
            let mut file = blake3::Hasher::new();
            fsx::hash_file(entry.path(), &mut file)?;
            h.update(b"f").update(file.finalize().as_bytes());
        } else {
            h.update(b"d");
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
                (Some(entry), Some(prev)) => take_group(dest.root(), prev, site, &c, entry)?,
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

/// Links the files of `entry` (the group's, as the manifest recorded them) from `prev` into
/// `root` when its pages are the ones the group has now, its data files are in its quarter's
/// folder, and each file is as recorded; otherwise links nothing.
fn take_group(
    root: &Path,
    prev: &Path,
    site: &Site,
    c: &Candidate,
    entry: Entry,
) -> crate::Result<Option<Entry>> {
    let pages = &entry.paginas;
    if pages.len() != c.paths.len() || pages.iter().zip(&c.paths).any(|(p, q)| p.ruta != *q) {
        return Ok(None);
    }
    // Data files are linked only into their quarter's own folder, which nothing else in the
    // build writes (a link written through would change the old site's file).
    let data: &[FileEntry] = match (c.group, &entry.datos) {
        (Group::Report(i), Some(d)) => {
            let dir = crate::data::quarter_dir(&site.reports[i]);
            let inside = |p: &str| {
                p.strip_prefix(&dir).is_some_and(|rest| {
                    rest.split('/')
                        .all(|c| !c.is_empty() && c != "." && c != "..")
                })
            };
            if !d.archivos.iter().all(|f| inside(&f.ruta)) {
                return Ok(None);
            }
            &d.archivos
        }
        (Group::Report(_), None) => return Ok(None),
        _ => &[],
    };
    let files: Vec<&FileEntry> = pages.iter().chain(data).collect();
    output::make_folders(root, files.iter().map(|f| f.ruta.as_str()))?;
    for (n, f) in files.iter().enumerate() {
        let linked = blake3::Hash::from_hex(&f.blake3).is_ok_and(|hash| {
            fsx::link_if_hash(&prev.join(&f.ruta), &root.join(&f.ruta), f.bytes, &hash)
        });
        if !linked {
            // The group is made after all, into files of its own: the links made so far are to
            // the old site's files, which must not be written through.
            for done in &files[..n] {
                fsx::remove_file(&root.join(&done.ruta))?;
            }
            return Ok(None);
        }
    }
    Ok(Some(entry))
}

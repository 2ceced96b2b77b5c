//! Arbitrary bytes as a content file, through the loader, the model and validation.
//!
//! The bytes are parsed with `content::parse` (what `content::load` runs on every file: empty
//! check, the alias/depth/control-character prescan, serde_yaml) as each kind of file in turn:
//! a unit file, `informe.yaml`, `sitio.yaml`, `institucion.yaml` and `glosario.yaml`. Whatever
//! parses replaces that file in the fixture site `tests/fixtures/minimo/content` (loaded once
//! with `content::load`), and the site goes through `model::Site::from_raw` and
//! `validate::validate`. A site that validates goes on to `data::export` (every CSV and JSON file
//! is read back; no CSV field may be a spreadsheet formula), and a glossary that validates links
//! two sample pages, as `build` does. Every diagnostic is rendered as the CLI prints it. Any
//! panic is a bug, and so is a file that `content::parse` (which cuts `|` blocks out before
//! libyaml reads it) reads differently from serde_yaml reading it as written.
//!
//! Three cases go through the real `content::load` on a copy of the fixture on disk instead,
//! since what they test happens while reading files: input that is not UTF-8 and input whose
//! first line is `# grande` (padded past the 2 MiB cap), both as a unit file, must be refused
//! with `E-ARCHIVO`; and an `informe.yaml` with `anexos`, whose paths the loader confines to the
//! quarter's folder. A file outside the content folder (`secreto.pdf`) must never come back as
//! an attachment, and every attachment must be the file it names inside the quarter's folder.
//! Going to disk for every input would cost six times the executions.

#![no_main]

use informe::content::{self, MAX_FILE_BYTES, RawContent, Sourced, raw};
use informe::render::glossary::Linker;
use informe::render::markdown;
use informe::{model, validate};
use informe_fuzz::html;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const UNIT: &str = "informes/2023-t2/unidades/datos.yaml";
const REPORT: &str = "informes/2023-t2/informe.yaml";
const QUARTER: &str = "informes/2023-t2";
/// Outside the content folder: what a path escaping the quarter's folder would reach.
const SECRET: &[u8] = b"%PDF-1.4\n% secreto: fuera de la carpeta de contenido\n";
/// Inside the quarter's folder, besides the fixture's `anexos/informe-firmado.pdf`, for
/// `anexos` to name.
const ATTACHMENTS: [(&str, &[u8]); 3] = [
    ("anexos/datos.csv", b"mes,total\r\nenero,1\r\n"),
    ("anexos/vacio.txt", b""),
    ("otra/carpeta/nota.txt", b"nota"),
];

fuzz_target!(|data: &[u8]| {
    let big = data.starts_with(b"# grande");
    match std::str::from_utf8(data) {
        Ok(source) if !big => in_memory(source),
        _ => refused_on_disk(data, big),
    }
});

fn in_memory(source: &str) {
    let m = informe_fuzz::minimo();
    let dir = informe_fuzz::minimo_dir();
    try_as::<raw::Unit>(&dir.join(UNIT), source, |raw, unit| {
        raw.reports[0].units[0].1 = unit;
    });
    match content::parse::<raw::Report>(&m.reports[0].report.path, source) {
        Ok(report) if !report.anexos.is_empty() => attachments_on_disk(source),
        _ => try_as::<raw::Report>(&m.reports[0].report.path, source, |raw, report| {
            raw.reports[0].report = report;
        }),
    }
    try_as::<raw::Site>(&m.site.path, source, |raw, site| raw.site = site);
    try_as::<raw::Institution>(&m.institution.path, source, |raw, i| {
        raw.institution = i;
    });
    try_as::<raw::Glossary>(&dir.join("glosario.yaml"), source, |raw, g| {
        raw.glossary = Some(g);
    });
}

/// Parses `source` as a `T` like `content::load` does for the file at `path`; when it parses,
/// puts it into the fixture with `place` and goes on as `build` would.
fn try_as<T: DeserializeOwned + PartialEq + std::fmt::Debug>(
    path: &Path,
    source: &str,
    place: impl FnOnce(&mut RawContent, std::sync::Arc<Sourced<T>>),
) {
    let value = match content::parse::<T>(path, source) {
        Ok(v) => v,
        Err(d) => {
            assert!(d.is_error(), "{d}");
            informe_fuzz::render_all(&[*d]);
            return;
        }
    };
    // `content::parse` cuts block scalars out before libyaml reads the file (content::blocks);
    // what it reads must be what serde_yaml reads from the file as written.
    assert_eq!(
        serde_yaml::from_str::<T>(source).ok().as_ref(),
        Some(&value),
        "block scalars read differently"
    );
    let mut raw = informe_fuzz::minimo().clone();
    place(
        &mut raw,
        std::sync::Arc::new(Sourced {
            path: path.to_path_buf(),
            source: content::Source::Kept(std::sync::Arc::new(source.to_owned())),
            value,
        }),
    );
    after_load(&raw);
}

/// What `build` does with loaded content, short of rendering the pages.
fn after_load(raw: &RawContent) {
    let site = model::Site::from_raw(raw.clone(), None);
    let diags = validate::validate(&site);
    informe_fuzz::render_all(&diags);
    if diags.iter().any(|d| d.is_error()) {
        return; // `build` stops here
    }
    informe_fuzz::check_exports(&site);
    if let Some(g) = &site.glossary {
        let linker = Linker::new(g, &site.settings.base_path);
        for page in sample_pages() {
            let Some(linked) = linker.link(page) else {
                continue;
            };
            let doc = html::parse(&linked);
            let bad = html::violations(&doc);
            assert!(
                bad.is_empty(),
                "the glossary made the page unsafe: {bad:?}\n{linked}"
            );
            assert_eq!(
                html::main_text(&html::parse(page)),
                html::main_text(&doc),
                "glossary linking changed the text\n{linked}"
            );
            let (links, misplaced) = html::term_links(&doc);
            assert!(misplaced.is_empty(), "{misplaced:?}");
            assert!(
                links.iter().all(|(_, text)| !text.trim().is_empty()),
                "a glossary link without text (WCAG 2.4.4): {links:?}\n{linked}"
            );
        }
    }
}

/// Spanish text as the site renders it (accents, entities, a link, a heading), as comrak
/// writes it (blocks on their own lines) and without the line breaks, so that a text node
/// starts right at `<main>`.
fn sample_pages() -> &'static [String; 2] {
    static PAGES: OnceLock<[String; 2]> = OnceLock::new();
    PAGES.get_or_init(|| {
        let md = "## Índice de señales\n\nÓrgano: la SESAECH —y el Órgano de Gobierno— informó «año 2023»: \
            niñas & niños, 12 % < 15 %, \"SAECH\" y l'OIC. Ver [sujetos obligados](/glosario/).\n\n\
            - Dirección de Vinculación Interinstitucional\n- `código` y **Comité Coordinador**\n";
        let body = markdown::to_html(md);
        let page = |main: &str| {
            format!("<!DOCTYPE html><html><head></head><body><main>{main}</main></body></html>")
        };
        [page(&body), page(&body.replace('\n', "").replacen("<h2>Índice de señales</h2>", "", 1))]
    })
}

/// The real loader with `data` as the unit file: it must refuse it before parsing.
fn refused_on_disk(data: &[u8], big: bool) {
    let bytes = if big { oversized(data) } else { data.to_vec() };
    let diags = match load_with(UNIT, &bytes) {
        Ok(_) => panic!("a file that is not UTF-8 or is over {MAX_FILE_BYTES} bytes was loaded"),
        Err(diags) => diags,
    };
    assert!(
        diags
            .iter()
            .any(|d| d.code == "E-ARCHIVO"
                && d.message.contains(if big { "bytes" } else { "UTF-8" })),
        "{diags:#?}"
    );
    informe_fuzz::render_all(&diags);
}

/// The real loader with `source` as `informe.yaml`: attachments stay inside the quarter.
fn attachments_on_disk(source: &str) {
    let raw = match load_with(REPORT, source.as_bytes()) {
        Ok((raw, warnings)) => {
            informe_fuzz::render_all(&warnings);
            raw
        }
        Err(diags) => {
            assert!(diags.iter().any(|d| d.is_error()), "{diags:#?}");
            informe_fuzz::render_all(&diags);
            return;
        }
    };
    let quarter = fs::canonicalize(site_copy().join(QUARTER)).expect("the quarter's folder");
    for a in raw.reports.iter().flat_map(|r| &r.attachments) {
        assert_ne!(
            &*a.bytes, SECRET,
            "{} read a file outside the content folder",
            a.path
        );
        let file = fs::canonicalize(quarter.join(&a.path)).expect("the attachment exists");
        assert!(
            file.starts_with(&quarter),
            "{} is outside the quarter",
            a.path
        );
        assert_eq!(
            fs::read(&file).expect("read the attachment"),
            &*a.bytes,
            "{} is not the file it names",
            a.path
        );
        assert!(
            !a.path
                .split('/')
                .any(|p| p.is_empty() || p.starts_with('.')),
            "{} is not normalised",
            a.path
        );
        assert_eq!(Some(a.file_name.as_str()), a.path.rsplit('/').next());
    }
    after_load(&raw);
}

/// `content::load` on the private copy with `rel` replaced by `bytes`, then put back, so that
/// every input sees the same files.
fn load_with(
    rel: &str,
    bytes: &[u8],
) -> Result<(RawContent, Vec<informe::diagnostic::Diagnostic>), Vec<informe::diagnostic::Diagnostic>>
{
    let dir = site_copy();
    let path = dir.join(rel);
    let original = fs::read(informe_fuzz::minimo_dir().join(rel)).expect("read the fixture");
    fs::write(&path, bytes).expect("write the fuzzed file");
    let result = content::load(&dir);
    fs::write(&path, original).expect("restore the fixture");
    result
}

fn oversized(data: &[u8]) -> Vec<u8> {
    let mut big = data.to_vec();
    big.push(b'\n');
    while big.len() <= MAX_FILE_BYTES {
        big.extend_from_slice(b"# relleno para pasar del limite de 2 MiB\n");
    }
    big
}

static ROOT: OnceLock<PathBuf> = OnceLock::new();

/// The content folder of a private copy of the fixture, with attachments in the quarter's
/// folder and `secreto.pdf` beside (outside) the content folder; removed when libFuzzer exits.
fn site_copy() -> PathBuf {
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("informe-fuzz-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        copy_dir(&informe_fuzz::minimo_dir(), &root.join("content"));
        fs::write(root.join("secreto.pdf"), SECRET).expect("write the secret");
        for (rel, bytes) in ATTACHMENTS {
            let path = root.join("content").join(QUARTER).join(rel);
            fs::create_dir_all(path.parent().expect("a folder")).expect("create anexos/");
            fs::write(path, bytes).expect("write an attachment");
        }
        unsafe extern "C" {
            fn atexit(f: extern "C" fn()) -> i32;
        }
        extern "C" fn cleanup() {
            if let Some(root) = ROOT.get() {
                let _ = fs::remove_dir_all(root);
            }
        }
        // SAFETY: registers a plain function with the C runtime; libFuzzer ends with exit().
        unsafe { atexit(cleanup) };
        root
    })
    .join("content")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the fuzz content folder");
    for entry in fs::read_dir(from).expect("read the fixture") {
        let entry = entry.expect("read the fixture");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy the fixture");
        }
    }
}

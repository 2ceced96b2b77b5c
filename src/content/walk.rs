//! Finds the content files in a fixed, sorted order and refuses anything that could lead
//! outside the project (symbolic links) or that would be silently ignored.
//!
//! Other files in a quarter's folder may be attachments (`anexos` in `informe.yaml`), which
//! the walker cannot know before the report is read: it hands them to the loader, which checks
//! the attached ones (symbolic links included) and reports the rest as the walker would.

use crate::diagnostic::Diagnostic;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

#[derive(Clone)]
pub(super) struct ReportDir {
    pub(super) name: String,
    pub(super) report: PathBuf,
    pub(super) units: Vec<(String, PathBuf)>,
    /// Files (and symbolic links) other than the YAML, relative to the content folder.
    pub(super) others: Vec<Other>,
}

/// A file in a quarter's folder that is not its YAML: an attachment, or a stray file.
#[derive(Clone)]
pub(super) struct Other {
    pub(super) path: PathBuf,
    /// Relative to the quarter's folder, with `/`: `anexos/informe-firmado.pdf`.
    pub(super) rel: String,
    pub(super) symlink: bool,
}

impl Other {
    /// What the walker says of such a file when no attachment names it.
    pub(super) fn unclaimed(&self, content_dir: &Path) -> Diagnostic {
        let path = content_dir.join(&self.path);
        if self.symlink {
            symlink_error(path)
        } else {
            Diagnostic::warning("W-ARCHIVO", path, "archivo no reconocido; se ignora").hint(
                "si es un anexo, nómbrelo en `anexos` de informe.yaml; consulte docs/contenido.md",
            )
        }
    }
}

fn symlink_error(path: PathBuf) -> Diagnostic {
    Diagnostic::error("E-ARCHIVO", path, "enlace simbólico en el contenido")
        .hint("copie el archivo dentro de content/; los enlaces no se siguen")
}

#[derive(Clone)]
pub(super) struct Files {
    pub(super) reports: Vec<ReportDir>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Every folder whose entries the walk listed, `content_dir` first: what it found can only
    /// change if one of them does.
    pub(super) folders: Vec<PathBuf>,
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// How deep the walk goes: `informes/<carpeta>/unidades/<unidad>.yaml`.
const MAX_DEPTH: usize = 4;

pub(super) fn walk(content_dir: &Path) -> Result<Files, Vec<Diagnostic>> {
    if !content_dir.is_dir() {
        return Err(vec![
            Diagnostic::error(
                "E-ARCHIVO",
                content_dir,
                "no existe la carpeta de contenido",
            )
            .hint("indique otra con --content DIR"),
        ]);
    }
    let mut diags = Vec::new();
    let mut reports: Vec<ReportDir> = Vec::new();
    let mut others: Vec<(String, Other)> = Vec::new();
    let mut folders = Vec::new();
    // Sorted so every run sees files in the same order; links are never followed, so a
    // link cannot point the build outside the project or into a loop.
    // Hidden entries (editor folders, `.esquemas/`) are not content.
    let walker = WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .max_depth(MAX_DEPTH)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(content_dir).to_path_buf();
                diags.push(Diagnostic::error(
                    "E-ARCHIVO",
                    path,
                    format!("no se pudo leer: {e}"),
                ));
                continue;
            }
        };
        let path = entry.path();
        if entry.file_type().is_dir() && entry.depth() < MAX_DEPTH {
            folders.push(path.to_path_buf());
        }
        let Ok(rel) = path.strip_prefix(content_dir) else {
            continue;
        };
        let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
        let yaml_slot = matches!(
            parts.as_slice(),
            ["informes", _, "informe.yaml"] | ["informes", _, "unidades", _]
                if parts.last().is_some_and(|f| f.ends_with(".yaml"))
        );
        if let ["informes", dir, inner @ ..] = parts.as_slice()
            && !inner.is_empty()
            && !yaml_slot
        {
            if entry.path_is_symlink() || !entry.file_type().is_dir() {
                others.push((
                    (*dir).to_owned(),
                    Other {
                        path: rel.to_path_buf(),
                        rel: inner.join("/"),
                        symlink: entry.path_is_symlink(),
                    },
                ));
            }
            continue;
        }
        if entry.path_is_symlink() {
            diags.push(symlink_error(path.to_path_buf()));
            continue;
        }
        if entry.file_type().is_dir() {
            continue;
        }
        match parts.as_slice() {
            ["sitio.yaml"] | ["institucion.yaml"] | ["glosario.yaml"] => {}
            ["informes", dir, "informe.yaml"] => {
                report_dir(&mut reports, dir, rel).report = rel.to_path_buf();
            }
            ["informes", dir, "unidades", file] => {
                let slug = file.trim_end_matches(".yaml");
                if is_slug(slug) {
                    report_dir(&mut reports, dir, rel)
                        .units
                        .push((slug.to_owned(), rel.to_path_buf()));
                } else {
                    diags.push(
                        Diagnostic::error(
                            "E-ARCHIVO",
                            path,
                            "nombre de archivo de unidad no válido",
                        )
                        .hint("use minúsculas, dígitos y guiones: p. ej. `juridica.yaml`"),
                    );
                }
            }
            _ => diags.push(
                Diagnostic::warning("W-ARCHIVO", path, "archivo no reconocido; se ignora")
                    .hint("consulte docs/contenido.md para la estructura de content/"),
            ),
        }
    }
    for r in &reports {
        if r.report.as_os_str().is_empty() {
            diags.push(Diagnostic::error(
                "E-ARCHIVO",
                content_dir.join("informes").join(&r.name),
                "falta informe.yaml en la carpeta del informe",
            ));
        }
    }
    reports.retain(|r| !r.report.as_os_str().is_empty());
    for (dir, other) in others {
        match reports.iter_mut().find(|r| r.name == dir) {
            Some(r) => r.others.push(other),
            None => diags.push(other.unclaimed(content_dir)),
        }
    }
    for name in ["sitio.yaml", "institucion.yaml"] {
        if !content_dir.join(name).is_file() {
            diags.push(Diagnostic::error(
                "E-ARCHIVO",
                content_dir.join(name),
                "falta este archivo",
            ));
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(Files {
        reports,
        diagnostics: diags,
        folders,
    })
}

fn report_dir<'a>(reports: &'a mut Vec<ReportDir>, name: &str, _rel: &Path) -> &'a mut ReportDir {
    if let Some(i) = reports.iter().position(|r| r.name == name) {
        return &mut reports[i];
    }
    reports.push(ReportDir {
        name: name.to_owned(),
        report: PathBuf::new(),
        units: Vec::new(),
        others: Vec::new(),
    });
    let last = reports.len() - 1;
    &mut reports[last]
}

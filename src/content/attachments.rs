//! `anexos`: documents a quarter attaches (the signed report, an annex spreadsheet), each named
//! by a path relative to the quarter's folder. The path is the first in content that points at
//! a file, so it is confined here: it must stay inside `content/informes/<año>-t<n>/`, with no
//! `..`, no absolute or Windows path, no URL, no symbolic link at any step, and it must name an
//! existing regular file of an accepted format and size. Each refusal is located at the
//! `archivo` value.

use super::{Sourced, raw, yaml};
use crate::diagnostic::Diagnostic;
use crate::fsx;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest attachment accepted: 20 MiB.
pub const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;

/// Accepted extensions (lower case), with the format named in download links and the media type.
pub const FORMATS: [(&str, &str, &str); 11] = [
    ("pdf", "PDF", "application/pdf"),
    ("csv", "CSV", "text/csv"),
    (
        "xlsx",
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "ods",
        "ODS",
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    (
        "docx",
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("odt", "ODT", "application/vnd.oasis.opendocument.text"),
    ("zip", "ZIP", "application/zip"),
    ("png", "PNG", "image/png"),
    ("jpg", "JPG", "image/jpeg"),
    ("jpeg", "JPG", "image/jpeg"),
    ("txt", "TXT", "text/plain"),
];

/// An attachment's file, checked and read.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentFile {
    /// Relative to the quarter's folder, normalised (no `./`): `anexos/informe-firmado.pdf`.
    pub path: String,
    /// The last component: the name it is published under.
    pub file_name: String,
    /// `PDF`, `XLSX`…
    pub format: &'static str,
    pub media_type: &'static str,
    pub bytes: Arc<[u8]>,
}

/// Why a path was refused.
#[derive(Debug, PartialEq, Eq)]
struct Refusal {
    code: &'static str,
    message: String,
    hint: String,
}

fn ruta(message: impl Into<String>, hint: impl Into<String>) -> Refusal {
    Refusal {
        code: "E-RUTA",
        message: message.into(),
        hint: hint.into(),
    }
}

fn anexo(message: impl Into<String>, hint: impl Into<String>) -> Refusal {
    Refusal {
        code: "E-ANEXO",
        message: message.into(),
        hint: hint.into(),
    }
}

const RELATIVE_HINT: &str = "escriba la ruta desde la carpeta del informe, separando las carpetas con `/`: p. ej. `anexos/informe-firmado.pdf`";
const INSIDE_HINT: &str = "copie el archivo dentro de la carpeta del informe (p. ej. en `anexos/`) y escriba su ruta desde ahí: `anexos/informe-firmado.pdf`";

/// Checks and reads every attachment of one report; `report_dir` is the quarter's folder.
/// Returns the files in the order of `anexos` (complete only when there is no diagnostic).
pub(super) fn load(
    report_dir: &Path,
    report: &Sourced<raw::Report>,
) -> (Vec<AttachmentFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for (i, a) in report.value.anexos.iter().enumerate() {
        let yaml_path = format!("anexos[{i}].archivo");
        match check(report_dir, &a.archivo) {
            Ok((path, bytes)) => {
                let file_name = path.rsplit('/').next().unwrap_or(&path).to_owned();
                let (format, media_type) = format_of(&file_name).unwrap_or(("", ""));
                files.push(AttachmentFile {
                    path,
                    file_name,
                    format,
                    media_type,
                    bytes: bytes.into(),
                });
            }
            Err(r) => {
                // Located only when there is something to report: a build has let go of the
                // file's text, and reads it again for this.
                let source = report.source.text(&report.path);
                let mut d = Diagnostic::error(r.code, &report.path, r.message).hint(r.hint);
                if let Some((line, col)) = yaml::value_position(&source, &yaml_path) {
                    d = d.at(&source, line, Some(col));
                }
                diags.push(d.path(yaml_path));
            }
        }
    }
    (files, diags)
}

/// The format label and media type of an accepted file name.
fn format_of(file_name: &str) -> Option<(&'static str, &'static str)> {
    let (_, ext) = file_name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    FORMATS
        .iter()
        .find(|(e, _, _)| *e == ext)
        .map(|(_, label, mime)| (*label, *mime))
}

/// `archivo` as written, made into its normalised components, or refused without looking at
/// the disk.
fn lexical(archivo: &str) -> Result<Vec<&str>, Refusal> {
    if archivo.trim().is_empty() {
        return Err(ruta("la ruta del anexo está vacía", RELATIVE_HINT));
    }
    if archivo.chars().any(char::is_control) {
        return Err(ruta(
            "la ruta del anexo contiene caracteres de control",
            "borre los caracteres invisibles de la ruta",
        ));
    }
    if archivo.trim() != archivo {
        return Err(ruta(
            format!("la ruta `{archivo}` empieza o termina con espacios"),
            "borre los espacios al principio y al final",
        ));
    }
    let scheme = archivo.split_once(':').map(|(s, _)| s).filter(|s| {
        s.len() > 1
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if let Some(scheme) = scheme {
        return Err(ruta(
            format!("`{archivo}` es una dirección (`{scheme}:`), no un archivo del informe"),
            format!("{INSIDE_HINT}; un enlace a otro sitio va en el texto, en Markdown"),
        ));
    }
    let bytes = archivo.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(ruta(
            format!("`{archivo}` es una ruta de Windows"),
            INSIDE_HINT,
        ));
    }
    if archivo.contains('\\') {
        return Err(ruta(
            format!("la ruta `{archivo}` usa `\\`, como en Windows"),
            RELATIVE_HINT,
        ));
    }
    if archivo.starts_with('/') {
        return Err(ruta(
            format!("`{archivo}` es una ruta absoluta"),
            INSIDE_HINT,
        ));
    }
    if archivo.contains(':') {
        return Err(ruta(
            format!("la ruta `{archivo}` contiene `:`"),
            "use solo letras, dígitos, `-`, `_` y `.` en los nombres",
        ));
    }
    let parts: Vec<&str> = archivo.split('/').collect();
    if parts.contains(&"..") {
        return Err(ruta(
            format!("la ruta `{archivo}` usa `..`, que sale de la carpeta del informe"),
            INSIDE_HINT,
        ));
    }
    if parts.contains(&"") {
        return Err(ruta(
            format!("la ruta `{archivo}` tiene una `/` de más"),
            RELATIVE_HINT,
        ));
    }
    let parts: Vec<&str> = parts.into_iter().filter(|p| *p != ".").collect();
    if let Some(hidden) = parts.iter().find(|p| p.starts_with('.')) {
        return Err(ruta(
            format!("`{hidden}` es un archivo o carpeta oculto"),
            "los nombres que empiezan con `.` no se publican; renómbrelo",
        ));
    }
    let Some(name) = parts.last() else {
        return Err(ruta(
            format!("la ruta `{archivo}` no nombra un archivo"),
            RELATIVE_HINT,
        ));
    };
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(ruta(
            format!("el nombre `{name}` no sirve para una dirección web"),
            "renombre el archivo con letras sin acentos, dígitos, `-`, `_` y `.`: p. ej. `informe-firmado.pdf`",
        ));
    }
    Ok(parts)
}

/// Refuses a file name whose extension is not in [`FORMATS`].
fn accepted_format(name: &str) -> Result<(), Refusal> {
    if format_of(name).is_some() {
        return Ok(());
    }
    let ext = name
        .rsplit_once('.')
        .map_or_else(|| "sin extensión".to_owned(), |(_, e)| format!("`.{e}`"));
    let accepted: Vec<&str> = FORMATS.iter().map(|(e, _, _)| *e).collect();
    Err(anexo(
        format!("el formato del archivo `{name}` ({ext}) no se admite como anexo"),
        format!("formatos admitidos: {}", accepted.join(", ")),
    ))
}

fn mib(bytes: u64) -> String {
    crate::format::number(bytes as f64 / (1024.0 * 1024.0), 1)
}

/// Checks `archivo` against `report_dir` step by step (no symbolic link, every step a folder
/// but the last, a regular file of an accepted format and size) and reads it.
fn check(report_dir: &Path, archivo: &str) -> Result<(String, Vec<u8>), Refusal> {
    let parts = lexical(archivo)?;
    let rel = parts.join("/");
    let too_large = |size: u64| {
        anexo(
            format!(
                "el archivo `{rel}` pesa {} MiB; el máximo para un anexo es {} MiB",
                mib(size),
                mib(MAX_ATTACHMENT_BYTES)
            ),
            "reduzca el archivo (p. ej. exporte el PDF con menor resolución) o divídalo en varios anexos",
        )
    };
    let mut full = PathBuf::from(report_dir);
    for (k, part) in parts.iter().enumerate() {
        full.push(part);
        let so_far = parts[..=k].join("/");
        let last = k + 1 == parts.len();
        let meta = match fsx::symlink_metadata(&full) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(if last {
                    ruta(
                        format!("no existe el archivo `{rel}` en la carpeta del informe"),
                        "revise el nombre (se distinguen mayúsculas y minúsculas) y que el archivo esté en la carpeta del informe",
                    )
                } else {
                    ruta(
                        format!("no existe la carpeta `{so_far}` en la carpeta del informe"),
                        INSIDE_HINT,
                    )
                });
            }
            Err(e) => {
                return Err(ruta(
                    format!("no se pudo leer `{so_far}`: {e}"),
                    INSIDE_HINT,
                ));
            }
        };
        if meta.file_type().is_symlink() {
            return Err(ruta(
                format!("`{so_far}` es un enlace simbólico"),
                format!("los enlaces no se siguen; {INSIDE_HINT}"),
            ));
        }
        if !last && !meta.is_dir() {
            return Err(ruta(format!("`{so_far}` no es una carpeta"), RELATIVE_HINT));
        }
        if last && meta.is_dir() {
            return Err(ruta(
                format!("`{rel}` es una carpeta, no un archivo"),
                "escriba la ruta de un archivo; para varios archivos, un anexo por archivo (o un `.zip`)",
            ));
        }
        if last && !meta.is_file() {
            return Err(ruta(
                format!("`{rel}` no es un archivo regular"),
                INSIDE_HINT,
            ));
        }
        if last && meta.len() > MAX_ATTACHMENT_BYTES {
            return Err(too_large(meta.len()));
        }
    }
    accepted_format(parts.last().copied().unwrap_or_default())?;
    // Every step was checked; the resolved path must still be inside the quarter's folder.
    let inside = match (fsx::canonicalize(report_dir), fsx::canonicalize(&full)) {
        (Ok(dir), Ok(file)) => file.starts_with(&dir) && file != dir,
        _ => false,
    };
    if !inside {
        return Err(ruta(
            format!("`{rel}` queda fuera de la carpeta del informe"),
            INSIDE_HINT,
        ));
    }
    let bytes = fsx::read_regular(&full, MAX_ATTACHMENT_BYTES).map_err(|e| {
        let reason = match e {
            crate::Error::Io { source, .. } => source.to_string(),
            other => other.to_string(),
        };
        ruta(format!("no se pudo leer `{rel}`: {reason}"), INSIDE_HINT)
    })?;
    if bytes.len() as u64 > MAX_ATTACHMENT_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    if bytes.is_empty() {
        return Err(anexo(
            format!("el archivo `{rel}` está vacío"),
            "copie de nuevo el documento; un anexo vacío no se publica",
        ));
    }
    Ok((rel, bytes))
}

/// Whether a file found in the quarter's folder (`rel`, relative to it) is named, or lies
/// under a folder named, by some `archivo` as written: such a file is an attachment's business,
/// not the walker's.
pub(super) fn claimed(report: &raw::Report, rel: &str) -> bool {
    report.anexos.iter().any(|a| {
        let normal: Vec<&str> = a
            .archivo
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        let normal = normal.join("/");
        normal == rel
            || normal
                .strip_prefix(rel)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(archivo: &str) -> &'static str {
        let checked = lexical(archivo)
            .and_then(|parts| accepted_format(parts.last().copied().unwrap_or_default()));
        checked.map_or_else(|r| r.code, |()| "ok")
    }

    #[test]
    fn hostile_paths_are_refused_before_the_disk() {
        for p in [
            "",
            "  ",
            "../../sitio.yaml",
            "anexos/../../../x.pdf",
            "anexos/../x.pdf",
            "..",
            "/etc/passwd",
            "//server/share/x.pdf",
            "C:\\Windows\\win.ini",
            "C:/x.pdf",
            "c:x.pdf",
            "\\\\server\\share\\x.pdf",
            "..\\..\\x.pdf",
            "anexos\\x.pdf",
            "file:///etc/passwd",
            "http://example.com/x.pdf",
            "https:x.pdf",
            "anexos/a\u{0}b.pdf",
            "anexos/a\nb.pdf",
            " anexos/x.pdf",
            "anexos//x.pdf",
            "anexos/",
            ".",
            "./",
            "anexos/.oculto.pdf",
            ".git/x.pdf",
            "anexos/a:b.pdf",
            "anexos/informe firmado.pdf",
            "anexos/año.pdf",
            "anexos/x.pdf#y",
        ] {
            assert_eq!(code(p), "E-RUTA", "{p:?}");
        }
    }

    #[test]
    fn formats_outside_the_list_are_refused() {
        for p in [
            "x.exe",
            "x.html",
            "x.svg",
            "x.yaml",
            "x",
            "x.pdf.sh",
            "anexos/x.",
        ] {
            assert_eq!(code(p), "E-ANEXO", "{p:?}");
        }
    }

    #[test]
    fn plain_relative_paths_are_normalised() {
        assert_eq!(
            lexical("anexos/informe-firmado.pdf").unwrap(),
            ["anexos", "informe-firmado.pdf"]
        );
        assert_eq!(
            lexical("./anexos/./A_1.PDF").unwrap(),
            ["anexos", "A_1.PDF"]
        );
        assert_eq!(lexical("x.xlsx").unwrap(), ["x.xlsx"]);
        assert_eq!(format_of("A.JPEG"), Some(("JPG", "image/jpeg")));
    }

    #[test]
    fn a_folder_or_file_named_by_an_attachment_is_claimed() {
        let report = |archivo: &str| {
            raw::Report {
            anexos: vec![raw::Attachment {
                titulo: "t".into(),
                archivo: archivo.into(),
                descripcion: None,
            }],
            ..super::super::parse::<raw::Report>(
                Path::new("informe.yaml"),
                "anio: 2023\ntrimestre: 2\nperiodo: p\ntitulo: t\nfecha_corte: 2023-06-30\nfundamento: f\npresentacion: []\n",
            )
            .unwrap()
        }
        };
        assert!(claimed(&report("./anexos/x.pdf"), "anexos/x.pdf"));
        assert!(claimed(&report("anexos/x.pdf"), "anexos"));
        assert!(!claimed(&report("anexos/x.pdf"), "anexo"));
        assert!(!claimed(&report("anexos/x.pdf"), "anexos/y.pdf"));
    }
}

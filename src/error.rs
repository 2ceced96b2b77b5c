//! The library's one error type: a variant per reaction the CLI needs.
//!
//! Content problems are a list of diagnostics (exit 1), template problems keep minijinja's
//! error for its debug rendering (exit 1), everything else is I/O or usage (exit 2).

use crate::diagnostic::Diagnostic;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("el contenido tiene {} error(es)", .0.iter().filter(|d| d.is_error()).count())]
    Content(Vec<Diagnostic>),
    #[error("error en la plantilla: {0}")]
    Template(#[from] minijinja::Error),
    #[error(transparent)]
    Chart(#[from] crate::charts::ChartError),
    #[error("no se pudo construir el índice de búsqueda: {0}")]
    Search(String),
    #[error("{}: {}", .path.display(), io_message(.source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

/// The system's error preceded by its meaning in Spanish when it is one a user can act on
/// (the system's own text is often in English and, for a full disk, says nothing of a disk).
fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let es = match e.kind() {
        K::StorageFull => "no queda espacio en el disco",
        K::QuotaExceeded => "se agotó la cuota de disco del usuario",
        K::FileTooLarge => "el archivo supera el tamaño máximo permitido",
        K::PermissionDenied => "permiso denegado",
        K::ReadOnlyFilesystem => "el sistema de archivos es de solo lectura",
        K::NotFound => "no existe",
        _ => return e.to_string(),
    };
    format!("{es} ({e})")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

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
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

//! Located content problems, collected across every file of a build and printed rustc-style.
//!
//! A `Diagnostic` is data, not control flow: loaders and validators push them into a list and
//! the build stops only once every file has been read, so a webmaster fixes all mistakes in one
//! pass. Rendering to text lives here too so the CLI, `serve` and tests print the same thing.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one content file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code a webmaster can look up in the README (`E-SUMA`, `W-FECHA`…).
    pub code: &'static str,
    /// Path as the user gave it (content dir joined with the file's relative path).
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Where in the document, e.g. `lineas[2].avance`.
    pub yaml_path: Option<String>,
    pub message: String,
    /// The offending source line, kept so the diagnostic prints without re-reading the file.
    pub source_line: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.into(),
            line: None,
            column: None,
            yaml_path: None,
            message: message.into(),
            source_line: None,
            hint: None,
        }
    }

    pub fn warning(
        code: &'static str,
        file: impl Into<PathBuf>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, message)
        }
    }

    pub fn at(mut self, source: &str, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_owned);
        self
    }

    pub fn path(mut self, yaml_path: impl Into<String>) -> Self {
        let p = yaml_path.into();
        self.yaml_path = (!p.is_empty() && p != ".").then_some(p);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Errors first, then by file and position, so output is stable and the worst is on top.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.severity, &a.file, a.line, a.column, &a.message)
            .cmp(&(b.severity, &b.file, b.line, b.column, &b.message))
    });
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "aviso",
        };
        writeln!(f, "{label}[{}]: {}", self.code, self.message)?;
        write!(f, "  --> {}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(p) = &self.yaml_path {
            write!(f, " (en `{p}`)")?;
        }
        writeln!(f)?;
        if let (Some(line), Some(src)) = (self.line, &self.source_line) {
            let gutter = line.to_string().len();
            writeln!(f, "{:gutter$} |", "")?;
            writeln!(f, "{line} | {src}")?;
            if let Some(col) = self.column {
                writeln!(f, "{:gutter$} | {:>col$}", "", "^")?;
            }
        }
        if let Some(h) = &self.hint {
            writeln!(f, "  = ayuda: {h}")?;
        }
        Ok(())
    }
}

/// Finds the first line (1-based) whose text contains `needle`, for diagnostics raised after
/// deserialization, when serde_yaml no longer knows positions.
pub fn locate(source: &str, needle: &str) -> Option<(usize, usize)> {
    locate_from(source, 1, needle)
}

/// Like [`locate`], starting at line `from` (1-based), so a value is found inside the record
/// it belongs to rather than in an earlier one.
pub fn locate_from(source: &str, from: usize, needle: &str) -> Option<(usize, usize)> {
    source
        .lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, l[..c].chars().count() + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_caret_under_column() {
        let d = Diagnostic::error("E-ESQUEMA", "c/u.yaml", "tipo inválido")
            .at("a: 1\nnumero: uno\n", 2, Some(9))
            .path("lineas[0].numero");
        let s = d.to_string();
        assert!(
            s.contains("--> c/u.yaml:2:9 (en `lineas[0].numero`)"),
            "{s}"
        );
        assert!(s.contains("2 | numero: uno"), "{s}");
        assert!(s.contains("  |         ^"), "{s}");
    }

    #[test]
    fn locate_finds_line_and_column() {
        assert_eq!(locate("a\n  id: t-1\n", "t-1"), Some((2, 7)));
        assert_eq!(locate("a\n", "zz"), None);
    }
}

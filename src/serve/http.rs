//! The preview server's HTTP side: maps request paths onto files of the build output (and
//! nothing else), injects the live-reload script and the error overlay into HTML responses at
//! response time (the built files never contain them), and streams reload events.

use percent_encoding::percent_decode_str;
use std::path::{Component, Path, PathBuf};

/// Path of the server-sent events stream the injected script listens to.
pub const EVENTS_PATH: &str = "/__informe/eventos";

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A directory requested without its trailing slash: redirect so relative URLs work.
    Redirect(String),
    NotFound,
    /// The path tried to leave the output directory.
    Forbidden,
}

/// Resolves a raw request target against `root` without ever leaving it: `..` segments,
/// encoded or not, backslashes, NUL bytes and symlinks pointing outside are refused.
pub fn resolve(root: &Path, target: &str) -> Resolved {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Ok(decoded) = percent_decode_str(path).decode_utf8() else {
        return Resolved::Forbidden;
    };
    if decoded.contains('\0') || decoded.contains('\\') {
        return Resolved::Forbidden;
    }
    let mut rel = PathBuf::new();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(s) => rel.push(s),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Resolved::Forbidden;
            }
        }
    }
    let mut file = root.join(&rel);
    if file.is_dir() {
        if !decoded.ends_with('/') && !decoded.is_empty() {
            return Resolved::Redirect(format!("{decoded}/"));
        }
        file = file.join("index.html");
    }
    // A symlink inside the output could still point elsewhere: compare real paths.
    match (file.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(real_root)) if real.starts_with(&real_root) && real.is_file() => {
            Resolved::File(file)
        }
        (Ok(_), Ok(_)) => Resolved::Forbidden,
        _ => Resolved::NotFound,
    }
}

pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("xml") => "application/xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Path of the reload script; external, so the pages' Content-Security-Policy (no inline
/// scripts) allows it.
pub const SCRIPT_PATH: &str = "/__informe/recarga.js";

/// The reload script's body.
pub const SCRIPT: &str =
    "new EventSource('/__informe/eventos').onmessage = function () { location.reload(); };\n";

const RELOAD_SCRIPT: &str = "<script src=\"/__informe/recarga.js\"></script>";

/// Adds the reload script, and the overlay when the last rebuild failed, before `</body>`.
pub fn inject(html: &str, error: Option<&str>) -> String {
    let overlay = error.map_or(String::new(), |e| {
        format!(
            "<div id=\"informe-error\" role=\"alert\" style=\"position:fixed;inset:0;z-index:99999;\
             overflow:auto;background:rgba(20,20,20,.94);color:#fff;padding:2rem;font:15px/1.5 monospace\">\
             <p style=\"font:bold 20px sans-serif;color:#ffb4b4\">La última compilación falló; se muestra el \
             último sitio correcto. Corrija el contenido y la página se recargará sola.</p>\
             <pre style=\"white-space:pre-wrap\">{}</pre></div>",
            crate::render::escape(e)
        )
    });
    let extra = format!("{overlay}{RELOAD_SCRIPT}");
    match html.rfind("</body>") {
        Some(i) => format!("{}{extra}{}", &html[..i], &html[i..]),
        None => format!("{html}{extra}"),
    }
}

/// The page served when no build has ever succeeded.
pub fn error_page(error: &str) -> String {
    inject(
        "<!DOCTYPE html><html lang=\"es-MX\"><head><meta charset=\"utf-8\"><title>Error de compilación</title></head><body></body></html>",
        Some(error),
    )
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests build a site by hand")]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("informes/2023")).unwrap();
        std::fs::write(dir.path().join("index.html"), "inicio").unwrap();
        std::fs::write(dir.path().join("informes/2023/index.html"), "año").unwrap();
        dir
    }

    #[test]
    fn serves_files_and_directory_indexes() {
        let d = site();
        assert_eq!(
            resolve(d.path(), "/"),
            Resolved::File(d.path().join("index.html"))
        );
        assert_eq!(
            resolve(d.path(), "/informes/2023/?x=1"),
            Resolved::File(d.path().join("informes/2023/index.html"))
        );
        assert_eq!(
            resolve(d.path(), "/informes/2023"),
            Resolved::Redirect("/informes/2023/".into())
        );
        assert_eq!(resolve(d.path(), "/nada.html"), Resolved::NotFound);
    }

    #[test]
    fn refuses_to_leave_the_output() {
        let d = site();
        for t in [
            "/../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/informes/%2E%2E/%2E%2E/x",
            "/a\\..\\b",
            "/%00",
            "/informes/../../x",
        ] {
            assert_eq!(resolve(d.path(), t), Resolved::Forbidden, "{t}");
        }
        // An absolute path is taken as relative to the output.
        assert_eq!(resolve(d.path(), "//etc/passwd"), Resolved::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_that_point_outside() {
        let d = site();
        std::os::unix::fs::symlink("/etc/hostname", d.path().join("fuga")).unwrap();
        assert_eq!(resolve(d.path(), "/fuga"), Resolved::Forbidden);
    }

    #[test]
    fn injects_script_and_overlay_before_body_end() {
        let html = inject("<html><body><p>x</p></body></html>", Some("error: <mal>"));
        assert!(html.contains("<script src=\"/__informe/recarga.js\"></script>"));
        assert!(html.contains("error: &lt;mal&gt;"));
        assert!(html.ends_with("</body></html>"));
        assert!(!inject("<body></body>", None).contains("informe-error"));
    }
}

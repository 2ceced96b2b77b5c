//! The one minijinja setup: templates loaded from the theme folder, auto-escape by extension
//! (HTML, XML and SVG), undefined values that fail loudly when printed, and the es-MX filters.

use super::markdown;
use crate::error::{Error, Result};
use crate::format as filters;
use crate::fsx;
use minijinja::State;
use minijinja::value::{Rest, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use walkdir::WalkDir;

pub fn environment(
    templates_dir: &Path,
    base_path: &str,
    base_url: &str,
) -> Result<Environment<'static>> {
    Ok(reusable_environment(templates_dir, base_path, base_url)?.0)
}

/// What `una_vez` has made in an environment kept from one build to the next (see
/// [`reusable_environment`]).
pub struct Made(Arc<Memo>);

impl Made {
    /// Forgets every figure made: before each build, since `una_vez` keys name a chart, not its
    /// data. Markdown turned into HTML is kept, keyed by its whole text.
    pub fn forget(&self) {
        self.0.clear();
    }
}

impl std::fmt::Debug for Made {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Made").finish_non_exhaustive()
    }
}

/// [`environment`], with a handle on what `una_vez` made, for `serve` to keep the environment
/// while the theme and the base address stay the same: reading and compiling the templates,
/// and turning a quarter's Markdown into HTML again, were a twentieth of a rebuild.
pub fn reusable_environment(
    templates_dir: &Path,
    base_path: &str,
    base_url: &str,
) -> Result<(Environment<'static>, Made)> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_debug(true);
    env.set_auto_escape_callback(|name| match name.rsplit('.').next() {
        Some("html" | "htm" | "xml" | "svg") => AutoEscape::Html,
        _ => AutoEscape::None,
    });
    env.set_formatter(|out, state, value| {
        if *state.auto_escape() == AutoEscape::Html
            && !value.is_safe()
            && !value.is_undefined()
            && !value.is_none()
        {
            let written = match value.as_str() {
                Some(s) => write_escaped(out, s),
                None => write_escaped(out, &value.to_string()),
            };
            written.map_err(|e| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
            })
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    if !templates_dir.is_dir() {
        return Err(Error::Usage(format!(
            "no existe la carpeta de plantillas {}",
            templates_dir.display()
        )));
    }
    for entry in WalkDir::new(templates_dir)
        .sort_by_file_name()
        .follow_links(false)
    {
        let entry = entry.map_err(|e| Error::Usage(format!("no se pudo leer el tema: {e}")))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(templates_dir) else {
            continue;
        };
        let name = rel.to_string_lossy().replace('\\', "/");
        let source = String::from_utf8(fsx::read(path)?).map_err(|_| {
            Error::Usage(format!("{}: la plantilla no está en UTF-8", path.display()))
        })?;
        env.add_template_owned(name, source)?;
    }

    env.add_filter("fecha", |v: Value| match v.as_str() {
        Some(s) => filters::date_str(s),
        None => filters::date_str(&v.to_string()),
    });
    env.add_filter("numero", |v: f64, decimals: Option<usize>| {
        filters::number(v, decimals.unwrap_or(2))
    });
    env.add_filter("porcentaje", |v: f64, decimals: Option<usize>| {
        filters::percent(v, decimals.unwrap_or(2))
    });
    env.add_filter("celda", |v: Value| match f64::try_from(v.clone()) {
        Ok(n) if v.as_str().is_none() => filters::number(n, 6),
        _ if v.is_none() || v.is_undefined() => String::new(),
        _ => v.to_string(),
    });
    // Text for a CSS string, such as the print page's running footer (an `@page` margin box
    // takes its words from CSS, not from the page).
    env.add_filter("texto_css", |s: &str| {
        Value::from_safe_string(css_string(s))
    });
    let texts = Memo::default();
    env.add_filter("markdown", move |s: &str| {
        texts
            .get(s)
            .unwrap_or_else(|| texts.keep(s, Value::from_safe_string(markdown::to_html(s))))
    });
    // `una_vez(clave, macro, argumentos…)` calls the macro the first time a key is seen and
    // gives back the same markup afterwards, like Hugo's `partialCached`: a quarter's chart
    // figures appear on its unit pages, its overview and its print page. The key must name
    // everything the markup depends on.
    let made = Arc::new(Memo::default());
    let handle = Made(Arc::clone(&made));
    env.add_function(
        "una_vez",
        move |state: &mut State, key: &str, callable: Value, args: Rest<Value>| {
            if let Some(v) = made.get(key) {
                return Ok(v);
            }
            Ok(made.keep(key, callable.call(state, &args)?))
        },
    );
    let base = base_path.to_owned();
    env.add_function("url", move |path: &str| {
        let mut href = String::with_capacity(base.len() + path.len());
        // Writing to a String cannot fail.
        let _ = write_escaped(&mut href, &base);
        let _ = write_escaped(&mut href, path);
        Value::from_safe_string(href)
    });
    // Absolute addresses for canonical links, Open Graph, the feed and the sitemap.
    let origin = base_url.trim_end_matches('/').to_owned();
    env.add_function("absoluto", move |path: &str| {
        Value::from_safe_string(escape_attr(&format!("{origin}{path}")))
    });
    Ok((env, handle))
}

/// Values already made, by key: Markdown already turned into HTML (a quarter prints most of
/// its texts at least twice: the unit's page and the print page, the summaries on the
/// overview and the print page; comrak is the costly part of a page), and what `una_vez` was
/// given. Markdown is keyed by its whole text, so it may outlive a build (`serve` keeps the
/// environment); `una_vez` keys name a chart, not its data, so what it made is forgotten
/// before each build ([`Made::forget`]). Bounded by size, in two generations: when the newer
/// one is full, it becomes the older and the older is let go, so what the quarters being
/// rendered just kept stays (a quarter's figures are about 300 KB, its texts as much). A build
/// of any size holds 2 MB at most; a count of entries was no bound (1,024 chart figures were
/// 20 MB).
#[derive(Default)]
struct Memo(Mutex<Kept>);

/// Keys are whole Markdown texts: foldhash reads them several times faster than the standard
/// SipHash, which was a fiftieth of a build's instructions. Seeded per process like SipHash,
/// so no text can be written to collide; nothing iterates these maps, so their order cannot
/// reach the output.
type Texts = HashMap<String, Value, foldhash::fast::RandomState>;

#[derive(Default)]
struct Kept {
    newer: Texts,
    older: Texts,
    /// Bytes of the newer generation's keys and of its values' text.
    bytes: usize,
}

impl Memo {
    const GENERATION_BYTES: usize = 1 << 20;

    fn clear(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Kept::default();
    }

    fn get(&self, key: &str) -> Option<Value> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.newer.get(key).or_else(|| kept.older.get(key)).cloned()
    }

    /// Keeps `value` under `key` and gives it back. It is made outside the lock, so two
    /// threads may make the same value; both are the same.
    fn keep(&self, key: &str, value: Value) -> Value {
        let size = key.len() + value.as_str().map_or(0, str::len);
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.bytes + size > Self::GENERATION_BYTES {
            kept.older = std::mem::take(&mut kept.newer);
            kept.bytes = 0;
        }
        if kept.newer.insert(key.to_owned(), value.clone()).is_none() {
            kept.bytes += size;
        }
        value
    }
}

/// `s` as a quoted CSS string. Quotes, backslashes, controls (a line break is `\A `) and
/// `<`, `>`, `&` are written as hexadecimal escapes, so no text can end the string or close the
/// `<style>` element it is written in.
pub(crate) fn css_string(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '<' | '>' | '&') || c.is_control() {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\{:X} ", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Escapes what could end an attribute or start markup, but leaves `/` alone: minijinja's
/// own escaper writes it as `&#x2f;`, valid but unreadable in every link and date range, and
/// it breaks text search over the built pages.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Writing to a String cannot fail.
    let _ = write_escaped(&mut out, s);
    out
}

/// `escape_attr` straight into `out`: runs without special characters go in whole, and a
/// template's printed values need no string of their own.
pub(crate) fn write_escaped(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    // Most printed values have nothing to escape, and go out whole once that is known: long
    // ones found so by two vector searches, short ones (most: a label, a number, a date),
    // where setting those up costs more than the text, by a table lookup per byte.
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        t[b'&' as usize] = true;
        t[b'<' as usize] = true;
        t[b'>' as usize] = true;
        t[b'"' as usize] = true;
        t[b'\'' as usize] = true;
        t
    };
    let bytes = s.as_bytes();
    let first = if bytes.len() < 64 {
        bytes.iter().position(|&b| SPECIAL[usize::from(b)])
    } else {
        match (
            memchr::memchr3(b'&', b'<', b'>', bytes),
            memchr::memchr2(b'"', b'\'', bytes),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let Some(first) = first else {
        return out.write_str(s);
    };
    out.write_str(&s[..first])?;
    let mut start = first;
    for (i, b) in s.bytes().enumerate().skip(first) {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&s[start..i])?;
        out.write_str(entity)?;
        start = i + 1;
    }
    out.write_str(&s[start..])
}

#[cfg(test)]
mod tests {
    use super::{Memo, css_string, escape_attr};

    #[test]
    fn una_vez_calls_the_macro_once_per_key() {
        let dir = std::env::temp_dir().join(format!("informe-una-vez-{}", std::process::id()));
        crate::fsx::create_dir_all(&dir).unwrap();
        crate::fsx::write(
            &dir.join("p.html"),
            "{% macro f(x) %}<b>{{ x }}</b>{% endmacro %}\
             {{ una_vez('a', f, 1) }}{{ una_vez('a', f, 2) }}{{ una_vez('b', f, 3) }}"
                .as_bytes(),
        )
        .unwrap();
        let env = super::environment(&dir, "/", "https://x.mx").unwrap();
        let html = env.get_template("p.html").unwrap().render(()).unwrap();
        crate::fsx::remove_dir_all(&dir).unwrap();
        assert_eq!(html, "<b>1</b><b>1</b><b>3</b>");
    }

    #[test]
    fn the_memo_keeps_two_generations_and_lets_the_oldest_go() {
        use minijinja::Value;
        let memo = Memo::default();
        let third = "x".repeat(Memo::GENERATION_BYTES / 3);
        memo.keep("a", Value::from("a"));
        for k in ["b", "c", "d"] {
            memo.keep(k, Value::from(third.clone()));
        }
        // «d» did not fit: «a», «b» and «c» became the older generation, still found.
        assert_eq!(memo.get("a").as_ref().and_then(Value::as_str), Some("a"));
        for k in ["e", "f"] {
            memo.keep(k, Value::from(third.clone()));
        }
        // «f» did not fit: the generation of «a» is let go.
        assert!(memo.get("a").is_none());
        assert!(memo.get("c").is_none());
        assert!(memo.get("d").is_some() && memo.get("f").is_some());
    }

    #[test]
    fn css_strings_cannot_end_early_or_close_their_style_element() {
        assert_eq!(
            css_string("Informe «2023» \"T2\"\\ </style>\nfin"),
            r#""Informe «2023» \22 T2\22 \5C  \3C /style\3E \A fin""#
        );
    }

    #[test]
    fn urls_keep_slashes_but_not_quotes() {
        assert_eq!(escape_attr("/a/b/"), "/a/b/");
        assert_eq!(escape_attr("/x\"><script>"), "/x&quot;&gt;&lt;script&gt;");
        // Long values take the vector search: the first special byte may be anywhere.
        let long = "a".repeat(70);
        assert_eq!(escape_attr(&format!("{long}'")), format!("{long}&#39;"));
        assert_eq!(
            escape_attr(&format!("<{long}&")),
            format!("&lt;{long}&amp;")
        );
        assert_eq!(escape_attr(&long), long);
    }
}

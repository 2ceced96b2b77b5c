//! Every internal link and `#anchor` of the rendered site must resolve (E-ENLACE, E-ANCLA).

use super::Counts;
use crate::diagnostic::Diagnostic;
use scraper::{Html, Selector};
use std::collections::{BTreeMap, BTreeSet};

fn selector(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|_| unreachable!("static selector {s}"))
}

/// Ids of every page, by output path.
fn ids(docs: &[(String, Html)]) -> BTreeMap<&str, BTreeSet<String>> {
    let any = selector("[id]");
    docs.iter()
        .map(|(path, doc)| {
            let set = doc
                .select(&any)
                .filter_map(|e| e.value().attr("id").map(str::to_owned))
                .collect();
            (path.as_str(), set)
        })
        .collect()
}

/// Resolves `href` found on `page` to an output path and fragment; `None` for external links.
fn resolve(
    page: &str,
    href: &str,
    base_path: &str,
) -> Option<Result<(String, Option<String>), String>> {
    let lower = href.to_ascii_lowercase();
    if ["http://", "https://", "mailto:", "tel:", "data:", "//"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_owned())),
        None => (href, None),
    };
    let path = path.split('?').next().unwrap_or("");
    let joined = if path.is_empty() {
        page.to_owned()
    } else if let Some(abs) = path.strip_prefix('/') {
        let abs = format!("/{abs}");
        match abs.strip_prefix(base_path) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                rest.trim_start_matches('/').to_owned()
            }
            _ => {
                return Some(Err(format!(
                    "`{href}` queda fuera de la ruta base `{base_path}/` del sitio"
                )));
            }
        }
    } else {
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
        for seg in path.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Some(Err(format!("`{href}` sale de la raíz del sitio")));
                    }
                }
                s => parts.push(s),
            }
        }
        let mut j = parts.join("/");
        if path.ends_with('/') {
            j.push('/');
        }
        j
    };
    let file = if joined.is_empty() || joined.ends_with('/') {
        format!("{joined}index.html")
    } else {
        joined
    };
    Some(Ok((file, fragment)))
}

pub(super) fn check(
    docs: &[(String, Html)],
    all_files: &[&str],
    base_path: &str,
    out: &mut Vec<Diagnostic>,
    counts: &mut Counts,
) {
    let ids = ids(docs);
    let files: BTreeSet<&str> = all_files.iter().copied().collect();
    let sel = selector("a[href], link[href], img[src], script[src]");
    for (page, doc) in docs {
        for el in doc.select(&sel) {
            let Some(href) = el.value().attr("href").or_else(|| el.value().attr("src")) else {
                continue;
            };
            let Some(resolved) = resolve(page, href, base_path) else {
                continue;
            };
            counts.links += 1;
            let (target, fragment) = match resolved {
                Ok(t) => t,
                Err(msg) => {
                    out.push(Diagnostic::error("E-ENLACE", page, msg));
                    continue;
                }
            };
            let target = if files.contains(target.as_str()) {
                target
            } else if files.contains(format!("{target}/index.html").as_str()) {
                format!("{target}/index.html")
            } else {
                out.push(Diagnostic::error(
                    "E-ENLACE",
                    page,
                    format!("el enlace `{href}` apunta a `{target}`, que no existe en el sitio"),
                ));
                continue;
            };
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                counts.anchors += 1;
                let decoded = percent_encoding::percent_decode_str(&f)
                    .decode_utf8_lossy()
                    .into_owned();
                if !ids
                    .get(target.as_str())
                    .is_some_and(|set| set.contains(&decoded))
                {
                    out.push(Diagnostic::error(
                        "E-ANCLA",
                        page,
                        format!("el enlace `{href}` apunta al ancla `#{decoded}`, que no existe en `{target}`"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn resolves_relative_absolute_and_fragment_links() {
        let r = |page, href| resolve(page, href, "/informe").map(|x| x.map_err(|_| ()));
        assert_eq!(
            r("index.html", "/informe/informes/2023/t2/"),
            Some(Ok(("informes/2023/t2/index.html".into(), None)))
        );
        assert_eq!(
            r("a/b/index.html", "../c/#x"),
            Some(Ok(("a/c/index.html".into(), Some("x".into()))))
        );
        assert_eq!(
            r("a/index.html", "#linea-1"),
            Some(Ok(("a/index.html".into(), Some("linea-1".into()))))
        );
        assert_eq!(r("index.html", "/otro/"), Some(Err(())));
        assert_eq!(r("index.html", "https://sesaech.gob.mx/"), None);
    }
}

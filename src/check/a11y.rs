//! A static accessibility lint over rendered pages: what can be judged from the HTML alone,
//! each finding tied to its WCAG 2.1 success criterion. It complements, not replaces, the
//! browser audit (axe-core) of the end-to-end suite.

use crate::diagnostic::Diagnostic;
use scraper::{ElementRef, Html, Selector};
use std::collections::BTreeMap;

fn selector(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|_| unreachable!("static selector {s}"))
}

/// Link texts that say nothing about their destination (WCAG 2.4.4).
const AMBIGUOUS: [&str; 12] = [
    "aquí",
    "clic aquí",
    "haga clic aquí",
    "da clic aquí",
    "click aquí",
    "ver más",
    "leer más",
    "más",
    "más información",
    "enlace",
    "este enlace",
    "liga",
];

fn text(e: &ElementRef<'_>) -> String {
    e.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn check(docs: &[(String, Html)], out: &mut Vec<Diagnostic>) {
    let mut titles: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (page, doc) in docs {
        let err = |code, msg: String| Diagnostic::error(code, page, msg);
        let warn = |code, msg: String| Diagnostic::warning(code, page, msg);

        let lang = doc
            .select(&selector("html"))
            .next()
            .and_then(|h| h.value().attr("lang"))
            .unwrap_or("");
        if lang.trim().is_empty() {
            out.push(err(
                "E-A11Y-IDIOMA",
                "la página no declara su idioma en `<html lang>` (WCAG 3.1.1)".into(),
            ));
        }

        let title = doc
            .select(&selector("head > title"))
            .next()
            .map(|t| text(&t))
            .unwrap_or_default();
        if title.is_empty() {
            out.push(err(
                "E-A11Y-TITULO",
                "la página no tiene `<title>` (WCAG 2.4.2)".into(),
            ));
        } else {
            titles.entry(title).or_default().push(page);
        }

        let mut previous = 0u8;
        let mut h1 = 0;
        for h in doc.select(&selector("h1, h2, h3, h4, h5, h6")) {
            let level = h.value().name().as_bytes()[1] - b'0';
            if level == 1 {
                h1 += 1;
            }
            if previous > 0 && level > previous + 1 {
                out.push(warn(
                    "W-A11Y-ENCABEZADOS",
                    format!(
                        "el encabezado «{}» salta de h{previous} a h{level} (WCAG 1.3.1)",
                        text(&h)
                    ),
                ));
            }
            previous = level;
        }
        if h1 != 1 {
            out.push(warn(
                "W-A11Y-ENCABEZADOS",
                format!("la página tiene {h1} encabezados h1; debe tener uno (WCAG 1.3.1)"),
            ));
        }

        let caption = selector("caption");
        let th = selector("th");
        for (i, t) in doc.select(&selector("table")).enumerate() {
            let name = t
                .select(&caption)
                .next()
                .map(|c| text(&c))
                .unwrap_or_default();
            if name.is_empty() {
                // Name the table by the nearest id around it, so it can be found on the page.
                let near = t
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .find_map(|a| a.value().attr("id"))
                    .map_or(String::new(), |id| format!(" (dentro de `#{id}`)"));
                out.push(err(
                    "E-A11Y-TABLA",
                    format!("la tabla {}{near} no tiene `<caption>` (WCAG 1.3.1)", i + 1),
                ));
            }
            if t.select(&th).next().is_none() {
                out.push(err(
                    "E-A11Y-TABLA",
                    format!("la tabla «{name}» no tiene celdas de encabezado `<th>` (WCAG 1.3.1)"),
                ));
            }
        }

        let (svg_title, svg_desc) = (selector("title"), selector("desc"));
        for s in doc.select(&selector("svg[role=img]")) {
            let named = s
                .select(&svg_title)
                .next()
                .is_some_and(|t| !text(&t).is_empty());
            let described = s
                .select(&svg_desc)
                .next()
                .is_some_and(|d| !text(&d).is_empty());
            if !named || !described {
                out.push(err(
                    "E-A11Y-GRAFICA",
                    "una gráfica SVG no tiene `<title>` y `<desc>` con texto (WCAG 1.1.1)".into(),
                ));
            }
        }
        let data_table = selector("details table");
        for f in doc.select(&selector("figure.grafica")) {
            if f.select(&data_table).next().is_none() {
                let id = f.value().attr("id").unwrap_or("?");
                out.push(err(
                    "E-A11Y-GRAFICA",
                    format!("la gráfica `{id}` no ofrece su tabla de datos (WCAG 1.1.1)"),
                ));
            }
        }

        for img in doc.select(&selector("img")) {
            if img.value().attr("alt").is_none() {
                let src = img.value().attr("src").unwrap_or("?");
                out.push(err(
                    "E-A11Y-ALT",
                    format!("la imagen `{src}` no tiene texto alternativo `alt` (WCAG 1.1.1)"),
                ));
            }
        }

        for a in doc.select(&selector("a[href]")) {
            let t = text(&a).to_lowercase();
            let t = t.trim_matches(|c: char| c.is_ascii_punctuation() || c == '»' || c == '«');
            if t.is_empty() && a.value().attr("aria-label").is_none() {
                out.push(err(
                    "E-A11Y-ENLACE",
                    format!(
                        "un enlace a `{}` no tiene texto (WCAG 2.4.4)",
                        a.value().attr("href").unwrap_or("")
                    ),
                ));
            } else if AMBIGUOUS.contains(&t) {
                out.push(warn(
                    "W-A11Y-ENLACE",
                    format!("el texto de enlace «{t}» no dice a dónde lleva (WCAG 2.4.4); describa el destino"),
                ));
            }
        }

        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for e in doc.select(&selector("[id]")) {
            if let Some(id) = e.value().attr("id") {
                *seen.entry(id).or_default() += 1;
            }
        }
        for (id, n) in seen.into_iter().filter(|(_, n)| *n > 1) {
            out.push(err(
                "E-A11Y-ID",
                format!("el id `{id}` aparece {n} veces en la página (WCAG 4.1.1)"),
            ));
        }
    }
    for (title, pages) in titles.into_iter().filter(|(_, p)| p.len() > 1) {
        for page in pages {
            out.push(Diagnostic::warning(
                "W-A11Y-TITULO",
                page,
                format!("el título «{title}» se repite en otras páginas (WCAG 2.4.2)"),
            ));
        }
    }
}

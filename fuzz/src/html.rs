//! What a citizen's browser would do with a page, checked on the parsed tree (html5ever, the
//! parser `scraper` wraps) rather than on substrings: `&lt;script&gt;` shown as text is fine,
//! a `<script>` element is not.

use scraper::{ElementRef, Html, Selector};

/// Elements comrak may write with our options (GFM tables, autolinks, strikethrough), the
/// glossary's `<a>`, and the page skeleton the targets wrap the fragment in. Anything else
/// (`script`, `iframe`, `object`, `embed`, `style`, `svg`, `form`, …) means raw HTML got through.
const ELEMENTS: &[&str] = &[
    "html",
    "head",
    "body",
    "main",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "em",
    "strong",
    "del",
    "a",
    "img",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

/// Attributes allowed per element; everything else (any `on…`, `style`, `srcset`,
/// `formaction`, …) is a violation.
fn attribute_allowed(element: &str, attr: &str) -> bool {
    matches!(
        (element, attr),
        ("a", "href" | "title" | "class")
            | ("img", "src" | "alt" | "title")
            | ("th" | "td", "align")
            | ("ol", "start")
            | ("code", "class")
    )
}

/// The scheme a browser would see, per the WHATWG URL parser: leading and trailing C0 controls
/// and spaces are stripped, tabs and newlines anywhere are removed, then `alpha *(alnum / + - .)`
/// before the first `:`. `None` for a relative URL.
pub fn url_scheme(url: &str) -> Option<String> {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some(scheme.to_ascii_lowercase())
}

/// A URL a page may carry: relative, or any scheme but the ones that run code or read local
/// files. `data:` only for the raster image types comrak lets through.
fn url_allowed(url: &str) -> bool {
    match url_scheme(url).as_deref() {
        None => true,
        Some("javascript" | "vbscript" | "file") => false,
        Some("data") => {
            let rest = url
                .trim_matches(|c: char| c <= ' ')
                .replace(['\t', '\n', '\r'], "")
                .to_ascii_lowercase();
            ["png", "gif", "jpeg", "webp"]
                .iter()
                .any(|t| rest.starts_with(&format!("data:image/{t};")))
        }
        Some(_) => true,
    }
}

fn all() -> &'static Selector {
    static ALL: std::sync::OnceLock<Selector> = std::sync::OnceLock::new();
    ALL.get_or_init(|| Selector::parse("*").expect("valid selector"))
}

/// Parses a whole page as a browser would (html5ever).
pub fn parse(page: &str) -> Html {
    Html::parse_document(page)
}

/// Every safety violation in a whole page (`<html>…<main>fragment</main>…`).
pub fn violations(doc: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for el in doc.select(all()) {
        let name = el.value().name();
        if !ELEMENTS.contains(&name) {
            found.push(format!("element <{name}>"));
        }
        if !matches!(name, "html" | "head" | "body" | "main")
            && !el
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "main")
        {
            found.push(format!("<{name}> escaped from <main>"));
        }
        for (attr, value) in el.value().attrs() {
            let lower = attr.to_ascii_lowercase();
            if lower.starts_with("on") {
                found.push(format!("event attribute {attr}={value:?} on <{name}>"));
            } else if !attribute_allowed(name, &lower) {
                found.push(format!("attribute {attr}={value:?} on <{name}>"));
            }
            if matches!(lower.as_str(), "href" | "src") && !url_allowed(value) {
                found.push(format!("dangerous URL {attr}={value:?} on <{name}>"));
            }
        }
    }
    found
}

/// The text a reader sees inside `<main>`.
pub fn main_text(doc: &Html) -> String {
    let main = Selector::parse("main").expect("valid selector");
    doc.select(&main).flat_map(|m| m.text()).collect()
}

/// The glossary links of a page (`a.termino`) as (href, text), and any placed where the
/// linker promises never to put one (inside a link, heading, code or pre).
pub fn term_links(doc: &Html) -> (Vec<(String, String)>, Vec<String>) {
    let sel = Selector::parse("a.termino").expect("valid selector");
    let mut hrefs = Vec::new();
    let mut misplaced = Vec::new();
    for a in doc.select(&sel) {
        hrefs.push((
            a.value().attr("href").unwrap_or_default().to_owned(),
            a.text().collect(),
        ));
        for anc in a.ancestors().filter_map(ElementRef::wrap) {
            let n = anc.value().name();
            if matches!(
                n,
                "a" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "code" | "pre"
            ) {
                misplaced.push(format!("a.termino inside <{n}>: {}", a.html()));
            }
        }
    }
    (hrefs, misplaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_as_a_browser_reads_them() {
        assert_eq!(
            url_scheme(" java\tscript:alert(1)").as_deref(),
            Some("javascript")
        );
        assert_eq!(url_scheme("JavaScript:x").as_deref(), Some("javascript"));
        assert_eq!(url_scheme("/glosario/#a:b"), None);
        assert_eq!(url_scheme("a b:c"), None);
        assert!(!url_allowed("\u{1}javascript:x"));
        assert!(url_allowed("data:image/png;base64,AAAA"));
        assert!(!url_allowed("data:text/html,<script>"));
    }

    #[test]
    fn escaped_markup_is_text_real_markup_is_not() {
        let wrap = |s: &str| format!("<html><body><main>{s}</main></body></html>");
        assert!(
            violations(&parse(&wrap(
                "<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript:x</p>"
            )))
            .is_empty()
        );
        assert!(!violations(&parse(&wrap("<p><script>alert(1)</script></p>"))).is_empty());
        assert!(!violations(&parse(&wrap("<p><b onclick=x>b</b></p>"))).is_empty());
        assert!(
            !violations(&parse(&wrap("<p><a href=\"jav&#x09;ascript:x\">a</a></p>"))).is_empty()
        );
        assert!(!violations(&parse(&wrap("<p><iframe src=x></iframe></p>"))).is_empty());
        assert!(!violations(&parse(&wrap("</main><p>x</p>"))).is_empty());
    }
}

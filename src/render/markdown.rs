//! Markdown to HTML with comrak: GFM tables and autolinks on, raw HTML escaped (shown as
//! text, never interpreted), dangerous link schemes dropped by comrak's safe mode.

use comrak::{Options, markdown_to_html};
use std::sync::OnceLock;

fn options() -> &'static Options<'static> {
    static OPTIONS: OnceLock<Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut o = Options::default();
        o.extension.table = true;
        o.extension.autolink = true;
        o.extension.strikethrough = true;
        // Content comes from many hands: HTML in it is shown as text rather than dropped, so
        // nothing the institution wrote disappears, and nothing it wrote can run.
        o.render.r#unsafe = false;
        o.render.escape = true;
        o
    })
}

pub fn to_html(markdown: &str) -> String {
    markdown_to_html(markdown, options())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped() {
        let html = to_html("Hola <script>alert(1)</script> <b onclick=x>b</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<b onclick"), "{html}");
    }

    #[test]
    fn javascript_links_are_dropped() {
        let html = to_html("[x](javascript:alert(1))");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn gfm_tables_and_autolinks() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n<https://sesaech.gob.mx>");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("href=\"https://sesaech.gob.mx\""), "{html}");
    }
}

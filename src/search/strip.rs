//! What Pagefind is given to read: a page without its inline `<svg>` elements.
//!
//! Pagefind removes `svg` whole while it reads a page (it is in its list of removed elements,
//! with `head`, `nav`, `script`…): none of its text is indexed and none of its ids becomes a
//! result. Only a `data-pagefind-*` attribute inside one still counts, so an `svg` that holds
//! one is left in place, and the index made from the cut page is the same, byte for byte (a
//! unit test in `search` holds Pagefind to it). Reading charts is not free: each is hundreds
//! of elements, each run through Pagefind's selector handlers, and cutting them out first
//! takes 7 % off the instructions of indexing the synthetic report (benches/README.md).

use std::borrow::Cow;

/// `html` with every top-level `<svg>…</svg>` element that carries no Pagefind attribute cut
/// out. Comments, `<script>` and
/// `<style>` are passed over as they are, so an `<svg` written inside them is not taken for an
/// element; an `<svg>` that is never closed is left in place with everything after it.
pub(crate) fn without_inline_svg(html: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut kept = 0;
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &html[at..]) {
        let open = at + found;
        let rest = &html[open..];
        at = if let Some(opaque) = opaque_end(html, open) {
            match opaque {
                Some(end) => end,
                None => break,
            }
        } else if is_tag(&rest[1..], b"svg") {
            let Some(end) = svg_end(html, open) else {
                break;
            };
            if memchr::memmem::find(&html[open..end], b"data-pagefind").is_some() {
                at = end;
                continue;
            }
            out.get_or_insert_with(|| Vec::with_capacity(html.len()))
                .extend_from_slice(&html[kept..open]);
            kept = end;
            end
        } else {
            open + 1
        };
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.extend_from_slice(&html[kept..]);
            Cow::Owned(out)
        }
    }
}

/// The page as Pagefind's API takes it: text, without inline SVG.
pub(crate) fn page_text(html: &[u8]) -> String {
    String::from_utf8_lossy(&without_inline_svg(html)).into_owned()
}

/// Where a comment, `<script>` or `<style>` starting at `lt` (a `<`) ends, just past it
/// (`Some(None)` when it never does); `None` when none starts there. An `<svg` or `</svg>`
/// written inside one is not markup.
fn opaque_end(html: &[u8], lt: usize) -> Option<Option<usize>> {
    let rest = &html[lt..];
    if rest.starts_with(b"<!--") {
        return Some(memchr::memmem::find(&rest[4..], b"-->").map(|end| lt + 4 + end + 3));
    }
    [&b"script"[..], b"style"]
        .into_iter()
        .find(|name| is_tag(&rest[1..], name))
        .map(|raw| find_end_tag(html, lt + 1, raw))
}

/// Whether `s` starts with the tag name `name` (any case), ended as a tag name ends.
fn is_tag(s: &[u8], name: &[u8]) -> bool {
    s.len() > name.len()
        && s[..name.len()].eq_ignore_ascii_case(name)
        && matches!(
            s[name.len()],
            b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'
        )
}

/// Just past the `>` of the first `</name` at or after `from`.
fn find_end_tag(html: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(found) = memchr::memmem::find(&html[at..], b"</") {
        let close = at + found;
        if is_tag(&html[close + 2..], name) {
            return memchr::memchr(b'>', &html[close..]).map(|gt| close + gt + 1);
        }
        at = close + 2;
    }
    None
}

/// Just past the `</svg>` closing the `<svg` at `open`, counting the `<svg>`s inside it and
/// passing over comments, scripts and styles.
fn svg_end(html: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = open;
    while let Some(found) = memchr::memchr(b'<', &html[at..]) {
        let lt = at + found;
        let rest = &html[lt..];
        if let Some(opaque) = opaque_end(html, lt) {
            at = opaque?;
        } else if is_tag(&rest[1..], b"svg") {
            // `<svg … />` opens nothing to close.
            let gt = memchr::memchr(b'>', rest)?;
            if rest[gt - 1] != b'/' {
                depth += 1;
            }
            at = lt + gt + 1;
            if depth == 0 {
                return Some(at);
            }
        } else if rest.starts_with(b"</") && is_tag(&rest[2..], b"svg") {
            let gt = memchr::memchr(b'>', rest)?;
            at = lt + gt + 1;
            depth -= 1;
            if depth == 0 {
                return Some(at);
            }
        } else {
            at = lt + 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::without_inline_svg;

    fn cut(html: &str) -> String {
        String::from_utf8(without_inline_svg(html.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn charts_are_cut_out_and_the_text_around_them_stays() {
        assert_eq!(
            cut(
                "<p>Antes</p><svg viewBox=\"0 0 1 1\"><title id=\"t\">Meta</title><g><rect/></g></svg><p>Después</p>"
            ),
            "<p>Antes</p><p>Después</p>"
        );
        assert_eq!(
            cut("<SVG>\n<svg><text>dentro</text></svg><svg/></SVG>x<svg\n>y</svg >z"),
            "xz"
        );
    }

    #[test]
    fn a_page_without_svg_is_not_copied() {
        let html = b"<main><p>Sin gr\xc3\xa1ficas: <svgx> no es svg</p></main>";
        assert!(matches!(
            without_inline_svg(html),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn svg_written_inside_comments_scripts_and_styles_is_left_alone() {
        let html = "<!-- <svg> --><script>let s = '<svg>';</script><style>/* <svg> */</style><p>texto</p><svg></svg>";
        assert_eq!(
            cut(html),
            "<!-- <svg> --><script>let s = '<svg>';</script><style>/* <svg> */</style><p>texto</p>"
        );
        assert_eq!(cut("<svg><!-- </svg> --><text>a</text></svg>b"), "b");
        assert_eq!(
            cut("<svg><style>/* </svg> <svg> */</style><script>\"</svg>\"</script></svg><p>b</p>"),
            "<p>b</p>"
        );
    }

    #[test]
    fn an_svg_never_closed_keeps_the_rest_of_the_page() {
        assert_eq!(cut("<svg><p>a</p>"), "<svg><p>a</p>");
        assert_eq!(
            cut("<svg></svg><p>a</p><svg><p>b</p>"),
            "<p>a</p><svg><p>b</p>"
        );
    }
}

//! Links each glossary term to its definition at its first use on a page.
//!
//! Works on the rendered HTML with lol_html (a streaming rewriter, the one Pagefind also uses):
//! only text inside `<main>` is touched, never text inside links, headings, captions, summaries,
//! code, SVG or scripts, and each term is linked once per page. Matching is exact,
//! case-sensitive and on whole words, so `SAECH` does not match inside `SESAECH`.

use crate::model::Glossary;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use lol_html::html_content::ContentType;
use lol_html::{HtmlRewriter, Settings, element, end_tag, text};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

thread_local! {
    /// Each thread's output buffer for linked pages.
    static LINKED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What to look for and where it leads.
#[derive(Debug, Clone)]
pub struct Linker {
    /// (text as it appears in HTML, href, title); longest first so «sujetos obligados» wins
    /// over «sujeto obligado».
    needles: Vec<(String, String, String, usize)>,
    /// Finds, in one pass over a text node, which needles it holds: only those are then looked
    /// for one by one. Searching every node for each of the shipped glossary's hundred needles
    /// was half of a build without search.
    /// `None` if the automaton could not be built (a glossary beyond its size limits): every
    /// needle is then looked for.
    present: Option<AhoCorasick>,
}

impl Linker {
    pub fn new(g: &Glossary, base_path: &str) -> Linker {
        let mut needles = Vec::new();
        for (i, t) in g.terms.iter().enumerate() {
            let href = format!("{base_path}/glosario/#{}", t.anchor);
            let title = t.name.clone().unwrap_or_default();
            // Validation refuses empty terms; an empty needle would match everywhere.
            for text in std::iter::once(&t.term)
                .chain(&t.variants)
                .filter(|t| !t.trim().is_empty())
            {
                let esc = crate::render::escape(text);
                needles.push((esc.clone(), href.clone(), title.clone(), i));
                // Our escaper writes an apostrophe as `&#39;`; comrak leaves it bare.
                if text.contains('\'') {
                    needles.push((esc.replace("&#39;", "'"), href.clone(), title.clone(), i));
                }
            }
        }
        needles.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(&b.0))
        });
        // A DFA: its larger tables are built once, and it reads every text node of every page.
        let present = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(needles.iter().map(|n| &n.0))
            .ok();
        Linker { needles, present }
    }

    /// Rewrites one page; `None` when the page has nothing to link (or cannot be parsed, in
    /// which case it is left as rendered).
    pub fn link(&self, html: &str) -> Option<String> {
        let mut out = Vec::new();
        self.link_into(html.as_bytes(), &mut out)
            .then(|| String::from_utf8(out).ok())
            .flatten()
    }

    /// [`Linker::link`] from and into bytes: `out` (emptied first) holds the rewritten page
    /// when it returns `true`.
    fn link_into(&self, html: &[u8], out: &mut Vec<u8>) -> bool {
        out.clear();
        if self.needles.is_empty() || memchr::memmem::find(html, b"<main").is_none() {
            return false;
        }
        let skip = Rc::new(RefCell::new(0usize));
        let linked: Rc<RefCell<BTreeSet<usize>>> = Rc::default();
        let buffer = Rc::new(RefCell::new(String::new()));
        let skip_el = Rc::clone(&skip);
        let (skip_txt, linked_txt, buf) =
            (Rc::clone(&skip), Rc::clone(&linked), Rc::clone(&buffer));
        let mut rewriter = HtmlRewriter::new(
            Settings::new()
                .append_element_content_handler(element!(
                        "main a, main h1, main h2, main h3, main h4, main h5, main h6, main caption, \
                         main summary, main code, main pre, main svg, main script, main style, main abbr, main button, main label",
                        move |el| {
                            *skip_el.borrow_mut() += 1;
                            let skip = Rc::clone(&skip_el);
                            if el.can_have_content() {
                                el.on_end_tag(end_tag!(move |_| {
                                    let mut s = skip.borrow_mut();
                                    *s = s.saturating_sub(1);
                                    Ok(())
                                }))?;
                            }
                            Ok(())
                        }
                    ))
                .append_element_content_handler(text!("main", move |chunk| {
                        if *skip_txt.borrow() > 0 {
                            return Ok(());
                        }
                        let mut buf = buf.borrow_mut();
                        if !chunk.last_in_text_node() {
                            buf.push_str(chunk.as_str());
                            chunk.remove();
                        } else if buf.is_empty() {
                            // A node in one chunk (most are) stays as it is unless a term is
                            // linked in it: rewriting every node was most of the linking.
                            if let Some(out) =
                                self.link_text(chunk.as_str(), &mut linked_txt.borrow_mut())
                            {
                                chunk.replace(&out, ContentType::Html);
                            }
                        } else {
                            buf.push_str(chunk.as_str());
                            let text = std::mem::take(&mut *buf);
                            let out = self.link_text(&text, &mut linked_txt.borrow_mut());
                            chunk.replace(out.as_deref().unwrap_or(&text), ContentType::Html);
                        }
                        Ok(())
                    })),
            |c: &[u8]| out.extend_from_slice(c),
        );
        let written = rewriter.write(html).and_then(|()| rewriter.end());
        written.is_ok() && !linked.borrow().is_empty()
    }

    /// Links the first unlinked occurrence of each term in one text node (already HTML);
    /// `None` when it links nothing.
    fn link_text(&self, text: &str, linked: &mut BTreeSet<usize>) -> Option<String> {
        // A needle absent from the node is absent from every part of it left unlinked. Most
        // nodes hold none, and cost no allocation.
        let found = match &self.present {
            None => vec![true; self.needles.len()],
            Some(ac) => {
                let mut found = Vec::new();
                for m in ac.find_overlapping_iter(text) {
                    if found.is_empty() {
                        found = vec![false; self.needles.len()];
                    }
                    found[m.pattern().as_usize()] = true;
                }
                found
            }
        };
        if found.is_empty() {
            return None;
        }
        // Segments: (text, is already markup).
        let mut segments: Vec<(String, bool)> = vec![(text.to_owned(), false)];
        for (i, (needle, href, title, term)) in self.needles.iter().enumerate() {
            if !found[i] || linked.contains(term) {
                continue;
            }
            let mut done = false;
            let mut next = Vec::with_capacity(segments.len() + 2);
            for (seg, markup) in segments {
                if done || markup {
                    next.push((seg, markup));
                    continue;
                }
                match find_word(&seg, needle) {
                    Some(at) => {
                        let title_attr = if title.is_empty() {
                            String::new()
                        } else {
                            format!(" title=\"{}\"", crate::render::escape(title))
                        };
                        next.push((seg[..at].to_owned(), false));
                        next.push((
                            format!(
                                "<a class=\"termino\" href=\"{}\"{title_attr}>{}</a>",
                                crate::render::escape(href),
                                &seg[at..at + needle.len()]
                            ),
                            true,
                        ));
                        next.push((seg[at + needle.len()..].to_owned(), false));
                        done = true;
                    }
                    None => next.push((seg, markup)),
                }
            }
            segments = next;
            if done {
                linked.insert(*term);
            }
        }
        (segments.len() > 1).then(|| segments.into_iter().map(|(s, _)| s).collect())
    }
}

impl Linker {
    /// Links the terms of one rendered page, unless it is the glossary itself.
    pub fn link_page(&self, page: &mut crate::render::Artifact) {
        if !page.path.ends_with(".html") || page.path.starts_with("glosario/") {
            return;
        }
        LINKED.with_borrow_mut(|out| {
            if self.link_into(&page.bytes, out) {
                // The page's buffer becomes the next page's output buffer: both keep their
                // size on this thread.
                std::mem::swap(&mut page.bytes, out);
            }
        });
    }
}

/// Byte offset of the first whole-word occurrence of `needle` in `hay`.
fn find_word(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let at = from + i;
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        // A hyphen joins words: `PEA` must not match inside `PI-PEA`.
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
        // The text is HTML: `amp` in `&amp;` or `39` in `&#39;` is part of an entity.
        let in_entity = matches!(before, Some('&' | '#'));
        if !word(before) && !word(after) && !in_entity {
            return Some(at);
        }
        from = at + needle.len().max(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Term;

    fn linker() -> Linker {
        let term = |t: &str, name: Option<&str>, variants: &[&str]| Term {
            term: t.into(),
            name: name.map(Into::into),
            definition: String::new(),
            variants: variants.iter().map(|v| (*v).to_owned()).collect(),
            anchor: format!("termino-{}", crate::model::anchor_slug(t)),
        };
        Linker::new(
            &Glossary {
                guide: None,
                terms: vec![
                    term(
                        "SAECH",
                        Some("Sistema Anticorrupción del Estado de Chiapas"),
                        &[],
                    ),
                    term("SESAECH", None, &[]),
                    term("sujeto obligado", None, &["sujetos obligados"]),
                ],
            },
            "/informe",
        )
    }

    #[test]
    fn a_term_never_matches_inside_an_html_entity() {
        // Found by `fuzz/` (regresiones/contenido/glosario-termino-entidad.yaml).
        assert_eq!(find_word("niñas &amp; niños", "amp"), None);
        assert_eq!(find_word("l&#39;OIC", "39"), None);
        assert_eq!(find_word("la amp y", "amp"), Some(3));
    }

    #[test]
    fn links_first_use_only_whole_words_inside_main() {
        let html = "<html><body><header><p>SESAECH</p></header><main><h1>SESAECH</h1>\
            <p>La SESAECH y el SAECH; otra vez SESAECH.</p><p>Los sujetos obligados.</p>\
            <p><a href=\"/x\">SAECH</a></p></main></body></html>";
        let out = linker().link(html).unwrap();
        assert!(
            out.contains("<header><p>SESAECH</p></header>"),
            "outside main untouched"
        );
        assert!(out.contains("<h1>SESAECH</h1>"), "headings untouched");
        assert!(out.contains("La <a class=\"termino\" href=\"/informe/glosario/#termino-sesaech\">SESAECH</a> y el <a class=\"termino\" href=\"/informe/glosario/#termino-saech\" title=\"Sistema Anticorrupción del Estado de Chiapas\">SAECH</a>; otra vez SESAECH."), "{out}");
        assert!(out.contains("Los <a class=\"termino\" href=\"/informe/glosario/#termino-sujeto-obligado\">sujetos obligados</a>."), "{out}");
        assert!(
            out.contains("<a href=\"/x\">SAECH</a>"),
            "never a link inside a link"
        );
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(find_word("SESAECH", "SAECH"), None);
        assert_eq!(find_word("el SAECH.", "SAECH"), Some(3));
        assert_eq!(find_word("S1S2 S1", "S1"), Some(5));
        assert_eq!(find_word("el PI-PEA", "PEA"), None);
    }
}

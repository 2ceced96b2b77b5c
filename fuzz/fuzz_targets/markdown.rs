//! Any text a webmaster can put in a Markdown field → `render::markdown::to_html` → the
//! shipped glossary's linker, as `build` runs them. The page a citizen gets must never carry a
//! script, an event handler, a `javascript:` URL or an embedded object, however the text is
//! written; escaped as visible text (`&lt;script`) is fine. Checked on the parsed HTML tree.

#![no_main]

use informe::render::markdown;
use informe_fuzz::html;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fragment = markdown::to_html(&text);
    // The linker only touches text inside <main>, as on every page of the site.
    let page =
        format!("<!DOCTYPE html><html><head></head><body><main>{fragment}</main></body></html>");
    let doc = html::parse(&page);
    let bad = html::violations(&doc);
    assert!(
        bad.is_empty(),
        "Markdown output is unsafe: {bad:?}\n{fragment}"
    );

    let Some(linked) = informe_fuzz::linker().link(&page) else {
        return;
    };
    let linked_doc = html::parse(&linked);
    let bad = html::violations(&linked_doc);
    assert!(
        bad.is_empty(),
        "glossary linking made the page unsafe: {bad:?}\n{linked}"
    );
    // Linking wraps words in <a>; it never changes what a reader reads.
    assert_eq!(
        html::main_text(&doc),
        html::main_text(&linked_doc),
        "glossary linking changed the text\n{linked}"
    );
    let (links, misplaced) = html::term_links(&linked_doc);
    assert!(misplaced.is_empty(), "{misplaced:?}");
    let mut hrefs: Vec<&String> = links.iter().map(|(href, _)| href).collect();
    hrefs.sort();
    hrefs.dedup();
    assert_eq!(hrefs.len(), links.len(), "a term linked twice: {links:?}");
    assert!(
        links
            .iter()
            .all(|(h, text)| h.contains("/glosario/#termino-") && !text.trim().is_empty()),
        "{links:?}"
    );
});

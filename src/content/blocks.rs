//! Literal block scalars (`clave: |` and the indented lines under it) taken out of a content
//! file before libyaml reads it. They hold two thirds of a report's bytes (every activity,
//! description, objective and strategy), and libyaml decodes and copies each of their
//! characters one at a time: that was a third of a build's instructions. Here each block is cut
//! out with a line search and replaced by a short quoted token, which the text fields marked
//! `#[serde(deserialize_with = "blocks::text")]` swap back for the block's value.
//!
//! Anything unusual is left to libyaml: a file with tabs, carriage returns, control characters,
//! line or paragraph separators, byte order marks, flow collections over several lines or the
//! token character is not touched, nor is a block with a comment, an indentation indicator,
//! `|+`, a leading empty line or content no deeper than its key. And the result is only used if every token came back as a whole value of a
//! marked field, so a token that landed inside another scalar (a header line that was really
//! part of a quoted string) or in an unmarked field makes the caller parse the file as written.

use serde::{Deserialize, Deserializer};
use std::cell::RefCell;

/// Starts every token; a private-use character, refused in any file that already holds it.
const MARK: char = '\u{E000}';

/// A source with its block scalars replaced by tokens, and the blocks' values by token number.
#[derive(Debug)]
pub(super) struct Lifted {
    pub source: String,
    pub texts: Vec<String>,
}

/// `None` when the file has no block to take out or anything this module does not handle.
pub(super) fn lift(source: &str) -> Option<Lifted> {
    let bytes = source.as_bytes();
    if !source.ends_with('\n')
        || memchr::memchr2(b'\t', b'\r', bytes).is_some()
        || super::yaml::has_unusual_char(bytes)
        || has_special_char(bytes)
    {
        return None;
    }
    let mut out = String::with_capacity(source.len() / 2);
    let mut texts = Vec::new();
    let mut rest = source;
    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        if !balanced_flow(line) {
            return None;
        }
        let Some((parent, strip, head)) = header(line) else {
            out.push_str(line);
            out.push('\n');
            rest = after;
            continue;
        };
        let Some((value, next)) = block(after, parent, strip) else {
            out.push_str(line);
            out.push('\n');
            rest = after;
            continue;
        };
        out.push_str(head);
        out.push('"');
        out.push(MARK);
        out.push_str(itoa::Buffer::new().format(texts.len()));
        out.push_str("\"\n");
        texts.push(value);
        rest = next;
    }
    (!texts.is_empty()).then_some(Lifted { source: out, texts })
}

/// Whether `bytes` hold what [`super::yaml::has_unusual_char`] does not look for and libyaml
/// refuses inside a block (U+FFFE, U+FFFF), a byte order mark, or the token character. Cut out
/// of the file, a block holding any of these or the unusual characters would escape libyaml's
/// verdict: `fuzz/` found NUL bytes inside a block accepted that way.
fn has_special_char(bytes: &[u8]) -> bool {
    memchr::memchr_iter(0xEF, bytes).any(|i| {
        // U+FEFF, U+FFFE, U+FFFF.
        matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0xBB), Some(0xBF)) | (Some(0xBF), Some(0xBE | 0xBF))
        )
    }) || memchr::memmem::find(bytes, MARK.encode_utf8(&mut [0; 4]).as_bytes()).is_some()
}

/// The first line of `s` without its line break, and what follows that break.
fn split_line(s: &str) -> (&str, &str) {
    match memchr::memchr(b'\n', s.as_bytes()) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

/// Whether a line opens as many flow collections as it closes: one left open continues on the
/// next lines, where a `clave: |` line means something else.
fn balanced_flow(line: &str) -> bool {
    let b = line.as_bytes();
    if memchr::memchr2(b'[', b'{', b).is_none() && memchr::memchr2(b']', b'}', b).is_none() {
        return true;
    }
    let open = b.iter().filter(|&&c| c == b'[' || c == b'{').count();
    let close = b.iter().filter(|&&c| c == b']' || c == b'}').count();
    open == close
}

/// For a line `<spaces>(- )*[clave: ]|` or `…|-`: the column of the collection the block
/// belongs to (its content must be deeper), whether it is `|-`, and the line up to the `|`.
fn header(line: &str) -> Option<(usize, bool, &str)> {
    let (head, strip) = if let Some(h) = line.strip_suffix(" |") {
        (h, false)
    } else {
        (line.strip_suffix(" |-")?, true)
    };
    let b = head.as_bytes();
    let mut i = b.iter().take_while(|&&c| c == b' ').count();
    let mut parent = None;
    while b.get(i) == Some(&b'-') && matches!(b.get(i + 1), Some(b' ') | None) {
        parent = Some(i);
        i += 2;
    }
    if i >= b.len() {
        // `- |`: an item of the sequence whose dash is last.
        return parent.map(|p| (p, strip, &line[..head.len() + 1]));
    }
    let key = b[i..].strip_suffix(b":")?;
    if key.is_empty() || !key.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return None;
    }
    Some((i, strip, &line[..head.len() + 1]))
}

/// The value of the literal block whose lines start `s`, under a collection at column
/// `parent`, and what follows the block; `None` when its first line is empty or no deeper
/// than `parent` (libyaml then reads an empty value or an error, left to it).
fn block(s: &str, parent: usize, strip: bool) -> Option<(String, &str)> {
    let (first, _) = split_line(s);
    let indent = first.bytes().take_while(|&c| c == b' ').count();
    if indent <= parent || indent == first.len() {
        return None;
    }
    // The block's lines, each without its line break; `pending` counts the empty lines since
    // the last content line, which belong to the value only if more content follows.
    let mut lines = Vec::new();
    let mut pending = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        let spaces = line.bytes().take_while(|&c| c == b' ').count();
        if spaces == line.len() && spaces <= indent {
            pending += 1;
        } else if spaces < indent {
            break;
        } else {
            lines.extend(std::iter::repeat_n("", pending));
            pending = 0;
            lines.push(&line[indent..]);
        }
        rest = after;
    }
    // `join` sizes the value exactly, which matters: it is kept in the model for the whole
    // build. An empty last line gives the final line break that `|` keeps and `|-` strips.
    if !strip {
        lines.push("");
    }
    Some((lines.join("\n"), rest))
}

thread_local! {
    /// The blocks of the file being deserialized on this thread, taken as their tokens come.
    static TEXTS: RefCell<(Vec<Option<String>>, usize)> = const { RefCell::new((Vec::new(), 0)) };
}

/// Deserializes with `lifted`'s blocks available to [`text`]; `None` unless every block was
/// taken back exactly once.
pub(super) fn with_texts<T>(lifted: Lifted, de: impl FnOnce(&str) -> Option<T>) -> Option<T> {
    struct Clear;
    impl Drop for Clear {
        fn drop(&mut self) {
            TEXTS.with_borrow_mut(|t| *t = (Vec::new(), 0));
        }
    }
    let n = lifted.texts.len();
    TEXTS.with_borrow_mut(|t| *t = (lifted.texts.into_iter().map(Some).collect(), 0));
    let _clear = Clear;
    let value = de(&lifted.source)?;
    (TEXTS.with_borrow(|t| t.1) == n).then_some(value)
}

/// A block's value for its token; any other string as it is.
fn resolve(s: String) -> String {
    let Some(n) = s.strip_prefix(MARK).and_then(|n| n.parse::<usize>().ok()) else {
        return s;
    };
    TEXTS.with_borrow_mut(
        |(texts, taken)| match texts.get_mut(n).and_then(Option::take) {
            Some(text) => {
                *taken += 1;
                text
            }
            None => s,
        },
    )
}

/// For `#[serde(deserialize_with)]` on a text field that may be written as a block.
pub(super) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d).map(resolve)
}

/// [`text`] for an optional field.
pub(super) fn optional_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d).map(|s| s.map(resolve))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifted(s: &str) -> (String, Vec<String>) {
        let l = lift(s).expect("lifted");
        (l.source, l.texts)
    }

    #[test]
    fn cuts_blocks_and_keeps_the_rest() {
        let (src, texts) = lifted(
            "a: 1\nb: |\n  uno\n\n   dos \nc:\n  - texto: |-\n      tres\n  - |\n    cuatro\n\n\nd: 2\n",
        );
        assert_eq!(
            src,
            "a: 1\nb: \"\u{E000}0\"\nc:\n  - texto: \"\u{E000}1\"\n  - \"\u{E000}2\"\nd: 2\n"
        );
        assert_eq!(texts, ["uno\n\n dos \n", "tres", "cuatro\n"]);
    }

    /// Random documents mixing maps, sequences, block scalars with uneven indentation, empty
    /// and all-space lines, and lines that look like keys or headers; 64-bit xorshift.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.next(items.len() as u64) as usize]
        }

        fn block(&mut self, out: &mut String, parent: usize) {
            out.push_str(self.pick(&[" |", " |", " |-", " |+", " >", " |2", " | # c"]));
            out.push('\n');
            let indent = parent + self.next(4) as usize + usize::from(self.next(8) != 0);
            for _ in 0..self.next(6) {
                // Now and then a character libyaml refuses or reads as a line break.
                let special = [
                    "nueve\u{0}diez",
                    "once\u{85}doce",
                    "trece\u{2028}catorce",
                    "quince\u{7f}\u{9f}",
                    "\u{feff}dieciséis",
                    "diecisiete\u{ffff}",
                    "dieciocho\tdiecinueve",
                ];
                let text = if self.next(40) == 0 {
                    self.pick(&special)
                } else {
                    self.pick(&[
                        "uno dos",
                        "tres: |",
                        "- cuatro",
                        "# cinco",
                        "seis: [a, b",
                        "«siete» ñ",
                        "",
                        "\"ocho",
                        "---",
                    ])
                };
                let spaces = match self.next(6) {
                    0 => self.next(indent as u64 + 3) as usize,
                    1 => indent + self.next(3) as usize,
                    _ => indent,
                };
                out.push_str(&" ".repeat(spaces));
                out.push_str(if self.next(5) == 0 { "" } else { text });
                out.push('\n');
            }
        }

        fn node(&mut self, out: &mut String, indent: usize, depth: usize) {
            match self.next(if depth > 3 { 3 } else { 6 }) {
                0 => out.push_str(&format!(" v{}\n", self.next(100))),
                1 | 2 => self.block(out, indent),
                3 => out.push_str(" \"a: |\n  b\"\n"),
                _ => {
                    out.push('\n');
                    let child = indent + self.next(4) as usize;
                    let seq = self.next(2) == 0;
                    for k in 0..1 + self.next(3) {
                        out.push_str(&" ".repeat(child));
                        if seq {
                            out.push('-');
                            if self.next(2) == 0 {
                                out.push_str(&format!(" k{k}:"));
                                self.node(out, child + 2, depth + 1);
                            } else {
                                self.node(out, child, depth + 1);
                            }
                        } else {
                            out.push_str(&format!("k{k}:"));
                            self.node(out, child, depth + 1);
                        }
                    }
                }
            }
        }
    }

    /// `value` with every token replaced by its block, counting the tokens replaced.
    fn restore(value: &mut serde_yaml::Value, texts: &[String], used: &mut usize) {
        use serde_yaml::Value;
        match value {
            Value::String(s) => {
                if let Some(n) = s.strip_prefix(MARK).and_then(|n| n.parse::<usize>().ok()) {
                    *s = texts[n].clone();
                    *used += 1;
                }
            }
            Value::Sequence(items) => items.iter_mut().for_each(|v| restore(v, texts, used)),
            Value::Mapping(m) => m.values_mut().for_each(|v| restore(v, texts, used)),
            _ => {}
        }
    }

    /// Whenever a lifted document reads back with every token, it means exactly what libyaml
    /// reads in the document as written; and most documents are lifted.
    #[test]
    fn lifted_documents_read_as_libyaml_reads_them() {
        let mut g = Gen(0x2545_f491_4f6c_dd1d);
        let (mut lifted, mut agreed) = (0, 0);
        for _ in 0..60_000 {
            let mut doc = String::new();
            for k in 0..1 + g.next(4) {
                doc.push_str(&format!("r{k}:"));
                g.node(&mut doc, 0, 0);
            }
            let Some(l) = lift(&doc) else { continue };
            lifted += 1;
            let Ok(mut value) = serde_yaml::from_str::<serde_yaml::Value>(&l.source) else {
                continue;
            };
            let mut used = 0;
            restore(&mut value, &l.texts, &mut used);
            if used != l.texts.len() {
                continue;
            }
            let plain = serde_yaml::from_str::<serde_yaml::Value>(&doc);
            assert_eq!(plain.ok().as_ref(), Some(&value), "{doc}");
            agreed += 1;
        }
        assert!(
            lifted > 10_000 && agreed > 5_000,
            "{lifted} lifted, {agreed} agreed"
        );
    }

    #[test]
    fn leaves_what_it_does_not_handle() {
        for s in [
            "a: |\n\tuno\n",
            "a: |\r\n  uno\r\n",
            "a: |\n  uno",
            "a: [1,\n  2]\nb: |\n  uno\n",
            "a: \"\u{E000}0\"\nb: |\n  uno\n",
            "a: |+\n  uno\n",
            "a: |2\n  uno\n",
            "a: | # nota\n  uno\n",
            "a: >\n  uno\n",
            "- b: |\n  uno\n",
            "a: |\n\n  uno\n",
            "a: |\n  uno\u{0}dos\n",
            "a: |\n  uno\u{85}dos\n",
            "a: |\n  uno\u{2029}dos\n",
            "a: |\n  uno\u{fffe}\n",
        ] {
            assert!(lift(s).is_none(), "{s:?}");
        }
    }
}

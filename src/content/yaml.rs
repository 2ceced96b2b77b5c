//! The one place that calls serde_yaml (deprecated upstream; a later move to a maintained fork
//! touches only this file). Every error comes back with file, line, column and YAML path.

use crate::diagnostic::Diagnostic;
use crate::fsx;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Content files larger than this are refused before parsing, which also bounds the work a
/// hostile file with YAML aliases can cause.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

pub(super) fn read_source(path: &Path) -> Result<String, Box<Diagnostic>> {
    let bytes = fsx::read(path)
        .map_err(|e| Box::new(Diagnostic::error("E-ARCHIVO", path, e.to_string())))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Box::new(
            Diagnostic::error(
                "E-ARCHIVO",
                path,
                format!(
                    "el archivo pesa {} bytes; el máximo es {MAX_FILE_BYTES}",
                    bytes.len()
                ),
            )
            .hint("divida el contenido en varios archivos"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let line = prefix.matches('\n').count() + 1;
        let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Box::new(
            Diagnostic::error("E-ARCHIVO", path, "el archivo no está en UTF-8")
                .at(&prefix, line, Some(col))
                .hint("guarde el archivo con codificación UTF-8"),
        )
    })
}

/// Deepest nesting of lists and maps accepted; the report needs about eight.
pub const MAX_DEPTH: usize = 64;

/// Control characters other than tab and line breaks, and the bidirectional overrides used to
/// make text read differently from how it is stored ("Trojan Source"), have no place in a
/// report.
fn forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Looks at the document's events before serde_yaml builds anything: aliases (`*nombre`) are
/// refused, because a few hundred bytes of nested aliases expand into gigabytes ("billion
/// laughs"), and nesting is capped. A syntax error is left for serde_yaml to report.
fn prescan(path: &Path, source: &str) -> Result<(), Box<Diagnostic>> {
    use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
    use yaml_rust2::scanner::Marker;

    #[derive(Default)]
    struct Scan {
        depth: usize,
        problem: Option<(&'static str, Marker)>,
    }
    impl MarkedEventReceiver for Scan {
        fn on_event(&mut self, ev: Event, mark: Marker) {
            if self.problem.is_some() {
                return;
            }
            match ev {
                Event::Alias(_) => self.problem = Some(("alias", mark)),
                Event::Scalar(ref v, ..) if v.chars().any(forbidden_char) => {
                    self.problem = Some(("control", mark));
                }
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        self.problem = Some(("depth", mark));
                    }
                }
                Event::SequenceEnd | Event::MappingEnd => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    let mut scan = Scan::default();
    if let Err(e) = Parser::new_from_str(source).load(&mut scan, true)
        && scan.problem.is_none()
        && e.info().contains("recursion")
    {
        // The scanner's own nesting limit can trip before the parser reports the levels.
        scan.problem = Some(("depth", *e.marker()));
    }
    match scan.problem {
        None => Ok(()),
        Some((kind, mark)) => {
            let (message, hint) = if kind == "control" {
                (
                    "el texto contiene caracteres de control o de dirección bidireccional (NUL, U+202E…)",
                    "borre esos caracteres invisibles; suelen llegar al copiar de otro programa",
                )
            } else if kind == "alias" {
                (
                    "los alias de YAML (`*nombre`) no se admiten en el contenido",
                    "escriba el valor completo en cada lugar donde se usa",
                )
            } else {
                (
                    "el documento anida listas o mapas a más de 64 niveles",
                    "el contenido del informe no necesita más de unos pocos niveles; revise la sangría",
                )
            };
            Err(Box::new(
                Diagnostic::error("E-ARCHIVO", path, message)
                    .at(source, mark.line(), Some(mark.col() + 1))
                    .hint(hint),
            ))
        }
    }
}

/// Whether the bytes alone show that `prescan` would find nothing, so that the second parse
/// it costs (a third of the time spent parsing) can be skipped. Conservative: any doubt
/// answers `false`.
/// - No `&`: without anchors an alias cannot expand; both parsers refuse it as an unknown
///   anchor.
/// - No `\`, `!` or line or paragraph separator, and no forbidden character anywhere: then no
///   escape, tag or exotic line break can make one appear in a value.
/// - Nesting: a block collection starts within the leading run of spaces and `-`, `?`, `:`
///   indicators of its line, and each column holds at most two levels (a mapping and the
///   sequence under one of its keys), so block nesting is at most twice the longest such run
///   plus two; flow collections add at most one level per `[` or `{` in the file.
fn prescan_is_redundant(source: &str) -> bool {
    // Whole-buffer passes (memchr's vector search, and a control check the compiler
    // vectorizes) instead of one loop deciding byte by byte: this runs on every file, and
    // that loop was a twentieth of a build's instructions.
    let bytes = source.as_bytes();
    if memchr::memchr3(b'&', b'\\', b'!', bytes).is_some() || has_unusual_char(bytes) {
        return false;
    }
    let flow = memchr::memchr2_iter(b'[', b'{', bytes).count();
    // The longest run of spaces, tabs and `-`, `?`, `:` indicators that starts a line.
    let line_starts =
        std::iter::once(0).chain(memchr::memchr2_iter(b'\n', b'\r', bytes).map(|i| i + 1));
    let longest = line_starts
        .map(|start| {
            bytes[start.min(bytes.len())..]
                .iter()
                .take_while(|&&b| matches!(b, b' ' | b'\t' | b'-' | b'?' | b':'))
                .count()
        })
        .max()
        .unwrap_or(0);
    2 * (longest + 1) + flow <= MAX_DEPTH
}

/// Whether `bytes` hold a control character (C0 other than tab and line breaks, DEL, C1 with
/// NEL), a line or paragraph separator or a bidirectional embedding (U+2028 to U+202E, U+2066
/// to U+2069): what `forbidden_char` refuses, or libyaml reads as a line break.
pub(super) fn has_unusual_char(bytes: &[u8]) -> bool {
    if has_control_byte(bytes) {
        return true;
    }
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    memchr::memchr2_iter(0xC2, 0xE2, bytes).any(|i| {
        if bytes[i] == 0xC2 {
            (0x80..=0x9F).contains(&at(i + 1))
        } else {
            (at(i + 1) == 0x80 && (0xA8..=0xAE).contains(&at(i + 2)))
                || (at(i + 1) == 0x81 && (0xA6..=0xA9).contains(&at(i + 2)))
        }
    })
}

/// Whether `bytes` hold a C0 control other than tab and line breaks, or DEL.
fn has_control_byte(bytes: &[u8]) -> bool {
    bytes.chunks(64).any(|chunk| {
        chunk.iter().fold(false, |found, &b| {
            found | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0x7F)
        })
    })
}

/// Parses one document. `path` is only used to label the diagnostic.
pub fn parse<T: DeserializeOwned>(path: &Path, source: &str) -> Result<T, Box<Diagnostic>> {
    if source.trim().is_empty() {
        return Err(Box::new(Diagnostic::error(
            "E-ARCHIVO",
            path,
            "el archivo está vacío",
        )));
    }
    if !prescan_is_redundant(source) {
        prescan(path, source)?;
    }
    // Block scalars out first (see `blocks`); anything that does not come back whole is read
    // again as written.
    let read = |s: &str| T::deserialize(serde_yaml::Deserializer::from_str(s)).ok();
    if let Some(value) =
        super::blocks::lift(source).and_then(|l| super::blocks::with_texts(l, read))
    {
        return Ok(value);
    }
    // Without path tracking first: its wrappers were a tenth of parsing, and a file with a
    // problem is rare. That file is parsed again with tracking, for the YAML path.
    if let Some(value) = read(source) {
        return Ok(value);
    }
    let de = serde_yaml::Deserializer::from_str(source);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let yaml_path = err.path().to_string();
        let inner = err.into_inner();
        let message = bare_message(&inner);
        let mut d = Diagnostic::error("E-ESQUEMA", path, translate(&message)).path(yaml_path);
        if let Some(h) = suggestion(&message) {
            d = d.hint(h);
        }
        if let Some(loc) = inner.location() {
            d = d.at(source, loc.line(), Some(loc.column()));
        }
        Box::new(d)
    })
}

/// Line and column (both 1-based) where the value at `yaml_path` starts, the path written as
/// diagnostics print it (`anexos[0].archivo`); for problems found after deserialization, when
/// serde_yaml no longer knows positions. `None` when the path is not in the document.
pub fn value_position(source: &str, yaml_path: &str) -> Option<(usize, usize)> {
    use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
    use yaml_rust2::scanner::Marker;

    #[derive(PartialEq)]
    enum Step {
        Key(String),
        Index(usize),
    }
    enum Frame {
        // The key whose value comes next; `None` while a key is expected.
        Map(Option<String>),
        // The index of the next item.
        Seq(usize),
    }
    struct Finder {
        target: Vec<Step>,
        stack: Vec<Frame>,
        found: Option<Marker>,
    }
    impl Finder {
        fn at_target(&self) -> bool {
            self.stack.len() == self.target.len()
                && self
                    .stack
                    .iter()
                    .zip(&self.target)
                    .all(|(f, t)| match (f, t) {
                        (Frame::Map(Some(k)), Step::Key(want)) => k == want,
                        (Frame::Seq(i), Step::Index(want)) => i == want,
                        _ => false,
                    })
        }
        fn advance(&mut self) {
            match self.stack.last_mut() {
                Some(Frame::Map(key)) => *key = None,
                Some(Frame::Seq(next)) => *next += 1,
                None => {}
            }
        }
    }
    impl MarkedEventReceiver for Finder {
        fn on_event(&mut self, ev: Event, mark: Marker) {
            if self.found.is_some() {
                return;
            }
            match ev {
                Event::Scalar(v, ..) => {
                    if let Some(Frame::Map(key @ None)) = self.stack.last_mut() {
                        *key = Some(v);
                        return;
                    }
                    if self.at_target() {
                        self.found = Some(mark);
                    }
                    self.advance();
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    if self.at_target() {
                        self.found = Some(mark);
                    }
                    self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                        Frame::Map(None)
                    } else {
                        Frame::Seq(0)
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    self.stack.pop();
                    self.advance();
                }
                _ => {}
            }
        }
    }

    let mut target = Vec::new();
    for part in yaml_path.split('.') {
        let (key, indexes) = part
            .split_once('[')
            .map_or((part, ""), |(k, rest)| (k, rest));
        if !key.is_empty() {
            target.push(Step::Key(key.to_owned()));
        }
        for i in indexes.split('[').filter(|s| !s.is_empty()) {
            target.push(Step::Index(i.trim_end_matches(']').parse().ok()?));
        }
    }
    let mut finder = Finder {
        target,
        stack: Vec::new(),
        found: None,
    };
    // A syntax error after the value does not matter; one before it leaves `found` empty.
    let _ = Parser::new_from_str(source).load(&mut finder, false);
    finder.found.map(|m| (m.line(), m.col() + 1))
}

/// serde_yaml's Display prefixes the path and appends the position; both are shown apart.
fn bare_message(err: &serde_yaml::Error) -> String {
    let mut s = err.to_string();
    if let Some(i) = s.rfind(" at line ") {
        s.truncate(i);
    }
    if let Some((head, rest)) = s.split_once(": ")
        && !head.contains(' ')
        && (head.starts_with('.')
            || head.contains('[')
            || head
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.'))
        && !rest.is_empty()
        && head != "invalid type"
    {
        return rest.to_owned();
    }
    s
}

/// «¿quisiste decir `termino`?» for a misspelled key or block name: serde lists what it
/// expected, and the closest one within two edits is suggested.
fn suggestion(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (got, expected) = rest.split_once('`')?;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|cand| (strsim::damerau_levenshtein(got, cand), cand))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, cand)| format!("¿quisiste decir `{cand}`?"))
}

/// Spanish wording for the handful of serde messages a webmaster meets.
fn translate(msg: &str) -> String {
    let pairs = [
        ("unknown field", "clave desconocida"),
        ("unknown variant", "bloque o valor desconocido"),
        ("missing field", "falta la clave"),
        ("invalid type", "tipo no válido"),
        ("invalid value", "valor no válido"),
        ("invalid length", "longitud no válida"),
        ("duplicate field", "clave repetida"),
        (
            "unknown anchor",
            "alias de YAML (`*nombre`) sin ancla; los alias no se admiten en el contenido",
        ),
        ("expected one of", "se esperaba una de"),
        ("expected", "se esperaba"),
        ("there are no fields", "no admite claves"),
        ("input contains invalid characters", "fecha no válida"),
        ("premature end of input", "fecha incompleta"),
        (
            "EOF while parsing a value",
            "el documento termina antes de tiempo",
        ),
    ];
    let mut out = msg.to_owned();
    for (en, es) in pairs {
        out = out.replace(en, es);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::raw;

    #[test]
    fn type_error_has_path_and_position() {
        let src = "unidad: X\norden: uno\n";
        let d = parse::<raw::Unit>(Path::new("u.yaml"), src).unwrap_err();
        assert_eq!(d.line, Some(2));
        assert_eq!(d.yaml_path.as_deref(), Some("orden"));
        assert!(d.message.contains("tipo no válido"), "{}", d.message);
    }

    #[test]
    fn unknown_key_names_the_key() {
        let src = "titulo: a\ndescripcion: b\nbase_url: c\nidioma: es-MX\ncolor: rojo\n";
        let d = parse::<raw::Site>(Path::new("s.yaml"), src).unwrap_err();
        assert!(
            d.message.contains("clave desconocida `color`"),
            "{}",
            d.message
        );
        assert_eq!(d.line, Some(5));
    }

    #[test]
    fn misspelled_key_gets_a_suggestion() {
        let src = "titulo: a\ndescripcion: b\nbase_url: c\nidoma: es-MX\n";
        let d = parse::<raw::Site>(Path::new("s.yaml"), src).unwrap_err();
        assert_eq!(d.hint.as_deref(), Some("¿quisiste decir `idioma`?"), "{d}");
    }

    #[test]
    fn aliases_are_refused_before_they_expand() {
        let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..20 {
            let prev = if i == 0 {
                "a".to_owned()
            } else {
                format!("l{}", i - 1)
            };
            src.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let started = std::time::Instant::now();
        let d = parse::<raw::Site>(Path::new("s.yaml"), &src).unwrap_err();
        assert!(d.message.contains("alias"), "{d}");
        assert_eq!(d.line, Some(2));
        assert!(started.elapsed().as_secs() < 2);
    }

    #[test]
    fn control_and_bidi_characters_are_refused() {
        for src in [
            "titulo: \"a\\0b\"\n",
            "titulo: \"abc\u{202e}def\"\n",
            "titulo: \"x\\x07\"\n",
        ] {
            let d = parse::<raw::Site>(Path::new("s.yaml"), src).unwrap_err();
            assert!(d.message.contains("caracteres de control"), "{src:?}: {d}");
        }
    }

    /// The characters `prescan_is_redundant` looks for, by their definition.
    fn forbidden_anywhere(source: &str) -> bool {
        source
            .chars()
            .any(|c| forbidden_char(c) || matches!(c, '\u{2028}' | '\u{2029}'))
    }

    #[test]
    fn the_byte_scan_finds_every_forbidden_character() {
        for c in (0..=0x3000u32).filter_map(char::from_u32) {
            let doc = format!("a: x{c}y\n");
            assert_eq!(
                prescan_is_redundant(&doc),
                !forbidden_anywhere(&doc) && !"&\\!".contains(c),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn an_alias_without_anchor_is_refused_as_an_alias() {
        let src = "titulo: *x\ndescripcion: b\nbase_url: c\n";
        assert!(prescan_is_redundant(src));
        let d = parse::<raw::Site>(Path::new("s.yaml"), src).unwrap_err();
        assert!(d.message.contains("alias de YAML"), "{d}");
        assert_eq!((d.line, d.column), (Some(1), Some(9)));
    }

    /// Nested YAML written every way a level can be opened (block mappings and sequences,
    /// compact `- - `, a sequence under a key at the key's column, an item on the next line
    /// one column in, flow), for the property test.
    fn nested(rng: &mut u64, tight: bool, levels: usize, col: usize, out: &mut String) {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        let pad = " ".repeat(col);
        if levels == 0 {
            out.push_str("x\n");
            return;
        }
        match if tight { 3 } else { *rng % 5 } {
            0 => {
                out.push_str("- ");
                nested(rng, tight, levels - 1, col + 2, out);
            }
            1 => {
                out.push_str(&format!("k:\n{pad}  "));
                nested(rng, tight, levels - 1, col + 2, out);
            }
            2 => {
                out.push_str(&format!("k:\n{pad}- "));
                nested(rng, tight, levels - 2.min(levels), col + 2, out);
            }
            3 if levels > 6 => {
                // The tightest block nesting: two levels per column.
                out.push_str(&format!("k:\n{pad}-\n{pad} "));
                nested(rng, tight, levels - 2.min(levels), col + 1, out);
            }
            3 => {
                out.push_str(&format!("{}x{}\n", "[".repeat(levels), "]".repeat(levels)));
            }
            _ => {
                out.push_str(&format!("- a\n{pad}- "));
                nested(rng, tight, levels - 1, col + 2, out);
            }
        }
    }

    /// Skipping the prescan must never let through what it would refuse: nested documents
    /// around the depth limit, the prescan's verdict checked wherever the bytes say it is not
    /// needed.
    #[test]
    fn prescan_is_skipped_only_where_it_finds_nothing() {
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let (mut skipped, mut refused) = (0, 0);
        for levels in 1..=90 {
            for _ in 0..60 {
                let mut doc = String::new();
                let tight = rng.is_multiple_of(4);
                nested(&mut rng, tight, levels, 0, &mut doc);
                let ok = prescan(Path::new("s.yaml"), &doc).is_ok();
                if prescan_is_redundant(&doc) {
                    skipped += 1;
                    assert!(ok, "skipped a document the prescan refuses:\n{doc}");
                }
                refused += usize::from(!ok);
            }
        }
        assert!(
            skipped > 300 && refused > 300,
            "{skipped} skipped, {refused} refused"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let src = format!("titulo: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let d = parse::<raw::Site>(Path::new("s.yaml"), &src).unwrap_err();
        assert!(d.message.contains("64 niveles"), "{d}");
    }

    #[test]
    fn value_position_follows_the_yaml_path() {
        let src = "anio: 2023\nanexos:\n  - titulo: A\n    archivo: a.pdf\n  - { titulo: B, archivo: \"b.pdf\" }\nnotas: []\n";
        assert_eq!(value_position(src, "anio"), Some((1, 7)));
        assert_eq!(value_position(src, "anexos[0].archivo"), Some((4, 14)));
        assert_eq!(value_position(src, "anexos[1].archivo"), Some((5, 27)));
        assert_eq!(value_position(src, "anexos[1]"), Some((5, 5)));
        assert_eq!(value_position(src, "anexos[2].archivo"), None);
        assert_eq!(value_position(src, "notas"), Some((6, 8)));
    }

    #[test]
    fn empty_file_is_an_error() {
        let d = parse::<raw::Site>(Path::new("s.yaml"), "\n  \n").unwrap_err();
        assert!(d.message.contains("vacío"));
    }
}

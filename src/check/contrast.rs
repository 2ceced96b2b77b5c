//! The theme's colour pairs against the WCAG 2.1 contrast minimums: 4.5:1 for text (1.4.3)
//! and 3:1 for bars, borders and focus rings (1.4.11). Colours are read from the CSS custom
//! properties of `theme/static/estilo.css`; pairs whose variables a theme does not define are
//! skipped.

use crate::diagnostic::{Diagnostic, locate};
use std::collections::BTreeMap;
use std::path::Path;

/// (foreground, background, minimum ratio, what the pair is used for).
const PAIRS: [(&str, &str, f64, &str); 11] = [
    ("texto", "#ffffff", 4.5, "texto sobre blanco"),
    ("tenue", "#ffffff", 4.5, "texto secundario sobre blanco"),
    (
        "tenue",
        "fondo-tabla",
        4.5,
        "texto secundario sobre el fondo de fichas y pie",
    ),
    ("guinda", "#ffffff", 4.5, "enlaces y títulos sobre blanco"),
    (
        "guinda",
        "guinda-claro",
        4.5,
        "texto guinda sobre encabezados de tabla",
    ),
    ("#ffffff", "guinda", 4.5, "texto blanco sobre la cabecera"),
    ("aviso", "aviso-fondo", 4.5, "etiqueta de notas editoriales"),
    ("texto", "aviso-fondo", 4.5, "texto de notas editoriales"),
    ("barra", "pista", 3.0, "barra de avance sobre su pista"),
    ("borde", "#ffffff", 3.0, "bordes de tablas y barras"),
    ("foco", "#ffffff", 3.0, "indicador de foco"),
];

fn parse_hex(v: &str) -> Option<(f64, f64, f64)> {
    let h = v.trim().strip_prefix('#')?;
    let h = match h.len() {
        3 => h.chars().flat_map(|c| [c, c]).collect::<String>(),
        6 => h.to_owned(),
        _ => return None,
    };
    let n = u32::from_str_radix(&h, 16).ok()?;
    let c = |shift: u32| f64::from((n >> shift) & 0xff) / 255.0;
    Some((c(16), c(8), c(0)))
}

fn luminance((r, g, b): (f64, f64, f64)) -> f64 {
    let lin = |c: f64| {
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG contrast ratio between two sRGB colours.
pub(super) fn ratio(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `--name: #hex` declarations (the last one wins, as in CSS).
fn variables(css: &str) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    for decl in css.split([';', '{', '}']) {
        if let Some((name, value)) = decl.trim().split_once(':')
            && let Some(name) = name.trim().strip_prefix("--")
        {
            let value = value.split("/*").next().unwrap_or("").trim();
            if value.starts_with('#') {
                vars.insert(name.to_owned(), value.to_owned());
            }
        }
    }
    vars
}

pub(super) fn check(file: &Path, css: &str, out: &mut Vec<Diagnostic>) {
    let vars = variables(css);
    let colour = |name: &str| {
        if name.starts_with('#') {
            parse_hex(name)
        } else {
            vars.get(name).and_then(|v| parse_hex(v))
        }
    };
    for (fg, bg, min, usage) in PAIRS {
        let (Some(a), Some(b)) = (colour(fg), colour(bg)) else {
            continue;
        };
        let r = ratio(a, b);
        if r + 1e-9 < min {
            let mut d = Diagnostic::error(
                "E-A11Y-CONTRASTE",
                file,
                format!(
                    "contraste de {r:.2}:1 en {usage} (`{fg}` sobre `{bg}`); el mínimo es {min}:1 (WCAG 1.4.3 / 1.4.11)"
                ),
            );
            let var = if fg.starts_with('#') { bg } else { fg };
            if let Some((line, col)) = locate(css, &format!("--{var}:")) {
                d = d.at(css, line, Some(col));
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_ratios_match_wcag_examples() {
        let white = parse_hex("#fff").unwrap();
        assert!((ratio(parse_hex("#000").unwrap(), white) - 21.0).abs() < 1e-9);
        assert!((ratio(parse_hex("#767676").unwrap(), white) - 4.54).abs() < 0.01);
    }

    #[test]
    fn low_contrast_variable_is_located() {
        let css = ":root {\n  --texto: #1b1b1b;\n  --tenue: #aaaaaa;\n}\n";
        let mut out = Vec::new();
        check(Path::new("estilo.css"), css, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].line, Some(3));
        assert!(out[0].message.contains("texto secundario sobre blanco"));
    }
}

//! The SVG that charts are drawn into. plotters lays the chart out; this backend (plotters'
//! extension point for output formats) writes each shape as one element straight into the
//! chart's string.
//!
//! plotters' own SVG backend made a string for every attribute of every shape, escaped them
//! a character at a time, and wrote what SVG already assumes (`opacity="1"`, `stroke="none"`
//! on a filled shape, the font family on every label, font sizes such as
//! `15.000000000000002`): charts were a seventh of a build's instructions and a third of its
//! HTML bytes. The drawing is the same: same shapes, coordinates, colours and text
//! positions.

use crate::render::write_escaped;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};
use std::fmt::Write;

/// Draws into `out`: the elements only; the caller writes the `<svg>` root, whose
/// `font-family` labels in [`super::FONT`] inherit.
pub(crate) struct Svg<'a> {
    out: &'a mut String,
    size: (u32, u32),
    /// The last font size written, and how: a chart uses two or three sizes.
    size_written: (f64, String),
}

impl<'a> Svg<'a> {
    pub(crate) fn new(out: &'a mut String, size: (u32, u32)) -> Self {
        Svg {
            out,
            size,
            size_written: (f64::NAN, String::new()),
        }
    }
}

/// Writing into a `String` cannot fail.
type Drawn = Result<(), DrawingErrorKind<std::convert::Infallible>>;

// Numbers are written with itoa rather than `write!`: a striped bar is a path of a hundred
// points, and formatting them was most of a chart's cost.
fn int(out: &mut String, v: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(v));
}

/// ` name="v"`.
fn attr(out: &mut String, name: &str, v: impl itoa::Integer) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    int(out, v);
    out.push('"');
}

/// ` name="#RRGGBB"`, and the opacity when the colour is not opaque.
fn paint(out: &mut String, name: &str, c: BackendColor) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"#");
    for byte in [c.rgb.0, c.rgb.1, c.rgb.2] {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xF)]));
    }
    out.push('"');
    if c.alpha < 1.0 {
        // Writing to a String cannot fail.
        let _ = write!(out, " opacity=\"{}\"", c.alpha);
    }
}

/// A filled shape's colour, or an outline's (`fill="none"` and the stroke).
fn fill_or_stroke(out: &mut String, fill: bool, c: BackendColor) {
    if fill {
        paint(out, "fill", c);
    } else {
        out.push_str(" fill=\"none\"");
        paint(out, "stroke", c);
    }
}

/// ` points="x,y x,y …"`.
fn points(out: &mut String, path: impl IntoIterator<Item = BackendCoord>) {
    out.push_str(" points=\"");
    for (i, (x, y)) in path.into_iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        int(out, x);
        out.push(',');
        int(out, y);
    }
    out.push('"');
}

/// A length as SVG reads it: at most two decimals, no trailing zeros.
fn length(v: f64) -> String {
    // Through the number formatting's fast path (no grouping below 1,000, which a chart's
    // lengths never reach): `format!` was a twelfth of a chart's instructions.
    if v.is_sign_positive() && v < 1000.0 {
        return crate::format::number(v, 2);
    }
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Writes one element with `write`, unless its colour is fully transparent.
fn element(out: &mut String, color: BackendColor, write: impl FnOnce(&mut String)) -> Drawn {
    if color.alpha > 0.0 {
        write(out);
    }
    Ok(())
}

impl DrawingBackend for Svg<'_> {
    type ErrorType = std::convert::Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        Ok(())
    }

    fn draw_pixel(&mut self, (x, y): BackendCoord, color: BackendColor) -> Drawn {
        self.draw_rect((x, y), (x + 1, y + 1), &color, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        (x1, y1): BackendCoord,
        (x2, y2): BackendCoord,
        style: &S,
    ) -> Drawn {
        element(self.out, style.color(), |out| {
            out.push_str("<line");
            attr(out, "x1", x1);
            attr(out, "y1", y1);
            attr(out, "x2", x2);
            attr(out, "y2", y2);
            paint(out, "stroke", style.color());
            attr(out, "stroke-width", style.stroke_width());
            out.push_str("/>\n");
        })
    }

    /// Outlines are one pixel wide whatever the style says, as plotters' SVG backend drew
    /// them.
    fn draw_rect<S: BackendStyle>(
        &mut self,
        (x0, y0): BackendCoord,
        (x1, y1): BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        element(self.out, style.color(), |out| {
            out.push_str("<rect");
            attr(out, "x", x0);
            attr(out, "y", y0);
            attr(out, "width", x1 - x0);
            attr(out, "height", y1 - y0);
            fill_or_stroke(out, fill, style.color());
            out.push_str("/>\n");
        })
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        element(self.out, style.color(), |out| {
            out.push_str("<polyline");
            fill_or_stroke(out, false, style.color());
            attr(out, "stroke-width", style.stroke_width());
            points(out, path);
            out.push_str("/>\n");
        })
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        element(self.out, style.color(), |out| {
            out.push_str("<polygon");
            paint(out, "fill", style.color());
            points(out, path);
            out.push_str("/>\n");
        })
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        (cx, cy): BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        element(self.out, style.color(), |out| {
            out.push_str("<circle");
            attr(out, "cx", cx);
            attr(out, "cy", cy);
            attr(out, "r", radius);
            fill_or_stroke(out, fill, style.color());
            if !fill {
                attr(out, "stroke-width", style.stroke_width());
            }
            out.push_str("/>\n");
        })
    }

    /// Anchored by SVG's `text-anchor` and a `dy` shift, as plotters' SVG backend did, so
    /// the browser places the text with the font it has.
    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        (x, y): BackendCoord,
    ) -> Drawn {
        // Sizes are given in points; SVG reads pixels.
        let size = style.size();
        if self.size_written.0 != size {
            self.size_written = (size, length(size / 1.24));
        }
        let size = &self.size_written.1;
        element(self.out, style.color(), |out| {
            let dy = match style.anchor().v_pos {
                VPos::Top => "0.76em",
                VPos::Center => "0.5ex",
                VPos::Bottom => "-0.5ex",
            };
            out.push_str("<text");
            attr(out, "x", x);
            attr(out, "y", y);
            out.push_str(" dy=\"");
            out.push_str(dy);
            out.push('"');
            match style.anchor().h_pos {
                HPos::Left => {}
                HPos::Center => out.push_str(" text-anchor=\"middle\""),
                HPos::Right => out.push_str(" text-anchor=\"end\""),
            }
            let family = style.family();
            if family.as_str() != super::FONT {
                out.push_str(" font-family=\"");
                let _ = write_escaped(out, family.as_str());
                out.push('"');
            }
            out.push_str(" font-size=\"");
            out.push_str(size);
            out.push('"');
            match style.style() {
                FontStyle::Normal => {}
                FontStyle::Bold => out.push_str(" font-weight=\"bold\""),
                other => {
                    out.push_str(" font-style=\"");
                    out.push_str(other.as_str());
                    out.push('"');
                }
            }
            paint(out, "fill", style.color());
            let angle = match style.transform() {
                FontTransform::Rotate90 => Some(90),
                FontTransform::Rotate180 => Some(180),
                FontTransform::Rotate270 => Some(270),
                FontTransform::None => None,
            };
            if let Some(a) = angle {
                let _ = write!(out, " transform=\"rotate({a}, {x}, {y})\"");
            }
            out.push('>');
            // Writing to a String cannot fail.
            let _ = write_escaped(out, text);
            out.push_str("</text>\n");
        })
    }
}

#[cfg(test)]
mod tests {
    use super::length;

    #[test]
    fn lengths_keep_two_decimals_at_most() {
        assert_eq!(length(15.000000000000002), "15");
        assert_eq!(length(12.5), "12.5");
        assert_eq!(length(10.0 / 3.0), "3.33");
    }
}

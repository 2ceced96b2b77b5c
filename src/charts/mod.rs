//! CHARTS: one module per chart kind, each a pure function from a resolved [`Chart`] to SVG.
//!
//! Text is measured with DejaVu Sans registered from bytes the build ships (the `dejavu`
//! crate), never with the machine's fonts, so the same content gives the same SVG bytes on any
//! machine. Titles and subtitles live in the surrounding HTML `<figure>`, where they wrap and
//! are read by screen readers; the SVG gets `role="img"`, a `<title>` and a `<desc>` with the
//! text alternative generated from the data.

mod backend;
mod grouped_bars;
mod progress;
mod ranking;
mod training;

use crate::model::{Chart, ChartKind};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::OnceLock;

/// A chart that could not be drawn (a font or backend failure, never bad content: content
/// problems are diagnostics raised by `validate`).
#[derive(Debug, thiserror::Error)]
#[error("no se pudo dibujar la gráfica `{id}`: {message}")]
pub struct ChartError {
    pub id: String,
    pub message: String,
}

pub(crate) type Area<'a> = DrawingArea<backend::Svg<'a>, Shift>;
pub(crate) type Draw = Result<(), String>;

/// Width of every chart's coordinate space; the SVG scales to its container.
pub(crate) const WIDTH: u32 = 560;
pub(crate) const FONT: &str = "sans-serif";

pub(crate) const INK: RGBColor = RGBColor(0x1b, 0x1b, 0x1b);
pub(crate) const MUTED: RGBColor = RGBColor(0x4a, 0x4a, 0x4a);
/// Series colours, all at least 3:1 against white (WCAG 1.4.11).
pub(crate) const GUINDA: RGBColor = RGBColor(0x6a, 0x1b, 0x31);
pub(crate) const GREEN: RGBColor = RGBColor(0x2e, 0x6b, 0x3f);
pub(crate) const GRAY: RGBColor = RGBColor(0x59, 0x59, 0x59);
pub(crate) const TRACK: RGBColor = RGBColor(0x76, 0x76, 0x76);
pub(crate) const GRID: RGBColor = RGBColor(0xd9, 0xd9, 0xd9);

fn fonts() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            // plotters' `InvalidFont` has no Debug; map it to text before reporting.
            plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "DejaVu Sans no es una fuente válida".to_owned())?;
            plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold())
                .map_err(|_| "DejaVu Sans Bold no es una fuente válida".to_owned())
        })
        .clone()
}

/// How a series is told apart without colour: solid, striped, or outlined.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fill {
    Solid(RGBColor),
    Striped(RGBColor),
    Outline(RGBColor),
}

/// The fill of the n-th series.
pub(crate) fn series_fill(i: usize) -> Fill {
    match i % 3 {
        0 => Fill::Solid(GUINDA),
        1 => Fill::Striped(GREEN),
        _ => Fill::Outline(GRAY),
    }
}

pub(crate) fn text_style(
    size: u32,
    bold: bool,
    color: RGBColor,
    h: HPos,
    v: VPos,
) -> TextStyle<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    // Font sizes are in points, and the backend writes them divided by 1.24 (points to
    // pixels); scale up so the drawn text has the nominal pixel size. Measurements then err
    // on the generous side.
    (FONT, f64::from(size) * 1.24, style)
        .into_font()
        .color(&color)
        .pos(Pos::new(h, v))
}

pub(crate) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub(crate) fn text(area: &Area<'_>, s: &str, at: (i32, i32), style: &TextStyle<'_>) -> Draw {
    // Straight to the backend: a `Text` element owns its style, and cloning one copies the
    // parsed font tables (a few kilobytes) for every label.
    area.draw_text(s, style, at).map_err(err)
}

pub(crate) fn text_width(area: &Area<'_>, s: &str, style: &TextStyle<'_>) -> u32 {
    use std::cell::RefCell;
    use std::collections::HashMap;
    /// A width depends only on the text and the font; the charts of every quarter measure
    /// the same month, unit and legend labels, and plotters measures glyph by glyph (1.6 % of
    /// a build's instructions). Kept per thread, bounded.
    type Widths = HashMap<(String, u64, bool, bool), u32, foldhash::fast::FixedState>;
    thread_local! {
        static WIDTHS: RefCell<Widths> = RefCell::default();
    }
    let font = &style.font;
    if font.get_family().as_str() != FONT {
        return area.estimate_text_size(s, style).map_or(0, |(w, _)| w);
    }
    let bold = matches!(font.get_style(), FontStyle::Bold);
    let turned = !matches!(font.get_transform(), FontTransform::None);
    let key = (s.to_owned(), font.get_size().to_bits(), bold, turned);
    WIDTHS.with_borrow_mut(|widths| {
        if let Some(&w) = widths.get(&key) {
            return w;
        }
        if widths.len() >= 4096 {
            widths.clear();
        }
        let w = area.estimate_text_size(s, style).map_or(0, |(w, _)| w);
        widths.insert(key, w);
        w
    })
}

/// Draws a bar in the given fill; stripes are horizontal lines every 4 px inside the bar.
pub(crate) fn bar(area: &Area<'_>, (x0, y0): (i32, i32), (x1, y1): (i32, i32), fill: Fill) -> Draw {
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    if x1 - x0 < 1 || y1 - y0 < 1 {
        return Ok(());
    }
    match fill {
        Fill::Solid(c) => area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))
            .map_err(err),
        Fill::Striped(c) => {
            area.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled()))
                .map_err(err)?;
            // One zig-zag line instead of one line per stripe: its vertical legs run along
            // the bar's sides, under the border drawn next, so it looks the same and a
            // 12-month chart's SVG shrinks from ~47 KB to ~10 KB.
            let mut zigzag = Vec::new();
            let mut y = y0 + 2;
            let mut left_to_right = true;
            while y < y1 {
                let (a, b) = if left_to_right { (x0, x1) } else { (x1, x0) };
                zigzag.push((a, y));
                zigzag.push((b, y));
                left_to_right = !left_to_right;
                y += 4;
            }
            area.draw(&PathElement::new(zigzag, c.stroke_width(2)))
                .map_err(err)?;
            area.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.stroke_width(2)))
                .map_err(err)
        }
        Fill::Outline(c) => {
            area.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled()))
                .map_err(err)?;
            area.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.stroke_width(2)))
                .map_err(err)
        }
    }
}

/// A legend row: swatch + label for each entry, wrapping onto new rows. Returns the height used.
pub(crate) fn legend(
    area: &Area<'_>,
    entries: &[(String, Fill)],
    top: i32,
    left: i32,
) -> Result<i32, String> {
    let style = text_style(15, false, INK, HPos::Left, VPos::Center);
    let (mut x, mut y) = (left, top + 10);
    for (label, fill) in entries {
        let w = 22 + text_width(area, label, &style) as i32 + 24;
        if x + w > WIDTH as i32 - 8 && x > left {
            x = left;
            y += 26;
        }
        bar(area, (x, y - 8), (x + 16, y + 8), *fill)?;
        text(area, label, (x + 22, y), &style)?;
        x += w;
    }
    Ok(y - top + 18)
}

/// Splits text into lines no wider than `max` px.
pub(crate) fn wrap(area: &Area<'_>, s: &str, style: &TextStyle<'_>, max: u32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in s.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if text_width(area, &candidate, style) > max && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
            current = word.to_owned();
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// A "nice" upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten, above `max`.
pub(crate) fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|v| *v >= max * 1.05)
        .unwrap_or(10.0 * mag)
}

/// Draws the chart into a scalable `<svg>` root carrying its accessible name (`<title>`)
/// and description (`<desc>`).
pub fn svg(chart: &Chart) -> Result<String, ChartError> {
    let fail = |message: String| ChartError {
        id: chart.id.clone(),
        message,
    };
    fonts().map_err(fail)?;
    let height = match chart.kind {
        ChartKind::GroupedBars => grouped_bars::height(chart),
        ChartKind::Ranking => ranking::height(chart),
        ChartKind::Training => training::height(chart),
        ChartKind::Progress => progress::height(chart),
    };
    let id = crate::render::escape(&chart.id);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         class=\"grafica-svg\" role=\"img\" aria-labelledby=\"{id}-svg-titulo {id}-svg-desc\" font-family=\"{FONT}\">\
         <title id=\"{id}-svg-titulo\">{}</title><desc id=\"{id}-svg-desc\">{}</desc>",
        crate::render::escape(&chart.title),
        crate::render::escape(&chart.description),
    );
    {
        let area = backend::Svg::new(&mut out, (WIDTH, height)).into_drawing_area();
        area.fill(&WHITE).map_err(err).map_err(fail)?;
        match chart.kind {
            ChartKind::GroupedBars => grouped_bars::draw(&area, chart),
            ChartKind::Ranking => ranking::draw(&area, chart),
            ChartKind::Training => training::draw(&area, chart),
            ChartKind::Progress => progress::draw(&area, chart),
        }
        .map_err(fail)?;
        area.present().map_err(err).map_err(fail)?;
    }
    out.push_str("</svg>");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axis_bounds() {
        assert_eq!(nice_max(30.0), 50.0);
        assert_eq!(nice_max(100.0), 200.0);
        assert_eq!(nice_max(95.0), 100.0);
        assert_eq!(nice_max(967.0), 1000.0);
        assert_eq!(nice_max(0.0), 1.0);
    }
}

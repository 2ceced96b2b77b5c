//! Horizontal bars sorted from highest to lowest, with the highlighted category (Chiapas)
//! drawn in the accent colour, in bold, and marked with its place, so it stands out without
//! relying on colour.

use super::{Area, Draw, Fill, GRAY, GUINDA, INK, WIDTH, bar, err, text, text_style, text_width};
use crate::format::number;
use crate::model::Chart;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

const ROW: i32 = 32;
const TOP: i32 = 8;

pub(super) fn height(chart: &Chart) -> u32 {
    (TOP * 2 + ROW * chart.data.categories.len() as i32 + 8) as u32
}

pub(super) fn draw(area: &Area<'_>, chart: &Chart) -> Draw {
    let d = &chart.data;
    let Some(s) = d.series.first() else {
        return Ok(());
    };
    let label_style = text_style(15, false, INK, HPos::Right, VPos::Center);
    let bold_style = text_style(15, true, GUINDA, HPos::Right, VPos::Center);
    let label_w = d
        .categories
        .iter()
        .map(|c| text_width(area, c, &bold_style))
        .max()
        .unwrap_or(0) as i32;
    let left = label_w + 16;
    let value_room = 150;
    let plot_w = WIDTH as i32 - left - value_room;
    let max = s
        .values
        .iter()
        .flatten()
        .fold(0.0f64, |a, b| a.max(*b))
        .max(1.0);
    area.draw(&PathElement::new(
        vec![(left, TOP), (left, TOP + ROW * d.categories.len() as i32)],
        INK.stroke_width(1),
    ))
    .map_err(err)?;
    for (i, cat) in d.categories.iter().enumerate() {
        let y = TOP + ROW * i as i32;
        let mid = y + ROW / 2;
        let highlighted = chart.highlight.as_deref() == Some(cat.as_str());
        let v = s.values.get(i).copied().flatten().unwrap_or(0.0);
        let w = ((v / max) * f64::from(plot_w)).round() as i32;
        let fill = if highlighted {
            Fill::Solid(GUINDA)
        } else {
            Fill::Solid(GRAY)
        };
        text(
            area,
            cat,
            (left - 8, mid),
            if highlighted {
                &bold_style
            } else {
                &label_style
            },
        )?;
        bar(area, (left, y + 5), (left + w, y + ROW - 5), fill)?;
        let value = if highlighted {
            format!("{} (lugar {})", number(v, 2), i + 1)
        } else {
            number(v, 2)
        };
        let style = text_style(
            15,
            highlighted,
            if highlighted { GUINDA } else { INK },
            HPos::Left,
            VPos::Center,
        );
        text(area, &value, (left + w + 6, mid), &style)?;
    }
    Ok(())
}

//! Progress of each action line's goal: a 0–100 % track per line with the figure at its end,
//! or «sin avance reportado» where the report gives none.

use super::{Area, Draw, Fill, GUINDA, INK, MUTED, TRACK, WIDTH, bar, text, text_style};
use crate::format::percent;
use crate::model::Chart;
use plotters::style::text_anchor::{HPos, VPos};

const ROW: i32 = 32;
const TOP: i32 = 8;
const LEFT: i32 = 84;

pub(super) fn height(chart: &Chart) -> u32 {
    (TOP * 2 + ROW * chart.data.categories.len() as i32 + 4) as u32
}

pub(super) fn draw(area: &Area<'_>, chart: &Chart) -> Draw {
    let d = &chart.data;
    let Some(s) = d.series.first() else {
        return Ok(());
    };
    let label_style = text_style(15, false, INK, HPos::Right, VPos::Center);
    let value_style = text_style(15, true, INK, HPos::Left, VPos::Center);
    let none_style = text_style(14, false, MUTED, HPos::Left, VPos::Center);
    let plot_w = WIDTH as i32 - LEFT - 190;
    for (i, cat) in d.categories.iter().enumerate() {
        let y = TOP + ROW * i as i32;
        let mid = y + ROW / 2;
        text(area, cat, (LEFT - 8, mid), &label_style)?;
        bar(
            area,
            (LEFT, y + 7),
            (LEFT + plot_w, y + ROW - 7),
            Fill::Outline(TRACK),
        )?;
        match s.values.get(i).copied().flatten() {
            Some(v) => {
                let w = ((v.clamp(0.0, 100.0) / 100.0) * f64::from(plot_w)).round() as i32;
                bar(
                    area,
                    (LEFT, y + 7),
                    (LEFT + w, y + ROW - 7),
                    Fill::Solid(GUINDA),
                )?;
                text(
                    area,
                    &percent(v, 2).replace('\u{a0}', " "),
                    (LEFT + plot_w + 8, mid),
                    &value_style,
                )?;
            }
            None => text(
                area,
                "sin avance reportado",
                (LEFT + plot_w + 8, mid),
                &none_style,
            )?,
        }
    }
    Ok(())
}

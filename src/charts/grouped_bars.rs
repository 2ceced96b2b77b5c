//! Vertical bars, one group per category and one bar per series, each bar labelled with its
//! value. Used for the monthly maintenance schedule and the transparency requests by year.

use super::{
    Area, Draw, GRID, INK, MUTED, WIDTH, bar, err, legend, nice_max, series_fill, text, text_style,
    text_width,
};
use crate::format::number;
use crate::model::Chart;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

const LEFT: i32 = 56;
const RIGHT: i32 = 12;
const PLOT_HEIGHT: i32 = 280;
const LEGEND: i32 = 64;
const BOTTOM: i32 = 40;

pub(super) fn height(_chart: &Chart) -> u32 {
    (LEGEND + PLOT_HEIGHT + BOTTOM) as u32
}

pub(super) fn draw(area: &Area<'_>, chart: &Chart) -> Draw {
    let d = &chart.data;
    let entries: Vec<_> = d
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                format!("{} (total: {})", s.name, number(s.total, 2)),
                series_fill(i),
            )
        })
        .collect();
    legend(area, &entries, 4, LEFT)?;

    let max = d
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b));
    let top_value = nice_max(max);
    let bottom = LEGEND + PLOT_HEIGHT;
    let plot_w = WIDTH as i32 - LEFT - RIGHT;
    let y_of = |v: f64| bottom - ((v / top_value) * f64::from(PLOT_HEIGHT)).round() as i32;

    // A few horizontal guides with their values, so the scale is readable without colour.
    let tick_style = text_style(13, false, MUTED, HPos::Right, VPos::Center);
    // nice_max returns 1, 2, 2.5 or 5 × 10^k: 4 steps for 2 × 10^k, 5 otherwise, so every
    // guide falls on a round number.
    let mantissa = top_value / 10f64.powf(top_value.log10().floor());
    let steps = if (mantissa - 2.0).abs() < 1e-9 { 4 } else { 5 };
    for k in 0..=steps {
        let v = top_value * f64::from(k) / f64::from(steps);
        let y = y_of(v);
        let color = if k == 0 { INK } else { GRID };
        area.draw(&PathElement::new(
            vec![(LEFT, y), (LEFT + plot_w, y)],
            color.stroke_width(1),
        ))
        .map_err(err)?;
        text(area, &number(v, 1), (LEFT - 6, y), &tick_style)?;
    }

    let n = d.categories.len().max(1) as i32;
    let k = d.series.len().max(1) as i32;
    let group_w = plot_w / n;
    let bar_w = ((group_w * 8 / 10) / k).max(2);
    let value_style = text_style(
        if bar_w < 24 { 12 } else { 14 },
        true,
        INK,
        HPos::Center,
        VPos::Bottom,
    );
    let cat_style = text_style(13, false, INK, HPos::Center, VPos::Top);
    for (c, cat) in d.categories.iter().enumerate() {
        let gx = LEFT + group_w * c as i32 + (group_w - bar_w * k) / 2;
        for (i, s) in d.series.iter().enumerate() {
            let x0 = gx + bar_w * i as i32;
            match s.values.get(c).copied().flatten() {
                Some(v) => {
                    bar(
                        area,
                        (x0, y_of(v)),
                        (x0 + bar_w - 1, bottom),
                        series_fill(i),
                    )?;
                    text(
                        area,
                        &number(v, 2),
                        (x0 + bar_w / 2, y_of(v) - 2),
                        &value_style,
                    )?;
                }
                None => text(area, "s/d", (x0 + bar_w / 2, bottom - 2), &value_style)?,
            }
        }
        // Month names are shortened when they would not fit under their group («Sep.»).
        let label = if text_width(area, cat, &cat_style) as i32 > group_w - 2 {
            format!("{}.", cat.chars().take(3).collect::<String>())
        } else {
            cat.clone()
        };
        text(
            area,
            &label,
            (LEFT + group_w * c as i32 + group_w / 2, bottom + 6),
            &cat_style,
        )?;
    }
    Ok(())
}

//! Training events: one stacked bar per event (women solid, men striped, participants without
//! a breakdown outlined), the event's name above its bar, and the quarter's totals, computed
//! here from the events, in the legend.

use super::{
    Area, Draw, Fill, GRAY, GREEN, GUINDA, INK, WIDTH, bar, legend, text, text_style, wrap,
};
use crate::format::number;
use crate::model::Chart;
use plotters::style::text_anchor::{HPos, VPos};

const LEFT: i32 = 8;
const LEGEND: i32 = 64;
const LINE: i32 = 20;
const BAR: i32 = 22;
const GAP: i32 = 14;
const WRAP_AT: u32 = WIDTH - 16;

fn rows(chart: &Chart) -> Vec<usize> {
    // Line counts are estimated without a drawing area: ~55 characters per line at 15 px.
    chart
        .data
        .categories
        .iter()
        .map(|c| c.chars().count().div_ceil(55).max(1))
        .collect()
}

pub(super) fn height(chart: &Chart) -> u32 {
    let body: i32 = rows(chart)
        .iter()
        .map(|n| *n as i32 * LINE + BAR + GAP + 4)
        .sum();
    (LEGEND + body + 8) as u32
}

pub(super) fn draw(area: &Area<'_>, chart: &Chart) -> Draw {
    let d = &chart.data;
    let [p, w, m] = [&d.series[0], &d.series[1], &d.series[2]];
    legend(
        area,
        &[
            (
                format!("Mujeres (total: {})", number(w.total, 0)),
                Fill::Solid(GUINDA),
            ),
            (
                format!("Hombres (total: {})", number(m.total, 0)),
                Fill::Striped(GREEN),
            ),
            ("Sin desglose por sexo".to_owned(), Fill::Outline(GRAY)),
        ],
        4,
        LEFT,
    )?;
    let name_style = text_style(15, false, INK, HPos::Left, VPos::Top);
    let value_style = text_style(14, true, INK, HPos::Left, VPos::Center);
    let max = p
        .values
        .iter()
        .flatten()
        .fold(0.0f64, |a, b| a.max(*b))
        .max(1.0);
    let plot_w = f64::from(WIDTH as i32 - LEFT - 250);
    let scale = |v: f64| (v / max * plot_w).round() as i32;
    let mut y = LEGEND;
    for (i, name) in d.categories.iter().enumerate() {
        let lines = wrap(area, name, &name_style, WRAP_AT);
        let budget = rows(chart)[i];
        for (k, line) in lines.iter().take(budget).enumerate() {
            let shown = if k + 1 == budget && lines.len() > budget {
                format!("{line}…")
            } else {
                line.clone()
            };
            text(area, &shown, (LEFT, y + LINE * k as i32), &name_style)?;
        }
        y += LINE * budget as i32 + 2;
        let total = p.values[i].unwrap_or(0.0);
        let women = w.values[i].unwrap_or(0.0);
        let men = m.values[i].unwrap_or(0.0);
        let x_w = LEFT + scale(women);
        let x_m = x_w + scale(men);
        let x_t = LEFT + scale(total).max(x_m - LEFT);
        bar(area, (LEFT, y), (x_t, y + BAR), Fill::Outline(GRAY))?;
        bar(area, (LEFT, y), (x_w, y + BAR), Fill::Solid(GUINDA))?;
        bar(area, (x_w, y), (x_m, y + BAR), Fill::Striped(GREEN))?;
        let mut label = format!("{} participantes", number(total, 0));
        if w.values[i].is_some() || m.values[i].is_some() {
            label.push_str(&format!(" ({} M, {} H)", number(women, 0), number(men, 0)));
        }
        text(area, &label, (x_t + 8, y + BAR / 2), &value_style)?;
        y += BAR + GAP + 2;
    }
    Ok(())
}

//! Charts as data: a declaration from content resolved against its table or the quarter's
//! events, plus the text alternative generated from the numbers. Drawing is `crate::charts`.

use super::{ActionLine, Event, Table, Unit};
use crate::content::raw;
use crate::format::{number, percent};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    GroupedBars,
    Ranking,
    Training,
    Progress,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub id: String,
    pub label: Option<String>,
    pub kind: ChartKind,
    pub title: String,
    pub subtitle: String,
    /// Declared data source (table id or `eventos`), kept for diagnostics.
    pub origin: String,
    pub unit_name: Option<String>,
    pub highlight: Option<String>,
    pub data: ChartData,
    /// Text alternative, generated from the data.
    pub description: String,
    /// Why the declaration could not be resolved; reported by `validate`.
    #[serde(skip)]
    pub problem: Option<String>,
    /// The declaration, kept to resolve it once the whole quarter is known.
    #[serde(skip)]
    pub(super) decl: Option<raw::Chart>,
}

/// Templates also get `rows` and `has_notes` (see the `texts` module).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartData {
    pub category_header: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Per category, a remark shown in the data table (e.g. «desglose de personas acreditadas»).
    pub notes: Vec<Option<String>>,
}

/// Templates also get `total_text` (see the `texts` module).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    pub total: f64,
}

impl Series {
    fn new(name: &str, values: Vec<Option<f64>>) -> Series {
        Series {
            name: name.to_owned(),
            total: values.iter().flatten().sum(),
            values,
        }
    }
}

/// Resolves a declared chart. `tables` are the unit's own; `events` the whole quarter's.
pub(super) fn resolve(c: &raw::Chart, tables: &[&Table], events: &[Event]) -> Chart {
    let kind = match c.tipo {
        raw::ChartKind::GroupedBars => ChartKind::GroupedBars,
        raw::ChartKind::Ranking => ChartKind::Ranking,
        raw::ChartKind::Training => ChartKind::Training,
    };
    let resolved = match kind {
        ChartKind::Training if c.origen == "eventos" => Ok(training_data(events)),
        ChartKind::Training => {
            Err("una gráfica de `capacitacion` usa `origen: eventos`".to_owned())
        }
        _ => table_data(c, tables),
    };
    let (data, problem) = match resolved {
        Ok(d) => (d, None),
        Err(e) => (ChartData::default(), Some(e)),
    };
    let mut chart = Chart {
        id: c.id.clone(),
        label: c.numero.clone(),
        kind,
        title: c.titulo.clone(),
        subtitle: c.subtitulo.clone(),
        origin: c.origen.clone(),
        unit_name: c.unidad.clone(),
        highlight: c.resaltar.clone(),
        data,
        description: String::new(),
        problem,
        decl: Some(c.clone()),
    };
    if kind == ChartKind::Ranking
        && let Some(h) = &chart.highlight
        && chart.problem.is_none()
        && !chart.data.categories.contains(h)
    {
        chart.problem = Some(format!("`resaltar: {h}` no es una categoría de la tabla"));
    }
    if kind == ChartKind::Ranking && chart.data.series.len() != 1 && chart.problem.is_none() {
        chart.problem =
            Some("una gráfica de `clasificacion` dibuja exactamente una serie".to_owned());
    }
    if kind == ChartKind::Ranking {
        sort_descending(&mut chart.data);
    }
    chart.description = describe(&chart);
    chart
}

fn table_data(c: &raw::Chart, tables: &[&Table]) -> Result<ChartData, String> {
    let table = tables
        .iter()
        .find(|t| t.id == c.origen)
        .ok_or_else(|| format!("no hay una tabla con id `{}` en esta unidad", c.origen))?;
    let col = |name: &str| {
        table
            .columns
            .iter()
            .position(|col| col.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
                format!(
                    "la tabla `{}` no tiene la columna «{name}»; columnas: {}",
                    table.id,
                    names.join(", ")
                )
            })
    };
    let cat = match &c.categorias {
        Some(name) => col(name)?,
        None => 0,
    };
    if c.series.is_empty() {
        return Err("indique en `series` qué columnas dibujar".to_owned());
    }
    let mut series = Vec::new();
    for name in &c.series {
        let i = col(name)?;
        let mut values = Vec::new();
        for (r, row) in table.rows.iter().enumerate() {
            match row.get(i) {
                Some(super::Cell::Number(n)) => values.push(Some(*n)),
                Some(super::Cell::Empty(_)) | None => values.push(None),
                Some(super::Cell::Text(t)) => {
                    return Err(format!(
                        "la columna «{name}» de la tabla `{}` tiene texto en la fila {} («{t}»); solo se grafican números",
                        table.id,
                        r + 1
                    ));
                }
            }
        }
        series.push(Series::new(name, values));
    }
    let categories = table
        .rows
        .iter()
        .map(|r| match r.get(cat) {
            Some(super::Cell::Text(t)) => t.clone(),
            Some(super::Cell::Number(n)) => number(*n, 6),
            _ => String::new(),
        })
        .collect::<Vec<_>>();
    Ok(ChartData {
        category_header: table.columns[cat].name.clone(),
        notes: vec![None; categories.len()],
        categories,
        series,
    })
}

fn training_data(events: &[Event]) -> ChartData {
    let get = |f: fn(&Event) -> Option<u32>| events.iter().map(|e| f(e).map(f64::from)).collect();
    ChartData {
        category_header: "Evento".to_owned(),
        categories: events.iter().map(|e| e.name.clone()).collect(),
        series: vec![
            Series::new("Participantes", get(|e| Some(e.participants))),
            Series::new("Mujeres", get(|e| e.women)),
            Series::new("Hombres", get(|e| e.men)),
        ],
        notes: events
            .iter()
            .map(|e| {
                e.breakdown
                    .as_ref()
                    .map(|b| format!("el desglose por sexo cuenta a las personas {b}"))
            })
            .collect(),
    }
}

/// Highest first; ties keep the table's order (a stable sort).
fn sort_descending(d: &mut ChartData) {
    let Some(s) = d.series.first() else { return };
    let mut order: Vec<usize> = (0..d.categories.len()).collect();
    order.sort_by(|&a, &b| {
        let va = s.values[a].unwrap_or(f64::MIN);
        let vb = s.values[b].unwrap_or(f64::MIN);
        vb.total_cmp(&va)
    });
    d.categories = order.iter().map(|&i| d.categories[i].clone()).collect();
    d.notes = order.iter().map(|&i| d.notes[i].clone()).collect();
    for s in &mut d.series {
        s.values = order.iter().map(|&i| s.values[i]).collect();
    }
}

/// The unit's progress chart, built for every unit (not declared in content).
pub(super) fn progress_chart(unit: &Unit, quarter: &str) -> Chart {
    let lines: &[ActionLine] = &unit.lines;
    let values: Vec<Option<f64>> = lines
        .iter()
        .map(|l| l.progress.as_ref().map(|p| p.percent))
        .collect();
    let reported = values.iter().flatten().count();
    let mut chart = Chart {
        id: format!("avance-{}", unit.slug),
        label: None,
        kind: ChartKind::Progress,
        title: format!(
            "{} de {} líneas de acción de la unidad reportan avance de su meta",
            reported,
            lines.len()
        ),
        subtitle: format!(
            "Avance de la meta de cada línea de acción, en porcentaje. {}, {quarter}. Fuente: informe trimestral de la unidad.",
            unit.name
        ),
        origin: String::new(),
        unit_name: None,
        highlight: None,
        data: ChartData {
            category_header: "Línea de acción".to_owned(),
            categories: lines
                .iter()
                .map(|l| format!("Línea {}", l.number))
                .collect(),
            series: vec![Series::new("Avance (%)", values)],
            notes: lines
                .iter()
                .map(|l| match &l.progress {
                    Some(p) if p.computed => Some(format!(
                        "{} de {}",
                        number(p.achieved.unwrap_or_default(), 2),
                        number(p.target.unwrap_or_default(), 2)
                    )),
                    Some(_) => None,
                    None => Some("sin avance reportado".to_owned()),
                })
                .collect(),
        },
        description: String::new(),
        problem: None,
        decl: None,
    };
    chart.description = describe(&chart);
    chart
}

fn join_es(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} y {last}", init.join(", ")),
    }
}

/// The text alternative: every number a sighted reader gets from the chart, in sentences.
fn describe(c: &Chart) -> String {
    let d = &c.data;
    if d.categories.is_empty() {
        return String::new();
    }
    let unit = c.unit_name.as_deref().unwrap_or("");
    let amount = |v: f64| {
        if unit.is_empty() {
            number(v, 2)
        } else {
            format!("{} {unit}", number(v, 2))
        }
    };
    match c.kind {
        ChartKind::GroupedBars => {
            let mut parts = Vec::new();
            for s in &d.series {
                let max = s
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| (i, v)))
                    .fold(None::<(usize, f64)>, |best, (i, v)| match best {
                        Some((_, b)) if b >= v => best,
                        _ => Some((i, v)),
                    });
                let mut p = format!("{}: {} en total", s.name, amount(s.total));
                if let Some((i, v)) = max {
                    p.push_str(&format!(
                        "; el valor más alto es {} ({})",
                        number(v, 2),
                        d.categories[i]
                    ));
                }
                parts.push(p);
            }
            let detail: Vec<String> = d
                .categories
                .iter()
                .enumerate()
                .map(|(i, cat)| {
                    let vals: Vec<String> = d
                        .series
                        .iter()
                        .map(|s| {
                            format!(
                                "{} {}",
                                s.name.to_lowercase(),
                                s.values[i].map_or("sin dato".into(), |v| number(v, 2))
                            )
                        })
                        .collect();
                    format!("{cat}: {}", vals.join(", "))
                })
                .collect();
            format!(
                "{}. Por {}: {}.",
                parts.join(". "),
                d.category_header.to_lowercase(),
                detail.join("; ")
            )
        }
        ChartKind::Ranking => {
            let s = &d.series[0];
            let n = d.categories.len();
            let mut out = format!(
                "{} de {} {n} clasificadas de mayor a menor.",
                s.name,
                d.category_header.to_lowercase()
            );
            if let Some(h) = &c.highlight
                && let Some(pos) = d.categories.iter().position(|x| x == h)
            {
                out.push_str(&format!(
                    " {h} ocupa el lugar {} de {n}, con {}.",
                    pos + 1,
                    amount(s.values[pos].unwrap_or_default())
                ));
            }
            let list: Vec<String> = d
                .categories
                .iter()
                .zip(&s.values)
                .enumerate()
                .map(|(i, (cat, v))| {
                    format!(
                        "{}. {cat}, {}",
                        i + 1,
                        v.map_or("sin dato".into(), |v| number(v, 2))
                    )
                })
                .collect();
            out.push_str(&format!(" Lista completa: {}.", list.join("; ")));
            out
        }
        ChartKind::Training => {
            let (p, w, m) = (&d.series[0], &d.series[1], &d.series[2]);
            let events: Vec<String> = d
                .categories
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let mut e = format!(
                        "{name}: {} participantes",
                        number(p.values[i].unwrap_or_default(), 0)
                    );
                    if let (Some(wv), Some(mv)) = (w.values[i], m.values[i]) {
                        e.push_str(&format!(
                            " ({} mujeres y {} hombres",
                            number(wv, 0),
                            number(mv, 0)
                        ));
                        if let Some(n) = &d.notes[i] {
                            e.push_str(&format!("; {n}"));
                        }
                        e.push(')');
                    }
                    e
                })
                .collect();
            format!(
                "{} eventos formativos en el trimestre, con {} participantes en total; los desgloses por sexo suman {} mujeres y {} hombres. {}.",
                d.categories.len(),
                number(p.total, 0),
                number(w.total, 0),
                number(m.total, 0),
                events.join("; ")
            )
        }
        ChartKind::Progress => {
            let s = &d.series[0];
            let items: Vec<String> = d
                .categories
                .iter()
                .zip(&s.values)
                .map(|(cat, v)| match v {
                    Some(v) => format!("{cat}, {}", percent(*v, 2)),
                    None => format!("{cat}, sin avance reportado"),
                })
                .collect();
            format!(
                "Avance de la meta por línea de acción: {}.",
                join_es(&items)
            )
        }
    }
}

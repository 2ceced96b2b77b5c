//! Tables as data: typed cells, header rows with column groups, and the published total row.

use crate::content::raw;
use serde::Serialize;

/// Templates also get `rows_text` and `total_text` (see the `texts` module).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub id: String,
    pub label: Option<String>,
    pub title: String,
    pub source: Option<String>,
    pub preface: Vec<String>,
    pub columns: Vec<Column>,
    /// First header row when some columns are grouped; empty otherwise.
    pub group_row: Vec<HeaderCell>,
    pub rows: Vec<Vec<Cell>>,
    pub total: Option<Vec<Cell>>,
    pub notes: Vec<super::Note>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    pub group: Option<String>,
    /// Every body cell is a number or empty: right-aligned, summed, chartable.
    pub numeric: bool,
}

/// A cell of the grouped header row: either a group spanning columns, or a single column
/// whose header spans both rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderCell {
    pub label: String,
    pub colspan: usize,
    pub rowspan: usize,
    pub is_group: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Number(f64),
    Text(String),
    Empty(Option<()>),
}

impl Cell {
    fn from_raw(c: raw::Cell) -> Cell {
        match c {
            raw::Cell::Empty => Cell::Empty(None),
            raw::Cell::Text(t) => Cell::Text(t),
            raw::Cell::Number(n) => Cell::Number(n),
        }
    }

    /// As a table shows it: numbers in es-MX with up to six decimals, empty as nothing.
    pub fn text(&self) -> String {
        match self {
            Cell::Number(n) => crate::format::number(*n, 6),
            Cell::Text(t) => t.clone(),
            Cell::Empty(_) => String::new(),
        }
    }

    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(n) => Some(*n),
            _ => None,
        }
    }
}

impl Table {
    pub(super) fn from_raw(t: raw::Table) -> Table {
        let rows: Vec<Vec<Cell>> = t
            .filas
            .into_iter()
            .map(|r| r.into_iter().map(Cell::from_raw).collect())
            .collect();
        let columns: Vec<Column> = t
            .columnas
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let mut any = false;
                let all = rows.iter().all(|r| match r.get(i) {
                    Some(Cell::Number(_)) => {
                        any = true;
                        true
                    }
                    Some(Cell::Empty(_)) | None => true,
                    Some(Cell::Text(_)) => false,
                });
                Column {
                    name: c.nombre,
                    group: c.grupo,
                    numeric: all && any && i > 0,
                }
            })
            .collect();
        Table {
            id: t.id,
            label: t.numero,
            title: t.titulo,
            source: t.fuente,
            preface: t.encabezado,
            group_row: group_row(&columns),
            columns,
            rows,
            total: t.total.map(|r| r.into_iter().map(Cell::from_raw).collect()),
            notes: super::notes(t.notas),
        }
    }

    /// Sums of each numeric column over the body rows (`None` for text columns).
    pub fn column_sums(&self) -> Vec<Option<f64>> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.numeric.then(|| {
                    self.rows
                        .iter()
                        .filter_map(|r| r.get(i).and_then(Cell::number))
                        .sum()
                })
            })
            .collect()
    }
}

fn group_row(columns: &[Column]) -> Vec<HeaderCell> {
    if columns.iter().all(|c| c.group.is_none()) {
        return Vec::new();
    }
    let mut out: Vec<HeaderCell> = Vec::new();
    let mut prev: Option<&str> = None;
    for c in columns {
        match (&c.group, prev) {
            (Some(g), Some(p)) if g == p => {
                if let Some(last) = out.last_mut() {
                    last.colspan += 1;
                }
            }
            (Some(g), _) => out.push(HeaderCell {
                label: g.clone(),
                colspan: 1,
                rowspan: 1,
                is_group: true,
            }),
            (None, _) => out.push(HeaderCell {
                label: c.name.clone(),
                colspan: 1,
                rowspan: 2,
                is_group: false,
            }),
        }
        prev = c.group.as_deref();
    }
    out
}

//! What templates get beyond the model's fields: the es-MX texts of the figures that several
//! pages print, made as a quarter is serialized for its pages.
//!
//! - a goal's `label`; a progress's `percent_text`, `achieved_text` and `target_text`; a
//!   history point's `percent_text`;
//! - a table's `rows_text` and `total_text`: each cell a `text` and `num` (its column is
//!   numeric);
//! - a chart's `data.rows` (`category`, `cells`, `note`), `data.has_notes`, and each series'
//!   `total_text`.
//!
//! A line's figures appear on its unit page, the overview and the print page, a table on the
//! unit and print pages: formatting them there with filters, and looking up each cell's
//! column, was about a tenth of a build. They are not kept in the model: for every line of a
//! 10,000-page site they were 35 MB of its peak.

use super::{Cell, ChartData, Goal, HistoryPoint, Progress, Series, Table};
use crate::format::{number, percent};
use serde::ser::{Serialize, SerializeStruct, Serializer};

impl Serialize for Goal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The goal as published, else its quantity and unit («1,200 personas»).
        let label = match (&self.text, self.quantity, &self.unit) {
            (Some(t), ..) if !t.is_empty() => t.clone(),
            (_, q, u) => {
                let mut label = q.map(|q| number(q, 2) + " ").unwrap_or_default();
                label.push_str(u.as_deref().unwrap_or(""));
                label
            }
        };
        let mut st = s.serialize_struct("Goal", 4)?;
        st.serialize_field("quantity", &self.quantity)?;
        st.serialize_field("unit", &self.unit)?;
        st.serialize_field("text", &self.text)?;
        st.serialize_field("label", &label)?;
        st.end()
    }
}

impl Serialize for Progress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Progress", 11)?;
        st.serialize_field("percent", &self.percent)?;
        st.serialize_field("declared", &self.declared)?;
        st.serialize_field("achieved", &self.achieved)?;
        st.serialize_field("target", &self.target)?;
        st.serialize_field("computed", &self.computed)?;
        st.serialize_field("decimals", &self.decimals)?;
        st.serialize_field("bar_width", &self.bar_width)?;
        st.serialize_field("text", &self.text)?;
        st.serialize_field("percent_text", &percent(self.percent, self.decimals))?;
        st.serialize_field("achieved_text", &self.achieved.map(|v| number(v, 2)))?;
        st.serialize_field("target_text", &self.target.map(|v| number(v, 2)))?;
        st.end()
    }
}

impl Serialize for HistoryPoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("HistoryPoint", 6)?;
        st.serialize_field("quarter", &self.quarter)?;
        st.serialize_field("label", &self.label)?;
        st.serialize_field("url", &self.url)?;
        st.serialize_field("percent", &self.percent)?;
        st.serialize_field("decimals", &self.decimals)?;
        st.serialize_field(
            "percent_text",
            &self.percent.map(|p| percent(p, self.decimals)),
        )?;
        st.end()
    }
}

impl Serialize for Table {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let row = |cells: &[Cell]| -> Vec<CellText> {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| CellText {
                    text: c.text(),
                    num: self.columns.get(i).is_some_and(|col| col.numeric),
                })
                .collect()
        };
        let mut st = s.serialize_struct("Table", 12)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("label", &self.label)?;
        st.serialize_field("title", &self.title)?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("preface", &self.preface)?;
        st.serialize_field("columns", &self.columns)?;
        st.serialize_field("group_row", &self.group_row)?;
        st.serialize_field("rows", &self.rows)?;
        st.serialize_field("total", &self.total)?;
        st.serialize_field("notes", &self.notes)?;
        let rows: Vec<Vec<CellText>> = self.rows.iter().map(|r| row(r)).collect();
        st.serialize_field("rows_text", &rows)?;
        st.serialize_field("total_text", &self.total.as_deref().map(row))?;
        st.end()
    }
}

#[derive(serde::Serialize)]
struct CellText {
    text: String,
    num: bool,
}

impl Serialize for ChartData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ChartData", 6)?;
        st.serialize_field("category_header", &self.category_header)?;
        st.serialize_field("categories", &self.categories)?;
        st.serialize_field("series", &self.series)?;
        st.serialize_field("notes", &self.notes)?;
        let has_notes = self.notes.iter().flatten().any(|n| !n.is_empty());
        st.serialize_field("has_notes", &has_notes)?;
        st.serialize_field("rows", &ChartRows(self))?;
        st.end()
    }
}

/// A chart's data table, one row per category, serialized as it is walked.
struct ChartRows<'a>(&'a ChartData);

#[derive(serde::Serialize)]
struct ChartRow<'a> {
    category: &'a str,
    cells: Vec<String>,
    note: &'a str,
}

impl Serialize for ChartRows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        s.collect_seq(d.categories.iter().enumerate().map(|(i, category)| {
            let cells = d
                .series
                .iter()
                .map(|series| match series.values.get(i).copied().flatten() {
                    Some(v) => number(v, 2),
                    None => "sin dato".to_owned(),
                })
                .collect();
            ChartRow {
                category,
                cells,
                note: d.notes.get(i).and_then(Option::as_deref).unwrap_or(""),
            }
        }))
    }
}

impl Serialize for Series {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Series", 4)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("values", &self.values)?;
        st.serialize_field("total", &self.total)?;
        st.serialize_field("total_text", &number(self.total, 2))?;
        st.end()
    }
}

//! How a line's goal, progress and history reach templates: their fields plus their es-MX
//! texts (`goal.label`, `progress.percent_text`, `achieved_text`, `target_text`, a history
//! point's `percent_text`).
//!
//! The texts are made as a quarter is serialized for its pages, not kept in the model: a
//! line's figures appear on its unit page, the overview and the print page, and formatting
//! them there with filters was a twentieth of a build; kept in the model for every line of
//! a 10,000-page site they were 35 MB of its peak.

use super::{Goal, HistoryPoint, Progress};
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

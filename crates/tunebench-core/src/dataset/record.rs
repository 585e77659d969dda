//! What every format's reader hands on: a header (for tabular formats) and records, each
//! with its place in the file, pushed into a [`Sink`] that may stop the reading early.

use serde_json::Value;

use crate::Result;

/// Where a record sits in its file, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    /// 1-based line of a text file where the record starts.
    Line(u64),
    /// 1-based element of a JSON array, and the line it starts on.
    Element(u64),
    /// A sheet and its 1-based row number as the spreadsheet shows it.
    Row(String, u64),
}

impl Place {
    pub fn describe(&self) -> String {
        match self {
            Place::Line(n) => format!("line {n}"),
            Place::Element(n) => format!("element {n}"),
            Place::Row(sheet, n) => format!("sheet `{sheet}`, row {n}"),
        }
    }

    /// "line 4, field `expected`".
    pub fn field(&self, field: &str) -> String {
        format!("{}, field `{field}`", self.describe())
    }
}

/// The values of one record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cells {
    /// Positional text values, one per header column.
    Text(Vec<String>),
    /// Named JSON values in the order the file gives them.
    Json(Vec<(String, Value)>),
}

impl Cells {
    /// The names of the values (JSON keys), or `None` for positional cells.
    pub fn keys(&self) -> Option<Vec<String>> {
        match self {
            Cells::Text(_) => None,
            Cells::Json(pairs) => Some(pairs.iter().map(|(k, _)| k.clone()).collect()),
        }
    }

    /// Every value as text, aligned with `columns`: JSON strings as they are, `null` and
    /// missing keys as "", other values as compact JSON.
    pub fn texts(&self, columns: &[String]) -> Vec<String> {
        match self {
            Cells::Text(v) => v.clone(),
            Cells::Json(pairs) => columns
                .iter()
                .map(|c| {
                    pairs
                        .iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| value_text(v))
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

/// A JSON value as the text a person expects to see.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Whether a reader should go on after a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Stop,
}

/// Receives what a reader reads.
pub(crate) trait Sink {
    /// The column names of a tabular file (checked: no duplicates), before any record.
    fn header(&mut self, columns: Vec<String>) -> Result<()>;
    fn record(&mut self, place: Place, cells: Cells) -> Result<Flow>;
}

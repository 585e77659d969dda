//! The row browser (a page of rows, filtered by split and search text, served from the
//! `(dataset_id, ordinal)` index so it stays fast on a million rows), finding a dataset by
//! name or id, and deleting one.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::mapping::parse_metadata;
use super::record::value_text;
use super::{Split, SplitFilter};
use crate::store;
use crate::store::example::{Filter, StoredExample};
use crate::{Error, Result};

/// The largest page served.
pub const MAX_PAGE_ROWS: u32 = 1000;
/// A search counts its matches up to this many, so it never scans a million rows to count.
pub const SEARCH_COUNT_CAP: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct PageQuery {
    pub offset: u32,
    pub limit: u32,
    /// Case-insensitive (ASCII) substring of the input or expected output.
    pub search: Option<String>,
    pub split: Option<SplitFilter>,
}

impl Default for PageQuery {
    fn default() -> Self {
        PageQuery {
            offset: 0,
            limit: 50,
            search: None,
            split: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MetaField {
    pub name: String,
    pub value: String,
}

/// One row of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Example {
    pub id: i32,
    /// 0-based position in the source file.
    pub ordinal: i32,
    pub external_id: Option<String>,
    pub input: String,
    pub expected: String,
    pub metadata: Vec<MetaField>,
    pub split: Split,
}

impl From<StoredExample> for Example {
    fn from(s: StoredExample) -> Self {
        Example {
            id: i32::try_from(s.id).unwrap_or(i32::MAX),
            ordinal: i32::try_from(s.ordinal).unwrap_or(i32::MAX),
            external_id: s.external_id,
            metadata: parse_metadata(&s.metadata)
                .into_iter()
                .map(|(name, v)| MetaField {
                    name,
                    value: value_text(&v),
                })
                .collect(),
            input: s.input,
            expected: s.expected,
            split: Split::from_stored(&s.split),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExamplePage {
    /// Rows matching the filter; with a search, counted up to [`SEARCH_COUNT_CAP`].
    pub total: u32,
    /// Whether `total` stopped at the cap (there are at least that many).
    pub total_capped: bool,
    pub rows: Vec<Example>,
}

/// The id of the dataset named `key`, else with id `key`; a clear error otherwise.
pub fn find(conn: &Connection, key: &str) -> Result<i32> {
    store::dataset::find(conn, key)?.ok_or_else(|| Error::NotFound {
        entity: "dataset",
        key: "name or id",
        value: key.to_string(),
    })
}

/// A page of dataset `id`'s rows in file order.
pub fn examples_page(conn: &Connection, id: i32, q: &PageQuery) -> Result<ExamplePage> {
    // Also tells a missing dataset (an error) from an empty page.
    let rows_stored = store::dataset::row_count(conn, id)?;
    let like = q
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
    let filter = Filter {
        split: q.split.and_then(SplitFilter::stored),
        like: like.as_deref(),
    };
    let total = match (&filter.split, &filter.like) {
        // Unfiltered: the count kept with the dataset, not a scan of a million index entries.
        (None, None) => rows_stored,
        (_, None) => store::example::count(conn, id, &filter, u32::MAX)?,
        (_, Some(_)) => store::example::count(conn, id, &filter, SEARCH_COUNT_CAP)?,
    };
    let limit = q.limit.clamp(1, MAX_PAGE_ROWS);
    let rows = store::example::page(conn, id, &filter, q.offset, limit)?;
    Ok(ExamplePage {
        total,
        total_capped: like.is_some() && total >= SEARCH_COUNT_CAP,
        rows: rows.into_iter().map(Example::from).collect(),
    })
}

/// Deletes dataset `id` and its rows. A dataset that an experiment evaluates is refused.
pub fn delete(conn: &Connection, id: i32) -> Result<()> {
    let name = store::dataset::name(conn, id)?;
    let users = store::dataset::experiments_using(conn, id)?;
    if !users.is_empty() {
        return Err(Error::InUse(format!(
            "dataset `{name}` is used by experiment(s) {}; delete those first",
            users.join(", ")
        )));
    }
    store::dataset::delete(conn, id)?;
    Ok(())
}

//! Datasets: a labelled test set imported from a file, its rows (`example`s) and splits.

use serde::{Deserialize, Serialize};

/// One dataset as the dataset list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatasetSummary {
    pub id: i32,
    pub name: String,
    pub source_file: String,
    pub source_format: String,
    /// RFC 3339, UTC.
    pub imported_at: String,
    pub rows: i32,
    pub train_rows: i32,
    pub test_rows: i32,
}

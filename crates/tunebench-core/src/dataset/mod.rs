//! Datasets: a labelled test set imported from a file, its rows (`example`s) and splits.
//!
//! The desktop shell and the CLI call the functions re-exported here: [`preview`],
//! [`import`], [`import_sample`], [`report`], [`split`], [`leakage`],
//! [`remove_leaked_from_train`], [`examples_page`], [`delete`], [`export`], [`find`].

mod dedupe;
mod delimited;
mod detect;
mod encoding;
mod export;
mod import;
mod input;
mod jsonl;
mod leakage;
pub(crate) mod mapping;
mod page;
mod record;
mod report;
mod sheet;
mod split;
mod validation;

use serde::{Deserialize, Serialize};

pub use dedupe::remove_exact_duplicates;
pub use detect::Format;
pub use export::{export, ExportFormat, ExportOptions, ExportOutcome};
pub use import::{
    import, import_sample, preview, ImportOutcome, ImportProgress, Preview, SAMPLE_NAME,
};
pub use leakage::{
    leakage, leaked_train_ids, normalise, remove_leaked_from_train, LeakKind, LeakageReport,
    LeakedPair,
};
pub use mapping::ColumnMap;
pub use page::{delete, examples_page, find, Example, ExamplePage, MetaField, PageQuery};
pub use report::{report, LabelCount, LengthStats, ReportWarning, ValidationReport, WarningCode};
pub(crate) use split::shuffle;
pub use split::{split, SplitOptions, SplitOutcome};
pub use validation::{
    carve_validation, ValidationOptions, ValidationOutcome, DEFAULT_VALIDATION_FRACTION,
    DEFAULT_VALIDATION_MAX_ROWS,
};

/// The largest single field accepted: 4 MiB of UTF-8 (about a million tokens), more than
/// any model's context. A bigger field is refused with a message naming its place, so one
/// bad cell can never exhaust memory.
pub const MAX_FIELD_BYTES: usize = 4 << 20;

/// The largest single record (CSV record, JSONL line) accepted: 16 MiB.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

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

/// Which part of a dataset a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Train,
    /// Carved from train: where a prompt search chooses, never the held-out test rows.
    Validation,
    Test,
    Unassigned,
}

impl Split {
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Validation => "validation",
            Split::Test => "test",
            Split::Unassigned => "unassigned",
        }
    }

    /// Reads a stored split value; anything unknown is `Unassigned`.
    pub fn from_stored(s: &str) -> Split {
        match s {
            "train" => Split::Train,
            "validation" => Split::Validation,
            "test" => Split::Test,
            _ => Split::Unassigned,
        }
    }
}

/// How to read a file: every field may be left to detection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ImportOptions {
    /// The dataset's name; default: the file's stem, made unique with " (2)", " (3)"...
    pub name: Option<String>,
    /// `None` detects the format from the content.
    pub format: Option<Format>,
    pub input_col: Option<String>,
    pub expected_col: Option<String>,
    pub id_col: Option<String>,
    /// CSV/TSV/sheet without a header row: columns are named col1, col2, ...
    pub no_header: bool,
    /// Which sheet of a workbook (default: the first).
    pub sheet: Option<String>,
}

/// Which rows of a dataset an operation covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SplitFilter {
    Train,
    Test,
    All,
}

impl SplitFilter {
    /// The stored split value to match, or `None` for every row.
    pub fn stored(self) -> Option<&'static str> {
        match self {
            SplitFilter::Train => Some("train"),
            SplitFilter::Test => Some("test"),
            SplitFilter::All => None,
        }
    }
}

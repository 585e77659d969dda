//! The core's one error type. Every variant carries the context a person needs to act
//! (which file, which line, which id), and maps to a closed [`ErrorCode`] that the CLI turns
//! into an exit code and the UI branches on.

use std::path::PathBuf;

use crate::price::PriceKind;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database file was written by a newer Tunebench than this one.
    #[error(
        "{path}: this database has schema version {found}, but this build of Tunebench only \
         understands up to version {supported}. It was written by a newer Tunebench; \
         upgrade Tunebench, or pass a different database with --db / TUNEBENCH_DB"
    )]
    SchemaTooNew {
        path: String,
        found: i32,
        supported: i32,
    },

    /// The file is not a SQLite database (or is damaged).
    #[error("{path}: not a Tunebench database: {reason}")]
    NotADatabase { path: String, reason: String },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("no {entity} with {key} {value:?}")]
    NotFound {
        entity: &'static str,
        key: &'static str,
        value: String,
    },

    /// Bad input from a person: a file, a field, an argument. The message names it.
    #[error("{0}")]
    Invalid(String),

    /// What was asked for is held by something else: a run or an import already under
    /// way, a dataset an experiment evaluates. The message says what holds it.
    #[error("{0}")]
    InUse(String),

    /// Tunebench itself or its surroundings failed (a worker thread, the HTTP client, the
    /// OS keychain), not the input. The message says what failed.
    #[error("{0}")]
    Internal(String),

    /// A file being imported is wrong at a known place: `place` is "line 17, field `expected`"
    /// or "sheet `Data`, row 4" (empty when the whole file is at fault).
    #[error("{file}{}: {message}", place_prefix(.place))]
    BadFile {
        file: String,
        place: String,
        message: String,
    },

    /// The person cancelled a long operation; nothing it did was kept.
    #[error("{0} cancelled; nothing was stored")]
    Cancelled(&'static str),

    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("could not find the OS data directory; pass --db PATH or set TUNEBENCH_DB")]
    NoDataDir,

    /// A model the cost model needs has no usable price: never priced as $0. `price` says
    /// which, as data, so the price form opens for it.
    #[error("no price for model {}: {reason}", price.model)]
    NoPrice { price: MissingPrice, reason: String },

    /// Drawing a chart failed (the message names the chart).
    #[error("chart {chart}: {reason}")]
    Chart { chart: String, reason: String },
    /// A scorer could not score a case: the judge model did not answer, or its reply
    /// carried no grade.
    #[error("scorer `{scorer}`: {message}")]
    Scorer {
        scorer: &'static str,
        message: String,
    },
}

/// The price an [`Error::NoPrice`] asks for: the model, who sells it and whether it is a
/// fine-tuned model's price. The window's price form opens filled with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MissingPrice {
    pub model: String,
    /// The provider kind the model is served by (`openai`, `anthropic`, …); empty when not
    /// known (a price estimated before any run names no provider).
    pub provider: String,
    pub kind: PriceKind,
}

impl MissingPrice {
    pub fn new(model: impl Into<String>, provider: Option<&str>, kind: PriceKind) -> Self {
        Self {
            model: model.into(),
            provider: provider.unwrap_or_default().to_string(),
            kind,
        }
    }
}

/// A closed set of error kinds, stable across releases, exported to TypeScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input (file, field, argument) is wrong; the message says where.
    InvalidInput,
    /// The thing asked for does not exist.
    NotFound,
    /// The database was written by a newer build.
    SchemaTooNew,
    /// Reading or writing a file failed.
    Io,
    /// The store failed.
    Database,
    /// A model has no price in the catalog (the arm is not priced at $0).
    NoPrice,
    /// The person cancelled the operation; nothing was stored.
    Cancelled,
    /// Something else holds what was asked for (a run or import under way, a dataset an
    /// experiment uses); the message says what.
    InUse,
    /// Anything else: a failure of Tunebench or its surroundings, not of the input.
    Internal,
}

fn place_prefix(place: &str) -> String {
    if place.is_empty() {
        String::new()
    } else {
        format!(", {place}")
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            Error::NotADatabase { .. } | Error::Invalid(_) | Error::BadFile { .. } => {
                ErrorCode::InvalidInput
            }
            Error::Cancelled(_) => ErrorCode::Cancelled,
            Error::InUse(_) => ErrorCode::InUse,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::NoPrice { .. } => ErrorCode::NoPrice,
            Error::Chart { .. } => ErrorCode::Internal,
            Error::Io { .. } => ErrorCode::Io,
            Error::Sqlite(_) => ErrorCode::Database,
            Error::NoDataDir | Error::Scorer { .. } | Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The price a [`Error::NoPrice`] asks for; `None` for any other error.
    pub fn missing_price(&self) -> Option<&MissingPrice> {
        match self {
            Error::NoPrice { price, .. } => Some(price),
            _ => None,
        }
    }

    /// Whether the error is the user's input (CLI exit code 2) rather than a failure (1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self.code(),
            ErrorCode::InvalidInput
                | ErrorCode::SchemaTooNew
                | ErrorCode::NotFound
                | ErrorCode::NoPrice
                | ErrorCode::InUse
        )
    }

    /// A [`Error::BadFile`] naming `file` and `place` (which may be empty).
    pub fn bad_file(
        file: impl Into<String>,
        place: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::BadFile {
            file: file.into(),
            place: place.into(),
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// A temporary directory with a database path inside it; the directory lives as long as the value.
pub struct TempDb {
    /// The directory, deleted when dropped; tests put fixture files beside the database.
    #[allow(dead_code)] // not every test module writes beside the database
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn temp_db() -> TempDb {
    let dir = tempfile::tempdir().expect("create temp dir");
    let path = dir.path().join("tunebench.sqlite3");
    TempDb { dir, path }
}

/// A raw SQLite handle that bypasses `store::open`, to fake old, newer or broken files.
#[allow(clippy::disallowed_methods)]
pub fn raw(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("open raw sqlite handle")
}

/// Inserts a dataset `name` with `test` and `train` cases `(input, expected)` by plain
/// SQL (dataset import is its own module); returns the dataset id.
pub fn seed_dataset(
    conn: &rusqlite::Connection,
    name: &str,
    test: &[(String, String)],
    train: &[(String, String)],
) -> i32 {
    conn.execute(
        "INSERT INTO dataset (name, source_file, source_format, imported_at, row_count)
         VALUES (?1, 'cases.jsonl', 'jsonl', '2026-01-01T00:00:00Z', ?2)",
        rusqlite::params![name, (test.len() + train.len()) as i32],
    )
    .unwrap();
    let id = conn.last_insert_rowid() as i32;
    let rows = test
        .iter()
        .map(|c| (c, "test"))
        .chain(train.iter().map(|c| (c, "train")));
    for (ordinal, ((input, expected), split)) in rows.enumerate() {
        conn.execute(
            "INSERT INTO example (dataset_id, ordinal, external_id, input, expected, metadata, split)
             VALUES (?1, ?2, ?3, ?4, ?5, '{\"lang\":\"en\"}', ?6)",
            rusqlite::params![id, ordinal as i32, format!("row{ordinal}"), input, expected, split],
        )
        .unwrap();
    }
    id
}

/// `n` toy cases whose expected label is the word after `label-`.
pub fn toy_cases(n: usize, prefix: &str) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let label = ["billing", "shipping", "returns"][i % 3];
            (
                format!("label-{label} {prefix} case {i}"),
                format!("label-{label}"),
            )
        })
        .collect()
}

/// Imports `loaded` as the user would after confirming its review.
pub fn confirmed_import(
    conn: &rusqlite::Connection,
    loaded: &tunebench_core::experiment::LoadedExperiment,
) -> tunebench_core::Result<i32> {
    tunebench_core::experiment::import(conn, loaded, Some(&loaded.fingerprint))
}

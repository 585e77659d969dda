//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// A temporary directory with a database path inside it; the directory lives as long as the value.
pub struct TempDb {
    /// Deletes the directory when dropped.
    pub _dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn temp_db() -> TempDb {
    let dir = tempfile::tempdir().expect("create temp dir");
    let path = dir.path().join("tunebench.sqlite3");
    TempDb { _dir: dir, path }
}

/// A raw SQLite handle that bypasses `store::open`, to fake old, newer or broken files.
#[allow(clippy::disallowed_methods)]
pub fn raw(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("open raw sqlite handle")
}

//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// A temporary directory with a database path inside it; the directory lives as long as the value.
pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn temp_db() -> TempDb {
    let dir = tempfile::tempdir().expect("create temp dir");
    let path = dir.path().join("tunebench.sqlite3");
    TempDb { dir, path }
}

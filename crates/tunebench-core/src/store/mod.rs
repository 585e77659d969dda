//! The one SQLite file: opening it (WAL, foreign keys, busy timeout), migrating it, and
//! every SQL statement of the app, one file per table. No SQL lives outside this module.

pub mod arm;
pub mod batch;
pub mod case;
pub mod dataset;
pub mod example;
pub mod experiment;
pub mod fine_tune;
mod migrate;
pub mod price;
pub mod provider;
pub mod response_cache;
pub mod result;
pub mod result_read;
pub mod run;
pub mod scenario;
pub mod search;
pub mod setting;

use std::path::{Path, PathBuf};

pub use rusqlite::Connection;

use crate::{Error, Result};

pub use migrate::{schema_version, LATEST_VERSION};

/// The environment variable that overrides the default database path.
pub const DB_ENV: &str = "TUNEBENCH_DB";

/// How long a writer waits for another connection's lock before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The database path when none is given: `<OS data dir>/tunebench/tunebench.sqlite3`
/// (`~/.local/share` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows).
pub fn default_path() -> Result<PathBuf> {
    let dir = dirs::data_dir().ok_or(Error::NoDataDir)?;
    Ok(dir.join("tunebench").join("tunebench.sqlite3"))
}

/// The database path to use: an explicit path wins, then `TUNEBENCH_DB`, then [`default_path`].
pub fn resolve_path(explicit: Option<&Path>, env_value: Option<&str>) -> Result<PathBuf> {
    match (explicit, env_value) {
        (Some(p), _) => Ok(p.to_path_buf()),
        (None, Some(v)) if !v.trim().is_empty() => Ok(PathBuf::from(v)),
        _ => default_path(),
    }
}

/// Opens (creating if needed) the database at `path`, sets WAL, foreign keys and a busy
/// timeout, applies pending migrations and writes this build's seed prices (when they
/// changed). A database from a newer build is refused.
pub fn open(path: &Path) -> Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    create_private(path)?;
    #[allow(clippy::disallowed_methods)] // this is the one place that may call it
    let conn = Connection::open(path)?;
    configure(&conn, path)?;
    migrate::migrate(&conn, &path.display().to_string())?;
    crate::price::seed(&conn)?;
    Ok(conn)
}

/// Creates the store file readable and writable by its owner only (0600 on Unix) when it
/// does not exist yet; SQLite gives its `-wal` and `-shm` files the same mode.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// An in-memory database with the full schema, for tests.
pub fn open_in_memory() -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    configure(&conn, Path::new(":memory:"))?;
    migrate::migrate(&conn, ":memory:")?;
    crate::price::seed(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection, path: &Path) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // The first statement that reads the file tells us whether it is a database at all.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                Error::NotADatabase {
                    path: path.display().to_string(),
                    reason: "the file is not a SQLite database".into(),
                }
            }
            other => Error::Sqlite(other),
        })?;
    debug_assert!(mode == "wal" || mode == "memory", "journal mode {mode}");
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    Ok(())
}

/// Sets the connection's page cache (`cache_size`: pages, or KiB when negative) and
/// returns the value it replaces.
pub fn set_cache_size(conn: &Connection, cache_size: i64) -> Result<i64> {
    let old: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", cache_size)?;
    Ok(old)
}

/// Runs `f` all-or-nothing: inside a savepoint, so it nests within an open transaction
/// (the outer one decides) and is its own transaction otherwise.
pub fn atomically<T>(conn: &Connection, f: impl FnOnce() -> Result<T>) -> Result<T> {
    conn.execute_batch("SAVEPOINT atomically")?;
    match f() {
        Ok(v) => {
            conn.execute_batch("RELEASE atomically")?;
            Ok(v)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK TO atomically; RELEASE atomically");
            Err(e)
        }
    }
}

//! Numbered SQL migrations, tracked by `PRAGMA user_version` and applied in one transaction.
//! A migration file is never edited once released: add the next number instead.

use rusqlite::Connection;

use crate::{Error, Result};

/// The migrations in order; migration `i` (1-based) brings the schema to version `i`.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_finish_reason_and_cache_writes.sql"),
    include_str!("../../migrations/0003_local_provider.sql"),
];

/// The schema version this build writes.
pub const LATEST_VERSION: i32 = MIGRATIONS.len() as i32;

pub fn schema_version(conn: &Connection) -> Result<i32> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

pub(super) fn migrate(conn: &Connection, path: &str) -> Result<()> {
    let found = schema_version(conn)?;
    if found > LATEST_VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_string(),
            found,
            supported: LATEST_VERSION,
        });
    }
    if found == LATEST_VERSION {
        return Ok(());
    }
    // BEGIN IMMEDIATE: two processes opening a fresh file at once must not both migrate.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let applied = (|| -> Result<()> {
        // Re-read under the write lock: another process may have migrated meanwhile.
        let current = schema_version(conn)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", i as i32 + 1)?;
        }
        Ok(())
    })();
    match applied {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    Ok(())
}

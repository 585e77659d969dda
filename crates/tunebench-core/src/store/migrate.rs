//! Numbered SQL migrations, tracked by `PRAGMA user_version` and applied in one transaction.
//! A migration file is never edited once released: add the next number instead.

use rusqlite::Connection;

use crate::{Error, Result};

/// The migrations in order; migration `i` (1-based) brings the schema to version `i`.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_finish_reason_and_cache_writes.sql"),
    include_str!("../../migrations/0003_fine_tune_jobs.sql"),
    include_str!("../../migrations/0004_local_provider.sql"),
    include_str!("../../migrations/0005_machine_cost.sql"),
    include_str!("../../migrations/0006_batch_runs.sql"),
    include_str!("../../migrations/0007_validation_split_and_search.sql"),
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
    // Foreign keys are off while migrating (they cannot change inside a transaction), so a
    // migration may rebuild a table others refer to, SQLite's documented way to change a
    // constraint; they are checked before the commit instead, and switched back on.
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = migrate_locked(conn);
    conn.pragma_update(None, "foreign_keys", true)?;
    result
}

fn migrate_locked(conn: &Connection) -> Result<()> {
    // BEGIN IMMEDIATE: two processes opening a fresh file at once must not both migrate.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let applied = (|| -> Result<()> {
        // Re-read under the write lock: another process may have migrated meanwhile.
        let current = schema_version(conn)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", i as i32 + 1)?;
        }
        let broken: i64 =
            conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if broken > 0 {
            return Err(Error::Internal(format!(
                "migrating the store would leave {broken} rows pointing at rows that do not \
                 exist; nothing was changed"
            )));
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

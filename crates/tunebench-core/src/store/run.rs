//! SQL for the `run` table.

use rusqlite::{params, Connection, OptionalExtension};

use crate::run::{RunRecord, RunStatus};
use crate::{Error, Result};

// --- writes ---

/// Creates a pending run of `experiment_id` with its settings snapshot (JSON, no secrets).
pub fn create(conn: &Connection, experiment_id: i32, settings: &str) -> Result<i32> {
    Ok(conn.query_row(
        "INSERT INTO run (experiment_id, started_at, status, settings)
         VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'pending', ?2)
         RETURNING id",
        params![experiment_id, settings],
        |r| r.get(0),
    )?)
}

/// Sets the status; a final status also stamps `finished_at`, `running` clears it.
pub fn set_status(conn: &Connection, id: i32, status: RunStatus) -> Result<()> {
    let n = conn.execute(
        "UPDATE run SET status = ?2,
                finished_at = CASE WHEN ?3 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE NULL END
          WHERE id = ?1",
        params![id, status.as_str(), status.is_final()],
    )?;
    if n == 0 {
        return Err(Error::NotFound {
            entity: "run",
            key: "id",
            value: id.to_string(),
        });
    }
    Ok(())
}

// --- reads ---

/// Every run, newest first; only those of `experiment_id` when given.
pub fn list(conn: &Connection, experiment_id: Option<i32>) -> Result<Vec<RunRecord>> {
    let mut stmt =
        conn.prepare("SELECT id FROM run WHERE ?1 IS NULL OR experiment_id = ?1 ORDER BY id DESC")?;
    let ids: Vec<i32> = stmt
        .query_map([experiment_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}

pub fn get(conn: &Connection, id: i32) -> Result<RunRecord> {
    conn.query_row(
        "SELECT id, experiment_id, started_at, finished_at, status, settings FROM run WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, i32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        },
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "run",
        key: "id",
        value: id.to_string(),
    })
    .and_then(|(id, experiment_id, started_at, finished_at, status, settings)| {
        Ok(RunRecord {
            id,
            experiment_id,
            started_at,
            finished_at,
            status: RunStatus::parse(&status).ok_or_else(|| {
                Error::Invalid(format!("run {id}: unknown status {status:?} in the store"))
            })?,
            settings,
        })
    })
}

/// Deletes run `id` and (by cascade) its results and saved scenario. Returns whether it existed.
pub fn delete(conn: &Connection, id: i32) -> Result<bool> {
    Ok(conn.execute("DELETE FROM run WHERE id = ?1", [id])? > 0)
}

//! SQL for the `search` table (a prompt search, kept with the experiment whose arm A it
//! chose) and for making the chosen candidate that arm.

use rusqlite::{params, Connection, OptionalExtension};

use crate::{Error, Result};

/// A stored search.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSearch {
    pub id: i32,
    /// The experiment over the held-out test split (set once the search has chosen).
    pub experiment_id: Option<i32>,
    /// The experiment over the validation split whose arms are the candidates.
    pub search_experiment_id: i32,
    pub run_id: i32,
    pub settings: String,
    pub outcome: Option<String>,
}

pub fn insert(
    conn: &Connection,
    experiment_id: i32,
    search_experiment_id: i32,
    run_id: i32,
    settings: &str,
) -> Result<i32> {
    Ok(conn.query_row(
        "INSERT INTO search (experiment_id, search_experiment_id, run_id, settings, created_at)
         VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         RETURNING id",
        params![experiment_id, search_experiment_id, run_id, settings],
        |r| r.get(0),
    )?)
}

pub fn set_outcome(conn: &Connection, id: i32, outcome: &str) -> Result<()> {
    conn.execute(
        "UPDATE search SET outcome = ?2 WHERE id = ?1",
        params![id, outcome],
    )?;
    Ok(())
}

fn read(r: &rusqlite::Row) -> rusqlite::Result<StoredSearch> {
    Ok(StoredSearch {
        id: r.get(0)?,
        experiment_id: r.get(1)?,
        search_experiment_id: r.get(2)?,
        run_id: r.get(3)?,
        settings: r.get(4)?,
        outcome: r.get(5)?,
    })
}

const COLUMNS: &str = "id, experiment_id, search_experiment_id, run_id, settings, outcome";

pub fn get(conn: &Connection, id: i32) -> Result<StoredSearch> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM search WHERE id = ?1"),
        [id],
        read,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "search",
        key: "id",
        value: id.to_string(),
    })
}

/// The latest search with an outcome that chose arm A of experiment `experiment_id`.
pub fn latest_for_experiment(
    conn: &Connection,
    experiment_id: i32,
) -> Result<Option<StoredSearch>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM search WHERE experiment_id = ?1 AND outcome IS NOT NULL
                  ORDER BY id DESC LIMIT 1"
            ),
            [experiment_id],
            read,
        )
        .optional()?)
}

/// The search whose validation run is `run_id`, if any.
pub fn for_run(conn: &Connection, run_id: i32) -> Result<Option<i32>> {
    Ok(conn
        .query_row("SELECT id FROM search WHERE run_id = ?1", [run_id], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Makes arm `arm_id` the arm at `position` of experiment `experiment_id`.
pub fn replace_arm(
    conn: &Connection,
    experiment_id: i32,
    position: i32,
    arm_id: i32,
) -> Result<()> {
    let n = conn.execute(
        "UPDATE experiment_arm SET arm_id = ?3 WHERE experiment_id = ?1 AND position = ?2",
        params![experiment_id, position, arm_id],
    )?;
    if n == 0 {
        return Err(Error::NotFound {
            entity: "experiment arm",
            key: "position",
            value: format!("{experiment_id}/{position}"),
        });
    }
    Ok(())
}

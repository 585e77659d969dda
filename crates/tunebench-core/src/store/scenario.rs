//! SQL for the `scenario` table: the cost-at-scale assumptions saved with a run, so its
//! report and charts can be reproduced.

use rusqlite::{params, Connection, OptionalExtension};

use crate::cost::Scenario;
use crate::{Error, Result};

/// Saves (or replaces) the scenario `name` of run `run_id`; `updated_at` is RFC 3339.
pub fn save(
    conn: &Connection,
    run_id: i32,
    name: &str,
    scenario: &Scenario,
    updated_at: &str,
) -> Result<()> {
    let json = serde_json::to_string(scenario)
        .map_err(|e| Error::Invalid(format!("scenario of run {run_id}: {e}")))?;
    conn.execute(
        "INSERT INTO scenario (run_id, name, settings, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (run_id, name) DO UPDATE SET settings = excluded.settings,
                                                  updated_at = excluded.updated_at",
        params![run_id, name, json, updated_at],
    )?;
    Ok(())
}

/// The scenario `name` saved with run `run_id`, if any.
pub fn get(conn: &Connection, run_id: i32, name: &str) -> Result<Option<Scenario>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT settings FROM scenario WHERE run_id = ?1 AND name = ?2",
            params![run_id, name],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|j| {
        serde_json::from_str(&j).map_err(|e| {
            Error::Invalid(format!(
                "the saved scenario `{name}` of run {run_id} is damaged: {e}"
            ))
        })
    })
    .transpose()
}

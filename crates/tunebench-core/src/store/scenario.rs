//! SQL for the `scenario` table: the cost-at-scale assumptions saved with a run, so its
//! report and charts can be reproduced.

use rusqlite::{params, Connection, OptionalExtension};

use crate::cost::{ArmAssumptions, Scenario};
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

/// Saves (or replaces) arms C, D, … of a run's scenario `name` (the saved name of the
/// scenario they go with), kept apart from the two-arm scenario so that it reads as before.
pub fn save_more_arms(
    conn: &Connection,
    run_id: i32,
    name: &str,
    arms: &[ArmAssumptions],
    updated_at: &str,
) -> Result<()> {
    let json = serde_json::to_string(arms)
        .map_err(|e| Error::Invalid(format!("scenario of run {run_id}: {e}")))?;
    conn.execute(
        "INSERT INTO scenario (run_id, name, settings, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (run_id, name) DO UPDATE SET settings = excluded.settings,
                                                  updated_at = excluded.updated_at",
        params![run_id, more_arms_name(name), json, updated_at],
    )?;
    Ok(())
}

/// Arms C, D, … saved with run `run_id`'s scenario `name`, if any.
pub fn get_more_arms(
    conn: &Connection,
    run_id: i32,
    name: &str,
) -> Result<Option<Vec<ArmAssumptions>>> {
    let key = more_arms_name(name);
    let json: Option<String> = conn
        .query_row(
            "SELECT settings FROM scenario WHERE run_id = ?1 AND name = ?2",
            params![run_id, key],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|j| {
        serde_json::from_str(&j).map_err(|e| {
            Error::Invalid(format!(
                "the saved arms C and up of scenario `{name}` of run {run_id} are damaged: {e}"
            ))
        })
    })
    .transpose()
}

/// The row name arms C, D, … of scenario `name` are saved under.
fn more_arms_name(name: &str) -> String {
    format!("{name}/more-arms")
}

//! Which search, if any, chose an experiment's arm A: its outcome as stored when it ended,
//! read by the results and decision screens and by the exported report, so each states how
//! arm A was chosen with the same sentence and numbers.

use rusqlite::Connection;

use super::SearchOutcome;
use crate::{store, Result};

/// The latest finished search of experiment `experiment_id` when it chose arm `arm_id` and
/// stated why (its sentence); `None` otherwise.
pub fn choosing(
    conn: &Connection,
    experiment_id: i32,
    arm_id: i32,
) -> Result<Option<SearchOutcome>> {
    let Some(stored) = store::search::latest_for_experiment(conn, experiment_id)? else {
        return Ok(None);
    };
    let outcome = stored
        .outcome
        .as_deref()
        .and_then(|t| serde_json::from_str::<SearchOutcome>(t).ok());
    Ok(outcome
        .filter(|o| o.sentence.is_some() && o.chosen.as_ref().is_some_and(|c| c.arm_id == arm_id)))
}

/// The search that chose arm A of run `run_id`'s experiment, as it ended; `None` when arm
/// A was written by hand (or the search that chose it has been superseded).
pub fn arm_a_of_run(conn: &Connection, run_id: i32) -> Result<Option<SearchOutcome>> {
    let run = store::run::get(conn, run_id)?;
    let exp = store::experiment::get(conn, run.experiment_id)?;
    match exp.arm_ids.first() {
        Some(&arm_a) => choosing(conn, run.experiment_id, arm_a),
        None => Ok(None),
    }
}

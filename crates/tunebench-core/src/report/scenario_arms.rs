//! The cost-at-scale scenario of every arm of a run: for two arms, the run's scenario
//! exactly as before; for more, arms A and B from the saved scenario (when the crossover
//! screen saved one), else measured, and arms C, D, … saved alike, else measured.

use rusqlite::Connection;

use super::scenario::{measured_arms_scenario, run_scenario, SAVED_SCENARIO};
use crate::cost::ArmsScenario;
use crate::{store, Result};

/// Every arm of run `run_id` priced (A first): saved assumptions where the run has them,
/// measured ones otherwise. `queries_per_day` overrides the volume.
pub fn run_arms_scenario(
    conn: &Connection,
    run_id: i32,
    today: &str,
    queries_per_day: Option<f64>,
) -> Result<ArmsScenario> {
    let run = store::run::get(conn, run_id)?;
    let arms = store::experiment::get(conn, run.experiment_id)?
        .arm_ids
        .len();
    if arms <= 2 {
        return Ok(ArmsScenario {
            scenario: run_scenario(conn, run_id, today, queries_per_day)?,
            more: Vec::new(),
        });
    }
    let mut s = measured_arms_scenario(conn, run_id, today, queries_per_day)?;
    if let Some(mut saved) = store::scenario::get(conn, run_id, SAVED_SCENARIO)? {
        if let Some(v) = queries_per_day {
            saved.queries_per_day = v;
        }
        s.scenario = saved;
    }
    if let Some(more) = store::scenario::get_more_arms(conn, run_id, SAVED_SCENARIO)? {
        // Kept only while it still names the run's arms, in order.
        let same =
            more.len() == s.more.len() && more.iter().zip(&s.more).all(|(x, y)| x.name == y.name);
        if same {
            s.more = more;
        }
    }
    s.validate()?;
    Ok(s)
}

/// Saves every arm's assumptions with run `run_id`: A and B as the run's two-arm scenario
/// (what a two-arm reader sees), C, D, … beside it.
pub fn save_run_arms_scenario(
    conn: &Connection,
    run_id: i32,
    scenario: &ArmsScenario,
    updated_at: &str,
) -> Result<()> {
    scenario.validate()?;
    store::atomically(conn, || {
        super::save_run_scenario(conn, run_id, &scenario.scenario, updated_at)?;
        if !scenario.more.is_empty() {
            store::scenario::save_more_arms(
                conn,
                run_id,
                SAVED_SCENARIO,
                &scenario.more,
                updated_at,
            )?;
        }
        Ok(())
    })
}

//! What a run has to do: its experiment, arms (prepared for rendering), providers, cases,
//! and the results it already has. Loaded from the store both for a new run and a resume.

use std::collections::HashSet;

use rusqlite::Connection;
use serde_json::json;

use super::{ResultRecord, RunOptions, RunRecord};
use crate::arm::{Case, PreparedArm};
use crate::experiment::Experiment;
use crate::provider::Provider;
use crate::{store, Error, Result};

/// Creates a pending run of `experiment_id`, snapshotting the experiment, its arms and
/// providers (no secrets), the options and the cost scenario into `run.settings`.
pub fn create(
    conn: &Connection,
    experiment_id: i32,
    options: &RunOptions,
    scenario: Option<serde_json::Value>,
) -> Result<i32> {
    let exp = store::experiment::get(conn, experiment_id)?;
    let mut arms = Vec::new();
    let mut providers = Vec::new();
    for id in &exp.arm_ids {
        let arm = store::arm::get(conn, *id)?;
        if !providers.iter().any(|p: &Provider| p.id == arm.provider_id) {
            providers.push(store::provider::get(conn, arm.provider_id)?);
        }
        arms.push(arm);
    }
    let settings = json!({
        "experiment": exp,
        "arms": arms,
        "providers": providers,
        "options": options,
        "scenario": scenario,
    });
    store::run::create(conn, experiment_id, &settings.to_string())
}

/// One arm of a run, ready to render, with its provider.
#[derive(Debug, Clone)]
pub struct PlannedArm {
    pub prepared: PreparedArm,
    pub provider: Provider,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub run: RunRecord,
    pub experiment: Experiment,
    pub options: RunOptions,
    pub arms: Vec<PlannedArm>,
    /// The cases of the evaluated split, in file order.
    pub cases: Vec<Case>,
    /// Results already in the store, with each case's expected answer.
    pub existing: Vec<(ResultRecord, String)>,
}

impl Plan {
    /// Loads run `run_id` and everything it needs.
    pub fn load(conn: &Connection, run_id: i32) -> Result<Self> {
        let run = store::run::get(conn, run_id)?;
        let experiment = store::experiment::get(conn, run.experiment_id)?;
        let options = serde_json::from_str::<serde_json::Value>(&run.settings)
            .ok()
            .and_then(|v| v.get("options").cloned())
            .and_then(|o| serde_json::from_value(o).ok())
            .unwrap_or_default();
        let cases = store::case::for_split(conn, experiment.dataset_id, &experiment.split)?;
        if cases.is_empty() {
            return Err(Error::Invalid(format!(
                "experiment {:?}: the dataset has no cases in split {:?}; split it first \
                 (Split on its dataset screen, or `tunebench split` on the command line) \
                 or set split = \"all\"",
                experiment.name, experiment.split
            )));
        }
        let train = if experiment.split == "train" || experiment.split == "all" {
            Vec::new()
        } else {
            store::case::for_split(conn, experiment.dataset_id, "train")?
        };
        let mut arms = Vec::new();
        for id in &experiment.arm_ids {
            let arm = store::arm::get(conn, *id)?;
            let provider = store::provider::get(conn, arm.provider_id)?;
            let prepared = PreparedArm::prepare(arm, train.clone())?;
            // Render the first case now, so a template error stops the run before any call.
            prepared.render(&cases[0])?;
            arms.push(PlannedArm { prepared, provider });
        }
        let existing = store::result::for_run(conn, run_id)?;
        Ok(Self {
            run,
            experiment,
            options,
            arms,
            cases,
            existing,
        })
    }

    /// The (arm index, case index) pairs that have no result yet, cases interleaved so
    /// every arm advances together.
    pub fn pending(&self) -> Vec<(usize, usize)> {
        let done: HashSet<(i32, i32)> = self
            .existing
            .iter()
            .map(|(r, _)| (r.arm_id, r.example_id))
            .collect();
        let mut out = Vec::new();
        for (ci, case) in self.cases.iter().enumerate() {
            for (ai, arm) in self.arms.iter().enumerate() {
                if !done.contains(&(arm.prepared.arm.id, case.id)) {
                    out.push((ai, ci));
                }
            }
        }
        out
    }
}

/// Forgets the errors of run `run_id` (timeouts, refusals, rate limits that outlasted the
/// retries) so that resuming it asks those cases again; answered cases are kept. Refused
/// while the run is going. Returns how many cases will be asked again.
pub fn clear_errors(conn: &Connection, db_path: &std::path::Path, run_id: i32) -> Result<usize> {
    let run = store::run::get(conn, run_id)?;
    if super::effective_status(db_path, &run) == super::RunStatus::Running {
        return Err(Error::InUse(format!(
            "run {run_id} is still running; retry its errors once it has stopped"
        )));
    }
    store::atomically(conn, || {
        let n = store::result::delete_errors(conn, run_id)?;
        // A completed run with cases to ask again is no longer complete.
        if n > 0 && run.status == super::RunStatus::Completed {
            store::run::set_status(conn, run_id, super::RunStatus::Interrupted)?;
        }
        Ok(n)
    })
}

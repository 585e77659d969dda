//! Everything between an experiment and its execution: a run created from an experiment
//! file, a pending run (or re-run) estimated for a person to read before starting it, and
//! the [`RunContext`] an execution needs (keys, prices, the retry-jitter seed). The app and
//! the CLI both start runs through here.

use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;
use tokio_util::sync::CancellationToken;

use super::engine::KeyLookup;
use super::estimate::{estimate, CatalogPrices, Estimate};
use super::plan::{create, Plan};
use super::{keys, RunContext, RunOptions};
use crate::{experiment, store, Error, Result};

/// Imports the experiment file at `path` and creates a pending run of it with `options`,
/// its `[scenario]` saved with the run; returns the run's plan.
pub fn create_from_file(
    conn: &Connection,
    path: &Path,
    confirmed: Option<&str>,
    options: &RunOptions,
) -> Result<Plan> {
    let loaded = experiment::file::load(path)?;
    let experiment_id = experiment::import(conn, &loaded, confirmed)?;
    let scenario = loaded
        .file
        .scenario
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| Error::Internal(format!("{}: [scenario]: {e}", path.display())))?;
    let run_id = create(conn, experiment_id, options, scenario)?;
    Plan::load(conn, run_id)
}

/// The seed of a run's retry jitter: its id, so a resumed run backs off as it did.
pub fn seed(plan: &Plan) -> u64 {
    u64::from(plan.run.id.unsigned_abs())
}

/// A run's context from parts looked up ahead (the CLI looks keys up while it estimates).
pub fn context(
    db_path: &Path,
    plan: &Plan,
    client: reqwest::Client,
    keys: KeyLookup,
    prices: Arc<CatalogPrices>,
    cancel: CancellationToken,
) -> RunContext {
    RunContext {
        db_path: db_path.to_path_buf(),
        client,
        keys,
        prices,
        cancel,
        seed: seed(plan),
    }
}

/// A run's context, and one warning per provider that expects an API key and has none.
pub struct Launch {
    pub ctx: RunContext,
    pub warnings: Vec<String>,
}

/// Looks up the keys of `plan`'s providers (reading `env` for variables, else the OS
/// keychain) and the catalog's prices, and builds the context that executes it.
pub fn launch(
    conn: &Connection,
    db_path: &Path,
    plan: &Plan,
    client: reqwest::Client,
    cancel: CancellationToken,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Launch> {
    let (key_lookup, warnings) = keys::for_plan(plan, env);
    let prices = Arc::new(CatalogPrices::load(conn)?);
    Ok(Launch {
        ctx: context(db_path, plan, client, key_lookup, prices, cancel),
        warnings,
    })
}

/// A run created and estimated, not yet started.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreparedRun {
    pub run_id: i32,
    pub estimate: Estimate,
    /// The same run sent as a batch run with the default settings, when every arm's
    /// provider has a batch API (`None` otherwise): the choice offered before Start.
    pub batch: Option<super::batch::BatchEstimate>,
}

/// Creates a pending run of `experiment_id` and estimates its calls and cost (arms' own
/// prices, else the catalog), so a person can read the estimate before starting it.
pub fn prepare(conn: &Connection, experiment_id: i32, options: &RunOptions) -> Result<PreparedRun> {
    let run_id = create(conn, experiment_id, options, None)?;
    let plan = Plan::load(conn, run_id)?;
    let prices = CatalogPrices::load(conn)?;
    Ok(PreparedRun {
        run_id,
        estimate: estimate(&plan, &prices)?,
        batch: super::batch::offer(&plan, &prices)?,
    })
}

/// A re-run of run `run_id` on other models: the experiment copied with `swaps`
/// ([`crate::experiment::clone_with_models`]) and a pending run of the copy that keeps the
/// source run's cost assumptions (the experiment file's `[scenario]`). Returns what changed
/// and the new run's id.
pub fn create_rerun(
    conn: &Connection,
    run_id: i32,
    swaps: &[crate::experiment::ModelSwap],
    options: &RunOptions,
) -> Result<(crate::experiment::Rerun, i32)> {
    let source = store::run::get(conn, run_id)?;
    let scenario = source.scenario_settings();
    store::atomically(conn, || {
        let rerun = crate::experiment::clone_with_models(conn, source.experiment_id, swaps)?;
        let new_run = create(conn, rerun.experiment_id, options, scenario)?;
        Ok((rerun, new_run))
    })
}

/// A re-run ready to start: what changed, and the new run with its estimate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreparedRerun {
    pub rerun: crate::experiment::Rerun,
    pub prepared: PreparedRun,
}

/// [`create_rerun`] with the new run's estimate, for a person to read before starting it.
pub fn prepare_rerun(
    conn: &Connection,
    run_id: i32,
    swaps: &[crate::experiment::ModelSwap],
    options: &RunOptions,
) -> Result<PreparedRerun> {
    let (rerun, new_run) = create_rerun(conn, run_id, swaps, options)?;
    let plan = Plan::load(conn, new_run)?;
    let prices = CatalogPrices::load(conn)?;
    Ok(PreparedRerun {
        rerun,
        prepared: PreparedRun {
            run_id: new_run,
            estimate: estimate(&plan, &prices)?,
            batch: super::batch::offer(&plan, &prices)?,
        },
    })
}

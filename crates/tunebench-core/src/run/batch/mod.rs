//! Batch runs: each arm's cases sent through its provider's batch API (half the price, no
//! rate-limit wall, up to 24 hours), with a live sample per arm to measure latency. The
//! store knows a batch run by its `batch_run` row; its provider batches (`BatchJob`, one
//! per part of an arm's cases) keep their ids and states there, written through the run's
//! single writer, so polling and ingesting continue in a later session (`resume`).
//! `session` drives one session (`submit` sends the parts, `poll` follows them); `ingest`
//! turns a batch's results into result rows; `estimate` prices a run live and batched;
//! `note` labels its latency as sampled.

pub mod estimate;
mod ingest;
mod note;
mod poll;
mod session;
mod submit;

use std::collections::HashSet;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

pub use crate::provider::batch::BatchState;
pub use estimate::{estimate, ArmBatchEstimate, BatchEstimate};
pub use note::latency_note;
pub use session::{cancel, execute, execute_with, PollTiming};

use super::{plan, RunOptions};
use crate::provider::batch::BatchApi;
use crate::{store, Error, Result};

/// What becomes of a case the batch errored or let expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OnFailure {
    /// Asked again with a live call.
    Live,
    /// Kept as an error.
    Error,
}

impl OnFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            OnFailure::Live => "live",
            OnFailure::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [OnFailure::Live, OnFailure::Error]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// How a batch run treats failures and latency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchSettings {
    pub on_failure: OnFailure,
    /// Cases per arm sent live (the same cases for every arm, seeded by the run) so that
    /// latency and time to first token are measured; 0 sends none.
    pub latency_sample: u32,
}

/// The default live sample per arm.
pub const DEFAULT_LATENCY_SAMPLE: u32 = 200;

impl Default for BatchSettings {
    fn default() -> Self {
        Self {
            on_failure: OnFailure::Live,
            latency_sample: DEFAULT_LATENCY_SAMPLE,
        }
    }
}

/// One provider batch of a run: part `part` of arm `arm_id`'s cases.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchJob {
    pub run_id: i32,
    pub arm_id: i32,
    pub part: u32,
    /// The example ids it asks.
    pub case_ids: Vec<i32>,
    pub input_file_id: Option<String>,
    pub provider_batch_id: Option<String>,
    pub state: BatchState,
    pub provider_status: Option<String>,
    pub total: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub error_message: Option<String>,
    /// Status checks that failed in a row.
    pub poll_failures: u32,
}

/// Creates a pending batch run of `experiment_id` (see [`plan::create`]) with `settings`.
/// Refused, naming the arm, when an arm's provider has no batch API.
pub fn create(
    conn: &Connection,
    experiment_id: i32,
    options: &RunOptions,
    scenario: Option<serde_json::Value>,
    settings: &BatchSettings,
) -> Result<i32> {
    check_providers(conn, experiment_id)?;
    store::atomically(conn, || {
        let run_id = plan::create(conn, experiment_id, options, scenario.clone())?;
        store::batch::create_run(conn, run_id, settings)?;
        Ok(run_id)
    })
}

/// Imports the experiment file at `path` and creates a pending batch run of it (see
/// [`crate::run::create_from_file`]); when an arm's provider has no batch API the run is
/// refused and not left behind.
pub fn create_from_file(
    conn: &Connection,
    path: &std::path::Path,
    confirmed: Option<&str>,
    options: &RunOptions,
    settings: &BatchSettings,
) -> Result<plan::Plan> {
    let plan = super::create_from_file(conn, path, confirmed, options)?;
    if let Err(e) = make_batch(conn, plan.run.id, settings) {
        store::run::delete(conn, plan.run.id)?;
        return Err(e);
    }
    plan::Plan::load(conn, plan.run.id)
}

/// Makes pending run `run_id` a batch run (a run created from an experiment file, before
/// it starts).
pub fn make_batch(conn: &Connection, run_id: i32, settings: &BatchSettings) -> Result<()> {
    let run = store::run::get(conn, run_id)?;
    if run.status != super::RunStatus::Pending {
        return Err(Error::Invalid(format!(
            "run {run_id} has already started; only a pending run can be sent as a batch"
        )));
    }
    check_providers(conn, run.experiment_id)?;
    store::batch::create_run(conn, run_id, settings)
}

/// The batch estimate of pending run `plan` with the default settings, offered before it
/// starts; `None` when an arm's provider has no batch API.
pub fn offer(plan: &plan::Plan, prices: &dyn super::PriceLookup) -> Result<Option<BatchEstimate>> {
    if plan
        .arms
        .iter()
        .any(|a| BatchApi::of(a.provider.kind).is_none())
    {
        return Ok(None);
    }
    estimate(plan, prices, &BatchSettings::default()).map(Some)
}

fn check_providers(conn: &Connection, experiment_id: i32) -> Result<()> {
    let exp = store::experiment::get(conn, experiment_id)?;
    for id in &exp.arm_ids {
        let arm = store::arm::get(conn, *id)?;
        let provider = store::provider::get(conn, arm.provider_id)?;
        if BatchApi::of(provider.kind).is_none() {
            return Err(Error::Invalid(format!(
                "arm {:?}: its provider {:?} ({}) has no batch API; batch runs go through \
                 OpenAI, Azure OpenAI or Anthropic",
                arm.name,
                provider.name,
                provider.kind.as_str()
            )));
        }
    }
    Ok(())
}

/// The batch settings of run `run_id`, or `None` when it is a live run.
pub fn settings(conn: &Connection, run_id: i32) -> Result<Option<BatchSettings>> {
    store::batch::settings(conn, run_id)
}

/// The indices of the cases sent live to measure latency: `n` of `cases` cases chosen
/// with `seed`, in case order; the same for every arm, so latencies are paired.
pub fn latency_sample(cases: usize, n: u32, seed: u64) -> HashSet<usize> {
    let n = (n as usize).min(cases);
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x5A3F_1C2B_9D4E_7A61);
    let mut all: Vec<usize> = (0..cases).collect();
    rng.shuffle(&mut all);
    all.truncate(n);
    all.into_iter().collect()
}

/// One arm's batches, as the Runs list shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmBatchProgress {
    pub arm_id: i32,
    pub parts: u32,
    /// Requests submitted in this arm's batches.
    pub submitted: u32,
    /// Of them, not yet answered nor failed at the provider.
    pub in_progress: u32,
    pub completed: u32,
    pub failed: u32,
    /// The least advanced part's state, and the provider's word for it.
    pub state: BatchState,
    pub provider_status: Option<String>,
}

/// The batch progress of each arm of run `run_id` (none for a live run).
pub fn progress(conn: &Connection, run_id: i32) -> Result<Vec<ArmBatchProgress>> {
    let mut out: Vec<ArmBatchProgress> = Vec::new();
    for job in store::batch::jobs(conn, run_id)? {
        let submitted = job.case_ids.len() as u32;
        let done = (job.succeeded + job.failed).min(submitted);
        let in_progress = if job.state.has_ended() || job.state == BatchState::Ingested {
            0
        } else {
            submitted - done
        };
        let rank = |s: BatchState| BatchState::ALL.iter().position(|x| *x == s);
        match out.iter_mut().find(|a| a.arm_id == job.arm_id) {
            Some(a) => {
                a.parts += 1;
                a.submitted += submitted;
                a.in_progress += in_progress;
                a.completed += job.succeeded;
                a.failed += job.failed;
                if rank(job.state) < rank(a.state) {
                    a.state = job.state;
                    a.provider_status = job.provider_status.clone();
                }
            }
            None => out.push(ArmBatchProgress {
                arm_id: job.arm_id,
                parts: 1,
                submitted,
                in_progress,
                completed: job.succeeded,
                failed: job.failed,
                state: job.state,
                provider_status: job.provider_status.clone(),
            }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latency_sample_is_seeded_and_bounded_by_the_cases() {
        let a = latency_sample(1000, 200, 7);
        assert_eq!(a.len(), 200);
        assert_eq!(
            a,
            latency_sample(1000, 200, 7),
            "the same seed, the same cases"
        );
        assert_ne!(a, latency_sample(1000, 200, 8));
        assert_eq!(latency_sample(12, 200, 7).len(), 12);
        assert!(latency_sample(12, 0, 7).is_empty());
    }
}

//! "Run the comparison" from a finished job: the experiment that compares the job's source
//! prompting arm (arm A) with the fine-tuned arm it became (arm B) on the dataset's held-out
//! test split — made once, reused after — and a pending run of it with its estimate, for
//! the person to start within a spend ceiling.

use rusqlite::Connection;
use serde::Serialize;

use super::job::{FineTuneJob, JobStatus};
use crate::experiment::{self, ExperimentDraft, Margin};
use crate::run::{self, PreparedRun, RunOptions};
use crate::{store, Error, Result};

/// A comparison ready to start.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreparedComparison {
    pub experiment_id: i32,
    /// Whether the experiment existed already (an earlier comparison of this job).
    pub reused: bool,
    /// The pending run and its estimate.
    pub prepared: PreparedRun,
}

/// The (source arm, fine-tuned arm, dataset) a finished job compares; refused in plain
/// words while the job has not succeeded or its arms or dataset are gone.
fn parts(job: &FineTuneJob) -> Result<(i32, i32, i32)> {
    if job.status != JobStatus::Succeeded {
        return Err(Error::Invalid(format!(
            "fine-tune job {} is {}; compare it once it has succeeded",
            job.id,
            job.status.as_str()
        )));
    }
    let missing = |what: &str| {
        Error::Invalid(format!(
            "fine-tune job {}: {what}, so there is nothing to compare",
            job.id
        ))
    };
    Ok((
        job.source_arm_id
            .ok_or_else(|| missing("its source arm was deleted"))?,
        job.result_arm_id
            .ok_or_else(|| missing("its fine-tuned arm is not made yet"))?,
        job.dataset_id
            .ok_or_else(|| missing("its dataset was deleted"))?,
    ))
}

/// Creates (or reuses) the comparison of job `job_id` and prepares a run of it.
pub fn prepare(conn: &Connection, job_id: i32, options: &RunOptions) -> Result<PreparedComparison> {
    let job = store::fine_tune::get(conn, job_id)?;
    let (source, tuned, dataset) = parts(&job)?;
    let mut existing = None;
    for (id, _, _) in store::experiment::using_arm(conn, tuned)? {
        let e = store::experiment::get(conn, id)?;
        if e.dataset_id == dataset && e.split == "test" && e.arm_ids == [source, tuned] {
            existing = Some(id);
        }
    }
    let reused = existing.is_some();
    let experiment_id = match existing {
        Some(id) => id,
        None => experiment::create(conn, &draft(conn, &job, source, tuned, dataset)?)?,
    };
    Ok(PreparedComparison {
        experiment_id,
        reused,
        prepared: run::prepare(conn, experiment_id, options)?,
    })
}

/// The experiment to make: scored as the newest experiment that already judged the source
/// arm on this dataset (its metric, margin and labels), else by accuracy with a 5% margin.
fn draft(
    conn: &Connection,
    job: &FineTuneJob,
    source: i32,
    tuned: i32,
    dataset: i32,
) -> Result<ExperimentDraft> {
    let mut scored = None;
    for (id, _, _) in store::experiment::using_arm(conn, source)? {
        let e = store::experiment::get(conn, id)?;
        if e.dataset_id == dataset {
            scored = Some(e);
        }
    }
    let (primary_metric, margin, labels) = match scored {
        Some(e) => (e.primary_metric, e.margin, e.labels),
        None => ("accuracy".to_string(), Margin::default(), Vec::new()),
    };
    Ok(ExperimentDraft {
        name: format!(
            "{} vs its fine-tune (job {})",
            store::arm::get(conn, source)?.name,
            job.id
        ),
        dataset_id: dataset,
        split: "test".into(),
        primary_metric,
        margin,
        labels,
        arm_a: source,
        arm_b: tuned,
        more_arms: Vec::new(),
    })
}

//! What a fine-tune job measurably cost, as the training of the arm it made: the
//! provider's billed figure, the job's trained tokens × the catalog's training price, or
//! this machine's time at its rate. The cost model uses it in place of the catalog's
//! estimate from the train split, and says so ([`MeasuredTraining`]).

use rusqlite::Connection;

use super::job::{CostSource, FineTuneJob};
use crate::arm::{Arm, ArmKind};
use crate::cost::{MeasuredTraining, Training};
use crate::price::TrainingUnit;
use crate::{money, store, Result};

/// The training of `arm` as the job that made it measured it, and where that figure comes
/// from; `None` for a prompting arm or an arm no job with a measured cost made. `local`:
/// the arm is served on this machine (a llama.cpp job made it). One run costs what the
/// job cost: its tokens at one epoch, priced so tokens × price is the measured figure.
pub fn for_arm(
    conn: &Connection,
    arm: &Arm,
    local: bool,
    retrain_every_months: f64,
) -> Result<Option<(Training, MeasuredTraining)>> {
    if arm.kind == ArmKind::Prompt {
        return Ok(None);
    }
    let job = if local {
        super::local_job::job_for_arm(conn, arm)?
    } else {
        store::fine_tune::for_result_arm(conn, arm.id)?
    };
    let Some((job, cost)) = job.and_then(|j| j.training_cost.map(|c| (j, c))) else {
        return Ok(None);
    };
    let tokens = job.trained_tokens.filter(|t| *t > 0.0).unwrap_or(1e6);
    let training = Training {
        tokens,
        epochs: 1.0,
        price: cost / tokens * 1e6,
        unit: TrainingUnit::PerMillionTokens,
        hours: 0.0,
        data_prep_cost: 0.0,
        retrain_every_months,
    };
    let measured = MeasuredTraining {
        job_id: job.id,
        how: how(&job, cost),
        estimated: job.estimated_cost,
    };
    Ok(Some((training, measured)))
}

/// How `job`'s training cost `cost` was measured, in words.
fn how(job: &FineTuneJob, cost: f64) -> String {
    match job.training_cost_source {
        Some(CostSource::Billed) => format!("as billed by {}", job.trainer.label()),
        Some(CostSource::ComputeTime) => match (job.wall_seconds, job.hosting_per_hour) {
            (Some(s), Some(rate)) => format!(
                "{} h of this machine's time at {} an hour",
                crate::decision::number::one_decimal(s / 3600.0),
                money::usd(rate)
            ),
            _ => "this machine's time at its rate".into(),
        },
        Some(CostSource::TrainedTokens) | None => match job.trained_tokens.filter(|t| *t > 0.0) {
            Some(t) => format!(
                "{} trained tokens × {} per 1M",
                money::count(t),
                money::usd(cost / t * 1e6)
            ),
            None => "the cost the job recorded".into(),
        },
    }
}

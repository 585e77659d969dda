//! A fine-tune job as the store holds it, remote or local, and the one state machine every
//! trainer is mapped onto: validating → queued → running → succeeded | failed | cancelled.
//! Pure: no I/O, no clock (times are passed in as RFC 3339 UTC text).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

mod hyperparameters;
mod status;

pub use hyperparameters::Hyperparameters;
pub use status::{JobStatus, Trainer, OPENAI_CLOSES, OPENAI_LAST_DAY};

/// One line of a job's history: a provider event, a local trainer's progress line, or a
/// note of Tunebench's own (a retried poll, a cancel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobEvent {
    /// RFC 3339 UTC.
    pub at: String,
    /// `info`, `warning` or `error`.
    pub level: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
    /// Training loss at `step`, when the event carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
}

impl JobEvent {
    pub fn info(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            level: "info".into(),
            message: message.into(),
            step: None,
            loss: None,
        }
    }
}

/// Where a job's measured training cost comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// The provider's own billed figure.
    Billed,
    /// The job's trained tokens × the catalog's training price.
    TrainedTokens,
    /// Compute time on this machine × an hourly figure the person gave (local jobs).
    ComputeTime,
}

impl CostSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CostSource::Billed => "billed",
            CostSource::TrainedTokens => "trained_tokens",
            CostSource::ComputeTime => "compute_time",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "billed" => CostSource::Billed,
            "trained_tokens" => CostSource::TrainedTokens,
            "compute_time" => CostSource::ComputeTime,
            _ => return None,
        })
    }
}

/// A fine-tune job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FineTuneJob {
    pub id: i32,
    pub trainer: Trainer,
    /// The provider whose key the job uses and that serves the result (none for a local
    /// job until a local server serves it).
    pub provider_id: Option<i32>,
    pub dataset_id: Option<i32>,
    /// The split the examples came from (`train`).
    pub split: String,
    /// The arm whose system prompt and template rendered the examples.
    pub source_arm_id: Option<i32>,
    pub base_model: String,
    pub hyperparameters: Hyperparameters,
    /// The provider's file (or Fireworks dataset) id, or a local file's path.
    pub training_file: Option<String>,
    pub provider_job_id: Option<String>,
    pub status: JobStatus,
    /// The provider's own word for the state.
    pub provider_status: Option<String>,
    /// Why the job failed, in the provider's words.
    pub error_message: Option<String>,
    pub events: Vec<JobEvent>,
    /// The last lines of a local trainer's output.
    pub log_tail: String,
    pub example_count: Option<u32>,
    pub trained_tokens: Option<f64>,
    /// The estimate shown before Start, USD.
    pub estimated_cost: Option<f64>,
    /// The most the person agreed to spend on training, USD.
    pub spend_ceiling: Option<f64>,
    /// What training measurably cost, USD.
    pub training_cost: Option<f64>,
    pub training_cost_source: Option<CostSource>,
    /// Seconds from start (else creation) to the terminal state.
    pub wall_seconds: Option<f64>,
    pub result_model: Option<String>,
    /// The deployment serving the result (Azure, Fireworks), when one is needed.
    pub deployment: Option<String>,
    /// The deployment's hourly fee, USD.
    pub hosting_per_hour: Option<f64>,
    /// The fine-tuned arm made from the result.
    pub result_arm_id: Option<i32>,
    /// When a poller should next ask (RFC 3339 UTC).
    pub next_poll_at: Option<String>,
    /// Polls in a row that failed (429, 5xx, network): drives the backoff, never ends a job.
    pub poll_failures: u32,
    pub created_at: String,
    pub updated_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// What is known when a job is created.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewJob {
    pub provider_id: Option<i32>,
    pub dataset_id: Option<i32>,
    pub source_arm_id: Option<i32>,
    pub base_model: String,
    pub hyperparameters: Hyperparameters,
    pub example_count: Option<u32>,
    pub estimated_cost: Option<f64>,
    pub spend_ceiling: Option<f64>,
}

/// What one look at a job found: a provider's poll answer or a local trainer's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub status: JobStatus,
    pub provider_status: Option<String>,
    pub trained_tokens: Option<f64>,
    pub result_model: Option<String>,
    pub error_message: Option<String>,
    /// The provider's billed training cost, USD, when its API returns one.
    pub billed_cost: Option<f64>,
    /// Events not seen before (duplicates of stored ones are dropped).
    pub events: Vec<JobEvent>,
}

impl Observation {
    pub fn status(status: JobStatus) -> Self {
        Self {
            status,
            provider_status: None,
            trained_tokens: None,
            result_model: None,
            error_message: None,
            billed_cost: None,
            events: Vec::new(),
        }
    }
}

/// How many events a job keeps (the newest); a long local run logs thousands of steps.
pub const MAX_EVENTS: usize = 2000;

impl FineTuneJob {
    /// Applies what a poll found, at time `now`. A terminal job refuses any other state;
    /// entering `running` stamps `started_at`; entering a terminal state stamps
    /// `finished_at` and the wall time. Returns whether the status changed.
    pub fn observe(&mut self, obs: Observation, now: &str) -> Result<bool> {
        if !self.status.may_become(obs.status) {
            return Err(Error::Invalid(format!(
                "fine-tune job {}: it is {} and cannot become {}",
                self.id,
                self.status.as_str(),
                obs.status.as_str()
            )));
        }
        let changed = self.status != obs.status;
        self.status = obs.status;
        if obs.provider_status.is_some() {
            self.provider_status = obs.provider_status;
        }
        if obs.trained_tokens.is_some() {
            self.trained_tokens = obs.trained_tokens;
        }
        if obs.result_model.is_some() {
            self.result_model = obs.result_model;
        }
        if obs.error_message.is_some() {
            self.error_message = obs.error_message;
        }
        if let Some(billed) = obs.billed_cost {
            self.training_cost = Some(billed);
            self.training_cost_source = Some(CostSource::Billed);
        }
        for e in obs.events {
            if !self
                .events
                .iter()
                .any(|old| old.at == e.at && old.message == e.message)
            {
                self.events.push(e);
            }
        }
        if self.events.len() > MAX_EVENTS {
            let cut = self.events.len() - MAX_EVENTS;
            self.events.drain(..cut);
        }
        if self.status == JobStatus::Running && self.started_at.is_none() {
            self.started_at = Some(now.to_string());
        }
        if changed && self.status.is_terminal() {
            self.finished_at = Some(now.to_string());
            let from = self.started_at.as_deref().unwrap_or(&self.created_at);
            self.wall_seconds = seconds_between(from, now);
            self.next_poll_at = None;
        }
        self.poll_failures = 0;
        self.updated_at = now.to_string();
        Ok(changed)
    }

    /// Records a failed poll (429, 5xx, network) at `now`: the job keeps its state, and
    /// the next poll waits longer ([`backoff_seconds`]).
    pub fn poll_failed(&mut self, now: &str, what: &str) {
        self.poll_failures = self.poll_failures.saturating_add(1);
        self.events.push(JobEvent {
            at: now.to_string(),
            level: "warning".into(),
            message: format!(
                "polling failed ({what}); retry {} will follow",
                self.poll_failures
            ),
            step: None,
            loss: None,
        });
        self.updated_at = now.to_string();
    }

    /// Records the measured training cost unless the provider's billed figure is already
    /// there: `trained_tokens` × `price_per_1m` (USD per 1M training tokens).
    pub fn price_trained_tokens(&mut self, price_per_1m: f64) -> Option<f64> {
        if self.training_cost_source == Some(CostSource::Billed) {
            return self.training_cost;
        }
        let tokens = self.trained_tokens?;
        let cost = tokens * price_per_1m / 1e6;
        self.training_cost = Some(cost);
        self.training_cost_source = Some(CostSource::TrainedTokens);
        Some(cost)
    }

    /// The training losses the events carry, in step order: the loss chart's points.
    pub fn losses(&self) -> Vec<(u32, f64)> {
        let mut v: Vec<(u32, f64)> = self
            .events
            .iter()
            .filter_map(|e| Some((e.step?, e.loss.filter(|l| l.is_finite())?)))
            .collect();
        v.sort_by_key(|(s, _)| *s);
        v.dedup_by_key(|(s, _)| *s);
        v
    }
}

/// Seconds to wait before the next poll after `failures` failed polls in a row: 10 s when
/// all is well, doubling per failure up to 10 minutes.
pub fn backoff_seconds(failures: u32) -> u64 {
    let base: u64 = 10;
    base.saturating_mul(1u64 << failures.min(6)).min(600)
}

/// Seconds from `from` to `to` (both RFC 3339); `None` when either does not parse.
pub fn seconds_between(from: &str, to: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(from).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(to).ok()?;
    Some(((b - a).num_milliseconds() as f64 / 1000.0).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> FineTuneJob {
        FineTuneJob {
            id: 7,
            trainer: Trainer::OpenAi,
            provider_id: Some(1),
            dataset_id: Some(1),
            split: "train".into(),
            source_arm_id: Some(1),
            base_model: "gpt-4.1-mini-2025-04-14".into(),
            hyperparameters: Hyperparameters::default(),
            training_file: Some("file-1".into()),
            provider_job_id: Some("ftjob-1".into()),
            status: JobStatus::Validating,
            provider_status: None,
            error_message: None,
            events: vec![],
            log_tail: String::new(),
            example_count: Some(600),
            trained_tokens: None,
            estimated_cost: Some(1.0),
            spend_ceiling: None,
            training_cost: None,
            training_cost_source: None,
            wall_seconds: None,
            result_model: None,
            deployment: None,
            hosting_per_hour: None,
            result_arm_id: None,
            next_poll_at: None,
            poll_failures: 0,
            created_at: "2026-11-30T10:00:00Z".into(),
            updated_at: "2026-11-30T10:00:00Z".into(),
            started_at: None,
            finished_at: None,
        }
    }

    #[test]
    fn a_run_stamps_its_start_and_its_end_with_the_wall_time_between() {
        let mut j = job();
        assert!(j
            .observe(
                Observation::status(JobStatus::Queued),
                "2026-11-30T10:01:00Z"
            )
            .unwrap());
        assert_eq!(j.started_at, None);
        j.observe(
            Observation::status(JobStatus::Running),
            "2026-11-30T10:05:00Z",
        )
        .unwrap();
        assert_eq!(j.started_at.as_deref(), Some("2026-11-30T10:05:00Z"));
        let mut done = Observation::status(JobStatus::Succeeded);
        done.result_model = Some("ft:gpt-4.1-mini:acme::abc".into());
        done.trained_tokens = Some(1_200_000.0);
        j.observe(done, "2026-11-30T10:35:30Z").unwrap();
        assert_eq!(j.wall_seconds, Some(1830.0));
        assert_eq!(j.finished_at.as_deref(), Some("2026-11-30T10:35:30Z"));
        assert_eq!(j.result_model.as_deref(), Some("ft:gpt-4.1-mini:acme::abc"));
    }

    #[test]
    fn a_finished_job_refuses_to_move_again() {
        let mut j = job();
        j.observe(
            Observation::status(JobStatus::Cancelled),
            "2026-11-30T10:01:00Z",
        )
        .unwrap();
        let err = j
            .observe(
                Observation::status(JobStatus::Running),
                "2026-11-30T10:02:00Z",
            )
            .unwrap_err();
        assert!(err.to_string().contains("cancelled"), "{err}");
        assert_eq!(j.status, JobStatus::Cancelled);
        assert!(!j
            .observe(
                Observation::status(JobStatus::Cancelled),
                "2026-11-30T10:03:00Z"
            )
            .unwrap());
    }

    #[test]
    fn failed_polls_back_off_and_a_good_poll_resets_them() {
        let mut j = job();
        j.poll_failed("2026-11-30T10:01:00Z", "HTTP 429");
        j.poll_failed("2026-11-30T10:01:20Z", "HTTP 503");
        assert_eq!(j.poll_failures, 2);
        assert_eq!(j.status, JobStatus::Validating);
        assert_eq!(backoff_seconds(0), 10);
        assert_eq!(backoff_seconds(2), 40);
        assert_eq!(backoff_seconds(30), 600);
        j.observe(
            Observation::status(JobStatus::Queued),
            "2026-11-30T10:02:00Z",
        )
        .unwrap();
        assert_eq!(j.poll_failures, 0);
    }

    #[test]
    fn a_billed_figure_wins_over_tokens_times_price() {
        let mut j = job();
        j.trained_tokens = Some(2_000_000.0);
        assert_eq!(j.price_trained_tokens(5.0), Some(10.0));
        assert_eq!(j.training_cost_source, Some(CostSource::TrainedTokens));
        let mut o = Observation::status(JobStatus::Succeeded);
        o.billed_cost = Some(8.25);
        j.observe(o, "2026-11-30T11:00:00Z").unwrap();
        assert_eq!(j.price_trained_tokens(5.0), Some(8.25));
        assert_eq!(j.training_cost_source, Some(CostSource::Billed));
    }

    #[test]
    fn repeated_events_are_kept_once_and_losses_come_in_step_order() {
        let mut j = job();
        let ev = |step: u32, loss: f64| JobEvent {
            at: format!("2026-11-30T10:0{step}:00Z"),
            level: "info".into(),
            message: format!("step {step}"),
            step: Some(step),
            loss: Some(loss),
        };
        let mut o = Observation::status(JobStatus::Running);
        o.events = vec![ev(2, 1.5), ev(1, 2.0)];
        j.observe(o.clone(), "2026-11-30T10:03:00Z").unwrap();
        j.observe(o, "2026-11-30T10:04:00Z").unwrap();
        assert_eq!(j.events.len(), 2);
        assert_eq!(j.losses(), vec![(1, 2.0), (2, 1.5)]);
    }
}

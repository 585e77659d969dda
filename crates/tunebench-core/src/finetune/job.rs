//! A fine-tune job as the store holds it, remote or local, and the one state machine every
//! trainer is mapped onto: validating → queued → running → succeeded | failed | cancelled.
//! Pure: no I/O, no clock (times are passed in as RFC 3339 UTC text).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Who trains the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Trainer {
    /// OpenAI's fine-tuning API (closed to new jobs from [`OPENAI_LAST_DAY`] on).
    #[serde(rename = "openai")]
    OpenAi,
    /// Azure OpenAI's OpenAI-shaped `/openai/v1` fine-tuning API.
    #[serde(rename = "azure_openai")]
    AzureOpenAi,
    /// Together's fine-tuning API (LoRA or full).
    Together,
    /// Fireworks' supervised fine-tuning jobs (LoRA).
    Fireworks,
    /// llama.cpp's `llama-finetune` on this machine.
    LlamaCpp,
}

/// OpenAI accepts no new fine-tuning job after this day (UTC).
pub const OPENAI_LAST_DAY: &str = "2027-01-05";
/// The day OpenAI's self-serve fine-tuning closes to new jobs.
pub const OPENAI_CLOSES: &str = "2027-01-06";

impl Trainer {
    pub const ALL: [Trainer; 5] = [
        Trainer::OpenAi,
        Trainer::AzureOpenAi,
        Trainer::Together,
        Trainer::Fireworks,
        Trainer::LlamaCpp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Trainer::OpenAi => "openai",
            Trainer::AzureOpenAi => "azure_openai",
            Trainer::Together => "together",
            Trainer::Fireworks => "fireworks",
            Trainer::LlamaCpp => "llama_cpp",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Trainer::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Trainer::OpenAi => "OpenAI",
            Trainer::AzureOpenAi => "Azure OpenAI",
            Trainer::Together => "Together",
            Trainer::Fireworks => "Fireworks",
            Trainer::LlamaCpp => "llama.cpp (local)",
        }
    }

    /// Whether the job runs on this machine rather than at a provider.
    pub fn is_local(self) -> bool {
        self == Trainer::LlamaCpp
    }
}

/// Our closed set of job states; every provider's own states map onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// The training file is being uploaded or checked.
    Validating,
    /// Accepted, waiting for capacity.
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 6] = [
        JobStatus::Validating,
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
        JobStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Validating => "validating",
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        JobStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// A terminal state never changes again.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled
        )
    }

    /// Whether a job in `self` may move to `next`. A live job may move to any state
    /// (providers re-queue a paused job); a finished one only stays where it is.
    pub fn may_become(self, next: JobStatus) -> bool {
        !self.is_terminal() || self == next
    }

    /// OpenAI and Azure OpenAI (`GET /fine_tuning/jobs/{id}` → `status`).
    pub fn from_openai(s: &str) -> Option<Self> {
        Some(match s {
            "validating_files" => JobStatus::Validating,
            "queued" | "pausing" | "paused" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            _ => return None,
        })
    }

    /// Together (`GET /v1/fine-tunes/{id}` → `status`). A cancel that was requested is still
    /// running until Together says `cancelled`.
    pub fn from_together(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => JobStatus::Validating,
            "queued" => JobStatus::Queued,
            "running" | "compressing" | "uploading" | "cancel_requested" => JobStatus::Running,
            "completed" => JobStatus::Succeeded,
            "error" | "user_error" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            _ => return None,
        })
    }

    /// Fireworks (`GET /v1/{name}` → `state`, `JOB_STATE_*`).
    pub fn from_fireworks(s: &str) -> Option<Self> {
        Some(match s {
            "JOB_STATE_VALIDATING" | "JOB_STATE_CREATING" => JobStatus::Validating,
            "JOB_STATE_PENDING" | "JOB_STATE_PAUSED" => JobStatus::Queued,
            "JOB_STATE_RUNNING"
            | "JOB_STATE_WRITING_RESULTS"
            | "JOB_STATE_CANCELLING"
            | "JOB_STATE_RE_QUEUEING"
            | "JOB_STATE_EXPIRING"
            | "JOB_STATE_DELETING" => JobStatus::Running,
            "JOB_STATE_COMPLETED" => JobStatus::Succeeded,
            "JOB_STATE_FAILED" | "JOB_STATE_FAILED_CLEANING_UP" | "JOB_STATE_EXPIRED" => {
                JobStatus::Failed
            }
            "JOB_STATE_CANCELLED" | "JOB_STATE_DELETED" => JobStatus::Cancelled,
            _ => return None,
        })
    }
}

/// The knobs of a training run. Every field is optional: `None` means the trainer's default.
/// Unknown fields in stored JSON are ignored, so fields can be added.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Hyperparameters {
    pub epochs: Option<u32>,
    /// OpenAI / Azure: a multiplier of the provider's own learning rate.
    pub learning_rate_multiplier: Option<f64>,
    /// Together, Fireworks, llama.cpp: the learning rate itself.
    pub learning_rate: Option<f64>,
    pub batch_size: Option<u32>,
    /// LoRA rank (Together, Fireworks); `None` with `full = true` trains every weight.
    pub lora_rank: Option<u32>,
    pub lora_alpha: Option<u32>,
    /// Train every weight instead of a LoRA adapter (Together's `Full`; llama.cpp always).
    pub full: bool,
    /// Appended to the resulting model's name where the provider allows it.
    pub suffix: Option<String>,
    pub seed: Option<u32>,
    /// llama.cpp: the optimizer (`adamw` or `sgd`).
    pub optimizer: Option<String>,
    /// llama.cpp: the share of windows held out for validation loss.
    pub validation_split: Option<f64>,
    /// llama.cpp: the context (window) length in tokens.
    pub context_length: Option<u32>,
}

impl Hyperparameters {
    /// Refuses values no trainer accepts, naming the field.
    pub fn check(&self) -> Result<()> {
        let bad = |field: &str, why: &str| Err(Error::Invalid(format!("`{field}` {why}")));
        if self.epochs == Some(0) {
            return bad("epochs", "must be at least 1");
        }
        if let Some(e) = self.epochs.filter(|e| *e > 50) {
            return bad("epochs", &format!("is {e}; at most 50 are accepted"));
        }
        for (name, v) in [
            ("learning_rate_multiplier", self.learning_rate_multiplier),
            ("learning_rate", self.learning_rate),
        ] {
            if let Some(v) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
                return bad(name, &format!("is {v}; it must be a positive number"));
            }
        }
        if self.batch_size == Some(0) {
            return bad("batch_size", "must be at least 1");
        }
        if self.lora_rank == Some(0) {
            return bad("lora_rank", "must be at least 1");
        }
        if let Some(v) = self
            .validation_split
            .filter(|v| !(v.is_finite() && (0.0..1.0).contains(v)))
        {
            return bad("validation_split", &format!("is {v}; it must be in [0, 1)"));
        }
        if let Some(o) = self
            .optimizer
            .as_deref()
            .filter(|o| !matches!(*o, "adamw" | "sgd"))
        {
            return bad("optimizer", &format!("is {o:?}; use \"adamw\" or \"sgd\""));
        }
        Ok(())
    }
}

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
    fn every_provider_state_maps_onto_ours() {
        assert_eq!(
            JobStatus::from_openai("validating_files"),
            Some(JobStatus::Validating)
        );
        assert_eq!(JobStatus::from_openai("paused"), Some(JobStatus::Queued));
        assert_eq!(
            JobStatus::from_together("cancel_requested"),
            Some(JobStatus::Running)
        );
        assert_eq!(
            JobStatus::from_together("user_error"),
            Some(JobStatus::Failed)
        );
        assert_eq!(
            JobStatus::from_together("completed"),
            Some(JobStatus::Succeeded)
        );
        assert_eq!(
            JobStatus::from_fireworks("JOB_STATE_COMPLETED"),
            Some(JobStatus::Succeeded)
        );
        assert_eq!(JobStatus::from_openai("exploded"), None);
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        for t in Trainer::ALL {
            assert_eq!(Trainer::parse(t.as_str()), Some(t));
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

    #[test]
    fn hyperparameters_out_of_range_name_their_field() {
        let h = Hyperparameters {
            epochs: Some(0),
            ..Hyperparameters::default()
        };
        assert!(h.check().unwrap_err().to_string().contains("`epochs`"));
        let h = Hyperparameters {
            learning_rate: Some(-1.0),
            ..Hyperparameters::default()
        };
        assert!(h
            .check()
            .unwrap_err()
            .to_string()
            .contains("`learning_rate`"));
        let h = Hyperparameters {
            optimizer: Some("adam".into()),
            ..Hyperparameters::default()
        };
        assert!(h.check().unwrap_err().to_string().contains("`optimizer`"));
        assert!(Hyperparameters::default().check().is_ok());
    }
}

//! Runs: every arm of an experiment over every case of its split, concurrently, with
//! retries, rate limits, a response cache, a budget ceiling, cancellation and resume. Each
//! result is committed as it lands, once per (run, arm, case); a run killed at any moment
//! resumes without re-sending a case that has a result.

pub mod backfill;
pub mod batch;
mod call;
pub mod engine;
pub mod estimate;
pub mod judge;
pub mod keys;
pub mod limiter;
pub mod liveness;
mod local;
pub mod metric;
pub mod plan;
pub mod prepare;
mod progress;
pub mod retry;
pub mod start;
pub mod summary;
mod writer;

use serde::{Deserialize, Serialize};

pub use engine::{execute, RunContext};
pub use estimate::{estimate, ArmPriceOverride, CatalogPrices, Estimate, PriceLookup};
pub use liveness::effective_status;
pub use plan::{clear_errors, create, Plan};
pub use prepare::{
    create_from_file, create_rerun, launch, prepare, prepare_rerun, Launch, PreparedRerun,
    PreparedRun,
};
pub use start::{start, OnEvent, RunEvent};
pub use summary::{list, summarize, RunArmSummary, RunListEntry, RunSummary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Pending,
    Running,
    /// Shown for a run whose status says running but whose process is gone.
    Interrupted,
    Cancelled,
    BudgetStopped,
    Completed,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Pending => "pending",
            RunStatus::Running => "running",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Cancelled => "cancelled",
            RunStatus::BudgetStopped => "budget_stopped",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => RunStatus::Pending,
            "running" => RunStatus::Running,
            "interrupted" => RunStatus::Interrupted,
            "cancelled" => RunStatus::Cancelled,
            "budget_stopped" => RunStatus::BudgetStopped,
            "completed" => RunStatus::Completed,
            "failed" => RunStatus::Failed,
            _ => return None,
        })
    }

    /// Whether the run has stopped (it may still be resumed unless completed).
    pub fn is_final(self) -> bool {
        !matches!(self, RunStatus::Pending | RunStatus::Running)
    }
}

/// A run as the store holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunRecord {
    pub id: i32,
    pub experiment_id: i32,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: RunStatus,
    /// JSON snapshot of the experiment, arms, providers and options (no secrets).
    pub settings: String,
}

impl RunRecord {
    /// The cost assumptions the run was started with (an experiment file's `[scenario]`),
    /// as saved in its settings.
    pub fn scenario_settings(&self) -> Option<serde_json::Value> {
        serde_json::from_str::<serde_json::Value>(&self.settings)
            .ok()
            .and_then(|v| v.get("scenario").cloned())
            .filter(|v| !v.is_null())
    }
}

/// Per-run choices that are not part of the experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RunOptions {
    /// Overrides every provider's `max_concurrency`.
    pub concurrency: Option<u32>,
    /// Answer from (and fill) the response cache.
    pub use_cache: bool,
    /// Stop cleanly once the run has spent this much USD on calls (all sessions).
    pub budget_usd: Option<f64>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            concurrency: None,
            use_cache: true,
            budget_usd: None,
        }
    }
}

/// One row of the `result` table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultRecord {
    pub run_id: i32,
    pub arm_id: i32,
    pub example_id: i32,
    pub output: Option<String>,
    pub error_class: Option<String>,
    pub http_status: Option<u32>,
    pub error_message: Option<String>,
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
    pub cached_tokens: Option<u32>,
    pub latency_ms: Option<f64>,
    pub ttft_ms: Option<f64>,
    pub attempts: u32,
    pub cost: Option<f64>,
    pub from_cache: bool,
    /// `length`, `content_filter` or `refusal` when the answer did not simply finish.
    pub finish_reason: Option<String>,
    /// Of `prompt_tokens`, those written to the provider's prompt cache.
    pub cache_write_tokens: Option<u32>,
    /// A local model's answer: its share of the machine's serving wall time, ms.
    pub machine_ms: Option<f64>,
}

/// Progress of one arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmProgress {
    pub arm_id: i32,
    pub name: String,
    /// Cases with a result (answered or error), including those before a resume.
    pub done: u32,
    pub total: u32,
    pub errors: u32,
    pub from_cache: u32,
    /// The running primary metric over the answered cases.
    pub metric: Option<f64>,
}

/// A progress event, sent at most every 100 ms and once at the end.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    pub run_id: i32,
    pub arms: Vec<ArmProgress>,
    pub elapsed_s: f64,
    /// Seconds left at the current pace; `None` before the first result of this session.
    pub eta_s: Option<f64>,
    /// USD spent on calls by this run so far, earlier sessions included (cached answers
    /// cost nothing). The budget ceiling applies to this figure.
    pub spend_usd: f64,
    pub metric_name: String,
}

/// How a call to [`execute`] ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunOutcome {
    pub run_id: i32,
    pub status: RunStatus,
    /// Results written in this session.
    pub written: u32,
    pub spend_usd: f64,
}

//! Who trains a model and the closed set of states every trainer's own words map onto.

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}

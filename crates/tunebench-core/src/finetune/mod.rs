//! Fine-tuning from the app: the training examples of a train split rendered exactly as
//! an arm renders a case, a job's one state machine shared by every trainer (OpenAI,
//! Azure OpenAI, Together, Fireworks, llama.cpp on this machine), and what a finished job
//! turns into: a fine-tuned arm with its measured training cost. `local` trains a model on
//! this machine with llama.cpp (`llama_log` reads its trainer's progress).

pub mod azure;
pub mod compare;
pub mod examples;
pub mod flow;
pub mod job;
pub mod llama_log;
pub mod local;
pub mod local_job;
pub mod loss;
pub mod measured;
pub mod preflight;
pub mod remote;
pub mod watch;

pub use examples::{to_jsonl, training_arm, training_examples, TrainingExample};
pub use job::{
    backoff_seconds, CostSource, FineTuneJob, Hyperparameters, JobEvent, JobStatus, NewJob,
    Observation, Trainer, OPENAI_CLOSES,
};
pub use preflight::{preflight, PreflightReport, PreflightRequest, TrainingEstimate};

/// Now, as the RFC 3339 UTC text every job time is stored in.
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    at(secs)
}

/// Unix time `secs` as RFC 3339 UTC text.
pub fn at(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

//! A fine-tune on this machine with llama.cpp: the training examples rendered with the
//! model's own chat template (by `llama-server`, as it will render the arm's prompts when
//! the result is evaluated), the model dequantised to F32, every weight trained by
//! `llama-finetune`, the result quantised back for serving and checked to load and answer.
//! Each step is named, so a failure says which step failed and keeps the tool's last lines;
//! cancelling stops the tool under way. Nothing here touches the store: the job model
//! records the outcome and registers the arm only after every step succeeded.
//!
//! This file holds what a local fine-tune is asked and answers (its options, steps, events,
//! outcome and failure); `text` makes the training text, `train` runs the steps.

use std::path::PathBuf;

use serde::Serialize;

use super::llama_log::TrainProgress;
use crate::provider::gguf::GgufInfo;
use crate::provider::Message;

mod text;
mod train;

pub use text::{join_rendered, windows};
pub use train::fine_tune;

/// The steps of a local fine-tune, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The model file, the tools and the memory, before anything starts.
    Check,
    /// The examples through the model's chat template into one training text.
    Render,
    /// The model to F32 (`llama-quantize`), which `llama-finetune` trains.
    Dequantise,
    /// `llama-finetune`.
    Train,
    /// The trained model back to the serving type (`llama-quantize`).
    Quantise,
    /// The result served once and asked one of the examples.
    Verify,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Check => "check",
            Step::Render => "render",
            Step::Dequantise => "dequantise",
            Step::Train => "train",
            Step::Quantise => "quantise",
            Step::Verify => "verify",
        }
    }
}

/// What to train and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalOptions {
    /// The GGUF file to start from.
    pub base_model: PathBuf,
    /// Where the work files and the result go (created).
    pub work_dir: PathBuf,
    pub epochs: u32,
    pub learning_rate: f64,
    /// Tokens per training window (`-c`, `-b` and `-ub`).
    pub context: u32,
    /// The type of the result (`Q8_0`, or the base model's own, e.g. `Q4_1`).
    pub quantisation: String,
    /// USD per hour of this machine; the training cost is the wall time times this.
    pub machine_cost_per_hour: f64,
}

pub const DEFAULT_EPOCHS: u32 = 1;
/// AdamW's step size for a full fine-tune of a small model on a few hundred examples.
pub const DEFAULT_LEARNING_RATE: f64 = 5e-5;
/// A window holds one short classification example (prompt and answer) whole.
pub const DEFAULT_CONTEXT: u32 = 512;
pub const DEFAULT_QUANTISATION: &str = "Q8_0";

impl LocalOptions {
    pub fn new(base_model: impl Into<PathBuf>, work_dir: impl Into<PathBuf>) -> Self {
        Self {
            base_model: base_model.into(),
            work_dir: work_dir.into(),
            epochs: DEFAULT_EPOCHS,
            learning_rate: DEFAULT_LEARNING_RATE,
            context: DEFAULT_CONTEXT,
            quantisation: DEFAULT_QUANTISATION.into(),
            machine_cost_per_hour: 0.0,
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.epochs == 0 || self.epochs > 100 {
            return Err(format!("epochs must be 1 to 100, not {}", self.epochs));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0 && self.learning_rate < 1.0)
        {
            return Err(format!(
                "the learning rate must be between 0 and 1, not {}",
                self.learning_rate
            ));
        }
        // llama.cpp rounds a context up to a multiple of 256, so the windows it cuts are
        // only the ones counted here when the context is one already.
        if !(256..=8192).contains(&self.context) || !self.context.is_multiple_of(256) {
            return Err(format!(
                "the context must be a multiple of 256 tokens from 256 to 8192 (llama.cpp \
                 rounds it up to one), not {}",
                self.context
            ));
        }
        if !(self.machine_cost_per_hour.is_finite() && self.machine_cost_per_hour >= 0.0) {
            return Err(format!(
                "the machine's cost per hour must be a number ≥ 0, not {}",
                self.machine_cost_per_hour
            ));
        }
        let q = self.quantisation.to_ascii_uppercase();
        if !q.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || q.is_empty() {
            return Err(format!(
                "{:?} is not a llama.cpp quantisation type (e.g. Q8_0)",
                self.quantisation
            ));
        }
        Ok(())
    }
}

/// One training example: the messages the arm sends (system, user...) and the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub prompt: Vec<Message>,
    pub answer: String,
}

/// What a local fine-tune reports while it works.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LocalEvent {
    Step { step: Step, detail: String },
    Progress { epoch: u32, progress: TrainProgress },
}

/// A finished local fine-tune.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LocalOutcome {
    /// The trained model, ready to serve.
    pub model: String,
    pub quantisation: String,
    pub examples: u32,
    /// Tokens of the training text, and the windows of `context` tokens cut from it.
    pub tokens: u32,
    pub windows: u32,
    /// Mean training loss of each epoch (the first is the epoch's first window).
    pub first_loss: f64,
    pub epoch_losses: Vec<f64>,
    /// Seconds of `llama-finetune`, and of the whole job.
    pub train_seconds: f64,
    pub wall_seconds: f64,
    pub machine_cost_per_hour: f64,
    /// `wall_seconds` × the machine's cost per hour.
    pub training_cost_usd: f64,
    /// What the trained model answered to the first example, when checked.
    pub check_answer: String,
}

/// A failed local fine-tune: the step, what went wrong and the tool's last lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LocalFailure {
    pub step: Step,
    pub message: String,
    pub log_tail: String,
    pub cancelled: bool,
}

impl std::fmt::Display for LocalFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.cancelled {
            return write!(
                f,
                "the local fine-tune was cancelled during step `{}`",
                self.step.as_str()
            );
        }
        write!(
            f,
            "local fine-tune, step `{}`: {}",
            self.step.as_str(),
            self.message
        )?;
        if !self.log_tail.is_empty() {
            write!(f, "\nlast output:\n{}", self.log_tail)?;
        }
        Ok(())
    }
}

fn fail(step: Step, message: impl std::fmt::Display) -> LocalFailure {
    LocalFailure {
        step,
        message: message.to_string(),
        log_tail: String::new(),
        cancelled: false,
    }
}

/// Memory `llama-finetune` needs for `model`: the F32 weights, their gradients and AdamW's
/// two moments (4 × F32), plus activations of a `context`-token window and its buffers.
pub fn training_memory(model: &GgufInfo, context: u32) -> u64 {
    const OVERHEAD: u64 = 512 << 20;
    let activations = u64::from(context) * (model.parameters / 100).max(1 << 16) / 8;
    model.f32_bytes().saturating_mul(4) + activations + OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_out_of_range_are_refused_with_the_value() {
        let mut o = LocalOptions::new("m.gguf", "/tmp/x");
        assert!(o.check().is_ok());
        o.epochs = 0;
        assert!(o.check().unwrap_err().contains("epochs"));
        o.epochs = 1;
        o.context = 255;
        assert!(o.check().unwrap_err().contains("255"));
        o.context = 300;
        assert!(o.check().unwrap_err().contains("multiple of 256"));
        o.context = 256;
        o.learning_rate = -1.0;
        assert!(o.check().unwrap_err().contains("learning rate"));
        o.learning_rate = 1e-5;
        o.quantisation = "Q8_0; rm -rf".into();
        assert!(o.check().unwrap_err().contains("quantisation"));
    }

    #[test]
    fn training_memory_of_smollm2_is_a_few_gigabytes() {
        let info = GgufInfo {
            path: "m.gguf".into(),
            file_bytes: 98 << 20,
            version: 3,
            architecture: Some("llama".into()),
            name: None,
            parameters: 134_515_008,
            main_type: "Q4_1".into(),
            has_chat_template: true,
        };
        let need = training_memory(&info, 512);
        // Measured: about 2.4 GB RSS at -c 256.
        assert!(need > 2 << 30 && need < 4 << 30, "{need}");
    }

    #[test]
    fn a_failure_names_its_step_and_keeps_the_last_output() {
        let f = LocalFailure {
            step: Step::Train,
            message: "llama-finetune failed (exit status: 1)".into(),
            log_tail: "ggml: out of memory".into(),
            cancelled: false,
        };
        let s = f.to_string();
        assert!(
            s.contains("step `train`") && s.contains("out of memory"),
            "{s}"
        );
    }
}

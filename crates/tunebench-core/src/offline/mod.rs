//! The whole empirical test on this machine, with no API key: from a labelled dataset (the
//! built-in sample first of all), a small seeded subset is cut (`subset`), a prompting arm
//! on the default local model with few-shot examples from its train rows is made, the same
//! model is fine-tuned on those train rows with llama.cpp, and both arms are run over the
//! same held-out cases (`flow`). Before anything starts, [`estimate`] says how long it will
//! take from the speeds measured for SmolLM2-135M on 2 cores, scaled to this machine's cores.

mod flow;
mod subset;

use serde::{Deserialize, Serialize};

use crate::finetune::local::{LocalEvent, DEFAULT_LEARNING_RATE};
use crate::finetune::local_job::LocalJobResult;
use crate::run::Progress;
use crate::{Error, Result};

pub use flow::run;
pub use subset::{pick, store_subset, Picked, Row};

/// How big the offline test is. The defaults finish in about half an hour on 2 cores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OfflineOptions {
    /// Train rows the model is fine-tuned on (and the few-shot examples are drawn from).
    pub train_rows: u32,
    /// Held-out cases both arms answer.
    pub test_cases: u32,
    /// Characters of each input kept (its beginning); 0 keeps inputs whole.
    pub max_chars: u32,
    /// Few-shot examples in the prompting arm's prompt.
    pub few_shot: u32,
    pub epochs: u32,
    /// Tokens per training window.
    pub context: u32,
    pub learning_rate: f64,
    pub seed: u32,
}

impl Default for OfflineOptions {
    fn default() -> Self {
        Self {
            train_rows: 32,
            test_cases: 60,
            max_chars: 240,
            few_shot: 2,
            epochs: 1,
            context: 256,
            learning_rate: DEFAULT_LEARNING_RATE,
            seed: 7,
        }
    }
}

impl OfflineOptions {
    /// The options, or an error naming the field out of range.
    pub fn check(&self) -> Result<()> {
        let bad = |field: &str, why: &str| {
            Err(Error::Invalid(format!(
                "offline test, field `{field}`: {why}"
            )))
        };
        if !(2..=5000).contains(&self.train_rows) {
            return bad("train_rows", "give 2 to 5,000 train rows");
        }
        if !(1..=5000).contains(&self.test_cases) {
            return bad("test_cases", "give 1 to 5,000 held-out cases");
        }
        if self.few_shot >= self.train_rows {
            return bad("few_shot", "take fewer few-shot examples than train rows");
        }
        if self.max_chars != 0 && self.max_chars < 20 {
            return bad("max_chars", "keep at least 20 characters (or 0 for all)");
        }
        Ok(())
    }
}

/// The measured speeds the estimate scales (SmolLM2-135M on 2 idle cores, see
/// `docs` and FINETUNE-APIS.md / LOCAL-LLM.md): seconds per 256-token training window,
/// prompt and generated tokens per second when serving.
const MEASURED_CORES: f64 = 2.0;
const TRAIN_S_PER_256_WINDOW: f64 = 8.5;
const PROMPT_TOKENS_PER_S: f64 = 470.0;
const GENERATED_TOKENS_PER_S: f64 = 166.0;
/// Dequantising, quantising back, starting servers and the check answer.
const FIXED_S: f64 = 40.0;
/// Tokens the chat template and the instruction add to each example.
const OVERHEAD_TOKENS: f64 = 45.0;
/// E-mail text: about 3.4 characters a token with SmolLM2's tokenizer (240 characters ≈ 70).
const CHARS_PER_TOKEN: f64 = 3.4;
/// An answer is one label: a few tokens.
pub const ANSWER_TOKENS: u32 = 4;

/// How long the offline test will take, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OfflineEstimate {
    pub dataset: String,
    pub train_rows: u32,
    pub test_cases: u32,
    /// The labels the train rows carry.
    pub labels: Vec<String>,
    /// Estimated training tokens and the windows cut from them.
    pub training_tokens: u32,
    pub windows: u32,
    pub training_s: f64,
    /// Both arms over the held-out cases.
    pub evaluation_s: f64,
    pub total_s: f64,
    pub cores: u32,
    /// How the figures were reached, in one sentence.
    pub basis: String,
}

/// What the offline test reports while it works.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OfflineEvent {
    /// A stage begins: `subset`, `prompting_arm`, `fine_tune`, `run`.
    Stage {
        stage: String,
        detail: String,
    },
    FineTune {
        event: LocalEvent,
    },
    Run {
        progress: Progress,
    },
}

/// A finished offline test: the run to open, and what was made for it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OfflineOutcome {
    pub dataset_id: i32,
    pub prompting_arm_id: i32,
    pub fine_tune: LocalJobResult,
    pub experiment_id: i32,
    pub run_id: i32,
    pub run_status: crate::run::RunStatus,
}

/// The cores this machine offers.
pub fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// How long the offline test of `options` over the rows `picked` takes on `cores` cores.
pub fn estimate_picked(picked: &Picked, options: &OfflineOptions, cores: u32) -> OfflineEstimate {
    let tokens = |chars: usize| chars as f64 / CHARS_PER_TOKEN + OVERHEAD_TOKENS;
    let mean = |rows: &[subset::Row]| {
        rows.iter()
            .map(|r| tokens(r.input.chars().count()))
            .sum::<f64>()
            / rows.len().max(1) as f64
    };
    let training_tokens: f64 = picked
        .train
        .iter()
        .map(|r| tokens(r.input.chars().count()))
        .sum();
    let context = options.context.max(256);
    let windows = crate::finetune::local::windows(training_tokens.round() as u32, context);
    let speed = f64::from(cores.max(1)) / MEASURED_CORES;
    let training_s =
        f64::from(windows * options.epochs.max(1)) * TRAIN_S_PER_256_WINDOW * f64::from(context)
            / 256.0
            / speed;
    let (train_mean, test_mean) = (mean(&picked.train), mean(&picked.test));
    let prompt = |examples: f64| examples * train_mean + test_mean;
    let answer_s = f64::from(ANSWER_TOKENS) / GENERATED_TOKENS_PER_S;
    let calls = picked.test.len() as f64;
    let evaluation_s = calls
        * ((prompt(f64::from(options.few_shot)) + prompt(0.0)) / PROMPT_TOKENS_PER_S
            + 2.0 * answer_s)
        / speed;
    let mut labels: Vec<String> = picked.train.iter().map(|r| r.expected.clone()).collect();
    labels.sort();
    labels.dedup();
    OfflineEstimate {
        dataset: picked.dataset.clone(),
        train_rows: picked.train.len() as u32,
        test_cases: picked.test.len() as u32,
        labels,
        training_tokens: training_tokens.round() as u32,
        windows,
        training_s,
        evaluation_s,
        total_s: training_s + evaluation_s + FIXED_S,
        cores,
        basis: format!(
            "SmolLM2-135M measured on 2 idle cores ({TRAIN_S_PER_256_WINDOW} s per 256-token \
             training window, {PROMPT_TOKENS_PER_S} prompt and {GENERATED_TOKENS_PER_S} \
             generated tokens a second), scaled to this machine's {cores} cores; tokens \
             estimated as characters / {CHARS_PER_TOKEN} + {OVERHEAD_TOKENS} per example; \
             busy cores make it slower"
        ),
    }
}

/// How long the offline test of `options` on dataset `dataset_id` will take here.
pub fn estimate(
    conn: &rusqlite::Connection,
    dataset_id: i32,
    options: &OfflineOptions,
) -> Result<OfflineEstimate> {
    options.check()?;
    let picked = pick(conn, dataset_id, options)?;
    Ok(estimate_picked(&picked, options, cores()))
}

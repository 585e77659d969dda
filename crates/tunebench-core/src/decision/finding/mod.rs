//! One finding per question or measurement: the sentence that cites its number, and the
//! effect it has on the choice. The rules in `rule.rs` weigh these effects; nothing here
//! picks an answer.

mod hybrid;
mod measured;
mod operating;

pub use hybrid::hybrid;
pub use measured::{
    domain_language, example_count, examples, format, format_check, latency, meets_budget, quality,
    task,
};
pub use operating::{cost, new_information, portability, retirement, retraining};

use super::recommendation::ReasonKind;

/// The example count below which a fine-tune is too thin to trust.
pub const EXAMPLE_GUIDELINE: u32 = 500;
/// Format compliance the fine-tuned arm must gain (or lose) to count: 2 points.
pub const FORMAT_GAP: f64 = 0.02;
/// A format gap counts only when McNemar's exact test on the paired pass/fail outcomes
/// is below this level.
pub const FORMAT_ALPHA: f64 = 0.05;
/// An arm whose failed calls (timeouts, errors) exceed this share of its calls does not
/// meet a p95 budget, whatever the p95 of its answered calls: a call that never
/// answered is slower than any budget, so more than 5 % of them put the p95 of all
/// calls beyond it.
pub const MAX_FAILED_CALLS: f64 = 0.05;
/// Prompting's format compliance that already meets a format need.
pub const FORMAT_SUFFICES: f64 = 0.99;
/// How far ahead a growing volume may reach the break-even and still count, in months.
pub const GROWTH_HORIZON_MONTHS: u32 = 12;
/// With no payback figure, a base model retiring within this many days weighs against.
pub const RETIREMENT_SOON_DAYS: i64 = 182;
/// Days per month, the cost model's 365 / 12 rounded as in its formulas.
pub const DAYS_PER_MONTH: f64 = 30.4;

/// How a finding bears on the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Fine-tuning earns its keep here.
    Win,
    /// Backs fine-tuning without earning its keep alone (domain language with a gain).
    Backing,
    /// The fine-tuned arm is worse than prompting on a requirement.
    Regression,
    /// Fine-tuning does not earn its keep here.
    NoGain,
    /// Weighs against fine-tuning (no crossover at the volume, a retiring base model).
    Against,
    /// Leaves the outcome open (inconclusive quality, neither arm meets the budget).
    Caveat,
    /// Knowledge belongs in retrieval (frequent changes, new information).
    RetrievalNeed,
    /// Neither arm does the task: no recommendation between them stands.
    NoTask,
    Portability,
    FewExamples,
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: ReasonKind,
    pub text: String,
    pub effect: Effect,
}

fn finding(kind: ReasonKind, effect: Effect, text: String) -> Finding {
    Finding { kind, text, effect }
}

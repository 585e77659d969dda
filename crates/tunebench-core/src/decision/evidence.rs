//! The measurements a recommendation weighs, as plain numbers: the quality verdict,
//! format compliance, latency, where each arm is cheaper, monthly costs, the base model's
//! retirement date. Filled by the caller from a run's scoring, statistics and cost model;
//! anything a run does not have stays `None` and its rule is skipped.

use serde::{Deserialize, Serialize};

use super::question::FormatNeed;
use crate::cost::CheaperRange;

/// The margin rule's verdict on the primary metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[serde(rename = "DecisionVerdict")] // a distinct name in the TypeScript bindings
pub enum Verdict {
    /// The fine-tuned arm beats prompting by at least the margin, interval clear of zero.
    Justified,
    /// Settled: the fine-tuned arm does not beat prompting by the margin.
    NotJustified,
    /// The test set cannot tell yet.
    Inconclusive,
}

/// How the margin is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[serde(rename = "DecisionMarginKind")] // a distinct name in the TypeScript bindings
pub enum MarginKind {
    /// A fraction of the prompting arm's score (0.05 = 5 %).
    #[default]
    Relative,
    /// In the metric's own units: points on the 0..1 scale (0.02 = 2 points), BLEU or
    /// chrF on theirs (2.0 = 2 BLEU).
    Absolute,
}

/// The paired comparison of the fine-tuned arm (B) against prompting (A).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QualityEvidence {
    pub verdict: Verdict,
    /// Primary metric name, e.g. `accuracy`; its scale and unit follow from it
    /// ([`crate::score::MetricScale::of`]).
    pub metric: String,
    /// B − A on the metric's own scale: 0..1 for rates and F1s (0.072 = 7.2 points),
    /// 0..100 for BLEU and chrF (3.5 = 3.5 BLEU).
    pub difference: f64,
    /// 95 % confidence interval of the difference, same scale.
    pub ci_low: f64,
    pub ci_high: f64,
    pub margin: f64,
    pub margin_kind: MarginKind,
    /// When inconclusive: the held-out cases needed to settle it, if known.
    pub cases_needed: Option<u32>,
}

/// One figure for each arm; `None` when the run did not measure it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmFigures {
    pub prompting: Option<f64>,
    pub fine_tuned: Option<f64>,
}

impl ArmFigures {
    pub fn new(prompting: f64, fine_tuned: f64) -> Self {
        ArmFigures {
            prompting: Some(prompting),
            fine_tuned: Some(fine_tuned),
        }
    }

    /// Both figures, when both are measured and finite.
    pub fn both(&self) -> Option<(f64, f64)> {
        match (self.prompting, self.fine_tuned) {
            (Some(p), Some(f)) if p.is_finite() && f.is_finite() => Some((p, f)),
            _ => None,
        }
    }
}

/// One arm's answers against a format check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormatCounts {
    /// Answers that pass the check.
    pub compliant: u32,
    /// Answers that fail it.
    pub non_compliant: u32,
    /// Calls that failed (timeouts, errors): no answer to check, counted apart.
    pub errors: u32,
}

impl FormatCounts {
    /// Compliant answers over every case (an errored call is not a compliant answer).
    pub fn rate(&self) -> Option<f64> {
        let n = self.compliant + self.non_compliant + self.errors;
        (n > 0).then(|| f64::from(self.compliant) / f64::from(n))
    }
}

/// Both arms against the check that matches one format need, on the same cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormatCheck {
    /// The need the check measures: valid JSON, schema-valid JSON or a label of the
    /// taxonomy.
    pub need: FormatNeed,
    pub prompting: FormatCounts,
    pub fine_tuned: FormatCounts,
    /// McNemar's exact p-value of the paired pass/fail outcomes (an error fails).
    pub p_value: f64,
}

/// How many of an arm's calls failed (timeouts, errors) out of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallFailures {
    pub failed: u32,
    pub calls: u32,
}

/// Failed calls per arm; `None` when not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmCallFailures {
    pub prompting: Option<CallFailures>,
    pub fine_tuned: Option<CallFailures>,
}

/// Everything measured for one run. `today` is passed in (`YYYY-MM-DD`): the rules read
/// no clock.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Evidence {
    pub quality: Option<QualityEvidence>,
    /// Set when neither arm does the task (primary metric near zero in both, or most
    /// answers outside the taxonomy): the sentence that says so, with its figures.
    pub task_failure: Option<String>,
    /// Each format check the run measured; the one matching the team's format need is
    /// weighed.
    pub format_checks: Vec<FormatCheck>,
    /// p95 latency per arm over the answered calls, milliseconds.
    pub latency_p95_ms: ArmFigures,
    /// Calls per arm that failed (timeouts, errors), which the p95 leaves out.
    pub call_failures: ArmCallFailures,
    /// Every range of daily volumes where each arm is cheaper (side A prompting, B
    /// fine-tuned), from the cost model; `None` when the arms could not be priced.
    pub cheaper: Option<Vec<CheaperRange>>,
    /// The daily volume the monthly costs, retraining share and payback are worked out at:
    /// the team's. Figures at any other volume are not cited.
    pub cost_queries_per_day: Option<f64>,
    /// Why cost is not weighed (a price the catalog lacks), when it is not.
    pub cost_missing: Option<String>,
    /// Monthly cost per arm at `cost_queries_per_day`, US dollars.
    pub monthly_cost: ArmFigures,
    /// The fine-tuned arm's retraining cost per month at the knowledge cadence, US dollars
    /// (part of `monthly_cost.fine_tuned`).
    pub retraining_monthly_cost: Option<f64>,
    /// Months until the first training run pays for itself at `cost_queries_per_day`.
    pub payback_months: Option<f64>,
    /// The fine-tuned arm's base model retirement date, `YYYY-MM-DD`.
    pub base_model_retirement: Option<String>,
    /// The date the recommendation is made, `YYYY-MM-DD`.
    pub today: String,
    /// Examples in the train split.
    pub train_examples: Option<u32>,
    /// The arm weighed against prompting when the run has three or more arms (the
    /// verdict's best, else B); `None` for two arms, whose B is "the fine-tuned arm".
    pub weighed_arm: Option<WeighedArm>,
    /// The run's measured hybrid arm (retrieval feeding a fine-tuned model), when it has
    /// one: hybrid is recommended only when it wins.
    pub hybrid: Option<HybridEvidence>,
}

/// The arm a recommendation weighs against prompting, named in its sentences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WeighedArm {
    pub name: String,
    /// `prompt`, `fine_tuned` or `hybrid`.
    pub kind: String,
}

/// A measured hybrid arm against prompting, and against its fine-tuned arm where the run
/// has one, each after Holm's correction when the run has three or more arms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HybridEvidence {
    pub arm: String,
    /// Hybrid − prompting on the primary metric, with its interval and p-value.
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_value: Option<f64>,
    /// Clears the margin against prompting.
    pub clears: bool,
    pub against_fine_tuned: Option<HybridAgainstFineTuned>,
}

/// A hybrid arm against the fine-tuned arm it adds retrieval to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HybridAgainstFineTuned {
    pub arm: String,
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_value: Option<f64>,
    pub clears: bool,
}

impl HybridEvidence {
    /// It clears the margin against prompting, and against its fine-tuned arm where one
    /// was measured.
    pub fn wins(&self) -> bool {
        self.clears && self.against_fine_tuned.as_ref().is_none_or(|f| f.clears)
    }
}

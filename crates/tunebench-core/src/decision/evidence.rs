//! The measurements a recommendation weighs, as plain numbers: the quality verdict,
//! format compliance, latency, break-even volume, monthly costs, the base model's
//! retirement date. Filled by the caller from a run's scoring, statistics and cost model;
//! anything a run does not have stays `None` and its rule is skipped.

use serde::{Deserialize, Serialize};

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
    /// Metric points on the 0..1 scale (0.02 = 2 points).
    Absolute,
}

/// The paired comparison of the fine-tuned arm (B) against prompting (A).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QualityEvidence {
    pub verdict: Verdict,
    /// Primary metric name, e.g. `accuracy`.
    pub metric: String,
    /// B − A on the metric's 0..1 scale (0.072 = 7.2 points).
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

/// Where the fine-tuned arm's monthly cost crosses the prompting arm's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[serde(rename = "DecisionBreakEven")] // a distinct name in the TypeScript bindings
pub enum BreakEven {
    /// The fine-tuned arm is cheaper from this many queries per day on.
    At { queries_per_day: f64 },
    /// No crossover, with the cost model's reason (e.g. "its cost per query is higher").
    Never { reason: String },
}

/// Everything measured for one run. `today` is passed in (`YYYY-MM-DD`): the rules read
/// no clock.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Evidence {
    pub quality: Option<QualityEvidence>,
    /// Format-compliance rate per arm, 0..1.
    pub format_compliance: ArmFigures,
    /// p95 latency per arm, milliseconds.
    pub latency_p95_ms: ArmFigures,
    pub break_even: Option<BreakEven>,
    /// Monthly cost per arm at the expected volume, US dollars.
    pub monthly_cost: ArmFigures,
    /// The fine-tuned arm's retraining cost per month at the knowledge cadence, US dollars
    /// (part of `monthly_cost.fine_tuned`).
    pub retraining_monthly_cost: Option<f64>,
    /// Months until the first training run pays for itself at the expected volume.
    pub payback_months: Option<f64>,
    /// The fine-tuned arm's base model retirement date, `YYYY-MM-DD`.
    pub base_model_retirement: Option<String>,
    /// The date the recommendation is made, `YYYY-MM-DD`.
    pub today: String,
    /// Examples in the train split.
    pub train_examples: Option<u32>,
}

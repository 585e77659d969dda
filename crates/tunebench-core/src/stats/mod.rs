//! Statistics of an experiment, all pure: the paired bootstrap, McNemar's exact test,
//! Wilson intervals, Newcombe's score interval for a paired difference of rates, power
//! (minimum detectable difference), latency summaries, the margin rule's verdict, and
//! [`compare`], which puts them together for arm B against arm A, and for three or more
//! arms Holm's correction over the comparisons ([`family`]).

pub mod bootstrap;
pub mod comparison;
pub mod family;
pub mod holm;
mod labels;
pub mod latency;
pub mod mcnemar;
pub mod metric;
pub mod paired;
pub mod power;
mod primary;
pub mod verdict;
pub mod wilson;

use serde::{Deserialize, Serialize};

pub use comparison::{
    compare, ArmScores, ArmSummary, CaseScore, CompareConfig, Comparison, ErrorPolicy,
    PrimaryMetric,
};
pub use latency::{summarize_latency, LatencySample, LatencySummary};
pub use metric::{summarize_metric, MetricSummary};
pub use verdict::{Margin, Verdict, VerdictKind};

/// A two-sided interval for an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Interval {
    pub low: f64,
    pub high: f64,
    /// Confidence level, e.g. 0.95.
    pub confidence: f64,
}

impl Interval {
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// The standard normal quantile: z such that Φ(z) = p.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(p)
}

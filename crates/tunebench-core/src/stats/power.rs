//! Power: the minimum detectable difference (MDD) of a test set, and how many cases would
//! be needed to detect a given difference.
//!
//! For a two-sided test at level α with power 1 − β, a true difference δ is detected when
//! δ ≥ (z₁₋α/₂ + z₁₋β) · SE, where SE is the standard error of the estimated difference
//! at this number of cases. Hence
//!
//! * MDD = (z₁₋α/₂ + z₁₋β) · SE (at α = 0.05, 80 % power: 2.8016 · SE);
//! * SE shrinks as 1/√n, so the cases needed for a difference δ are n · (MDD / δ)².
//!
//! Paired design: SE is the standard error of the paired difference, which for a mean of
//! per-case scores is sd(bᵢ − aᵢ)/√n; Tunebench takes it from the paired bootstrap, which
//! also covers corpus metrics such as macro-F1. When the arms never disagree that SE is 0
//! and says nothing about power, so the unpaired (two-proportion) standard error
//! √(SE_A² + SE_B²) is used instead; for rates with a common p that is
//! √(2·p(1 − p)/n), the textbook two-proportion formula ([`mdd_two_proportions`]).

use serde::{Deserialize, Serialize};

use crate::stats::normal_quantile;

/// The test set's power against the margin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PowerAnalysis {
    /// Smallest true difference detected with the stated power at this many cases.
    pub minimum_detectable_difference: f64,
    pub power: f64,
    pub alpha: f64,
    /// Standard error of the difference the figure is based on.
    pub standard_error: f64,
    /// "paired" (bootstrap SE of the paired difference) or "unpaired" (arms never
    /// disagreed; √(SE_A² + SE_B²)).
    pub method: String,
    /// Cases needed to detect a difference equal to the margin, when that is finite.
    pub cases_to_detect_margin: Option<u32>,
    /// Set when the test set cannot detect a difference as small as the margin.
    pub warning: Option<String>,
}

/// (z₁₋α/₂ + z_power).
pub fn z_sum(alpha: f64, power: f64) -> f64 {
    normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power)
}

/// MDD for two independent rates near `p` with `n` cases each:
/// (z₁₋α/₂ + z_power) · √(2·p(1 − p)/n).
pub fn mdd_two_proportions(p: f64, n: u32, alpha: f64, power: f64) -> f64 {
    if n == 0 {
        return f64::INFINITY;
    }
    z_sum(alpha, power) * (2.0 * p * (1.0 - p) / n as f64).sqrt()
}

/// Cases needed so that a difference `delta` is detectable, given the MDD at `n` cases.
pub fn cases_needed(n: u32, mdd: f64, delta: f64) -> Option<u32> {
    if delta.is_nan() || delta <= 0.0 || !mdd.is_finite() {
        return None;
    }
    let needed = (n as f64 * (mdd / delta).powi(2)).ceil();
    (needed.is_finite() && needed <= u32::MAX as f64).then_some(needed.max(1.0) as u32)
}

/// The power analysis for a difference with standard error `se` at `n` cases, against
/// `margin` (absolute, in the metric's units).
pub fn analyse(
    se: f64,
    paired: bool,
    n: u32,
    margin: f64,
    alpha: f64,
    power: f64,
) -> PowerAnalysis {
    let mdd = z_sum(alpha, power) * se;
    let cases = cases_needed(n, mdd, margin);
    let warning = (mdd > margin).then(|| {
        let need = match cases {
            Some(c) => format!("about {c} cases would be needed"),
            None => "no number of cases is enough at this spread".to_owned(),
        };
        format!(
            "The test set is too small to detect the margin: with n = {n} the smallest difference \
             detectable at {:.0} % power is {mdd:.3}, larger than the margin of {margin:.3}; {need}.",
            power * 100.0
        )
    });
    PowerAnalysis {
        minimum_detectable_difference: mdd,
        power,
        alpha,
        standard_error: se,
        method: if paired { "paired" } else { "unpaired" }.to_owned(),
        cases_to_detect_margin: cases,
        warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_proportion_mdd_matches_the_textbook_figure() {
        // p = 0.5, n = 400: 2.8016 · √(0.5/400) = 0.09905.
        let m = mdd_two_proportions(0.5, 400, 0.05, 0.8);
        assert!(
            (m - 2.801_585 * (0.5f64 / 400.0).sqrt()).abs() < 1e-5,
            "{m}"
        );
    }

    #[test]
    fn a_small_set_warns_that_it_cannot_detect_the_margin() {
        let a = analyse(0.03, true, 100, 0.04, 0.05, 0.8);
        assert!(a.warning.is_some());
        // MDD 0.084 vs margin 0.04: (0.084/0.04)² · 100 ≈ 441 cases.
        assert_eq!(a.cases_to_detect_margin, Some(442));
        assert!(analyse(0.01, true, 1000, 0.04, 0.05, 0.8).warning.is_none());
    }
}

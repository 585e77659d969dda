//! One arm's figure for one scorer with its interval, for the side-by-side table of every
//! metric: the mean of the per-case scores, with a Wilson interval when the scores are
//! binary (a rate) and a seeded bootstrap percentile interval otherwise.

use serde::{Deserialize, Serialize};

use crate::stats::bootstrap::{percentile_interval, resample};
use crate::stats::comparison::ErrorPolicy;
use crate::stats::wilson::wilson;
use crate::stats::Interval;

/// A metric of one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MetricSummary {
    /// The scorer's name.
    pub metric: String,
    /// Cases the mean runs over.
    pub n: u32,
    /// Cases that errored (scored 0 or left out, per the policy).
    pub errors: u32,
    pub mean: Option<f64>,
    pub interval: Option<Interval>,
    /// "wilson" or "bootstrap".
    pub interval_method: String,
}

/// Summarises per-case scores (`None` = the case errored) under the error policy.
pub fn summarize_metric(
    metric: &str,
    scores: &[Option<f64>],
    policy: ErrorPolicy,
    confidence: f64,
    resamples: u32,
    seed: u32,
) -> MetricSummary {
    let errors = scores.iter().filter(|s| s.is_none()).count() as u32;
    let values: Vec<f64> = scores
        .iter()
        .filter_map(|s| match (s, policy) {
            (Some(v), _) => Some(*v),
            (None, ErrorPolicy::CountAsFailure) => Some(0.0),
            (None, ErrorPolicy::ExcludeCase) => None,
        })
        .collect();
    let n = values.len() as u32;
    if values.is_empty() {
        return MetricSummary {
            metric: metric.to_owned(),
            n,
            errors,
            mean: None,
            interval: None,
            interval_method: String::new(),
        };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let binary = values.iter().all(|&v| v == 0.0 || v == 1.0);
    let (interval, method) = if binary {
        let ones = values.iter().filter(|&&v| v == 1.0).count() as u32;
        (wilson(ones, n, confidence), "wilson")
    } else {
        // Group equal values so the bootstrap draws kinds, not cases, when it can.
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let mut kinds: Vec<f64> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        for v in sorted {
            if kinds.last() == Some(&v) {
                if let Some(c) = counts.last_mut() {
                    *c += 1;
                }
            } else {
                kinds.push(v);
                counts.push(1);
            }
        }
        let [mut boot] = resample(&counts, resamples, seed as u64, |drawn| {
            [kinds
                .iter()
                .zip(drawn)
                .map(|(v, &c)| v * c as f64)
                .sum::<f64>()
                / n as f64]
        });
        (percentile_interval(&mut boot, confidence), "bootstrap")
    };
    MetricSummary {
        metric: metric.to_owned(),
        n,
        errors,
        mean: Some(mean),
        interval: Some(interval),
        interval_method: method.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_gets_a_wilson_interval_and_errors_follow_the_policy() {
        let scores = [Some(1.0), Some(0.0), None, Some(1.0)];
        let s = summarize_metric(
            "json_valid",
            &scores,
            ErrorPolicy::CountAsFailure,
            0.95,
            1000,
            1,
        );
        assert_eq!((s.n, s.errors, s.mean), (4, 1, Some(0.5)));
        assert_eq!(s.interval, Some(wilson(2, 4, 0.95)));
        let s = summarize_metric(
            "json_valid",
            &scores,
            ErrorPolicy::ExcludeCase,
            0.95,
            1000,
            1,
        );
        assert_eq!((s.n, s.errors), (3, 1));
        assert!((s.mean.unwrap() - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn continuous_scores_get_a_reproducible_bootstrap_interval_around_the_mean() {
        let scores: Vec<Option<f64>> = (0..200).map(|i| Some((i % 10) as f64 / 10.0)).collect();
        let s = summarize_metric(
            "rouge_l",
            &scores,
            ErrorPolicy::CountAsFailure,
            0.95,
            2000,
            3,
        );
        let i = s.interval.unwrap();
        assert_eq!(s.interval_method, "bootstrap");
        assert!(i.low < 0.45 && 0.45 < i.high, "{i:?}");
        let again = summarize_metric(
            "rouge_l",
            &scores,
            ErrorPolicy::CountAsFailure,
            0.95,
            2000,
            3,
        );
        assert_eq!(again.interval, s.interval);
        assert!(
            summarize_metric("x", &[None], ErrorPolicy::ExcludeCase, 0.95, 10, 0)
                .mean
                .is_none()
        );
    }
}

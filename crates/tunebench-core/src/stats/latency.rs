//! Latency of one arm: mean, percentiles, time to first token and output tokens per
//! second, and pass/fail against a p95 budget.
//!
//! Percentiles use linear interpolation between closest ranks (Hyndman & Fan type 7,
//! numpy's and Excel's default): for sorted values x₀ ≤ … ≤ x_{n−1}, the q-quantile is
//! x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋) with h = (n − 1)·q.

use serde::{Deserialize, Serialize};

/// What one answered case took.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LatencySample {
    /// Wall time from request to full answer.
    pub latency_ms: f64,
    /// Time to first token, when the answer was streamed.
    pub ttft_ms: Option<f64>,
    /// Output tokens, when the provider reported usage.
    pub completion_tokens: Option<u32>,
    /// The case failed after its retries; its latency is not counted.
    pub error: bool,
}

/// The latency figures of one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LatencySummary {
    /// Cases whose latency counts (answered, finite latency).
    pub n: u32,
    /// Cases that failed and are left out.
    pub errors: u32,
    pub mean_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub ttft_p50_ms: Option<f64>,
    pub ttft_p95_ms: Option<f64>,
    /// Output tokens per second: total output tokens ÷ total latency, over answered cases
    /// that report their token count.
    pub tokens_per_second: Option<f64>,
    /// The p95 budget asked for, in ms.
    pub budget_p95_ms: Option<f64>,
    /// Whether p95 ≤ the budget (None when no budget or no latency).
    pub within_budget: Option<bool>,
    /// How percentiles are computed, for the report.
    pub percentile_method: String,
}

/// The q-quantile (0 ≤ q ≤ 1) of sorted values, type 7; NaN when empty.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn quantile_opt(sorted: &[f64], q: f64) -> Option<f64> {
    (!sorted.is_empty()).then(|| quantile_sorted(sorted, q))
}

/// Summarises one arm's latencies; `budget_p95_ms` gives pass/fail on p95.
pub fn summarize_latency(samples: &[LatencySample], budget_p95_ms: Option<f64>) -> LatencySummary {
    let ok: Vec<&LatencySample> = samples
        .iter()
        .filter(|s| !s.error && s.latency_ms.is_finite() && s.latency_ms >= 0.0)
        .collect();
    let errors = samples.iter().filter(|s| s.error).count() as u32;
    let mut lat: Vec<f64> = ok.iter().map(|s| s.latency_ms).collect();
    lat.sort_by(f64::total_cmp);
    let mut ttft: Vec<f64> = ok
        .iter()
        .filter_map(|s| s.ttft_ms)
        .filter(|t| t.is_finite())
        .collect();
    ttft.sort_by(f64::total_cmp);
    let (tokens, seconds) = ok
        .iter()
        .filter_map(|s| {
            s.completion_tokens
                .map(|t| (t as f64, s.latency_ms / 1000.0))
        })
        .fold((0.0, 0.0), |(t, s), (dt, ds)| (t + dt, s + ds));
    let p95 = quantile_opt(&lat, 0.95);
    LatencySummary {
        n: lat.len() as u32,
        errors,
        mean_ms: (!lat.is_empty()).then(|| lat.iter().sum::<f64>() / lat.len() as f64),
        p50_ms: quantile_opt(&lat, 0.50),
        p90_ms: quantile_opt(&lat, 0.90),
        p95_ms: p95,
        p99_ms: quantile_opt(&lat, 0.99),
        ttft_p50_ms: quantile_opt(&ttft, 0.50),
        ttft_p95_ms: quantile_opt(&ttft, 0.95),
        tokens_per_second: (seconds > 0.0).then(|| tokens / seconds),
        budget_p95_ms,
        within_budget: match (budget_p95_ms, p95) {
            (Some(b), Some(p)) => Some(p <= b),
            _ => None,
        },
        percentile_method: "linear interpolation between closest ranks (type 7, numpy default)"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_7_quantiles_interpolate_between_ranks() {
        let v = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(quantile_sorted(&v, 0.5), 25.0);
        assert!((quantile_sorted(&v, 0.95) - 38.5).abs() < 1e-12);
        assert_eq!(quantile_sorted(&v, 1.0), 40.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }
}

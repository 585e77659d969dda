//! The Wilson score interval for a single rate (e.g. one arm's accuracy or format
//! compliance), as statsmodels' `proportion_confint(count, nobs, alpha, method="wilson")`
//! computes it, clipped to [0, 1].

use crate::stats::{normal_quantile, Interval};

/// Wilson interval for `successes` out of `n` at `confidence` (e.g. 0.95). With n = 0
/// the interval is the whole [0, 1].
pub fn wilson(successes: u32, n: u32, confidence: f64) -> Interval {
    if n == 0 {
        return Interval {
            low: 0.0,
            high: 1.0,
            confidence,
        };
    }
    let alpha = 1.0 - confidence;
    let crit = normal_quantile(1.0 - alpha / 2.0);
    let crit2 = crit * crit;
    let nobs = n as f64;
    let q = successes as f64 / nobs;
    let denom = 1.0 + crit2 / nobs;
    let center = (q + crit2 / (2.0 * nobs)) / denom;
    let dist = crit * (q * (1.0 - q) / nobs + crit2 / (4.0 * nobs * nobs)).sqrt() / denom;
    Interval {
        low: (center - dist).clamp(0.0, 1.0),
        high: (center + dist).clamp(0.0, 1.0),
        confidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_stays_inside_zero_one_at_the_extremes() {
        let all = wilson(20, 20, 0.95);
        assert_eq!(all.high, 1.0);
        assert!(all.low > 0.8 && all.low < 0.9, "{all:?}");
        let none = wilson(0, 20, 0.95);
        assert!(none.low.abs() < 1e-15, "{none:?}");
    }
}

//! A score interval for the difference of two paired rates: Newcombe's method 10
//! (Newcombe 1998, "Improved confidence intervals for the difference between binomial
//! proportions based on paired data", Statistics in Medicine 17:2635–2650).
//!
//! With `both` cases right in both arms, `a_only` right only in arm A, `b_only` right only
//! in arm B and `neither` right in neither, out of n, the difference is
//! θ = p_B − p_A = (b_only − a_only) / n. Each arm's rate gets its Wilson interval
//! (l_A, u_A) and (l_B, u_B); with φ the correlation of the 2×2 table,
//!
//! * φ = (both · neither − a_only · b_only) / √((both + a_only)(b_only + neither)(both + b_only)(a_only + neither)),
//!   taken as 0 when a margin is empty;
//! * δ = √((p_B − l_B)² − 2φ (p_B − l_B)(u_A − p_A) + (u_A − p_A)²);
//! * ε = √((u_B − p_B)² − 2φ (u_B − p_B)(p_A − l_A) + (p_A − l_A)²);
//! * the interval is (θ − δ, θ + ε).
//!
//! Unlike a percentile bootstrap, it keeps its coverage at small n and with few
//! discordant pairs, where the bootstrap's interval is too narrow.
//! `scripts/reference_metrics.py` computes the same interval from statsmodels' Wilson
//! intervals for the fixtures in `tests/fixtures/reference/paired.json`.

use crate::stats::wilson::wilson;
use crate::stats::Interval;

/// The four cells of a paired 2×2 table of right (1) and wrong (0) answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairedCounts {
    pub both: u32,
    pub a_only: u32,
    pub b_only: u32,
    pub neither: u32,
}

impl PairedCounts {
    pub fn n(&self) -> u32 {
        self.both + self.a_only + self.b_only + self.neither
    }
}

/// Newcombe's method-10 interval for p_B − p_A at `confidence`. With no cases the
/// interval is the whole [−1, 1].
pub fn newcombe_difference(t: PairedCounts, confidence: f64) -> Interval {
    let n = t.n();
    if n == 0 {
        return Interval {
            low: -1.0,
            high: 1.0,
            confidence,
        };
    }
    let nf = n as f64;
    let (ones_a, ones_b) = (t.both + t.a_only, t.both + t.b_only);
    let (pa, pb) = (ones_a as f64 / nf, ones_b as f64 / nf);
    let wa = wilson(ones_a, n, confidence);
    let wb = wilson(ones_b, n, confidence);
    let [both, a_only, b_only, neither] = [t.both, t.a_only, t.b_only, t.neither].map(f64::from);
    let denom = (both + a_only) * (b_only + neither) * (both + b_only) * (a_only + neither);
    let phi = if denom > 0.0 {
        (both * neither - a_only * b_only) / denom.sqrt()
    } else {
        0.0
    };
    let theta = pb - pa;
    let (db, ua) = (pb - wb.low, wa.high - pa);
    let (ub, da) = (wb.high - pb, pa - wa.low);
    let delta = (db * db - 2.0 * phi * db * ua + ua * ua).max(0.0).sqrt();
    let eps = (ub * ub - 2.0 * phi * ub * da + da * da).max(0.0).sqrt();
    Interval {
        low: (theta - delta).max(-1.0),
        high: (theta + eps).min(1.0),
        confidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_contains_the_observed_difference_and_is_symmetric_in_the_arms() {
        let t = PairedCounts {
            both: 300,
            a_only: 20,
            b_only: 36,
            neither: 44,
        };
        let i = newcombe_difference(t, 0.95);
        assert!(i.low < 0.04 && 0.04 < i.high, "{i:?}");
        let swapped = newcombe_difference(
            PairedCounts {
                a_only: 36,
                b_only: 20,
                ..t
            },
            0.95,
        );
        assert!((swapped.low + i.high).abs() < 1e-12 && (swapped.high + i.low).abs() < 1e-12);
    }
}

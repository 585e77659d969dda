//! The paired bootstrap: cases are resampled with replacement (both arms' results for a
//! case travel together), a statistic is recomputed on each resample, and the percentile
//! interval of those values is reported. Seeded (ChaCha8), so the same data and seed give
//! the same interval on every machine.
//!
//! Speed without approximation: a resample's statistic depends only on how many times
//! each case was drawn, and cases with identical paired results are interchangeable. The
//! data are therefore grouped into *kinds* (distinct paired results, with their case
//! counts) and each resample draws how many cases of each kind it holds. With few kinds
//! (binary scores: at most four; labels: distinct (truth, A, B) triples) the counts are
//! drawn directly from their multinomial distribution by successive binomials, in O(kinds)
//! per resample; with many kinds, n case indices are drawn uniformly. Both are exactly the
//! textbook bootstrap's resampling distribution.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};

use crate::stats::Interval;

/// Draws `resamples` bootstrap resamples of cases grouped into kinds (`counts[k]` cases of
/// kind k) and returns, for each of the `M` statistics, its value on every resample.
/// `statistic` receives the number of cases of each kind in one resample.
pub fn resample<const M: usize>(
    counts: &[u32],
    resamples: u32,
    seed: u64,
    mut statistic: impl FnMut(&[u32]) -> [f64; M],
) -> [Vec<f64>; M] {
    let mut out: [Vec<f64>; M] = std::array::from_fn(|_| Vec::with_capacity(resamples as usize));
    let n: u64 = counts.iter().map(|&c| c as u64).sum();
    let k = counts.len();
    if n == 0 || k == 0 {
        return out;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut drawn = vec![0u32; k];
    let mut push = |values: [f64; M]| {
        for (o, v) in out.iter_mut().zip(values) {
            o.push(v);
        }
    };
    if (k as u64) * 16 <= n {
        // Multinomial(n; counts / n) by successive conditional binomials.
        for _ in 0..resamples {
            let mut left_n = n;
            let mut left_w = n;
            for j in 0..k {
                let w = counts[j] as u64;
                let c = if left_n == 0 || w == 0 {
                    0
                } else if w >= left_w {
                    left_n
                } else {
                    let p = w as f64 / left_w as f64;
                    match Binomial::new(left_n, p) {
                        Ok(b) => b.sample(&mut rng),
                        Err(_) => 0,
                    }
                };
                drawn[j] = c as u32;
                left_n -= c;
                left_w -= w;
            }
            push(statistic(&drawn));
        }
    } else {
        // Uniform case indices, mapped to their kind.
        let kind_of: Vec<u32> = counts
            .iter()
            .enumerate()
            .flat_map(|(j, &c)| std::iter::repeat_n(j as u32, c as usize))
            .collect();
        let len = kind_of.len() as u32;
        for _ in 0..resamples {
            drawn.fill(0);
            for _ in 0..len {
                let i = rng.random_range(0..len);
                drawn[kind_of[i as usize] as usize] += 1;
            }
            push(statistic(&drawn));
        }
    }
    out
}

/// The percentile interval of bootstrap values at `confidence` (e.g. 0.95 → the 2.5th and
/// 97.5th percentiles, linearly interpolated as numpy's default). Sorts `values`.
pub fn percentile_interval(values: &mut [f64], confidence: f64) -> Interval {
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    Interval {
        low: crate::stats::latency::quantile_sorted(values, tail),
        high: crate::stats::latency::quantile_sorted(values, 1.0 - tail),
        confidence,
    }
}

/// Standard deviation of bootstrap values (the bootstrap standard error).
pub fn standard_error(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(counts: &[u32], values: &[f64]) -> f64 {
        let n: u32 = counts.iter().sum();
        counts
            .iter()
            .zip(values)
            .map(|(&c, v)| c as f64 * v)
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn every_resample_keeps_the_number_of_cases() {
        for counts in [vec![500u32, 300, 200], vec![1, 2, 3, 4]] {
            let [totals] = resample(&counts, 200, 7, |d| [d.iter().sum::<u32>() as f64]);
            assert!(totals
                .iter()
                .all(|&t| t == counts.iter().sum::<u32>() as f64));
        }
    }

    #[test]
    fn both_samplers_agree_on_the_spread_of_a_mean() {
        // 30 % ones: the bootstrap SE of the mean is close to sqrt(.3·.7/n).
        let values = [1.0, 0.0];
        let grouped = [300u32, 700];
        let [fast] = resample(&grouped, 4000, 1, |d| [mean_of(d, &values)]);
        let singles: Vec<u32> = vec![1; 1000];
        let per_case: Vec<f64> = (0..1000).map(|i| if i < 300 { 1.0 } else { 0.0 }).collect();
        let [slow] = resample(&singles, 4000, 1, |d| [mean_of(d, &per_case)]);
        let expected = (0.3f64 * 0.7 / 1000.0).sqrt();
        for se in [standard_error(&fast), standard_error(&slow)] {
            assert!((se - expected).abs() < 0.1 * expected, "{se} vs {expected}");
        }
    }
}

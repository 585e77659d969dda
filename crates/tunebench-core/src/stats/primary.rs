//! The primary metric of both arms on the paired cases, with its paired bootstrap: per-case
//! means (and the counts of binary scores) and corpus figures. Label F1s are in `labels`.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::score::CorpusMetric;
use crate::stats::bootstrap::resample;
use crate::stats::comparison::{CaseScore, Pair};

#[derive(Clone, Copy)]
pub(super) struct Binary {
    pub(super) a_ones: u32,
    pub(super) b_ones: u32,
    pub(super) a_only: u32,
    pub(super) b_only: u32,
}

pub(super) struct Statistics {
    pub(super) a_value: f64,
    pub(super) b_value: f64,
    /// Bootstrap values of A, B and B − A.
    pub(super) boot: [Vec<f64>; 3],
    /// Set when every compared score is 0 or 1.
    pub(super) binary: Option<Binary>,
}

/// Per-case means: kinds are the distinct (A value, B value) pairs.
pub(super) fn mean_statistics(pairs: &[Pair<'_>], resamples: u32, seed: u64) -> Statistics {
    // An errored case that is still compared counts as a failure: 0.
    let value = |c: &CaseScore| if c.error { 0.0 } else { c.value };
    let mut index: HashMap<(u64, u64), usize> = HashMap::new();
    let mut kinds: Vec<(f64, f64)> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    for p in pairs {
        let (a, b) = (value(p.a), value(p.b));
        let k = *index.entry((a.to_bits(), b.to_bits())).or_insert_with(|| {
            kinds.push((a, b));
            counts.push(0);
            kinds.len() - 1
        });
        counts[k] += 1;
    }
    let n = pairs.len() as f64;
    let (sum_a, sum_b) = kinds
        .iter()
        .zip(&counts)
        .fold((0.0, 0.0), |(sa, sb), (&(a, b), &c)| {
            (sa + a * c as f64, sb + b * c as f64)
        });
    let is_binary = kinds
        .iter()
        .all(|&(a, b)| (a == 0.0 || a == 1.0) && (b == 0.0 || b == 1.0));
    let binary = is_binary.then(|| {
        let mut bin = Binary {
            a_ones: 0,
            b_ones: 0,
            a_only: 0,
            b_only: 0,
        };
        for (&(a, b), &c) in kinds.iter().zip(&counts) {
            bin.a_ones += (a == 1.0) as u32 * c;
            bin.b_ones += (b == 1.0) as u32 * c;
            bin.a_only += (a == 1.0 && b == 0.0) as u32 * c;
            bin.b_only += (a == 0.0 && b == 1.0) as u32 * c;
        }
        bin
    });
    let boot = resample(&counts, resamples, seed, |drawn| {
        let (mut sa, mut sb) = (0.0, 0.0);
        for (&(a, b), &c) in kinds.iter().zip(drawn) {
            sa += a * c as f64;
            sb += b * c as f64;
        }
        [sa / n, sb / n, (sb - sa) / n]
    });
    Statistics {
        a_value: sum_a / n,
        b_value: sum_b / n,
        boot,
        binary,
    }
}

/// Corpus figures: every case is its own kind (its statistics travel with it), and each
/// resample sums the statistics of the cases it drew, as sacrebleu's paired bootstrap.
pub(super) fn corpus_statistics(
    pairs: &[Pair<'_>],
    metric: CorpusMetric,
    resamples: u32,
    seed: u64,
) -> Result<Statistics> {
    let width = metric.width();
    for p in pairs {
        for c in [p.a, p.b] {
            if c.counts.len() != width {
                return Err(Error::Invalid(format!(
                    "example {}: {} statistics for a {metric:?} corpus metric, which needs {width}",
                    c.example_id,
                    c.counts.len()
                )));
            }
        }
    }
    let (mut sa, mut sb) = (vec![0u64; width], vec![0u64; width]);
    let mut figures = |drawn: &[u32]| {
        sa.iter_mut().chain(sb.iter_mut()).for_each(|x| *x = 0);
        for (p, &k) in pairs.iter().zip(drawn) {
            if k == 0 {
                continue;
            }
            for i in 0..width {
                sa[i] += p.a.counts[i] * k as u64;
                sb[i] += p.b.counts[i] * k as u64;
            }
        }
        let (a, b) = (metric.score(&sa), metric.score(&sb));
        [a, b, b - a]
    };
    let ones = vec![1u32; pairs.len()];
    let [a_value, b_value, _] = figures(&ones);
    let boot = resample(&ones, resamples, seed, figures);
    Ok(Statistics {
        a_value,
        b_value,
        boot,
        binary: None,
    })
}

//! chrF exactly as sacrebleu 2.x computes it with its defaults (`CHRF()`): character
//! n-grams of orders 1–6 over the text with whitespace removed, no word n-grams, β = 2,
//! no lowercasing, effective-order averaging of precision and recall, 0–100 scale.
//! Corpus chrF sums the statistics over cases (`corpus_chrf`).

use std::collections::HashMap;

use crate::score::bleu::python_split;

pub const CHAR_ORDER: usize = 6;
const BETA: f64 = 2.0;

/// Per order: hypothesis n-grams, reference n-grams, matching n-grams. They add up over
/// a corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChrfStats {
    pub orders: [[u64; 3]; CHAR_ORDER],
}

impl std::ops::AddAssign for ChrfStats {
    fn add_assign(&mut self, o: Self) {
        for (a, b) in self.orders.iter_mut().zip(o.orders) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
    }
}

fn char_ngrams(chars: &[char], n: usize) -> HashMap<&[char], u64> {
    let mut counts = HashMap::new();
    for w in chars.windows(n) {
        *counts.entry(w).or_insert(0) += 1;
    }
    counts
}

/// The statistics of one hypothesis against one reference.
pub fn stats(hypothesis: &str, reference: &str) -> ChrfStats {
    let hyp: Vec<char> = python_split(hypothesis).flat_map(str::chars).collect();
    let rf: Vec<char> = python_split(reference).flat_map(str::chars).collect();
    let mut s = ChrfStats::default();
    for n in 1..=CHAR_ORDER {
        let h = char_ngrams(&hyp, n);
        let r = char_ngrams(&rf, n);
        let mut matches = 0;
        let mut hyp_count = 0;
        for (gram, &count) in &h {
            hyp_count += count;
            if let Some(&rc) = r.get(gram) {
                matches += count.min(rc);
            }
        }
        let ref_count: u64 = r.values().sum();
        // As sacrebleu: hypothesis n-grams of an order the reference lacks are not counted.
        let hyp_count = if r.is_empty() { 0 } else { hyp_count };
        s.orders[n - 1] = [hyp_count, ref_count, matches];
    }
    s
}

/// sacrebleu's `CHRF._compute_f_score` (without eps smoothing).
pub fn score_from_stats(s: &ChrfStats) -> f64 {
    let factor = BETA * BETA;
    let eps = 1e-16;
    let (mut avg_prec, mut avg_rec, mut effective) = (0.0f64, 0.0f64, 0u32);
    for &[n_hyp, n_ref, n_match] in &s.orders {
        let prec = if n_hyp > 0 {
            n_match as f64 / n_hyp as f64
        } else {
            eps
        };
        let rec = if n_ref > 0 {
            n_match as f64 / n_ref as f64
        } else {
            eps
        };
        if n_hyp > 0 && n_ref > 0 {
            avg_prec += prec;
            avg_rec += rec;
            effective += 1;
        }
    }
    if effective == 0 {
        return 0.0;
    }
    avg_prec /= effective as f64;
    avg_rec /= effective as f64;
    if avg_prec + avg_rec == 0.0 {
        return 0.0;
    }
    100.0 * ((1.0 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec))
}

/// sacrebleu's `sentence_chrf(hyp, [ref])`.
pub fn sentence_chrf(hypothesis: &str, reference: &str) -> f64 {
    score_from_stats(&stats(hypothesis, reference))
}

/// sacrebleu's `corpus_chrf(hyps, [refs])`, cases paired by position.
pub fn corpus_chrf<H: AsRef<str>, R: AsRef<str>>(hypotheses: &[H], references: &[R]) -> f64 {
    let mut total = ChrfStats::default();
    for (h, r) in hypotheses.iter().zip(references) {
        total += stats(h.as_ref(), r.as_ref());
    }
    score_from_stats(&total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_score_one_hundred_and_whitespace_is_ignored() {
        assert!((sentence_chrf("a cat", "acat") - 100.0).abs() < 1e-9);
        assert_eq!(sentence_chrf("", "a cat"), 0.0);
    }
}

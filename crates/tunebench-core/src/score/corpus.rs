//! Corpus metrics: BLEU and chrF as sacrebleu's `corpus_bleu` / `corpus_chrf`, and the
//! micro-averaged entity F1 of seqeval and the CoNLL script. Each is computed from
//! sufficient statistics that add up over cases, so a paired bootstrap over sentences
//! (as sacrebleu's paired bootstrap resampling) recomputes the corpus figure of each
//! resample from the cases it drew.

use serde::{Deserialize, Serialize};

use super::{bleu, chrf, entity};

/// A metric whose standard figure is computed over the corpus, not averaged per case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CorpusMetric {
    Bleu,
    Chrf,
    /// Micro-averaged entity F1 (true positives, false positives, false negatives summed).
    EntityF1,
}

impl CorpusMetric {
    /// The corpus metric a scorer's name stands for, if any.
    pub fn for_name(name: &str) -> Option<CorpusMetric> {
        match name {
            "bleu" => Some(CorpusMetric::Bleu),
            "chrf" => Some(CorpusMetric::Chrf),
            "entity" => Some(CorpusMetric::EntityF1),
            _ => None,
        }
    }

    /// The additive statistics of one case; an errored case is scored as an empty answer.
    pub fn counts(self, output: &str, expected: &str) -> Vec<u64> {
        match self {
            CorpusMetric::Bleu => {
                let s = bleu::stats(output, expected);
                let mut v = vec![s.hyp_len, s.ref_len];
                v.extend(s.correct);
                v.extend(s.total);
                v
            }
            CorpusMetric::Chrf => chrf::stats(output, expected)
                .orders
                .iter()
                .flatten()
                .copied()
                .collect(),
            CorpusMetric::EntityF1 => {
                let c = entity::count(output, expected);
                vec![c.tp.into(), c.fp.into(), c.fn_.into(), c.unparsable.into()]
            }
        }
    }

    /// How many statistics [`counts`](Self::counts) gives per case.
    pub fn width(self) -> usize {
        match self {
            CorpusMetric::Bleu => 2 + 2 * bleu::MAX_ORDER,
            CorpusMetric::Chrf => 3 * chrf::CHAR_ORDER,
            CorpusMetric::EntityF1 => 4,
        }
    }

    /// The corpus figure from summed statistics: BLEU and chrF on their 0–100 scale,
    /// entity F1 on 0–1.
    pub fn score(self, sums: &[u64]) -> f64 {
        match self {
            CorpusMetric::Bleu => {
                let m = bleu::MAX_ORDER;
                let mut s = bleu::BleuStats {
                    hyp_len: sums[0],
                    ref_len: sums[1],
                    ..bleu::BleuStats::default()
                };
                s.correct.copy_from_slice(&sums[2..2 + m]);
                s.total.copy_from_slice(&sums[2 + m..2 + 2 * m]);
                bleu::score_from_stats(&s, false)
            }
            CorpusMetric::Chrf => {
                let mut s = chrf::ChrfStats::default();
                for (order, chunk) in s.orders.iter_mut().zip(sums.chunks(3)) {
                    order.copy_from_slice(chunk);
                }
                chrf::score_from_stats(&s)
            }
            CorpusMetric::EntityF1 => {
                let c = entity::EntityCounts {
                    tp: sums[0] as u32,
                    fp: sums[1] as u32,
                    fn_: sums[2] as u32,
                    unparsable: sums[3] > 0,
                };
                entity::corpus_score(&[c]).f1
            }
        }
    }

    /// The corpus figure of many cases' statistics.
    pub fn score_cases<'a>(self, cases: impl IntoIterator<Item = &'a [u64]>) -> f64 {
        let mut sums = vec![0u64; self.width()];
        for c in cases {
            for (s, x) in sums.iter_mut().zip(c) {
                *s += x;
            }
        }
        self.score(&sums)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summed_statistics_give_the_corpus_figures() {
        let hyps = ["the cat sat on the mat", "a dog", ""];
        let refs = ["the cat is on the mat", "the dog barks", "nothing"];
        for (m, want) in [
            (CorpusMetric::Bleu, bleu::corpus_bleu(&hyps, &refs)),
            (CorpusMetric::Chrf, chrf::corpus_chrf(&hyps, &refs)),
        ] {
            let counts: Vec<Vec<u64>> =
                hyps.iter().zip(refs).map(|(h, r)| m.counts(h, r)).collect();
            assert!(counts.iter().all(|c| c.len() == m.width()));
            let got = m.score_cases(counts.iter().map(Vec::as_slice));
            assert!((got - want).abs() < 1e-12, "{m:?}: {got} vs {want}");
        }
    }

    #[test]
    fn entity_f1_is_micro_averaged_over_the_corpus() {
        let gold = r#"[{"text":"Paris","type":"LOC"},{"text":"ACME","type":"ORG"}]"#;
        let m = CorpusMetric::EntityF1;
        let a = m.counts(r#"[{"text":"Paris","type":"LOC"}]"#, gold); // tp 1, fn 1
        let b = m.counts("[]", "[]"); // nothing expected, nothing found
        let c = m.counts(
            r#"[{"text":"X","type":"PER"}]"#,
            r#"[{"text":"Y","type":"PER"}]"#,
        );
        // tp 1, fp 1, fn 2: F1 = 2 / (2 + 1 + 2) = 0.4 (the per-case mean would be 0.556).
        let f = m.score_cases([a.as_slice(), b.as_slice(), c.as_slice()]);
        assert!((f - 0.4).abs() < 1e-12, "{f}");
    }
}

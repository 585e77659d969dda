//! The primary metric while a run progresses and in its summary, over the answered cases:
//! the mean of the primary scorer's per-case scores, for the label F1s (macro, micro,
//! weighted: set-level figures) the F1 of the answered cases' labels, and for BLEU, chrF
//! and entity F1 the corpus figure of the answered cases, as the report has them. The LLM judge grades
//! after the run (`tunebench judge`), so until then there is no figure, never a stand-in.

use std::collections::HashMap;

use crate::score::{
    label_of, weighted_label_report, CorpusMetric, F1Average, PreparedScorer, Scorer,
};
use crate::stats::PrimaryMetric;

pub struct RunningMetric {
    kind: Kind,
}

enum Kind {
    Mean(PreparedScorer),
    LabelF1 {
        average: F1Average,
        taxonomy: Vec<String>,
    },
    /// Graded after the run: the stored grade, when there is one.
    Judge,
    /// A corpus figure from the answered cases' summed statistics.
    Corpus(CorpusMetric),
}

/// One arm's tally: a sum of scores, or for a label F1 the count of each (expected,
/// predicted) pair, so computing the figure costs the number of distinct pairs.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    sum: f64,
    n: u32,
    pairs: HashMap<(String, String), u64>,
    counts: Vec<u64>,
}

impl RunningMetric {
    /// The running form of `primary` (an experiment's primary metric) with its taxonomy.
    pub fn new(primary: &str, labels: &[String]) -> Self {
        let kind = match PrimaryMetric::for_name(primary) {
            PrimaryMetric::LabelF1 { average } => Kind::LabelF1 {
                average,
                taxonomy: labels.iter().map(|l| label_of(l)).collect(),
            },
            PrimaryMetric::Corpus { metric } => Kind::Corpus(metric),
            PrimaryMetric::MeanScore => {
                match Scorer::by_name(primary, labels).and_then(|s| s.prepare(primary)) {
                    Ok(p) if p.name() != "judge" => Kind::Mean(p),
                    _ => Kind::Judge,
                }
            }
        };
        Self { kind }
    }

    /// Adds one answered case; `grade` is the judge's stored grade, if any.
    pub fn add(&self, t: &mut Tally, output: &str, expected: &str, grade: Option<f64>) {
        match &self.kind {
            Kind::Mean(p) => {
                if let Some(v) = p.score(output, expected) {
                    t.sum += v;
                    t.n += 1;
                }
            }
            Kind::LabelF1 { .. } => {
                *t.pairs
                    .entry((label_of(expected), label_of(output)))
                    .or_default() += 1;
            }
            Kind::Judge => {
                if let Some(g) = grade {
                    t.sum += g;
                    t.n += 1;
                }
            }
            Kind::Corpus(metric) => {
                let case = metric.counts(output, expected);
                t.counts.resize(case.len(), 0);
                for (sum, x) in t.counts.iter_mut().zip(case) {
                    *sum += x;
                }
                t.n += 1;
            }
        }
    }

    /// The figure so far, `None` before the first scored case.
    pub fn value(&self, t: &Tally) -> Option<f64> {
        match &self.kind {
            Kind::LabelF1 { average, taxonomy } => {
                if t.pairs.is_empty() {
                    return None;
                }
                // The classes as the report has them: the taxonomy, else every label seen.
                let report = weighted_label_report(
                    t.pairs
                        .iter()
                        .map(|((e, p), n)| (e.as_str(), p.as_str(), *n)),
                    (!taxonomy.is_empty()).then_some(taxonomy.as_slice()),
                );
                Some(report.f1(*average))
            }
            Kind::Corpus(metric) => (t.n > 0).then(|| metric.score(&t.counts)),
            _ => (t.n > 0).then(|| t.sum / f64::from(t.n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{RunningMetric, Tally};

    fn run(metric: &str, labels: &[&str], cases: &[(&str, &str)]) -> Option<f64> {
        let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        let m = RunningMetric::new(metric, &labels);
        let mut t = Tally::default();
        for (out, exp) in cases {
            m.add(&mut t, out, exp, None);
        }
        m.value(&t)
    }

    #[test]
    fn accuracy_is_the_share_of_exact_matches_as_the_report_scores_them() {
        // Trimmed, case kept (the exact-match scorer's defaults).
        let cases = [(" billing\n", "billing"), ("Billing", "billing")];
        assert_eq!(run("accuracy", &[], &cases), Some(0.5));
        assert_eq!(run("accuracy", &[], &[]), None);
    }

    #[test]
    fn macro_f1_is_the_f1_of_the_labels_not_accuracy() {
        // Accuracy 3/4; macro-F1 averages billing's F1 (0.8) and shipping's (0.667).
        let cases = [
            ("billing", "billing"),
            ("billing", "billing"),
            ("billing", "shipping"),
            ("shipping", "shipping"),
        ];
        let f1 = run("macro_f1", &["billing", "shipping"], &cases).unwrap();
        assert!((f1 - (0.8 + 2.0 / 3.0) / 2.0).abs() < 1e-12, "{f1}");
    }

    #[test]
    fn bleu_is_the_corpus_figure_not_the_mean_of_sentences() {
        let hyps = ["the cat sat on the mat", "a dog"];
        let refs = ["the cat is on the mat", "the dog barks"];
        let cases: Vec<(&str, &str)> = hyps.into_iter().zip(refs).collect();
        let got = run("bleu", &[], &cases).unwrap();
        let want = crate::score::bleu::corpus_bleu(&hyps, &refs);
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }

    #[test]
    fn the_judge_has_no_figure_until_graded() {
        let m = RunningMetric::new("judge", &[]);
        let mut t = Tally::default();
        m.add(&mut t, "an answer", "expected", None);
        assert_eq!(m.value(&t), None);
        m.add(&mut t, "an answer", "expected", Some(0.5));
        assert_eq!(m.value(&t), Some(0.5));
    }

    #[test]
    fn rouge_l_is_the_mean_of_the_per_case_scores() {
        let v = run("rouge_l", &[], &[("a b c", "a b c"), ("x", "a b c")]).unwrap();
        assert!((v - 0.5).abs() < 1e-12, "{v}");
    }
}

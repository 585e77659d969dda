//! ROUGE-L as Google's `rouge-score` package computes it (`RougeScorer(["rougeL"])`,
//! no stemmer): text is lowercased, every run of characters outside `[a-z0-9]` becomes a
//! token boundary (so non-ASCII letters are dropped, as there), and the score is the
//! F-measure of the longest common subsequence of tokens.

use serde::{Deserialize, Serialize};

/// Precision, recall and F-measure of ROUGE-L for one case.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RougeL {
    pub precision: f64,
    pub recall: f64,
    pub fmeasure: f64,
}

/// rouge-score's default tokenizer without stemming.
pub fn tokenize(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Length of the longest common subsequence, in O(len(a)·len(b)) time, O(len(b)) memory.
fn lcs_len(a: &[String], b: &[String]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// ROUGE-L of `prediction` against `target` (rouge-score's argument order is
/// `score(target, prediction)`). Either side without tokens scores 0.
pub fn rouge_l(prediction: &str, target: &str) -> RougeL {
    let t = tokenize(target);
    let p = tokenize(prediction);
    if t.is_empty() || p.is_empty() {
        return RougeL {
            precision: 0.0,
            recall: 0.0,
            fmeasure: 0.0,
        };
    }
    let lcs = lcs_len(&t, &p) as f64;
    let precision = lcs / p.len() as f64;
    let recall = lcs / t.len() as f64;
    let fmeasure = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    RougeL {
        precision,
        recall,
        fmeasure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercase_ascii_alphanumeric_runs() {
        assert_eq!(
            tokenize("Hello, World-42! café"),
            vec!["hello", "world", "42", "caf"]
        );
    }

    #[test]
    fn rouge_l_is_the_f_measure_of_the_longest_common_subsequence() {
        let r = rouge_l("the cat sat on the mat", "the cat is on the mat");
        assert!((r.precision - 5.0 / 6.0).abs() < 1e-15);
        assert!((r.fmeasure - 5.0 / 6.0).abs() < 1e-15);
        assert_eq!(rouge_l("", "the cat").fmeasure, 0.0);
    }
}

//! BLEU exactly as sacrebleu 2.x computes it with its defaults: the `13a` tokenizer, no
//! lowercasing, 4-gram precision, exponential (`exp`, mteval-v13a / NIST) smoothing,
//! brevity penalty, score on a 0–100 scale. Corpus BLEU sums the sufficient statistics
//! over cases (`corpus_bleu`); sentence BLEU uses effective order (`sentence_bleu`).

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

pub const MAX_ORDER: usize = 4;

/// sacrebleu's `Tokenizer13a`: mteval-v13a tokenization.
pub fn tokenize_13a(line: &str) -> String {
    let mut line = line
        .replace("<skipped>", "")
        .replace("-\n", "")
        .replace('\n', " ");
    if line.contains('&') {
        line = line
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
    }
    let mut s = format!(" {line} ");
    for (re, rep) in rules() {
        s = re.replace_all(&s, *rep).into_owned();
    }
    python_split(&s).collect::<Vec<_>>().join(" ")
}

fn rules() -> &'static [(Regex, &'static str); 4] {
    static RULES: OnceLock<[(Regex, &'static str); 4]> = OnceLock::new();
    RULES.get_or_init(|| {
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| unreachable!("valid pattern: {e}"));
        [
            (re(r"([\{-~\[-` -&\(-\+:-@/])"), " ${1} "),
            (re(r"([^0-9])([\.,])"), "${1} ${2} "),
            (re(r"([\.,])([^0-9])"), " ${1} ${2}"),
            (re(r"([0-9])(-)"), "${1} ${2} "),
        ]
    })
}

/// Python's `str.isspace`: Unicode White_Space plus the information separators U+001C–1F.
pub(crate) fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.split()` with no argument.
pub(crate) fn python_split(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_python_space).filter(|t| !t.is_empty())
}

/// BLEU's sufficient statistics for one case; they add up over a corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BleuStats {
    pub hyp_len: u64,
    pub ref_len: u64,
    pub correct: [u64; MAX_ORDER],
    pub total: [u64; MAX_ORDER],
}

impl std::ops::AddAssign for BleuStats {
    fn add_assign(&mut self, o: Self) {
        self.hyp_len += o.hyp_len;
        self.ref_len += o.ref_len;
        for i in 0..MAX_ORDER {
            self.correct[i] += o.correct[i];
            self.total[i] += o.total[i];
        }
    }
}

fn ngram_counts(tokens: &[&str]) -> HashMap<Vec<String>, u64> {
    let mut counts = HashMap::new();
    for n in 1..=MAX_ORDER {
        for w in tokens.windows(n) {
            *counts
                .entry(w.iter().map(|s| (*s).to_owned()).collect())
                .or_insert(0) += 1;
        }
    }
    counts
}

/// The statistics of one hypothesis against one reference.
pub fn stats(hypothesis: &str, reference: &str) -> BleuStats {
    // sacrebleu strips trailing whitespace before tokenizing.
    let hyp = tokenize_13a(hypothesis.trim_end_matches(is_python_space));
    let rf = tokenize_13a(reference.trim_end_matches(is_python_space));
    let hyp_tokens: Vec<&str> = python_split(&hyp).collect();
    let ref_tokens: Vec<&str> = python_split(&rf).collect();
    let ref_counts = ngram_counts(&ref_tokens);
    let mut s = BleuStats {
        hyp_len: hyp_tokens.len() as u64,
        ref_len: ref_tokens.len() as u64,
        ..BleuStats::default()
    };
    for (gram, count) in ngram_counts(&hyp_tokens) {
        let order = gram.len() - 1;
        s.total[order] += count;
        if let Some(&r) = ref_counts.get(&gram) {
            s.correct[order] += count.min(r);
        }
    }
    s
}

/// sacrebleu's `BLEU.compute_bleu` with `exp` smoothing.
pub fn score_from_stats(s: &BleuStats, effective_order: bool) -> f64 {
    let bp = if s.hyp_len < s.ref_len {
        if s.hyp_len > 0 {
            (1.0 - s.ref_len as f64 / s.hyp_len as f64).exp()
        } else {
            0.0
        }
    } else {
        1.0
    };
    if s.correct.iter().all(|&c| c == 0) {
        return 0.0;
    }
    let mut precisions = [0.0f64; MAX_ORDER];
    let mut smooth = 1.0f64;
    let mut eff_order = MAX_ORDER;
    for n in 1..=MAX_ORDER {
        if s.total[n - 1] == 0 {
            break;
        }
        if effective_order {
            eff_order = n;
        }
        if s.correct[n - 1] == 0 {
            smooth *= 2.0;
            precisions[n - 1] = 100.0 / (smooth * s.total[n - 1] as f64);
        } else {
            precisions[n - 1] = 100.0 * s.correct[n - 1] as f64 / s.total[n - 1] as f64;
        }
    }
    let log_sum: f64 = precisions[..eff_order]
        .iter()
        .map(|&p| if p == 0.0 { -9_999_999_999.0 } else { p.ln() })
        .sum();
    bp * (log_sum / eff_order as f64).exp()
}

/// sacrebleu's `sentence_bleu(hyp, [ref])`.
pub fn sentence_bleu(hypothesis: &str, reference: &str) -> f64 {
    score_from_stats(&stats(hypothesis, reference), true)
}

/// sacrebleu's `corpus_bleu(hyps, [refs])`, cases paired by position.
pub fn corpus_bleu<H: AsRef<str>, R: AsRef<str>>(hypotheses: &[H], references: &[R]) -> f64 {
    let mut total = BleuStats::default();
    for (h, r) in hypotheses.iter().zip(references) {
        total += stats(h.as_ref(), r.as_ref());
    }
    score_from_stats(&total, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_13a_splits_punctuation_but_not_numbers() {
        assert_eq!(
            tokenize_13a("Hello, world! It costs $3.50."),
            "Hello , world ! It costs $ 3.50 ."
        );
        assert_eq!(tokenize_13a("A&amp;B 1-2"), "A & B 1 - 2");
    }

    #[test]
    fn identical_sentences_score_one_hundred() {
        let s = sentence_bleu("the quick brown fox jumps", "the quick brown fox jumps");
        assert!((s - 100.0).abs() < 1e-9, "{s}");
        assert_eq!(sentence_bleu("", "the fox"), 0.0);
    }
}

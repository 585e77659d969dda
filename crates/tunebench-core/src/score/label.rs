//! Label metrics for classification, computed exactly as scikit-learn computes them:
//! accuracy (`accuracy_score`), per-class precision / recall / F1 and support, their
//! macro, micro and support-weighted averages (`precision_recall_fscore_support`) and the
//! confusion matrix (`confusion_matrix`).
//!
//! Zero division follows scikit-learn's default (`zero_division="warn"`, which yields 0):
//! a precision with no predictions of the class, a recall with no true cases of it, and
//! an F1 whose `2·tp + fp + fn` is 0 are all 0, and those zeros are included in the macro
//! and weighted means. F1 is `2·tp / (2·tp + fp + fn)`, scikit-learn's formula since 1.3.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Normalization;

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClassMetrics {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// How many cases truly belong to the class.
    pub support: u32,
}

/// Precision, recall and F1 averaged one way over the classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AveragedMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Every label metric of one arm on one set of cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LabelReport {
    /// Number of cases.
    pub n: u32,
    /// Share of cases whose predicted label equals the expected one.
    pub accuracy: f64,
    /// The classes in matrix order: the given taxonomy, or else the sorted union of
    /// expected and predicted labels (scikit-learn's `unique_labels`).
    pub labels: Vec<String>,
    pub per_class: Vec<ClassMetrics>,
    pub macro_avg: AveragedMetrics,
    pub micro_avg: AveragedMetrics,
    pub weighted_avg: AveragedMetrics,
    /// `confusion[i][j]`: cases whose expected label is `labels[i]` and predicted label is
    /// `labels[j]`. Cases with a label outside `labels` are not counted here.
    pub confusion: Vec<Vec<u32>>,
}

/// Which averaged F1 a primary metric uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum F1Average {
    Macro,
    Micro,
    Weighted,
}

/// Labels interned to dense indices, so that metrics run over integers.
#[derive(Debug, Clone, Default)]
pub struct LabelIndex {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl LabelIndex {
    /// The index of `label`, adding it when new.
    pub fn intern(&mut self, label: &str) -> u32 {
        if let Some(&id) = self.ids.get(label) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(label.to_owned());
        self.ids.insert(label.to_owned(), id);
        id
    }

    pub fn get(&self, label: &str) -> Option<u32> {
        self.ids.get(label).copied()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// True positives, false positives and false negatives per class, the counts every label
/// metric derives from. Classes are positions in the report's label list.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassCounts {
    pub tp: Vec<u64>,
    pub fp: Vec<u64>,
    pub fn_: Vec<u64>,
    /// Cases, and cases whose prediction equals the truth (any label).
    pub n: u64,
    pub correct: u64,
}

impl ClassCounts {
    pub fn new(classes: usize) -> Self {
        ClassCounts {
            tp: vec![0; classes],
            fp: vec![0; classes],
            fn_: vec![0; classes],
            n: 0,
            correct: 0,
        }
    }

    /// Zeroes every count, keeping the allocation.
    pub fn reset(&mut self) {
        self.tp.fill(0);
        self.fp.fill(0);
        self.fn_.fill(0);
        self.n = 0;
        self.correct = 0;
    }

    /// Adds `weight` cases with truth `t` and prediction `p`, both positions in the label
    /// list or `None` for a label outside it.
    #[inline]
    pub fn add(&mut self, t: Option<usize>, p: Option<usize>, same: bool, weight: u64) {
        self.n += weight;
        if same {
            self.correct += weight;
            if let Some(t) = t {
                self.tp[t] += weight;
            }
            return;
        }
        if let Some(t) = t {
            self.fn_[t] += weight;
        }
        if let Some(p) = p {
            self.fp[p] += weight;
        }
    }

    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.n)
    }

    fn class(&self, k: usize) -> AveragedMetrics {
        prf(self.tp[k], self.fp[k], self.fn_[k])
    }

    /// The F1 averaged as asked.
    pub fn f1(&self, average: F1Average) -> f64 {
        match average {
            F1Average::Macro => self.macro_avg().f1,
            F1Average::Micro => self.micro_avg().f1,
            F1Average::Weighted => self.weighted_avg().f1,
        }
    }

    pub fn macro_avg(&self) -> AveragedMetrics {
        let k = self.tp.len();
        if k == 0 {
            return AveragedMetrics::zero();
        }
        let mut sum = AveragedMetrics::zero();
        for c in 0..k {
            sum = sum.plus(self.class(c), 1.0);
        }
        sum.scaled(1.0 / k as f64)
    }

    pub fn micro_avg(&self) -> AveragedMetrics {
        prf(
            self.tp.iter().sum(),
            self.fp.iter().sum(),
            self.fn_.iter().sum(),
        )
    }

    pub fn weighted_avg(&self) -> AveragedMetrics {
        let total: u64 = (0..self.tp.len()).map(|c| self.tp[c] + self.fn_[c]).sum();
        if total == 0 {
            return AveragedMetrics::zero();
        }
        let mut sum = AveragedMetrics::zero();
        for c in 0..self.tp.len() {
            let support = (self.tp[c] + self.fn_[c]) as f64;
            sum = sum.plus(self.class(c), support);
        }
        sum.scaled(1.0 / total as f64)
    }
}

impl AveragedMetrics {
    fn zero() -> Self {
        AveragedMetrics {
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
        }
    }

    fn plus(self, o: AveragedMetrics, w: f64) -> Self {
        AveragedMetrics {
            precision: self.precision + w * o.precision,
            recall: self.recall + w * o.recall,
            f1: self.f1 + w * o.f1,
        }
    }

    fn scaled(self, s: f64) -> Self {
        AveragedMetrics {
            precision: self.precision * s,
            recall: self.recall * s,
            f1: self.f1 * s,
        }
    }
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

fn prf(tp: u64, fp: u64, fn_: u64) -> AveragedMetrics {
    AveragedMetrics {
        precision: ratio(tp, tp + fp),
        recall: ratio(tp, tp + fn_),
        f1: ratio(2 * tp, 2 * tp + fp + fn_),
    }
}

/// Every label metric for `expected` against `predicted` (same length, paired by
/// position). `taxonomy`, when given, fixes the classes and their order as scikit-learn's
/// `labels=` argument does; otherwise the classes are the sorted union of both lists.
pub fn label_report<S: AsRef<str>, T: AsRef<str>>(
    expected: &[S],
    predicted: &[T],
    taxonomy: Option<&[String]>,
) -> LabelReport {
    weighted_label_report(
        expected
            .iter()
            .zip(predicted)
            .map(|(e, p)| (e.as_ref(), p.as_ref(), 1)),
        taxonomy,
    )
}

/// [`label_report`] of `(expected, predicted, count)` triples, each standing for `count`
/// cases: a running tally keeps one triple per distinct pair instead of every case.
pub fn weighted_label_report<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str, u64)>,
    taxonomy: Option<&[String]>,
) -> LabelReport {
    let mut index = LabelIndex::default();
    let interned: Vec<(u32, u32, u64)> = pairs
        .into_iter()
        .map(|(e, p, w)| (index.intern(e), index.intern(p), w))
        .collect();
    let labels: Vec<String> = match taxonomy {
        Some(t) => t.to_vec(),
        None => {
            let mut all = index.names().to_vec();
            all.sort();
            all
        }
    };
    // Position of each interned label in `labels`, or None when outside the list.
    let position: Vec<Option<usize>> = index
        .names()
        .iter()
        .map(|name| labels.iter().position(|l| l == name))
        .collect();
    let k = labels.len();
    let mut counts = ClassCounts::new(k);
    let mut confusion = vec![vec![0u32; k]; k];
    for &(t, p, w) in &interned {
        let (tpos, ppos) = (position[t as usize], position[p as usize]);
        counts.add(tpos, ppos, t == p, w);
        if let (Some(i), Some(j)) = (tpos, ppos) {
            confusion[i][j] += w as u32;
        }
    }
    report_from_counts(&counts, labels, confusion)
}

/// The label an output or expected answer stands for: trimmed, whitespace collapsed.
pub fn label_of(text: &str) -> String {
    Normalization::default().apply(text)
}

impl LabelReport {
    /// The averaged F1 a primary metric names.
    pub fn f1(&self, average: F1Average) -> f64 {
        match average {
            F1Average::Macro => self.macro_avg.f1,
            F1Average::Micro => self.micro_avg.f1,
            F1Average::Weighted => self.weighted_avg.f1,
        }
    }
}

fn report_from_counts(
    counts: &ClassCounts,
    labels: Vec<String>,
    confusion: Vec<Vec<u32>>,
) -> LabelReport {
    let per_class = labels
        .iter()
        .enumerate()
        .map(|(c, label)| {
            let m = counts.class(c);
            ClassMetrics {
                label: label.clone(),
                precision: m.precision,
                recall: m.recall,
                f1: m.f1,
                support: (counts.tp[c] + counts.fn_[c]) as u32,
            }
        })
        .collect();
    LabelReport {
        n: counts.n as u32,
        accuracy: counts.accuracy(),
        labels,
        per_class,
        macro_avg: counts.macro_avg(),
        micro_avg: counts.micro_avg(),
        weighted_avg: counts.weighted_avg(),
        confusion,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_never_predicted_has_zero_precision_and_counts_in_the_macro_mean() {
        let r = label_report(&["a", "a", "b"], &["a", "a", "a"], None);
        assert_eq!(r.labels, vec!["a", "b"]);
        assert_eq!(r.per_class[1].precision, 0.0);
        assert_eq!(r.per_class[1].f1, 0.0);
        assert!((r.macro_avg.f1 - 0.4).abs() < 1e-12, "{}", r.macro_avg.f1);
        assert_eq!(r.confusion, vec![vec![2, 0], vec![1, 0]]);
    }

    #[test]
    fn micro_f1_equals_accuracy_when_every_label_is_listed() {
        let r = label_report(&["x", "y", "z", "x"], &["x", "z", "z", "y"], None);
        assert!((r.micro_avg.f1 - r.accuracy).abs() < 1e-15);
        assert_eq!(r.accuracy, 0.5);
    }
}

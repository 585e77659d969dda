//! The validation report written at import: counts, empties, duplicates, label
//! distribution, input lengths with a token estimate, and the warnings they call for.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::store;
use crate::{Error, Result};

/// Fewer training examples than this gets a warning: too few to fine-tune reliably.
pub const MIN_TRAINING_EXAMPLES: u32 = 500;
/// The most frequent label this many times the rarest is an extreme imbalance.
pub const IMBALANCE_RATIO: f64 = 10.0;
/// Expected values look like labels only with at most this many distinct values.
const MAX_LABELS: usize = 100;
const MAX_LABEL_CHARS: usize = 64;
/// How token counts are estimated (stated in every report).
pub const TOKEN_ESTIMATE: &str = "characters / 4";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ValidationReport {
    pub rows: u32,
    pub train_rows: u32,
    /// Rows carved from train for choosing the prompting arm (not in `train_rows`).
    #[serde(default)]
    pub validation_rows: u32,
    pub test_rows: u32,
    pub unassigned_rows: u32,
    /// The text encoding the file was read with ("UTF-8", "UTF-16LE", "Windows-1252"...).
    pub encoding: String,
    pub empty_inputs: u32,
    pub empty_expected: u32,
    /// Rows whose input and expected output both repeat an earlier row.
    pub duplicate_rows: u32,
    /// Rows whose input repeats an earlier row (whatever their expected output).
    pub duplicate_inputs: u32,
    /// Whether the expected values look like class labels.
    pub labelled: bool,
    /// Count per label, most frequent first (empty unless `labelled`).
    pub labels: Vec<LabelCount>,
    /// Input length in characters.
    pub input_chars: LengthStats,
    /// Input length in estimated tokens ([`TOKEN_ESTIMATE`]).
    pub input_tokens: LengthStats,
    pub token_estimate: String,
    pub warnings: Vec<ReportWarning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LabelCount {
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LengthStats {
    pub min: u32,
    pub p50: u32,
    pub p95: u32,
    pub max: u32,
    pub mean: f64,
    pub total: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    FewTrainingExamples,
    ClassImbalance,
    EncodingFallback,
    EmptyInputs,
    DuplicateRows,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReportWarning {
    pub code: WarningCode,
    pub message: String,
}

/// The stored report of dataset `id`.
pub fn report(conn: &Connection, id: i32) -> Result<ValidationReport> {
    let text = store::dataset::report(conn, id)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Invalid(format!(
            "dataset {id}: its stored report is unreadable: {e}"
        ))
    })
}

impl ValidationReport {
    /// Sets the split counts and recomputes the warnings (after a split or a removal).
    pub(crate) fn refresh(&mut self, train: u32, validation: u32, test: u32, unassigned: u32) {
        self.train_rows = train;
        self.validation_rows = validation;
        self.test_rows = test;
        self.unassigned_rows = unassigned;
        self.rows = train + validation + test + unassigned;
        self.warnings = self.compute_warnings();
    }

    fn compute_warnings(&self) -> Vec<ReportWarning> {
        let mut w = Vec::new();
        let mut warn = |code, message: String| w.push(ReportWarning { code, message });
        if self.encoding == "Windows-1252" {
            warn(
                WarningCode::EncodingFallback,
                "the file is not valid UTF-8; it was read as Windows-1252, so check that accented \
                 characters look right"
                    .into(),
            );
        }
        // Before a split every row may end up in training.
        let training = if self.train_rows + self.validation_rows + self.test_rows == 0 {
            self.rows
        } else {
            self.train_rows
        };
        if training < MIN_TRAINING_EXAMPLES {
            warn(
                WarningCode::FewTrainingExamples,
                format!(
                    "only {training} training examples (fewer than {MIN_TRAINING_EXAMPLES}): too \
                     few to fine-tune reliably"
                ),
            );
        }
        if let (Some(most), Some(least)) = (self.labels.first(), self.labels.last()) {
            let ratio = f64::from(most.count) / f64::from(least.count.max(1));
            if self.labels.len() > 1 && ratio >= IMBALANCE_RATIO {
                warn(
                    WarningCode::ClassImbalance,
                    format!(
                        "extreme class imbalance: `{}` has {} rows but `{}` only {} ({ratio:.0}:1)",
                        most.label, most.count, least.label, least.count
                    ),
                );
            }
        }
        if self.empty_inputs > 0 {
            warn(
                WarningCode::EmptyInputs,
                format!("{} rows have an empty input", self.empty_inputs),
            );
        }
        if self.duplicate_rows > 0 {
            warn(
                WarningCode::DuplicateRows,
                format!(
                    "{} rows repeat an earlier row exactly (same input and expected output)",
                    self.duplicate_rows
                ),
            );
        }
        w
    }
}

/// Accumulates a report row by row with memory bounded by hashes and lengths.
pub(crate) struct ReportBuilder {
    hasher: foldhash::fast::FixedState,
    rows_seen: HashSet<u64, foldhash::fast::FixedState>,
    inputs_seen: HashSet<u64, foldhash::fast::FixedState>,
    labels: Option<HashMap<String, u32>>,
    lengths: Vec<u32>,
    empty_inputs: u32,
    empty_expected: u32,
    duplicate_rows: u32,
    duplicate_inputs: u32,
    splits: [u32; 4],
}

impl ReportBuilder {
    pub fn new() -> Self {
        let hasher = foldhash::fast::FixedState::with_seed(0x7475_6e65);
        ReportBuilder {
            hasher: hasher.clone(),
            rows_seen: HashSet::with_hasher(hasher.clone()),
            inputs_seen: HashSet::with_hasher(hasher),
            labels: Some(HashMap::new()),
            lengths: Vec::new(),
            empty_inputs: 0,
            empty_expected: 0,
            duplicate_rows: 0,
            duplicate_inputs: 0,
            splits: [0; 4],
        }
    }

    pub fn add(&mut self, input: &str, expected: &str, split: super::Split) {
        self.lengths
            .push(u32::try_from(input.chars().count()).unwrap_or(u32::MAX));
        if input.trim().is_empty() {
            self.empty_inputs += 1;
        }
        let label = expected.trim();
        if label.is_empty() {
            self.empty_expected += 1;
        } else if let Some(labels) = &mut self.labels {
            if label.chars().count() > MAX_LABEL_CHARS {
                self.labels = None;
            } else if let Some(c) = labels.get_mut(label) {
                *c += 1;
            } else if labels.len() >= MAX_LABELS {
                self.labels = None;
            } else {
                labels.insert(label.to_string(), 1);
            }
        }
        if !self.inputs_seen.insert(self.hasher.hash_one(input)) {
            self.duplicate_inputs += 1;
        }
        if !self
            .rows_seen
            .insert(self.hasher.hash_one((input, expected)))
        {
            self.duplicate_rows += 1;
        }
        self.splits[match split {
            super::Split::Train => 0,
            super::Split::Validation => 1,
            super::Split::Test => 2,
            super::Split::Unassigned => 3,
        }] += 1;
    }

    pub fn finish(mut self, encoding: &str) -> ValidationReport {
        let rows = self.lengths.len() as u32;
        let nonempty = rows - self.empty_expected;
        let mut labels: Vec<LabelCount> = self
            .labels
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|(label, count)| LabelCount { label, count })
            .collect();
        let distinct = labels.len() as u32;
        let labelled =
            distinct > 0 && distinct < nonempty && (distinct * 2 <= nonempty || distinct <= 20);
        if labelled {
            labels.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        } else {
            labels.clear();
        }
        let input_chars = stats(&mut self.lengths, 1);
        let input_tokens = stats(&mut self.lengths, 4);
        let mut r = ValidationReport {
            rows,
            train_rows: 0,
            validation_rows: 0,
            test_rows: 0,
            unassigned_rows: 0,
            encoding: encoding.to_string(),
            empty_inputs: self.empty_inputs,
            empty_expected: self.empty_expected,
            duplicate_rows: self.duplicate_rows,
            duplicate_inputs: self.duplicate_inputs,
            labelled,
            labels,
            input_chars,
            input_tokens,
            token_estimate: TOKEN_ESTIMATE.to_string(),
            warnings: Vec::new(),
        };
        r.refresh(
            self.splits[0],
            self.splits[1],
            self.splits[2],
            self.splits[3],
        );
        r
    }
}

/// Min, median, 95th percentile, max, mean and total of `lengths / divisor` (rounded up).
fn stats(lengths: &mut [u32], divisor: u32) -> LengthStats {
    if lengths.is_empty() {
        return LengthStats::default();
    }
    lengths.sort_unstable();
    let scaled = |v: u32| v.div_ceil(divisor);
    let at = |q: f64| scaled(lengths[((lengths.len() - 1) as f64 * q).round() as usize]);
    let total: f64 = lengths.iter().map(|&v| f64::from(scaled(v))).sum();
    LengthStats {
        min: scaled(lengths[0]),
        p50: at(0.5),
        p95: at(0.95),
        max: scaled(lengths[lengths.len() - 1]),
        mean: total / lengths.len() as f64,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Split;
    use super::*;

    #[test]
    fn repeated_short_values_are_labels_and_an_imbalance_is_warned() {
        let mut b = ReportBuilder::new();
        for i in 0..22 {
            let label = if i < 20 { "ham" } else { "spam" };
            b.add(&format!("mail {i}"), label, Split::Unassigned);
        }
        let r = b.finish("UTF-8");
        assert!(r.labelled);
        assert_eq!(
            r.labels[0],
            LabelCount {
                label: "ham".into(),
                count: 20
            }
        );
        let codes: Vec<_> = r.warnings.iter().map(|w| w.code).collect();
        assert!(codes.contains(&WarningCode::ClassImbalance), "{codes:?}");
        assert!(
            codes.contains(&WarningCode::FewTrainingExamples),
            "{codes:?}"
        );
    }

    #[test]
    fn free_text_answers_are_not_labels() {
        let mut b = ReportBuilder::new();
        for i in 0..50 {
            b.add(
                &format!("q{i}"),
                &format!("answer number {i}"),
                Split::Unassigned,
            );
        }
        let r = b.finish("UTF-8");
        assert!(!r.labelled);
        assert!(r.labels.is_empty());
    }

    #[test]
    fn duplicates_and_empties_are_counted() {
        let mut b = ReportBuilder::new();
        b.add("a", "x", Split::Train);
        b.add("a", "x", Split::Train);
        b.add("a", "y", Split::Test);
        b.add(" ", "", Split::Test);
        let r = b.finish("UTF-8");
        assert_eq!((r.duplicate_rows, r.duplicate_inputs), (1, 2));
        assert_eq!((r.empty_inputs, r.empty_expected), (1, 1));
        assert_eq!((r.train_rows, r.test_rows), (2, 2));
        assert_eq!(
            r.input_tokens.max, 1,
            "one character is one token, rounded up"
        );
    }
}

//! Scorers: per-case scoring of an arm's output against the expected answer, and the
//! corpus-level metrics that must agree with scikit-learn, sacrebleu and rouge-score.
//! A [`Scorer`] is configuration (it lives in the experiment TOML and the store); it is
//! [`prepared`](Scorer::prepare) once (patterns and schemas compiled) and then scores
//! cases with no I/O.

pub mod bleu;
pub mod chrf;
pub mod contains;
pub mod corpus;
pub mod entity;
pub mod exact;
pub mod format;
pub mod judge;
pub mod label;
pub mod numeric;
pub mod regex;
pub mod rouge;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use corpus::CorpusMetric;
pub use exact::Normalization;
pub use judge::{JudgeClient, JudgePrompt, JudgeRubric, JudgeScale, JudgeVerdict};
pub use label::{label_of, label_report, weighted_label_report, F1Average, LabelReport};

/// The scale of a metric's figures and how a difference on it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricScale {
    /// 0..1: rates, accuracy, F1s, ROUGE-L, judge grades. A difference is written in
    /// points (0.072 = "7.2 points of accuracy").
    Fraction,
    /// 0..100, with the metric's own unit: BLEU and chrF ("+3.5 BLEU").
    Hundred { unit: &'static str },
}

impl MetricScale {
    /// The scale of the metric named `name` (a scorer's or a label F1's name).
    pub fn of(name: &str) -> MetricScale {
        match name {
            "bleu" => MetricScale::Hundred { unit: "BLEU" },
            "chrf" => MetricScale::Hundred { unit: "chrF" },
            _ => MetricScale::Fraction,
        }
    }

    /// The largest value on the scale (1 or 100).
    pub fn max(self) -> f64 {
        match self {
            MetricScale::Fraction => 1.0,
            MetricScale::Hundred { .. } => 100.0,
        }
    }

    /// A difference as written in a sentence, one decimal: `points of accuracy` on 0..1
    /// (0.072 → "7.2 points of accuracy"), the unit on 0..100 (3.5 → "3.5 BLEU").
    pub fn amount(self, difference: f64, metric: &str) -> String {
        match self {
            MetricScale::Fraction => format!(
                "{} points of {metric}",
                one_decimal_fixed(difference * 100.0)
            ),
            MetricScale::Hundred { unit } => format!("{} {unit}", one_decimal_fixed(difference)),
        }
    }

    /// A bare figure on the scale's units, one decimal (for intervals and margins):
    /// points on 0..1, the metric's own units on 0..100.
    pub fn figure(self, x: f64) -> String {
        match self {
            MetricScale::Fraction => one_decimal_fixed(x * 100.0),
            MetricScale::Hundred { .. } => one_decimal_fixed(x),
        }
    }
}

/// One decimal, never "-0.0"; "n/a" for a value that is not a number.
fn one_decimal_fixed(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        "0.0".to_string()
    } else {
        format!("{r:.1}")
    }
}

/// One scorer and its settings. Serialised with a `kind` tag, e.g.
/// `{ kind = "exact_match", normalization = { ignore_case = true } }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scorer {
    /// 1 when the output equals the expected answer after normalisation.
    ExactMatch {
        #[serde(default)]
        normalization: Normalization,
    },
    /// Classification: per case the same as exact match on labels; over the set,
    /// accuracy, per-class and averaged precision / recall / F1 and the confusion matrix.
    Label {
        #[serde(default)]
        normalization: Normalization,
    },
    /// 1 when the output is one of the taxonomy's labels (format compliance).
    LabelInTaxonomy {
        labels: Vec<String>,
        #[serde(default)]
        normalization: Normalization,
    },
    /// 1 when the output is valid JSON, raw or in a fenced block.
    JsonValid,
    /// 1 when the output's JSON satisfies the schema (JSON text, draft 2020-12).
    JsonSchema { schema: String },
    /// 1 when the pattern matches the output (the whole output with `full_match`).
    Regex {
        pattern: String,
        #[serde(default)]
        full_match: bool,
    },
    /// 1 when the output contains the expected text.
    Contains {
        #[serde(default)]
        normalization: Normalization,
    },
    /// 1 when the output's first number is within tolerance of the expected number.
    Numeric {
        #[serde(default)]
        abs_tol: f64,
        #[serde(default)]
        rel_tol: f64,
    },
    /// ROUGE-L F-measure (rouge-score), in [0, 1].
    RougeL,
    /// Sentence BLEU (sacrebleu), 0–100; the corpus figure is sacrebleu's corpus BLEU.
    Bleu,
    /// Sentence chrF (sacrebleu), 0–100; the corpus figure is sacrebleu's corpus chrF.
    Chrf,
    /// Entity-set F1 of a JSON list of `{text, type}`, in [0, 1].
    Entity,
    /// An LLM judge grading against a rubric (scored by the run engine through
    /// [`judge::judge_case`], since it calls a provider).
    Judge { rubric: String, scale: JudgeScale },
}

/// Every scorer name, as used for `primary_metric` and in stored scores.
pub const SCORER_NAMES: [&str; 13] = [
    "exact_match",
    "label",
    "label_in_taxonomy",
    "json_valid",
    "json_schema",
    "regex",
    "contains",
    "numeric",
    "rouge_l",
    "bleu",
    "chrf",
    "entity",
    "judge",
];

impl Scorer {
    /// The scorer's name (its `kind` tag).
    pub fn name(&self) -> &'static str {
        match self {
            Scorer::ExactMatch { .. } => "exact_match",
            Scorer::Label { .. } => "label",
            Scorer::LabelInTaxonomy { .. } => "label_in_taxonomy",
            Scorer::JsonValid => "json_valid",
            Scorer::JsonSchema { .. } => "json_schema",
            Scorer::Regex { .. } => "regex",
            Scorer::Contains { .. } => "contains",
            Scorer::Numeric { .. } => "numeric",
            Scorer::RougeL => "rouge_l",
            Scorer::Bleu => "bleu",
            Scorer::Chrf => "chrf",
            Scorer::Entity => "entity",
            Scorer::Judge { .. } => "judge",
        }
    }

    /// The scorer called `name` with its default settings, when it needs none.
    /// `labels` is the experiment's taxonomy, used by `label_in_taxonomy`.
    pub fn by_name(name: &str, labels: &[String]) -> Result<Scorer> {
        let n = Normalization::default();
        Ok(match name {
            "exact_match" | "accuracy" => Scorer::ExactMatch { normalization: n },
            "label" | "macro_f1" | "micro_f1" | "weighted_f1" => Scorer::Label { normalization: n },
            "label_in_taxonomy" if !labels.is_empty() => Scorer::LabelInTaxonomy {
                labels: labels.to_vec(),
                normalization: n,
            },
            "json_valid" => Scorer::JsonValid,
            "numeric" => Scorer::Numeric {
                abs_tol: 0.0,
                rel_tol: 1e-9,
            },
            "contains" => Scorer::Contains { normalization: n },
            "rouge_l" => Scorer::RougeL,
            "bleu" => Scorer::Bleu,
            "chrf" => Scorer::Chrf,
            "entity" => Scorer::Entity,
            "label_in_taxonomy" => {
                return Err(Error::Invalid(
                    "scorer `label_in_taxonomy` needs the experiment's `labels`".into(),
                ))
            }
            "json_schema" | "regex" | "judge" => {
                return Err(Error::Invalid(format!(
                    "scorer `{name}` needs settings (a schema, a pattern or a rubric); declare it in the experiment's scorers"
                )))
            }
            other => {
                return Err(Error::Invalid(format!(
                    "unknown scorer `{other}`; known: {}",
                    SCORER_NAMES.join(", ")
                )))
            }
        })
    }

    /// The scorers a classification experiment uses by default.
    pub fn classification_defaults(labels: &[String]) -> Vec<Scorer> {
        let n = Normalization::default();
        let mut v = vec![
            Scorer::ExactMatch {
                normalization: n.clone(),
            },
            Scorer::Label {
                normalization: n.clone(),
            },
        ];
        if !labels.is_empty() {
            v.push(Scorer::LabelInTaxonomy {
                labels: labels.to_vec(),
                normalization: n,
            });
        }
        v
    }

    /// Compiles what the scorer needs (pattern, schema, taxonomy) once. `origin` names
    /// where the scorer was declared, for errors.
    pub fn prepare(&self, origin: &str) -> Result<PreparedScorer> {
        let kind = match self {
            Scorer::ExactMatch { normalization } | Scorer::Label { normalization } => {
                Prepared::Exact(normalization.clone())
            }
            Scorer::LabelInTaxonomy {
                labels,
                normalization,
            } => Prepared::Taxonomy(format::Taxonomy::new(labels, normalization.clone())),
            Scorer::JsonValid => Prepared::JsonValid,
            Scorer::JsonSchema { schema } => {
                Prepared::Schema(Box::new(format::JsonSchema::compile(schema, origin)?))
            }
            Scorer::Regex {
                pattern,
                full_match,
            } => Prepared::Regex(regex::Pattern::compile(pattern, *full_match, origin)?),
            Scorer::Contains { normalization } => Prepared::Contains(normalization.clone()),
            Scorer::Numeric { abs_tol, rel_tol } => {
                if !(abs_tol.is_finite()
                    && *abs_tol >= 0.0
                    && rel_tol.is_finite()
                    && *rel_tol >= 0.0)
                {
                    return Err(Error::Invalid(format!(
                        "{origin}: numeric tolerances must be finite and ≥ 0 (abs_tol = {abs_tol}, rel_tol = {rel_tol})"
                    )));
                }
                Prepared::Numeric(*abs_tol, *rel_tol)
            }
            Scorer::RougeL => Prepared::RougeL,
            Scorer::Bleu => Prepared::Bleu,
            Scorer::Chrf => Prepared::Chrf,
            Scorer::Entity => Prepared::Entity,
            Scorer::Judge { .. } => Prepared::Judge,
        };
        Ok(PreparedScorer {
            name: self.name(),
            kind,
        })
    }
}

/// One scorer's value on one case, as stored with the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NamedScore {
    pub scorer: String,
    pub value: f64,
}

/// Every prepared scorer's value on one case, in order; the judge, which the run engine
/// scores through [`judge::judge_case`], is skipped.
pub fn score_case(scorers: &[PreparedScorer], output: &str, expected: &str) -> Vec<NamedScore> {
    scorers
        .iter()
        .filter_map(|s| {
            s.score(output, expected).map(|value| NamedScore {
                scorer: s.name().to_owned(),
                value,
            })
        })
        .collect()
}

/// A scorer ready to score cases.
#[derive(Debug)]
pub struct PreparedScorer {
    name: &'static str,
    kind: Prepared,
}

#[derive(Debug)]
enum Prepared {
    Exact(Normalization),
    Taxonomy(format::Taxonomy),
    JsonValid,
    Schema(Box<format::JsonSchema>),
    Regex(regex::Pattern),
    Contains(Normalization),
    Numeric(f64, f64),
    RougeL,
    Bleu,
    Chrf,
    Entity,
    Judge,
}

impl PreparedScorer {
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The score of one case, or `None` for the judge, which the run engine scores
    /// through [`judge::judge_case`].
    pub fn score(&self, output: &str, expected: &str) -> Option<f64> {
        Some(match &self.kind {
            Prepared::Exact(n) => exact::exact_match(output, expected, n),
            Prepared::Taxonomy(t) => format::label_in_taxonomy(output, t),
            Prepared::JsonValid => format::json_valid(output),
            Prepared::Schema(s) => s.score(output),
            Prepared::Regex(p) => p.score(output),
            Prepared::Contains(n) => contains::contains(output, expected, n),
            Prepared::Numeric(a, r) => numeric::within_tolerance(output, expected, *a, *r),
            Prepared::RougeL => rouge::rouge_l(output, expected).fmeasure,
            Prepared::Bleu => bleu::sentence_bleu(output, expected),
            Prepared::Chrf => chrf::sentence_chrf(output, expected),
            Prepared::Entity => entity::count(output, expected).score().f1,
            Prepared::Judge => return None,
        })
    }

    /// Whether a case can be called right or wrong from this scorer: only when every score
    /// is 0 or 1. The cost per correct answer and the cost of wrong answers exist only
    /// then; a BLEU, chrF, ROUGE-L, entity or judge score is not a share of right answers.
    pub fn yields_accuracy(&self) -> bool {
        self.is_binary()
    }

    /// Whether every score this scorer gives is 0 or 1 (so McNemar's test applies).
    pub fn is_binary(&self) -> bool {
        !matches!(
            self.kind,
            Prepared::RougeL | Prepared::Bleu | Prepared::Chrf | Prepared::Entity | Prepared::Judge
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scorers_round_trip_through_serde_with_their_kind_tag() {
        let text = r#"[
            {"kind": "exact_match", "normalization": {"ignore_case": true}},
            {"kind": "regex", "pattern": "^\\d+$", "full_match": true},
            {"kind": "judge", "rubric": "Polite and correct.", "scale": "one_to_five"},
            {"kind": "rouge_l"}
        ]"#;
        let scorers: Vec<Scorer> = serde_json::from_str(text).unwrap();
        assert_eq!(
            scorers[0],
            Scorer::ExactMatch {
                normalization: Normalization {
                    ignore_case: true,
                    ..Normalization::default()
                }
            }
        );
        let names: Vec<_> = scorers.iter().map(Scorer::name).collect();
        assert_eq!(names, ["exact_match", "regex", "judge", "rouge_l"]);
        let back: Vec<Scorer> =
            serde_json::from_str(&serde_json::to_string(&scorers).unwrap()).unwrap();
        assert_eq!(back, scorers);
    }

    #[test]
    fn unknown_scorer_names_are_refused_with_the_known_ones() {
        let e = Scorer::by_name("bertscore", &[]).unwrap_err().to_string();
        assert!(
            e.contains("unknown scorer `bertscore`") && e.contains("rouge_l"),
            "{e}"
        );
        assert!(Scorer::by_name("label_in_taxonomy", &[]).is_err());
        assert_eq!(Scorer::by_name("macro_f1", &[]).unwrap().name(), "label");
    }

    #[test]
    fn prepared_scorers_score_cases_and_reject_bad_settings() {
        let p = Scorer::Regex {
            pattern: "^ok$".into(),
            full_match: false,
        }
        .prepare("t")
        .unwrap();
        assert_eq!(p.score("ok", ""), Some(1.0));
        assert!(p.is_binary());
        assert!(Scorer::Regex {
            pattern: "(".into(),
            full_match: false
        }
        .prepare("t")
        .is_err());
        assert!(Scorer::Numeric {
            abs_tol: -1.0,
            rel_tol: 0.0
        }
        .prepare("t")
        .is_err());
        let j = Scorer::Judge {
            rubric: "r".into(),
            scale: JudgeScale::PassFail,
        }
        .prepare("t")
        .unwrap();
        assert_eq!(j.score("a", "b"), None);
    }
}

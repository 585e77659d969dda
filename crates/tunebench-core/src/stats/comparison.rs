//! Arm B (fine-tuned) against arm A (prompting), paired on the same cases: each arm's
//! primary metric with its interval, the difference B − A with its interval (Newcombe's
//! paired score interval when every score is 0 or 1, the paired bootstrap otherwise),
//! McNemar's exact test for binary scores, the power analysis and the margin
//! rule's verdict. [`compare`] is the one entry point; it is pure and deterministic for
//! a given seed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::score::label::F1Average;
use crate::score::CorpusMetric;
use crate::stats::bootstrap::{percentile_interval, standard_error};
use crate::stats::labels::label_statistics;
use crate::stats::mcnemar::{mcnemar_exact, McNemar};
use crate::stats::paired::{newcombe_difference, PairedCounts};
use crate::stats::power::{analyse, PowerAnalysis};
use crate::stats::primary::{corpus_statistics, mean_statistics, Statistics};
use crate::stats::verdict::{decide, Margin, Verdict, VerdictInput};
use crate::stats::wilson::wilson;
use crate::stats::Interval;

/// One arm's result on one case, as the comparison needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseScore {
    pub example_id: i32,
    /// The case failed after its retries (timeout, refusal, HTTP failure).
    pub error: bool,
    /// The primary scorer's value for the case (ignored when `error`).
    pub value: f64,
    /// For label primaries: the expected label and the arm's (normalised) predicted label.
    pub expected_label: Option<String>,
    pub predicted_label: Option<String>,
    /// For corpus primaries: the case's additive statistics
    /// ([`CorpusMetric::counts`](crate::score::CorpusMetric::counts); an errored case's
    /// are those of an empty answer). Empty otherwise.
    #[serde(default)]
    pub counts: Vec<u64>,
}

/// Every case of one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmScores {
    pub arm: String,
    pub cases: Vec<CaseScore>,
}

/// How the primary metric is formed from the cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrimaryMetric {
    /// The mean of the per-case values (accuracy, exact match, ROUGE-L, pass rates…).
    MeanScore,
    /// An averaged F1 over the labels (scikit-learn's, recomputed on each resample).
    LabelF1 { average: F1Average },
    /// A corpus figure (BLEU, chrF, micro entity F1) from the cases' summed statistics,
    /// recomputed on each resample of sentences.
    Corpus { metric: CorpusMetric },
}

impl PrimaryMetric {
    /// The primary metric behind a metric name: `macro_f1`, `micro_f1` and `weighted_f1`
    /// are label F1s; every other scorer's name is a mean of per-case scores.
    pub fn for_name(name: &str) -> PrimaryMetric {
        match name {
            "macro_f1" => PrimaryMetric::LabelF1 {
                average: F1Average::Macro,
            },
            "micro_f1" => PrimaryMetric::LabelF1 {
                average: F1Average::Micro,
            },
            "weighted_f1" => PrimaryMetric::LabelF1 {
                average: F1Average::Weighted,
            },
            _ => match CorpusMetric::for_name(name) {
                Some(metric) => PrimaryMetric::Corpus { metric },
                None => PrimaryMetric::MeanScore,
            },
        }
    }
}

/// What happens to cases that errored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorPolicy {
    /// An errored case scores 0 (and, for labels, is a wrong prediction). The default:
    /// an answer that never came is not a good answer.
    #[default]
    CountAsFailure,
    /// A case on which either arm errored is left out of the comparison for both arms.
    ExcludeCase,
}

/// Settings of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct CompareConfig {
    /// The primary metric's name, for sentences (e.g. "accuracy", "macro_f1").
    pub metric: String,
    pub primary: PrimaryMetric,
    pub margin: Margin,
    pub error_policy: ErrorPolicy,
    /// The taxonomy for label primaries (fixes the classes as scikit-learn's `labels=`);
    /// empty = the labels that occur.
    pub labels: Vec<String>,
    /// Bootstrap resamples (at least 10,000 for a report).
    pub resamples: u32,
    pub confidence: f64,
    pub seed: u32,
    /// Power for the minimum detectable difference.
    pub power: f64,
}

impl Default for CompareConfig {
    fn default() -> Self {
        CompareConfig {
            metric: "accuracy".to_owned(),
            primary: PrimaryMetric::MeanScore,
            margin: Margin::default(),
            error_policy: ErrorPolicy::CountAsFailure,
            labels: Vec::new(),
            resamples: 10_000,
            confidence: 0.95,
            seed: 0,
            power: 0.8,
        }
    }
}

/// One arm's side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmSummary {
    pub arm: String,
    /// Cases of this arm in the comparison.
    pub n: u32,
    /// Cases that failed after retries (counted before any exclusion).
    pub errors: u32,
    /// The primary metric.
    pub value: f64,
    /// Its interval: Wilson for a rate of binary scores, else the bootstrap percentile.
    pub interval: Interval,
    /// "wilson" or "bootstrap".
    pub interval_method: String,
}

/// The whole comparison of B against A.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Comparison {
    pub metric: String,
    pub primary: PrimaryMetric,
    /// Paired cases compared.
    pub n: u32,
    /// Cases left out under the error policy.
    pub excluded_cases: u32,
    pub error_policy: ErrorPolicy,
    /// The policy in words, for the report.
    pub error_policy_text: String,
    pub arm_a: ArmSummary,
    pub arm_b: ArmSummary,
    /// B − A on the primary metric.
    pub difference: f64,
    /// Interval of B − A: Newcombe's paired score interval (method 10) for binary
    /// scores, else the paired-bootstrap percentile interval.
    pub interval: Interval,
    /// "newcombe" or "paired bootstrap".
    pub interval_method: String,
    pub resamples: u32,
    pub seed: u32,
    /// McNemar's exact test, when every compared score is 0 or 1.
    pub mcnemar: Option<McNemar>,
    pub margin: Margin,
    /// The margin in the metric's units.
    pub margin_absolute: f64,
    pub power: PowerAnalysis,
    pub verdict: Verdict,
}

/// Both arms' results on one case.
pub(super) struct Pair<'a> {
    pub(super) a: &'a CaseScore,
    pub(super) b: &'a CaseScore,
}

/// Compares arm B against arm A on their common cases (matched by `example_id`).
/// Fails when the arms do not cover the same cases, or when nothing is left to compare.
pub fn compare(arm_a: &ArmScores, arm_b: &ArmScores, cfg: &CompareConfig) -> Result<Comparison> {
    let inside = |x: f64| x > 0.0 && x < 1.0;
    if !inside(cfg.confidence) || !inside(cfg.power) {
        return Err(Error::Invalid(format!(
            "comparison settings: confidence ({}) and power ({}) must lie strictly between 0 and 1",
            cfg.confidence, cfg.power
        )));
    }
    if cfg.resamples == 0 {
        return Err(Error::Invalid(
            "comparison settings: `resamples` must be at least 1 (10,000 or more for a report)"
                .into(),
        ));
    }
    for arm in [arm_a, arm_b] {
        if let Some(c) = arm.cases.iter().find(|c| !c.error && !c.value.is_finite()) {
            return Err(Error::Invalid(format!(
                "arm `{}`, example {}: the primary score is {}, not a finite number",
                arm.arm, c.example_id, c.value
            )));
        }
    }
    let pairs = pair_cases(arm_a, arm_b)?;
    let errors_a = arm_a.cases.iter().filter(|c| c.error).count() as u32;
    let errors_b = arm_b.cases.iter().filter(|c| c.error).count() as u32;
    let kept: Vec<Pair<'_>> = pairs
        .into_iter()
        .filter(|p| cfg.error_policy == ErrorPolicy::CountAsFailure || !(p.a.error || p.b.error))
        .collect();
    let excluded = arm_a.cases.len() as u32 - kept.len() as u32;
    if kept.is_empty() {
        return Err(Error::Invalid(format!(
            "nothing to compare between `{}` and `{}`: every case errored in at least one arm and the error policy excludes such cases",
            arm_a.arm, arm_b.arm
        )));
    }
    let n = kept.len() as u32;
    let seed = cfg.seed as u64;
    let alpha = 1.0 - cfg.confidence;

    let stats = match cfg.primary {
        PrimaryMetric::MeanScore => mean_statistics(&kept, cfg.resamples, seed),
        PrimaryMetric::LabelF1 { average } => {
            label_statistics(&kept, &cfg.labels, average, cfg.resamples, seed)?
        }
        PrimaryMetric::Corpus { metric } => corpus_statistics(&kept, metric, cfg.resamples, seed)?,
    };
    let Statistics {
        a_value,
        b_value,
        mut boot,
        binary,
    } = stats;
    let [boot_a, boot_b, boot_d] = &mut boot;
    let difference = b_value - a_value;
    // The percentile bootstrap is too narrow for rates at small n or with few discordant
    // pairs; a score interval keeps its coverage there.
    let (interval, interval_method) = match binary {
        Some(b) => (
            newcombe_difference(
                PairedCounts {
                    both: b.a_ones - b.a_only,
                    a_only: b.a_only,
                    b_only: b.b_only,
                    neither: n - b.a_ones - b.b_only,
                },
                cfg.confidence,
            ),
            "newcombe",
        ),
        None => (
            percentile_interval(boot_d, cfg.confidence),
            "paired bootstrap",
        ),
    };
    let se_d = standard_error(boot_d);
    let (se_a, se_b) = (standard_error(boot_a), standard_error(boot_b));

    let arm_summary =
        |arm: &ArmScores, errors: u32, value: f64, boot: &mut Vec<f64>, ones: Option<u32>| {
            let (interval, method) = match ones {
                Some(k) => (wilson(k, n, cfg.confidence), "wilson"),
                None => (percentile_interval(boot, cfg.confidence), "bootstrap"),
            };
            ArmSummary {
                arm: arm.arm.clone(),
                n,
                errors,
                value,
                interval,
                interval_method: method.to_owned(),
            }
        };
    let summary_a = arm_summary(arm_a, errors_a, a_value, boot_a, binary.map(|b| b.a_ones));
    let summary_b = arm_summary(arm_b, errors_b, b_value, boot_b, binary.map(|b| b.b_ones));
    let mcnemar = binary.map(|b| mcnemar_exact(b.a_only, b.b_only));

    let margin_absolute = cfg.margin.absolute(a_value);
    let (se, paired) = if se_d > 0.0 {
        (se_d, true)
    } else {
        ((se_a * se_a + se_b * se_b).sqrt(), false)
    };
    let power = analyse(se, paired, n, margin_absolute, alpha, cfg.power);

    let error_policy_text = match cfg.error_policy {
        ErrorPolicy::CountAsFailure => format!(
            "errors counted as failures ({} in {}, {} in {})",
            errors_a, arm_a.arm, errors_b, arm_b.arm
        ),
        ErrorPolicy::ExcludeCase => format!(
            "cases with an error in either arm left out ({} in {}, {} in {}; {} cases excluded)",
            errors_a, arm_a.arm, errors_b, arm_b.arm, excluded
        ),
    };
    let note = format!("; {error_policy_text}");
    let verdict = decide(&VerdictInput {
        metric: &cfg.metric,
        arm_a: &arm_a.arm,
        arm_b: &arm_b.arm,
        a_value,
        b_value,
        difference,
        interval,
        margin: cfg.margin,
        n,
        exact: mcnemar,
        note: &note,
    });
    Ok(Comparison {
        metric: cfg.metric.clone(),
        primary: cfg.primary,
        n,
        excluded_cases: excluded,
        error_policy: cfg.error_policy,
        error_policy_text,
        arm_a: summary_a,
        arm_b: summary_b,
        difference,
        interval,
        interval_method: interval_method.to_owned(),
        resamples: cfg.resamples,
        seed: cfg.seed,
        mcnemar,
        margin: cfg.margin,
        margin_absolute,
        power,
        verdict,
    })
}

/// Pairs the arms' cases by example id.
fn pair_cases<'a>(arm_a: &'a ArmScores, arm_b: &'a ArmScores) -> Result<Vec<Pair<'a>>> {
    let mut by_id: HashMap<i32, &CaseScore> = HashMap::with_capacity(arm_b.cases.len());
    for c in &arm_b.cases {
        if by_id.insert(c.example_id, c).is_some() {
            return Err(Error::Invalid(format!(
                "arm `{}` has two results for example {}",
                arm_b.arm, c.example_id
            )));
        }
    }
    if arm_a.cases.len() != arm_b.cases.len() {
        return Err(Error::Invalid(format!(
            "arms `{}` ({} cases) and `{}` ({} cases) must be compared on the same cases",
            arm_a.arm,
            arm_a.cases.len(),
            arm_b.arm,
            arm_b.cases.len()
        )));
    }
    let mut pairs = Vec::with_capacity(arm_a.cases.len());
    for a in &arm_a.cases {
        let b = by_id.remove(&a.example_id).ok_or_else(|| {
            Error::Invalid(format!(
                "example {} was answered by arm `{}` but not by arm `{}`",
                a.example_id, arm_a.arm, arm_b.arm
            ))
        })?;
        pairs.push(Pair { a, b });
    }
    Ok(pairs)
}

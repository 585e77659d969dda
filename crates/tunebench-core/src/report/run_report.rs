//! [`run_report`]: the numbers of a run. Each arm's metrics with intervals, its label
//! report and format compliance when the experiment classifies, its latency and measured
//! cost per query; then B against A, paired on the cases both answered, with the
//! interval of the difference (BLEU, chrF and entity F1 as corpus figures, bootstrapped
//! over sentences), McNemar's test, the minimum detectable
//! difference and the margin rule's verdict; arms beyond B are added by
//! [`super::comparisons`].

use std::path::Path;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::arm_report::arm_report;
use super::comparisons::ArmComparison;
use super::task_checks::{format_checks, response_schema, task_warning};
pub use super::task_checks::{MOSTLY_OUTSIDE, NEAR_ZERO};
use super::{paired_ids, RunData};
use crate::decision::FormatCheck;
pub use crate::run::summary::ErrorCount;
use crate::score::{label_of, LabelReport};
use crate::stats::{
    compare, ArmScores, CaseScore, CompareConfig, Comparison, ErrorPolicy, Interval,
    LatencySummary, Margin, MetricSummary, PrimaryMetric, VerdictKind,
};
use crate::store::result_read::ResultRow;

use crate::{experiment, run, store, Error, Result};

/// The seed of every bootstrap in a report, fixed so that a report reads the same each time.
pub const REPORT_SEED: u32 = 7;
/// Bootstrap resamples of a report.
pub const REPORT_RESAMPLES: u32 = 10_000;

/// Choices of the person reading the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ReportOptions {
    /// The p95 latency budget in ms; each arm passes or fails it.
    pub latency_budget_p95_ms: Option<f64>,
    /// What errored cases count as in the primary metric (default: failures).
    pub error_policy: ErrorPolicy,
    pub seed: u32,
    pub resamples: u32,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            latency_budget_p95_ms: None,
            error_policy: ErrorPolicy::CountAsFailure,
            seed: REPORT_SEED,
            resamples: REPORT_RESAMPLES,
        }
    }
}

/// The primary metric of one arm, over the paired cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PrimaryValue {
    pub metric: String,
    pub value: f64,
    pub interval: Interval,
    /// "wilson" or "bootstrap".
    pub interval_method: String,
}

/// One arm's side of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmReport {
    pub arm_id: i32,
    pub name: String,
    /// `prompt`, `fine_tuned` or `hybrid`.
    pub kind: String,
    pub model: String,
    /// Cases with a result (answered + errors).
    pub n: u32,
    pub answered: u32,
    /// Cases that failed after retries, shown apart from wrong answers.
    pub errors: u32,
    pub errors_by_class: Vec<ErrorCount>,
    /// Of `errors`, the cases the model refused or the provider's content filter stopped
    /// (class `refused`): not wrong answers, and not retried.
    pub refused: u32,
    /// Of `answered`, the answers cut at the output token limit (scored as they are).
    pub truncated: u32,
    pub primary: PrimaryValue,
    /// Every scorer's mean with its interval over the paired cases (errors follow the
    /// report's policy).
    pub metrics: Vec<MetricSummary>,
    /// Per-class precision / recall / F1 and the confusion matrix, when the experiment
    /// classifies; an errored case is a wrong answer outside every class.
    pub label_report: Option<LabelReport>,
    /// Share of cases whose output is one of the taxonomy's labels, when there is one.
    pub format_compliance: Option<f64>,
    pub latency: LatencySummary,
    pub latency_ms_p50: Option<f64>,
    pub latency_ms_p95: Option<f64>,
    /// Mean recorded cost (USD) of an answered case; `None` when no answer has a price.
    pub cost_per_query: Option<f64>,
    /// Why the cost is missing or partial, in words (never shown as $0).
    pub cost_note: Option<String>,
}

/// Everything the results screen and `tunebench report` show for a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunReport {
    pub run_id: i32,
    /// The run's status (`completed`, `interrupted`, …).
    pub status: String,
    pub experiment_id: i32,
    pub experiment: String,
    pub dataset: String,
    pub split: String,
    /// Cases in the evaluated split.
    pub n_cases: u32,
    /// Cases answered (or errored) by one arm only, left out of the comparison.
    pub unpaired_cases: u32,
    pub primary_metric: String,
    /// Arm A (prompting) then arm B (fine-tuned).
    pub arms: Vec<ArmReport>,
    pub comparison: Comparison,
    pub verdict: String,
    pub verdict_kind: VerdictKind,
    /// McNemar's exact p-value, when the primary scores are binary.
    pub p_value: Option<f64>,
    pub minimum_detectable_difference: f64,
    /// Set when the test set is too small to detect the margin.
    pub power_warning: Option<String>,
    /// Set when neither arm does the task: both near zero on the primary metric, or
    /// most answers outside the taxonomy; with the most common answers.
    pub task_warning: Option<String>,
    /// Both arms against each format check the run can measure (valid JSON always; a
    /// label of the taxonomy when there is one), on the paired cases.
    pub format_checks: Vec<FormatCheck>,
    pub seed: u32,
    pub resamples: u32,
    /// With three or more arms: each arm against A and each hybrid against its fine-tuned
    /// arm, under Holm's correction (`verdict` then names the best arm that clears the
    /// margin). Empty, and left out of the JSON, for two arms: `comparison` says it all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<ArmComparison>,
    /// How the comparisons are corrected for testing several arms, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple_testing: Option<String>,
}

/// The report of run `run_id` of the database at `db_path` (used to tell a run that is
/// still going from one whose process died).
pub fn run_report(
    conn: &Connection,
    db_path: &Path,
    run_id: i32,
    opts: &ReportOptions,
) -> Result<RunReport> {
    let data = RunData::load(conn, run_id)?;
    let exp = &data.experiment;
    let rows_a = data.rows_of(data.arm_a.id);
    let rows_b = data.rows_of(data.arm_b.id);
    let paired = paired_ids(&rows_a, &rows_b);
    if paired.is_empty() {
        return Err(Error::Invalid(format!(
            "run {run_id} has no case answered by both `{}` and `{}` yet; nothing to report",
            data.arm_a.name, data.arm_b.name
        )));
    }
    let unpaired = (rows_a.len() + rows_b.len() - 2 * paired.len()) as u32;
    let keep = |rows: &[&ResultRow]| -> Vec<CaseScore> {
        rows.iter()
            .filter(|r| paired.contains(&r.example_id))
            .map(|r| case_score(&data, r))
            .collect()
    };
    let cfg = CompareConfig {
        metric: exp.primary_metric.clone(),
        primary: PrimaryMetric::for_name(&exp.primary_metric),
        margin: match exp.margin.kind {
            experiment::MarginKind::Relative => Margin::Relative {
                value: exp.margin.value,
            },
            experiment::MarginKind::Absolute => Margin::Absolute {
                value: exp.margin.value,
            },
        },
        error_policy: opts.error_policy,
        labels: exp.labels.clone(),
        resamples: opts.resamples,
        seed: opts.seed,
        ..CompareConfig::default()
    };
    let comparison = compare(
        &ArmScores {
            arm: data.arm_a.name.clone(),
            cases: keep(&rows_a),
        },
        &ArmScores {
            arm: data.arm_b.name.clone(),
            cases: keep(&rows_b),
        },
        &cfg,
    )?;
    let arms = vec![
        arm_report(
            &data,
            &data.arm_a,
            &rows_a,
            &paired,
            &comparison.arm_a,
            opts,
        )?,
        arm_report(
            &data,
            &data.arm_b,
            &rows_b,
            &paired,
            &comparison.arm_b,
            opts,
        )?,
    ];
    let paired_a: Vec<&ResultRow> = rows_a
        .iter()
        .copied()
        .filter(|r| paired.contains(&r.example_id))
        .collect();
    let paired_b: Vec<&ResultRow> = rows_b
        .iter()
        .copied()
        .filter(|r| paired.contains(&r.example_id))
        .collect();
    let schemas = [response_schema(&data.arm_a), response_schema(&data.arm_b)];
    let format_checks = format_checks(exp, schemas, &paired_a, &paired_b);
    let task_warning = task_warning(
        &exp.primary_metric,
        [&arms[0], &arms[1]],
        [&paired_a, &paired_b],
    );
    let (train, test, unassigned) = store::example::split_counts(conn, exp.dataset_id)?;
    let n_cases = match exp.split.as_str() {
        "train" => train,
        "test" => test,
        "validation" => store::example::validation_count(conn, exp.dataset_id)?,
        _ => train + test + unassigned + store::example::validation_count(conn, exp.dataset_id)?,
    };
    let mut report = RunReport {
        run_id,
        status: run::effective_status(db_path, &data.run)
            .as_str()
            .to_owned(),
        experiment_id: exp.id,
        experiment: exp.name.clone(),
        dataset: store::dataset::name(conn, exp.dataset_id)?,
        split: exp.split.clone(),
        n_cases,
        unpaired_cases: unpaired,
        primary_metric: exp.primary_metric.clone(),
        arms,
        verdict: comparison.verdict.sentence.clone(),
        verdict_kind: comparison.verdict.kind,
        p_value: comparison.mcnemar.map(|m| m.p_value),
        minimum_detectable_difference: comparison.power.minimum_detectable_difference,
        power_warning: comparison.power.warning.clone(),
        task_warning,
        format_checks,
        seed: opts.seed,
        resamples: opts.resamples,
        comparison,
        comparisons: Vec::new(),
        multiple_testing: None,
    };
    super::comparisons::add_more_arms(&data, &cfg, opts, &mut report)?;
    Ok(report)
}

/// A result as the comparison sees it.
pub(super) fn case_score(data: &RunData, row: &ResultRow) -> CaseScore {
    let labelled = data.labelled();
    // A corpus primary keeps each case's statistics; an errored case counts as an empty
    // answer.
    let counts = match PrimaryMetric::for_name(&data.experiment.primary_metric) {
        PrimaryMetric::Corpus { metric } => {
            metric.counts(row.output.as_deref().unwrap_or(""), &row.expected)
        }
        _ => Vec::new(),
    };
    CaseScore {
        example_id: row.example_id,
        error: row.output.is_none(),
        value: data.primary_score(row).unwrap_or(0.0),
        expected_label: labelled.then(|| label_of(&row.expected)),
        predicted_label: row.output.as_deref().filter(|_| labelled).map(label_of),
        counts,
    }
}

//! [`run_report`]: the numbers of a run. Each arm's metrics with intervals, its label
//! report and format compliance when the experiment classifies, its latency and measured
//! cost per query; then B against A, paired on the cases both answered, with the
//! interval of the difference (BLEU, chrF and entity F1 as corpus figures, bootstrapped
//! over sentences), McNemar's test, the minimum detectable
//! difference and the margin rule's verdict.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{paired_ids, RunData};
use crate::arm::Arm;
use crate::decision::{FormatCheck, FormatCounts, FormatNeed};
use crate::provider::ResponseFormat;
pub use crate::run::summary::ErrorCount;
use crate::score::{label_of, label_report, score_case, LabelReport, MetricScale, Scorer};
use crate::stats::mcnemar::mcnemar_exact;
use crate::stats::{
    compare, summarize_latency, summarize_metric, ArmScores, ArmSummary, CaseScore, CompareConfig,
    Comparison, ErrorPolicy, Interval, LatencySample, LatencySummary, Margin, MetricSummary,
    PrimaryMetric, VerdictKind,
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
        _ => train + test + unassigned,
    };
    Ok(RunReport {
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
    })
}

/// Below this share of its scale (0.05 of 1, 5 of 100) an arm's primary metric is near
/// zero: the arm does not do the task.
pub const NEAR_ZERO: f64 = 0.05;

/// Answers outside the taxonomy above this share mean the arm does not answer the task's
/// question.
pub const MOSTLY_OUTSIDE: f64 = 0.5;

/// The JSON Schema an arm asks its model to answer in (`response_format` of type
/// `json_schema`), as JSON text.
fn response_schema(arm: &Arm) -> Option<&str> {
    match &arm.params.generation.response_format {
        Some(ResponseFormat::JsonSchema { schema, .. }) => Some(schema),
        _ => None,
    }
}

/// The paired pass/fail outcomes of both arms against every format check the run can
/// measure: valid JSON, a label of the taxonomy when there is one, and compliance with
/// the JSON Schema an arm asks for structured output in (each arm against its own schema,
/// else the other arm's; not measured when the schema does not compile).
fn format_checks(
    exp: &experiment::Experiment,
    schemas: [Option<&str>; 2],
    rows_a: &[&ResultRow],
    rows_b: &[&ResultRow],
) -> Vec<FormatCheck> {
    let both = |s: Scorer| (s.clone(), s);
    let mut scorers: Vec<(FormatNeed, (Scorer, Scorer))> =
        vec![(FormatNeed::Json, both(Scorer::JsonValid))];
    if !exp.labels.is_empty() {
        scorers.push((
            FormatNeed::Taxonomy,
            both(Scorer::LabelInTaxonomy {
                labels: exp.labels.clone(),
                normalization: Default::default(),
            }),
        ));
    }
    let [schema_a, schema_b] = schemas;
    if let (Some(a), Some(b)) = (schema_a.or(schema_b), schema_b.or(schema_a)) {
        let schema = |s: &str| Scorer::JsonSchema {
            schema: s.to_owned(),
        };
        scorers.push((FormatNeed::JsonSchema, (schema(a), schema(b))));
    }
    let by_id: HashMap<i32, &ResultRow> = rows_b.iter().map(|r| (r.example_id, *r)).collect();
    scorers
        .into_iter()
        .filter_map(|(need, (scorer_a, scorer_b))| {
            let origin = format!("experiment `{}`", exp.name);
            let prepared_a = scorer_a.prepare(&origin).ok()?;
            let prepared_b = scorer_b.prepare(&origin).ok()?;
            let pass_with =
                |prepared: &crate::score::PreparedScorer, r: &ResultRow| -> Option<bool> {
                    let out = r.output.as_deref()?;
                    Some(prepared.score(out, &r.expected) == Some(1.0))
                };
            let pass_a = |r: &ResultRow| pass_with(&prepared_a, r);
            let pass_b = |r: &ResultRow| pass_with(&prepared_b, r);
            let tally = |c: &mut FormatCounts, outcome: Option<bool>| match outcome {
                Some(true) => c.compliant += 1,
                Some(false) => c.non_compliant += 1,
                None => c.errors += 1,
            };
            let (mut pa, mut pb) = (FormatCounts::default(), FormatCounts::default());
            let (mut a_only, mut b_only) = (0u32, 0u32);
            for a in rows_a {
                let Some(b) = by_id.get(&a.example_id) else {
                    continue;
                };
                let (oa, ob) = (pass_a(a), pass_b(b));
                tally(&mut pa, oa);
                tally(&mut pb, ob);
                // An errored call fails the check.
                match (oa == Some(true), ob == Some(true)) {
                    (true, false) => a_only += 1,
                    (false, true) => b_only += 1,
                    _ => {}
                }
            }
            Some(FormatCheck {
                need,
                prompting: pa,
                fine_tuned: pb,
                p_value: mcnemar_exact(a_only, b_only).p_value,
            })
        })
        .collect()
}

/// The most common answers of an arm, most frequent first (ties in text order), each
/// cut to 40 characters.
fn common_answers(rows: &[&ResultRow], top: usize) -> Vec<(String, u32)> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for out in rows.iter().filter_map(|r| r.output.as_deref()) {
        let t = out.trim();
        let cut: String = t.chars().take(40).collect();
        let shown = if cut.len() < t.len() {
            format!("{cut}…")
        } else {
            cut
        };
        *counts.entry(shown).or_default() += 1;
    }
    let mut v: Vec<(String, u32)> = counts.into_iter().collect();
    v.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    v.truncate(top);
    v
}

/// That neither arm does the task, with its figures: each arm is near zero on the
/// primary metric ([`NEAR_ZERO`] of its scale) or has most answers outside the taxonomy
/// ([`MOSTLY_OUTSIDE`]).
fn task_warning(metric: &str, arms: [&ArmReport; 2], rows: [&[&ResultRow]; 2]) -> Option<String> {
    let max = MetricScale::of(metric).max();
    let outside = |a: &ArmReport| a.format_compliance.map(|inside| 1.0 - inside);
    let fails = |a: &ArmReport| {
        a.primary.value < NEAR_ZERO * max || outside(a).is_some_and(|o| o > MOSTLY_OUTSIDE)
    };
    if !(fails(arms[0]) && fails(arms[1])) {
        return None;
    }
    let value = |x: f64| {
        if max > 1.0 {
            format!("{x:.1}")
        } else {
            format!("{x:.3}")
        }
    };
    let mut text = format!(
        "Neither arm does the task: {metric} is {} for {} and {} for {}",
        value(arms[0].primary.value),
        arms[0].name,
        value(arms[1].primary.value),
        arms[1].name
    );
    if let (Some(oa), Some(ob)) = (outside(arms[0]), outside(arms[1])) {
        text.push_str(&format!(
            "; {} of {}'s answers and {} of {}'s fall outside the taxonomy",
            crate::decision::number::percent_1(oa),
            arms[0].name,
            crate::decision::number::percent_1(ob),
            arms[1].name
        ));
    }
    for (arm, rows) in arms.iter().zip(rows) {
        let common: Vec<String> = common_answers(rows, 3)
            .into_iter()
            .map(|(answer, n)| format!("{answer:?} ({n})"))
            .collect();
        if !common.is_empty() {
            text.push_str(&format!(
                "; {}'s most common answers: {}",
                arm.name,
                common.join(", ")
            ));
        }
    }
    Some(text)
}

/// A result as the comparison sees it.
fn case_score(data: &RunData, row: &ResultRow) -> CaseScore {
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

/// One arm's figures. Quality (metrics, label report) is measured on the paired cases, so
/// that it agrees with the comparison; counts, latency and cost cover every result.
fn arm_report(
    data: &RunData,
    arm: &Arm,
    rows: &[&ResultRow],
    paired: &HashSet<i32>,
    summary: &ArmSummary,
    opts: &ReportOptions,
) -> Result<ArmReport> {
    let exp = &data.experiment;
    let scored: Vec<&ResultRow> = rows
        .iter()
        .copied()
        .filter(|r| paired.contains(&r.example_id))
        .collect();
    let origin = format!("experiment `{}`", exp.name);
    // The primary scorer first (the judge's grades are stored, not computed here), then the
    // classification defaults it does not repeat.
    let judged = data.primary.is_none();
    let mut scorers = if judged {
        Vec::new()
    } else {
        vec![Scorer::by_name(&exp.primary_metric, &exp.labels)?]
    };
    if data.labelled() {
        for s in Scorer::classification_defaults(&exp.labels) {
            if scorers.iter().all(|have| have.name() != s.name()) {
                scorers.push(s);
            }
        }
    }
    let prepared = scorers
        .iter()
        .map(|s| s.prepare(&origin))
        .collect::<Result<Vec<_>>>()?;
    // scores[k][i]: scorer k on case i, `None` when the case errored.
    let mut scores: Vec<Vec<Option<f64>>> = vec![Vec::with_capacity(scored.len()); prepared.len()];
    for row in &scored {
        let case = row
            .output
            .as_deref()
            .map(|o| score_case(&prepared, o, &row.expected));
        for (k, column) in scores.iter_mut().enumerate() {
            column.push(case.as_ref().and_then(|c| c.get(k)).map(|s| s.value));
        }
    }
    let judge_column: Vec<Option<f64>> = scored.iter().map(|r| data.primary_score(r)).collect();
    let judge_metric = judged.then(|| {
        summarize_metric(
            "judge",
            &judge_column,
            opts.error_policy,
            0.95,
            opts.resamples,
            opts.seed,
        )
    });
    let metrics: Vec<MetricSummary> = judge_metric
        .into_iter()
        .chain(prepared.iter().zip(&scores).map(|(p, column)| {
            summarize_metric(
                p.name(),
                column,
                opts.error_policy,
                0.95,
                opts.resamples,
                opts.seed,
            )
        }))
        .collect();
    // A corpus metric's figure is the corpus one (as the comparison computes it), not the
    // mean of per-sentence scores; the per-case scores stay for the case browser.
    let metrics: Vec<MetricSummary> = metrics
        .into_iter()
        .map(|m| match PrimaryMetric::for_name(&m.metric) {
            PrimaryMetric::Corpus { .. } if m.metric == exp.primary_metric => MetricSummary {
                mean: Some(summary.value),
                interval: Some(summary.interval),
                interval_method: summary.interval_method.clone(),
                ..m
            },
            _ => m,
        })
        .collect();
    let format_compliance = metrics
        .iter()
        .find(|m| m.metric == "label_in_taxonomy")
        .and_then(|m| m.mean);

    let mut by_class: BTreeMap<String, u32> = BTreeMap::new();
    for class in rows.iter().filter_map(|r| r.error_class.as_ref()) {
        *by_class.entry(class.clone()).or_default() += 1;
    }
    let errors: u32 = by_class.values().sum();
    let latency = summarize_latency(
        &rows
            .iter()
            .map(|r| LatencySample {
                latency_ms: r.latency_ms.unwrap_or(f64::NAN),
                ttft_ms: r.ttft_ms,
                completion_tokens: r.completion_tokens,
                error: r.output.is_none(),
            })
            .collect::<Vec<_>>(),
        opts.latency_budget_p95_ms,
    );
    let (cost_per_query, cost_note) = cost(arm, rows);
    Ok(ArmReport {
        arm_id: arm.id,
        name: arm.name.clone(),
        kind: arm.kind.as_str().to_owned(),
        model: arm.model.clone(),
        n: rows.len() as u32,
        answered: rows.len() as u32 - errors,
        errors,
        refused: by_class.get("refused").copied().unwrap_or(0),
        truncated: rows
            .iter()
            .filter(|r| r.output.is_some() && r.finish_reason.as_deref() == Some("length"))
            .count() as u32,
        errors_by_class: by_class
            .into_iter()
            .map(|(class, count)| ErrorCount { class, count })
            .collect(),
        primary: PrimaryValue {
            metric: exp.primary_metric.clone(),
            value: summary.value,
            interval: summary.interval,
            interval_method: summary.interval_method.clone(),
        },
        metrics,
        label_report: data.labelled().then(|| labels(data, &scored)),
        format_compliance,
        latency_ms_p50: latency.p50_ms,
        latency_ms_p95: latency.p95_ms,
        latency,
        cost_per_query,
        cost_note,
    })
}

/// The label report of one arm. Classes: the taxonomy, else every expected label and
/// every label the arm answered (an errored case is a wrong answer outside them all).
fn labels(data: &RunData, rows: &[&ResultRow]) -> LabelReport {
    /// Stands in for an errored case's prediction; never a class.
    const ERRORED: &str = "\u{0}error";
    let expected: Vec<String> = rows.iter().map(|r| label_of(&r.expected)).collect();
    let predicted: Vec<String> = rows
        .iter()
        .map(|r| r.output.as_deref().map_or(ERRORED.to_owned(), label_of))
        .collect();
    let taxonomy: Vec<String> = if data.experiment.labels.is_empty() {
        let mut all: Vec<String> = expected
            .iter()
            .chain(&predicted)
            .filter(|l| l.as_str() != ERRORED)
            .cloned()
            .collect();
        all.sort();
        all.dedup();
        all
    } else {
        data.experiment.labels.clone()
    };
    label_report(&expected, &predicted, Some(&taxonomy))
}

/// Mean recorded cost of an answered case, and a note when it is missing or partial.
fn cost(arm: &Arm, rows: &[&ResultRow]) -> (Option<f64>, Option<String>) {
    let answered: Vec<&&ResultRow> = rows.iter().filter(|r| r.output.is_some()).collect();
    let costs: Vec<f64> = answered.iter().filter_map(|r| r.cost).collect();
    if costs.is_empty() {
        let note = format!(
            "no price for model `{}` was known when the run answered, so its cost was not measured",
            arm.model
        );
        return (None, Some(note));
    }
    let mean = costs.iter().sum::<f64>() / costs.len() as f64;
    let note = (costs.len() < answered.len()).then(|| {
        format!(
            "{} of {} answered cases have a recorded cost; the mean is over those",
            costs.len(),
            answered.len()
        )
    });
    (Some(mean), note)
}

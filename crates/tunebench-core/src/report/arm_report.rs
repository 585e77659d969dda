//! One arm's side of a run's report: every scorer's mean with its interval on the paired
//! cases, the label report, errors by class, latency and measured cost per query.

use std::collections::{BTreeMap, HashSet};

use super::run_report::{ArmReport, ErrorCount, PrimaryValue, ReportOptions};
use super::RunData;
use crate::arm::Arm;
use crate::score::{label_of, label_report, score_case, LabelReport, Scorer};
use crate::stats::{
    summarize_latency, summarize_metric, ArmSummary, LatencySample, MetricSummary, PrimaryMetric,
};
use crate::store::result_read::ResultRow;
use crate::Result;

/// One arm's figures. Quality (metrics, label report) is measured on the paired cases, so
/// that it agrees with the comparison; counts, latency and cost cover every result.
pub(super) fn arm_report(
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

/// Mean recorded cost of an answered case, and a note when it is missing or partial, or
/// (a local model) what it was priced at.
fn cost(arm: &Arm, rows: &[&ResultRow]) -> (Option<f64>, Option<String>) {
    let answered: Vec<&&ResultRow> = rows.iter().filter(|r| r.output.is_some()).collect();
    if let Some(local) = machine_cost(&answered) {
        return local;
    }
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

/// A local model's cost per query and the sentence that says how it was priced: its
/// answers' share of this machine's serving time × the machine's cost per hour (the rate
/// is read back from the recorded costs and times). `None` when no answer was metered.
fn machine_cost(answered: &[&&ResultRow]) -> Option<(Option<f64>, Option<String>)> {
    let metered: Vec<(f64, f64)> = answered
        .iter()
        .filter_map(|r| Some((r.machine_ms?, r.cost?)))
        .collect();
    if metered.is_empty() {
        return None;
    }
    let n = metered.len() as f64;
    let ms: f64 = metered.iter().map(|m| m.0).sum();
    let usd: f64 = metered.iter().map(|m| m.1).sum();
    let per_hour = if ms > 0.0 {
        usd / ms * 3_600_000.0
    } else {
        0.0
    };
    let per_hour = (per_hour * 10_000.0).round() / 10_000.0;
    let mut note = format!(
        "served on this machine: {:.2} s of its serving time per answer at ${per_hour} per \
         hour of this machine",
        ms / n / 1000.0
    );
    if metered.len() < answered.len() {
        note.push_str(&format!(
            "; {} of {} answered cases were timed, the mean is over those",
            metered.len(),
            answered.len()
        ));
    }
    Some((Some(usd / n), Some(note)))
}

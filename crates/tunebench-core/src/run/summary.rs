//! A run's figures per arm, read back from the store: cases, errors by class, the primary
//! metric over answered cases, latency percentiles, tokens and cost per query.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;

use super::metric::{RunningMetric, Tally};
use super::{effective_status, RunStatus};
use crate::{store, Result};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ErrorCount {
    pub class: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunArmSummary {
    pub arm_id: i32,
    pub name: String,
    pub model: String,
    /// Cases of the split.
    pub total: u32,
    /// Cases with a result (answered + errors).
    pub n: u32,
    pub answered: u32,
    /// Cases recorded as errors after retries; never counted as wrong answers.
    pub errors: u32,
    pub errors_by_class: Vec<ErrorCount>,
    pub metric: Option<f64>,
    pub latency_ms_p50: Option<f64>,
    pub latency_ms_p95: Option<f64>,
    pub ttft_ms_p50: Option<f64>,
    pub prompt_tokens_mean: Option<f64>,
    pub completion_tokens_mean: Option<f64>,
    /// Mean cost of an answered case, USD; `None` without prices.
    pub cost_per_query: Option<f64>,
    pub from_cache: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunSummary {
    pub run_id: i32,
    pub status: RunStatus,
    pub primary_metric: String,
    pub arms: Vec<RunArmSummary>,
}

/// Percentile `p` (0–100) of `sorted` values, interpolated as the report computes it
/// ([`crate::stats::latency::quantile_sorted`]), so every screen shows the same p95.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    (!sorted.is_empty()).then(|| crate::stats::latency::quantile_sorted(sorted, p / 100.0))
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Summarises run `run_id` of the database at `db_path`.
pub fn summarize(conn: &Connection, db_path: &Path, run_id: i32) -> Result<RunSummary> {
    let run = store::run::get(conn, run_id)?;
    let exp = store::experiment::get(conn, run.experiment_id)?;
    let total = store::case::for_split(conn, exp.dataset_id, &exp.split)?.len() as u32;
    let rows = store::result::for_run(conn, run_id)?;
    let running = RunningMetric::new(&exp.primary_metric, &exp.labels);
    let mut arms = Vec::new();
    for arm_id in &exp.arm_ids {
        let arm = store::arm::get(conn, *arm_id)?;
        let mine: Vec<_> = rows.iter().filter(|(r, _)| r.arm_id == *arm_id).collect();
        let mut by_class: BTreeMap<String, u32> = BTreeMap::new();
        let mut tally = Tally::default();
        let mut latencies = Vec::new();
        let mut ttfts = Vec::new();
        let mut prompt = Vec::new();
        let mut completion = Vec::new();
        let mut costs = Vec::new();
        let mut from_cache = 0;
        for (r, expected) in &mine {
            if let Some(class) = &r.error_class {
                *by_class.entry(class.clone()).or_default() += 1;
                continue;
            }
            from_cache += u32::from(r.from_cache);
            running.add(
                &mut tally,
                r.output.as_deref().unwrap_or(""),
                expected,
                None,
            );
            latencies.extend(r.latency_ms);
            ttfts.extend(r.ttft_ms);
            prompt.extend(r.prompt_tokens.map(f64::from));
            completion.extend(r.completion_tokens.map(f64::from));
            costs.extend(r.cost);
        }
        latencies.sort_by(f64::total_cmp);
        ttfts.sort_by(f64::total_cmp);
        let errors: u32 = by_class.values().sum();
        arms.push(RunArmSummary {
            arm_id: *arm_id,
            name: arm.name,
            model: arm.model,
            total,
            n: mine.len() as u32,
            answered: mine.len() as u32 - errors,
            errors,
            errors_by_class: by_class
                .into_iter()
                .map(|(class, count)| ErrorCount { class, count })
                .collect(),
            metric: running.value(&tally),
            latency_ms_p50: percentile(&latencies, 50.0),
            latency_ms_p95: percentile(&latencies, 95.0),
            ttft_ms_p50: percentile(&ttfts, 50.0),
            prompt_tokens_mean: mean(&prompt),
            completion_tokens_mean: mean(&completion),
            cost_per_query: mean(&costs),
            from_cache,
        });
    }
    Ok(RunSummary {
        run_id,
        status: effective_status(db_path, &run),
        primary_metric: exp.primary_metric,
        arms,
    })
}

/// One run as the runs screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunListEntry {
    pub experiment: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub summary: RunSummary,
    /// A batch run's provider batches per arm (empty for a live run).
    pub batch: Vec<super::batch::ArmBatchProgress>,
}

/// Every run, newest first, each with its experiment's name and per-arm summary.
pub fn list(conn: &Connection, db_path: &Path) -> Result<Vec<RunListEntry>> {
    store::run::list(conn, None)?
        .into_iter()
        .map(|run| {
            Ok(RunListEntry {
                experiment: store::experiment::get(conn, run.experiment_id)?.name,
                started_at: run.started_at.clone(),
                summary: summarize(conn, db_path, run.id)?,
                batch: super::batch::progress(conn, run.id)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(50.5));
        assert!((percentile(&v, 95.0).unwrap() - 95.05).abs() < 1e-9);
        assert_eq!(percentile(&[7.0], 95.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}

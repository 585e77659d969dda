//! A run beside the earlier runs of the same experiment: per run and arm the model, the
//! primary metric with its interval, p95 latency and measured cost per query, so a team
//! re-checking its decision after a model release sees the trend at a glance.

use std::path::Path;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{run_report, ReportOptions};
use crate::chart::{ChartData, ChartSpec, ChartStyle, TrendData, TrendPoint, TrendRun};
use crate::stats::VerdictKind;
use crate::{store, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryArm {
    pub name: String,
    pub n: u32,
    pub errors: u32,
    /// Model, primary metric with its interval, p95 latency and cost per query: the
    /// arm's point on the trend chart.
    #[serde(flatten)]
    pub point: TrendPoint,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryRun {
    pub run_id: i32,
    pub experiment_id: i32,
    pub started_at: String,
    pub status: String,
    pub verdict_kind: VerdictKind,
    pub verdict: String,
    /// Arm A, arm B, then any further arms.
    pub arms: Vec<HistoryArm>,
    /// With three or more arms: the best arm that clears the margin against A, when one
    /// does (the verdict names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_arm: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunHistory {
    pub experiment: String,
    pub dataset: String,
    pub primary_metric: String,
    /// Oldest first; the run asked about is among them.
    pub runs: Vec<HistoryRun>,
    /// Runs of the experiment left out, with why (e.g. no case answered by both arms yet).
    pub left_out: Vec<String>,
}

/// Every run of the experiment of run `run_id` and of its re-runs on other models
/// ([`store::experiment::family`]), oldest first, each scored as the results screen scores it.
pub fn history(
    conn: &Connection,
    db_path: &Path,
    run_id: i32,
    opts: &ReportOptions,
) -> Result<RunHistory> {
    let this = store::run::get(conn, run_id)?;
    let exp = store::experiment::get(conn, this.experiment_id)?;
    let dataset = store::dataset::name(conn, exp.dataset_id)?;
    let mut runs = Vec::new();
    let mut left_out = Vec::new();
    for experiment_id in store::experiment::family(conn, exp.id)? {
        for record in store::run::list(conn, Some(experiment_id))?
            .into_iter()
            .rev()
        {
            match run_report(conn, db_path, record.id, opts) {
                Ok(r) => runs.push(HistoryRun {
                    best_arm: best_arm(&r),
                    run_id: r.run_id,
                    experiment_id,
                    started_at: record.started_at,
                    status: r.status,
                    verdict_kind: r.verdict_kind,
                    verdict: r.verdict,
                    arms: r
                        .arms
                        .into_iter()
                        .map(|a| HistoryArm {
                            name: a.name,
                            n: a.n,
                            errors: a.errors,
                            point: TrendPoint {
                                model: a.model,
                                value: a.primary.value,
                                low: a.primary.interval.low,
                                high: a.primary.interval.high,
                                latency_p95_ms: a.latency.p95_ms,
                                cost_per_query: a.cost_per_query,
                            },
                        })
                        .collect(),
                }),
                Err(e) => left_out.push(format!("run {}: {e}", record.id)),
            }
        }
    }
    runs.sort_by(|a, b| (&a.started_at, a.run_id).cmp(&(&b.started_at, b.run_id)));
    Ok(RunHistory {
        experiment: exp.name,
        dataset,
        primary_metric: exp.primary_metric,
        runs,
        left_out,
    })
}

/// The arm a several-arm verdict names as the best that clears the margin.
fn best_arm(r: &super::RunReport) -> Option<String> {
    (r.verdict_kind == VerdictKind::Justified)
        .then(|| r.comparisons.iter().find(|c| c.leading))
        .flatten()
        .map(|c| c.arm.clone())
}

impl HistoryRun {
    /// The verdict in a few words, for tables: of fine-tuning for two arms, of the best
    /// arm for more.
    pub fn verdict_kind_text(&self) -> String {
        let several = self.arms.len() > 2;
        match (self.verdict_kind, &self.best_arm) {
            (VerdictKind::Justified, Some(best)) if several => format!("{best} clears the margin"),
            (VerdictKind::Justified, None) if several => "an arm clears the margin".into(),
            (VerdictKind::NotJustified, _) if several => "no arm clears the margin".into(),
            (VerdictKind::Justified, _) => "fine-tuning justified".into(),
            (VerdictKind::NotJustified, _) => "not justified".into(),
            (VerdictKind::Inconclusive, _) => "inconclusive".into(),
        }
    }
}

impl RunHistory {
    pub fn chart_title(&self) -> String {
        format!("Runs of {} on {}", self.experiment, self.dataset)
    }

    /// The trend chart as the app and the CLI draw it.
    pub fn chart_spec(&self, style: ChartStyle) -> ChartSpec {
        let first = self
            .runs
            .first()
            .map_or("", |r| r.started_at.get(..10).unwrap_or(""));
        let last = self
            .runs
            .last()
            .map_or("", |r| r.started_at.get(..10).unwrap_or(""));
        ChartSpec {
            title: self.chart_title(),
            source: format!(
                "{} runs, {first} to {last} · {} with 95 % intervals · p95 latency · measured cost per query",
                self.runs.len(),
                self.primary_metric
            ),
            style,
            data: ChartData::Trend(self.trend_data()),
        }
    }

    /// The trend chart's data: one point per run and arm, labelled by run.
    pub fn trend_data(&self) -> TrendData {
        TrendData {
            metric: self.primary_metric.clone(),
            series: (0..2)
                .map(|i| {
                    // Named as in the latest run.
                    let letter = if i == 0 { "A" } else { "B" };
                    let name = self
                        .runs
                        .iter()
                        .rev()
                        .find_map(|r| r.arms.get(i))
                        .map_or(letter, |a| a.name.as_str());
                    format!("{letter} ({name})")
                })
                .collect(),
            runs: self
                .runs
                .iter()
                .map(|r| TrendRun {
                    label: format!("run {}", r.run_id),
                    points: r.arms.iter().map(|a| a.point.clone()).collect(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(arms: usize, verdict_kind: VerdictKind, best_arm: Option<&str>) -> HistoryRun {
        let arm = |i: usize| HistoryArm {
            name: format!("arm{i}"),
            n: 10,
            errors: 0,
            point: TrendPoint {
                model: "m".into(),
                value: 0.5,
                low: 0.4,
                high: 0.6,
                latency_p95_ms: None,
                cost_per_query: None,
            },
        };
        HistoryRun {
            run_id: 1,
            experiment_id: 1,
            started_at: "2026-12-01T00:00:00Z".into(),
            status: "completed".into(),
            verdict_kind,
            verdict: String::new(),
            arms: (0..arms).map(arm).collect(),
            best_arm: best_arm.map(str::to_owned),
        }
    }

    #[test]
    fn a_several_arm_verdict_names_its_best_arm_and_a_two_arm_one_reads_as_before() {
        use VerdictKind::*;
        assert_eq!(
            run(2, Justified, None).verdict_kind_text(),
            "fine-tuning justified"
        );
        assert_eq!(
            run(2, NotJustified, None).verdict_kind_text(),
            "not justified"
        );
        assert_eq!(
            run(3, Justified, Some("hybrid")).verdict_kind_text(),
            "hybrid clears the margin"
        );
        assert_eq!(
            run(3, NotJustified, None).verdict_kind_text(),
            "no arm clears the margin"
        );
        assert_eq!(
            run(3, Inconclusive, None).verdict_kind_text(),
            "inconclusive"
        );
    }
}

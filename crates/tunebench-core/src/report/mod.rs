//! What a finished (or stopped) run amounts to: every metric of both arms with its
//! interval, the paired comparison of arm B (fine-tuned) against arm A (prompting) and
//! its verdict, latency and measured cost per query ([`run_report`]), every further arm
//! against A under Holm's correction ([`comparisons`]), and the cases
//! behind the numbers for the results screen's case browser ([`cases`]).

mod arm_report;
pub mod captions;
pub mod case_page;
pub mod charts;
pub mod comparisons;
pub mod decision;
pub mod document;
pub mod evidence;
pub mod history;
pub mod latency;
pub mod run_report;
pub mod scenario;
pub mod scenario_arms;
pub mod slides;
mod task_checks;

use std::collections::HashSet;

use rusqlite::Connection;

use crate::arm::Arm;
use crate::experiment::Experiment;
use crate::run::judge;
use crate::run::RunRecord;
use crate::score::{PreparedScorer, Scorer};
use crate::store::result_read::ResultRow;
use crate::{store, Error, Result};

pub use case_page::{cases, ArmAnswer, CaseCounts, CaseFilter, CasePage, CaseView};
pub use charts::{confusion_data, metric_data, quality_data};
pub use decision::{
    decide, leading_arm, run_decision, saved_questions, DecisionView, RunDecision, SeveralArms,
};
pub use document::{render, DocFormat};
pub use evidence::evidence as evidence_from;
pub use history::{history, HistoryArm, HistoryRun, RunHistory};
pub use latency::latency_data;
pub use run_report::{run_report, ArmReport, ErrorCount, PrimaryValue, ReportOptions, RunReport};
pub use scenario::{
    measured_arms_scenario, measured_scenario, run_scenario, save_run_scenario, SAVED_SCENARIO,
    TRAINING_TOKEN_ESTIMATE,
};
pub use scenario_arms::{run_arms_scenario, save_run_arms_scenario};
pub use slides::{slides, write_pack, Slide, SlidePack};

/// The primary metrics that are averaged F1s over the labels.
const LABEL_METRICS: [&str; 4] = ["label", "macro_f1", "micro_f1", "weighted_f1"];

/// A per-case primary score at or above this share of its scale counts as a right answer
/// in the case browser when the experiment states no `[scenario] correct_at` (binary
/// scorers give 0 or 1, so for them "right" means 1).
pub const RIGHT_THRESHOLD: f64 = 0.5;

/// A run read back from the store: its experiment, arms A and B, and every result.
/// The primary metric name whose scores come from the LLM judge.
const JUDGE: &str = "judge";

struct RunData {
    run: RunRecord,
    experiment: Experiment,
    arm_a: Arm,
    arm_b: Arm,
    /// Arms C, D, … of an experiment with more than two arms.
    more: Vec<Arm>,
    rows: Vec<ResultRow>,
    /// The primary metric's scorer, prepared; `None` when the primary is the LLM judge,
    /// whose grades are read from each result's stored scores.
    primary: Option<PreparedScorer>,
}

impl RunData {
    fn load(conn: &Connection, run_id: i32) -> Result<RunData> {
        let run = store::run::get(conn, run_id)?;
        let experiment = store::experiment::get(conn, run.experiment_id)?;
        let (&[a, b, ..], 2..=crate::experiment::MAX_ARMS) =
            (&experiment.arm_ids[..], experiment.arm_ids.len())
        else {
            return Err(Error::Invalid(format!(
                "run {run_id}: experiment `{}` has {} arms; a report compares two to {} (A = the prompting baseline, then the arms compared with it)",
                experiment.name,
                experiment.arm_ids.len(),
                crate::experiment::MAX_ARMS
            )));
        };
        let rows = store::result_read::for_report(conn, run_id)?;
        let primary = if experiment.primary_metric == JUDGE {
            let ungraded = rows
                .iter()
                .filter(|r| r.output.is_some() && judge::stored_grade(&r.scores).is_none())
                .count();
            if ungraded > 0 {
                return Err(Error::Invalid(format!(
                    "run {run_id}: the primary metric is the LLM judge, but {ungraded} answered \
                     cases have no grade yet; run `tunebench judge {run_id} --provider NAME \
                     --model MODEL --rubric TEXT` first"
                )));
            }
            None
        } else {
            Some(
                Scorer::by_name(&experiment.primary_metric, &experiment.labels)?
                    .prepare(&format!("experiment `{}`", experiment.name))?,
            )
        };
        let more = experiment.arm_ids[2..]
            .iter()
            .map(|&id| store::arm::get(conn, id))
            .collect::<Result<Vec<Arm>>>()?;
        Ok(RunData {
            arm_a: store::arm::get(conn, a)?,
            arm_b: store::arm::get(conn, b)?,
            more,
            rows,
            run,
            experiment,
            primary,
        })
    }

    /// Whether the experiment classifies: a taxonomy is given or the primary is a label F1.
    fn labelled(&self) -> bool {
        !self.experiment.labels.is_empty()
            || LABEL_METRICS.contains(&self.experiment.primary_metric.as_str())
    }

    /// The results of one arm, in case order.
    fn rows_of(&self, arm_id: i32) -> Vec<&ResultRow> {
        self.rows.iter().filter(|r| r.arm_id == arm_id).collect()
    }

    /// The score at or above which a case is right, and the sentence that states it: 1 for
    /// a binary primary metric, else the stated `[scenario] correct_at`, else half the
    /// metric's scale.
    fn right_rule(&self) -> Result<(f64, String)> {
        let metric = &self.experiment.primary_metric;
        if self.primary.as_ref().is_some_and(|p| p.is_binary()) {
            return Ok((
                RIGHT_THRESHOLD,
                format!("Right: a case scores 1 on {metric}"),
            ));
        }
        Ok(match scenario::stated_correct_at(&self.run)? {
            Some(at) => (
                at,
                format!(
                    "Right: a case's {metric} score is at least {at} (the experiment's \
                     [scenario] correct_at)"
                ),
            ),
            None => {
                let at = RIGHT_THRESHOLD * crate::score::MetricScale::of(metric).max();
                (
                    at,
                    format!(
                        "Right: a case's {metric} score is at least {at}, half its scale (no \
                         [scenario] correct_at is stated)"
                    ),
                )
            }
        })
    }

    /// The primary score of an answered row (`None` for an error).
    fn primary_score(&self, row: &ResultRow) -> Option<f64> {
        let output = row.output.as_deref()?;
        match &self.primary {
            Some(p) => p.score(output, &row.expected),
            None => judge::stored_grade(&row.scores),
        }
    }
}

/// The example ids both arms have a result for (a stopped run may have answered a case
/// in one arm only; those cases cannot be paired).
fn paired_ids(a: &[&ResultRow], b: &[&ResultRow]) -> HashSet<i32> {
    let in_b: HashSet<i32> = b.iter().map(|r| r.example_id).collect();
    a.iter()
        .map(|r| r.example_id)
        .filter(|id| in_b.contains(id))
        .collect()
}

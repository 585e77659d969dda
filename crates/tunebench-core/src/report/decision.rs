//! A run's recommendation with the defaults for the questions: gathers the run's report,
//! cost scenario, train split size and base model retirement date from the store and
//! hands them to the pure [`crate::decision`] rules.

use std::path::Path;

use rusqlite::Connection;

use super::comparisons::ArmComparison;
use super::{run_arms_scenario, run_report, run_scenario, ReportOptions, RunReport};
use crate::cost::{self, ArmsCostReport, ArmsScenario, CostReport, Scenario};
use crate::decision::{self, Evidence, Questions, Recommendation};
use crate::stats::VerdictKind;
use crate::{store, ErrorCode, Result};

/// Everything a recommendation of a run rests on.
#[derive(Debug, Clone)]
pub struct RunDecision {
    pub report: RunReport,
    /// The cost scenario and its evaluation, or why the arms could not be priced: arm A
    /// against the [`Self::leading`] arm (B for two arms).
    pub cost: std::result::Result<(Scenario, CostReport), NoCost>,
    /// For three or more arms, every arm priced at once (or why not); `None` for two.
    pub arms_cost: Option<std::result::Result<(ArmsScenario, ArmsCostReport), NoCost>>,
    /// The arm (index, A = 0) the recommendation weighs against A, with its cost and
    /// tornado: the best arm of the verdict, else B.
    pub leading: usize,
    /// Examples in the dataset's train split.
    pub train_examples: u32,
    pub evidence: Evidence,
}

/// Why a run has no cost at scale: the kind of failure and its message.
#[derive(Debug, Clone, PartialEq)]
pub struct NoCost {
    pub code: ErrorCode,
    pub reason: String,
}

impl std::fmt::Display for NoCost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl From<crate::Error> for NoCost {
    fn from(e: crate::Error) -> Self {
        Self {
            code: e.code(),
            reason: e.to_string(),
        }
    }
}

impl RunDecision {
    /// The defaults for the questions: examples from the train split, volume from the
    /// cost scenario.
    pub fn default_questions(&self) -> Questions {
        let volume = self.cost.as_ref().ok().map(|(s, _)| s.queries_per_day);
        decision::default_questions(self.train_examples, volume)
    }

    /// The evidence under the team's answers: the cost scenario worked out again at their
    /// daily volume and knowledge cadence, so one volume runs through the whole decision.
    pub fn evidence_for(&self, questions: &Questions) -> Evidence {
        let mut e = self.evidence.clone();
        if let Ok((s, _)) = &self.cost {
            match cost::evaluate(&decision::scenario_for(s, questions)) {
                Ok(c) => decision::with_cost(&mut e, &c),
                Err(err) => {
                    e = Evidence {
                        cheaper: None,
                        cost_queries_per_day: None,
                        monthly_cost: Default::default(),
                        retraining_monthly_cost: None,
                        payback_months: None,
                        cost_missing: Some(err.to_string()),
                        ..e
                    }
                }
            }
        }
        e
    }

    /// This decision with its cost scenario worked out at the team's daily volume and
    /// knowledge cadence, as [`Self::evidence_for`] weighs it: what a report shows beside the
    /// recommendation, so its cost table and sentences cite the figures the reasons do.
    pub fn for_questions(&self, questions: &Questions) -> RunDecision {
        let cost = self.cost.clone().and_then(|(s, _)| {
            let s = decision::scenario_for(&s, questions);
            cost::evaluate(&s).map(|c| (s, c)).map_err(NoCost::from)
        });
        let arms_cost = self.arms_cost.clone().map(|arms| {
            arms.and_then(|(s, _)| {
                let s = arms_for(&s, questions);
                cost::evaluate_arms(&s)
                    .map(|c| (s, c))
                    .map_err(NoCost::from)
            })
        });
        RunDecision {
            cost,
            arms_cost,
            ..self.clone()
        }
    }

    pub fn recommend(&self, questions: &Questions) -> Recommendation {
        decision::recommend(questions, &self.evidence_for(questions))
    }
}

/// Gathers the evidence of run `run_id` (database at `db_path`) as of `today`
/// (YYYY-MM-DD). Missing prices do not fail it: the cost rules are then skipped and
/// `cost` says why.
pub fn run_decision(
    conn: &Connection,
    db_path: &Path,
    run_id: i32,
    today: &str,
    opts: &ReportOptions,
) -> Result<RunDecision> {
    let report = run_report(conn, db_path, run_id, opts)?;
    let leading = leading_arm(&report);
    let arms_cost = (report.arms.len() > 2).then(|| {
        run_arms_scenario(conn, run_id, today, None)
            .and_then(|s| cost::evaluate_arms(&s).map(|c| (s, c)))
            .map_err(NoCost::from)
    });
    let cost = match &arms_cost {
        None => run_scenario(conn, run_id, today, None)
            .and_then(|s| cost::evaluate(&s).map(|c| (s, c)))
            .map_err(NoCost::from),
        Some(Ok((s, c))) => s
            .between(0, leading)
            .map(|s| (s, c.pairs[leading - 1].report.clone()))
            .map_err(NoCost::from),
        Some(Err(e)) => Err(e.clone()),
    };
    let experiment = store::experiment::get(conn, report.experiment_id)?;
    let train_examples = store::case::for_split(conn, experiment.dataset_id, "train")?.len() as u32;
    let (costs, retirement) = match &cost {
        Ok((s, c)) => (Some(c), s.arm_b.retirement_date.as_deref()),
        Err(_) => (None, None),
    };
    let mut evidence = super::evidence::evidence_of(
        &report,
        leading,
        costs,
        retirement,
        today,
        Some(train_examples),
    );
    evidence.cost_missing = cost.as_ref().err().map(ToString::to_string);
    Ok(RunDecision {
        report,
        cost,
        arms_cost,
        leading,
        train_examples,
        evidence,
    })
}

/// The arm a recommendation weighs against A (index, A = 0): the best arm of the verdict
/// over every comparison (the one clearing the margin against A), else B.
pub fn leading_arm(report: &RunReport) -> usize {
    report
        .comparisons
        .iter()
        .find(|c| c.against_baseline && c.leading && c.verdict_kind == VerdictKind::Justified)
        .and_then(|c| report.arms.iter().position(|a| a.name == c.arm))
        .filter(|&i| i > 0)
        .unwrap_or(1)
}

/// With three or more arms the recommendation weighs one arm against A: the verdict's best
/// arm (the one that clears the margin after Holm's correction), else B. This says which,
/// so that the recommendation and the verdict over every arm read as one claim; `None` for
/// two arms.
pub fn recommendation_scope(report: &RunReport, leading: usize) -> Option<String> {
    if report.comparisons.is_empty() {
        return None;
    }
    let letters = ['A', 'B', 'C', 'D', 'E', 'F'];
    let name = |i: usize| report.arms.get(i).map_or("?", |a| a.name.as_str());
    let letter = letters.get(leading).copied().unwrap_or('?');
    let why = if leading == 1 && report.verdict_kind != VerdictKind::Justified {
        "as no arm clears the margin after Holm's correction (B's corrected verdict is the one \
         weighed)"
    } else {
        "the best arm that clears the margin after Holm's correction"
    };
    Some(format!(
        "weighs {letter}: {} against A: {}, {why}",
        name(leading),
        name(0)
    ))
}

/// Every arm's scenario under the team's answers, as [`decision::scenario_for`] makes a
/// pair's: their volume, and each trained arm retrained as often as their knowledge changes.
fn arms_for(s: &ArmsScenario, questions: &Questions) -> ArmsScenario {
    let scenario = decision::scenario_for(&s.scenario, questions);
    let more = s
        .more
        .iter()
        .map(|arm| {
            let pair = Scenario {
                arm_b: arm.clone(),
                ..s.scenario.clone()
            };
            decision::scenario_for(&pair, questions).arm_b
        })
        .collect();
    ArmsScenario { scenario, more }
}

/// What the Decision screen shows: the answers in force and the recommendation they give.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DecisionView {
    pub run_id: i32,
    pub questions: Questions,
    pub recommendation: Recommendation,
    pub evidence: Evidence,
    /// Why cost at scale is missing, when it is.
    pub cost_note: Option<String>,
    /// With three or more arms: the verdict over every arm beside the recommendation,
    /// which weighs one arm against A (the verdict's best arm, else B).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub several_arms: Option<SeveralArms>,
}

/// The verdict of a run of three or more arms, as the Decision screen states it above the
/// recommendation: every corrected comparison, the correction (at the verdict's end), and
/// which arm the recommendation weighs against A.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SeveralArms {
    /// Names the best arm that clears the margin against A, or says that none does, and
    /// ends with Holm's correction in words.
    pub verdict: String,
    pub verdict_kind: VerdictKind,
    pub comparisons: Vec<ArmComparison>,
    /// What the recommendation weighs ([`recommendation_scope`]).
    pub recommendation_scope: String,
}

impl SeveralArms {
    /// The several-arm verdict of `report`, whose recommendation weighs arm `leading`
    /// against A, or None for a two-arm run.
    pub fn of(report: &RunReport, leading: usize) -> Option<Self> {
        Some(SeveralArms {
            recommendation_scope: recommendation_scope(report, leading)?,
            verdict: report.verdict.clone(),
            verdict_kind: report.verdict_kind,
            comparisons: report.comparisons.clone(),
        })
    }
}

/// The answers saved with the run's experiment, else the defaults from the run.
pub fn saved_questions(conn: &Connection, d: &RunDecision) -> Result<Questions> {
    let saved = store::experiment::questions(conn, d.report.experiment_id)?
        .and_then(|json| serde_json::from_str::<Questions>(&json).ok());
    Ok(saved.unwrap_or_else(|| d.default_questions()))
}

/// The recommendation for run `run_id` under `questions` (saved with its experiment when
/// given), else under the saved answers or the defaults.
pub fn decide(
    conn: &Connection,
    db_path: &Path,
    run_id: i32,
    today: &str,
    questions: Option<&Questions>,
) -> Result<DecisionView> {
    let d = run_decision(conn, db_path, run_id, today, &ReportOptions::default())?;
    let questions = match questions {
        Some(q) => {
            let json =
                serde_json::to_string(q).map_err(|e| crate::Error::Internal(e.to_string()))?;
            store::experiment::set_questions(conn, d.report.experiment_id, &json)?;
            q.clone()
        }
        None => saved_questions(conn, &d)?,
    };
    let evidence = d.evidence_for(&questions);
    Ok(DecisionView {
        run_id,
        recommendation: decision::recommend(&questions, &evidence),
        evidence,
        cost_note: d.cost.as_ref().err().map(ToString::to_string),
        several_arms: SeveralArms::of(&d.report, d.leading),
        questions,
    })
}

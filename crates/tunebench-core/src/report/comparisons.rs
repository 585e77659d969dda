//! A run of three or more arms: arms C, D, … join the report, each arm is compared with
//! the baseline A (B's comparison is the report's `comparison`), each hybrid arm with its
//! fine-tuned arm (the fine-tuned arm on the same provider and model), and Holm's
//! correction over them all decides which arm, if any, clears the margin
//! ([`crate::stats::family`]). A two-arm run is left exactly as it was.

use super::arm_report::arm_report;
use super::run_report::{case_score, ReportOptions, RunReport};
use super::{paired_ids, RunData};
use crate::arm::{Arm, ArmKind};
pub use crate::stats::family::ArmComparison;
use crate::stats::family::{correct, Challenge};
use crate::stats::{compare, ArmScores, CompareConfig, Comparison};
use crate::store::result_read::ResultRow;
use crate::{Error, Result};

/// Adds arms C, D, … and the corrected comparisons to `report` when the run has them.
pub(super) fn add_more_arms(
    data: &RunData,
    cfg: &CompareConfig,
    opts: &ReportOptions,
    report: &mut RunReport,
) -> Result<()> {
    if data.more.is_empty() {
        return Ok(());
    }
    let mut challenges = vec![Challenge {
        kind: data.arm_b.kind.as_str().to_owned(),
        against_baseline: true,
        comparison: report.comparison.clone(),
    }];
    for arm in &data.more {
        let (comparison, paired) = pair(data, cfg, &data.arm_a, arm)?;
        let rows = data.rows_of(arm.id);
        report.arms.push(arm_report(
            data,
            arm,
            &rows,
            &paired,
            &comparison.arm_b,
            opts,
        )?);
        challenges.push(Challenge {
            kind: arm.kind.as_str().to_owned(),
            against_baseline: true,
            comparison,
        });
    }
    let arms: Vec<&Arm> = [&data.arm_b].into_iter().chain(&data.more).collect();
    for hybrid in arms.iter().filter(|a| a.kind == ArmKind::Hybrid) {
        if let Some(ft) = fine_tuned_of(hybrid, &arms) {
            challenges.push(Challenge {
                kind: hybrid.kind.as_str().to_owned(),
                against_baseline: false,
                comparison: pair(data, cfg, ft, hybrid)?.0,
            });
        }
    }
    let family = correct(&challenges);
    report.verdict = family.verdict;
    report.verdict_kind = family.verdict_kind;
    report.comparisons = family.comparisons;
    report.multiple_testing = Some(family.note);
    Ok(())
}

/// The fine-tuned arm a hybrid arm adds retrieval to: the first fine-tuned arm on the same
/// provider and model.
fn fine_tuned_of<'a>(hybrid: &Arm, arms: &[&'a Arm]) -> Option<&'a Arm> {
    arms.iter().copied().find(|a| {
        a.kind == ArmKind::FineTuned
            && a.provider_id == hybrid.provider_id
            && a.model == hybrid.model
    })
}

/// `challenger` against `base` on the cases both answered, and those cases.
fn pair(
    data: &RunData,
    cfg: &CompareConfig,
    base: &Arm,
    challenger: &Arm,
) -> Result<(Comparison, std::collections::HashSet<i32>)> {
    let rows_a = data.rows_of(base.id);
    let rows_b = data.rows_of(challenger.id);
    let paired = paired_ids(&rows_a, &rows_b);
    if paired.is_empty() {
        return Err(Error::Invalid(format!(
            "run {} has no case answered by both `{}` and `{}` yet; nothing to compare",
            data.run.id, base.name, challenger.name
        )));
    }
    let keep = |arm: &Arm, rows: &[&ResultRow]| ArmScores {
        arm: arm.name.clone(),
        cases: rows
            .iter()
            .filter(|r| paired.contains(&r.example_id))
            .map(|r| case_score(data, r))
            .collect(),
    };
    let comparison = compare(&keep(base, &rows_a), &keep(challenger, &rows_b), cfg)?;
    Ok((comparison, paired))
}

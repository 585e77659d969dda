//! A run's [`Evidence`] for the decision, from what the run already has: its report
//! (verdict, comparison, format compliance, latency), its cost report (through
//! `decision::with_cost`) and the fine-tuned arm's base model retirement date. Pure: the
//! caller reads the store and passes `today`. It lives with the report so that `decision/`
//! depends on neither the report nor the store.

use crate::cost::CostReport;
use crate::decision::{
    with_cost, ArmCallFailures, ArmFigures, CallFailures, Evidence, HybridAgainstFineTuned,
    HybridEvidence, MarginKind, QualityEvidence, Verdict, WeighedArm,
};
use crate::stats::{Margin, VerdictKind};

use super::{ArmReport, RunReport};

/// The evidence of a run. `cost` is `None` when the arms could not be priced (the cost
/// rules are then skipped); `retirement` is the fine-tuned arm's base model retirement
/// date; `train_examples` the size of the dataset's train split.
pub fn evidence(
    report: &RunReport,
    cost: Option<&CostReport>,
    retirement: Option<&str>,
    today: &str,
    train_examples: Option<u32>,
) -> Evidence {
    let leading = super::decision::leading_arm(report);
    evidence_of(report, leading, cost, retirement, today, train_examples)
}

/// The evidence of arm `leading` (index, A = 0) against arm A. For two arms that is B
/// against A as the report's `comparison` gives it; with more arms, the leading arm's
/// comparison after Holm's correction, so the evidence says what the verdict over every
/// arm says. `cost` must be A against the same arm.
pub fn evidence_of(
    report: &RunReport,
    leading: usize,
    cost: Option<&CostReport>,
    retirement: Option<&str>,
    today: &str,
    train_examples: Option<u32>,
) -> Evidence {
    let c = &report.comparison;
    let (margin, margin_kind) = match c.margin {
        Margin::Relative { value } => (value, MarginKind::Relative),
        Margin::Absolute { value } => (value, MarginKind::Absolute),
    };
    let kind = |k: VerdictKind| match k {
        VerdictKind::Justified => Verdict::Justified,
        VerdictKind::NotJustified => Verdict::NotJustified,
        VerdictKind::Inconclusive => Verdict::Inconclusive,
    };
    let name = report.arms.get(leading).map(|a| a.name.as_str());
    let corrected = report
        .comparisons
        .iter()
        .find(|x| x.against_baseline && Some(x.arm.as_str()) == name);
    let quality = match corrected {
        // More arms: the leading arm's comparison with A, its verdict after Holm's
        // correction (the one the verdict over every arm rests on).
        Some(x) => QualityEvidence {
            verdict: kind(x.verdict_kind),
            metric: report.primary_metric.clone(),
            difference: x.difference,
            ci_low: x.interval.low,
            ci_high: x.interval.high,
            margin,
            margin_kind,
            cases_needed: x.cases_to_settle,
        },
        None => QualityEvidence {
            verdict: kind(c.verdict.kind),
            metric: report.primary_metric.clone(),
            difference: c.difference,
            ci_low: c.interval.low,
            ci_high: c.interval.high,
            margin,
            margin_kind,
            // The verdict's own figure, the one the report shows.
            cases_needed: c.verdict.cases_to_settle,
        },
    };
    let challenger = if corrected.is_some() { leading } else { 1 };
    let per_arm = |f: &dyn Fn(&ArmReport) -> Option<f64>| ArmFigures {
        prompting: report.arms.first().and_then(f),
        fine_tuned: report.arms.get(challenger).and_then(f),
    };
    let mut e = Evidence {
        quality: Some(quality),
        task_failure: report.task_warning.clone(),
        // The format checks pair A with B: another leading arm has none.
        format_checks: if challenger == 1 {
            report.format_checks.clone()
        } else {
            Vec::new()
        },
        latency_p95_ms: per_arm(&|a| a.latency_ms_p95),
        call_failures: ArmCallFailures {
            prompting: report.arms.first().map(call_failures),
            fine_tuned: report.arms.get(challenger).map(call_failures),
        },
        base_model_retirement: retirement.map(str::to_owned),
        today: today.to_owned(),
        train_examples,
        ..Evidence::default()
    };
    if corrected.is_some() {
        e.weighed_arm = report.arms.get(leading).map(|a| WeighedArm {
            name: a.name.clone(),
            kind: a.kind.clone(),
        });
    }
    e.hybrid = hybrid(report);
    if let Some(c) = cost {
        with_cost(&mut e, c);
    }
    e
}

/// The run's measured hybrid arm against prompting (and against its fine-tuned arm, when
/// the run has one), after Holm's correction with three or more arms: of several, the first
/// that wins, else the one furthest ahead of prompting.
fn hybrid(report: &RunReport) -> Option<HybridEvidence> {
    if report.comparisons.is_empty() {
        // Two arms: B against A, when B is the hybrid.
        let b = report.arms.get(1).filter(|b| b.kind == "hybrid")?;
        let c = &report.comparison;
        return Some(HybridEvidence {
            arm: b.name.clone(),
            difference: c.difference,
            ci_low: c.interval.low,
            ci_high: c.interval.high,
            p_value: report.p_value,
            clears: c.verdict.kind == VerdictKind::Justified,
            against_fine_tuned: None,
        });
    }
    let measured: Vec<HybridEvidence> = report
        .comparisons
        .iter()
        .filter(|c| c.kind == "hybrid" && c.against_baseline)
        .map(|c| HybridEvidence {
            arm: c.arm.clone(),
            difference: c.difference,
            ci_low: c.interval.low,
            ci_high: c.interval.high,
            p_value: Some(c.holm_p),
            clears: c.verdict_kind == VerdictKind::Justified,
            against_fine_tuned: report
                .comparisons
                .iter()
                .find(|f| f.arm == c.arm && !f.against_baseline)
                .map(|f| HybridAgainstFineTuned {
                    arm: f.against.clone(),
                    difference: f.difference,
                    ci_low: f.interval.low,
                    ci_high: f.interval.high,
                    p_value: Some(f.holm_p),
                    clears: f.verdict_kind == VerdictKind::Justified,
                }),
        })
        .collect();
    let first_win = measured.iter().position(HybridEvidence::wins);
    let furthest = (0..measured.len())
        .rev()
        .max_by(|&x, &y| measured[x].difference.total_cmp(&measured[y].difference));
    first_win.or(furthest).map(|i| measured[i].clone())
}

/// An arm's failed calls out of all its calls.
fn call_failures(a: &ArmReport) -> CallFailures {
    CallFailures {
        failed: a.errors,
        calls: a.n,
    }
}

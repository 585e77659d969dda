//! A run's [`Evidence`] for the decision, from what the run already has: its report
//! (verdict, comparison, format compliance, latency), its cost report (through
//! `decision::with_cost`) and the fine-tuned arm's base model retirement date. Pure: the
//! caller reads the store and passes `today`. It lives with the report so that `decision/`
//! depends on neither the report nor the store.

use crate::cost::CostReport;
use crate::decision::{
    with_cost, ArmCallFailures, ArmFigures, CallFailures, Evidence, MarginKind, QualityEvidence,
    Verdict,
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
    if let Some(c) = cost {
        with_cost(&mut e, c);
    }
    e
}

/// An arm's failed calls out of all its calls.
fn call_failures(a: &ArmReport) -> CallFailures {
    CallFailures {
        failed: a.errors,
        calls: a.n,
    }
}

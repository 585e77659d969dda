//! Builds a recommendation's [`Evidence`] and default [`Questions`] from what a run
//! already has: its report (verdict, comparison, format compliance, latency), its cost
//! report (break-even, monthly cost, retraining, payback) and the fine-tuned arm's base
//! model retirement date. Pure: the caller reads the store and passes `today`.

use crate::cost::{CostReport, Scenario};
use crate::report::RunReport;
use crate::stats::{Margin, VerdictKind};

use super::{ArmFigures, Evidence, MarginKind, QualityEvidence, Questions, Verdict};

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
    let c = &report.comparison;
    let (margin, margin_kind) = match c.margin {
        Margin::Relative { value } => (value, MarginKind::Relative),
        Margin::Absolute { value } => (value, MarginKind::Absolute),
    };
    let quality = QualityEvidence {
        verdict: match report.verdict_kind {
            VerdictKind::Justified => Verdict::Justified,
            VerdictKind::NotJustified => Verdict::NotJustified,
            VerdictKind::Inconclusive => Verdict::Inconclusive,
        },
        metric: report.primary_metric.clone(),
        difference: c.difference,
        ci_low: c.interval.low,
        ci_high: c.interval.high,
        margin,
        margin_kind,
        // The verdict's own figure, the one the report shows.
        cases_needed: c.verdict.cases_to_settle,
    };
    let per_arm = |f: &dyn Fn(&crate::report::ArmReport) -> Option<f64>| ArmFigures {
        prompting: report.arms.first().and_then(f),
        fine_tuned: report.arms.get(1).and_then(f),
    };
    let mut e = Evidence {
        quality: Some(quality),
        task_failure: report.task_warning.clone(),
        format_checks: report.format_checks.clone(),
        latency_p95_ms: per_arm(&|a| a.latency_ms_p95),
        call_failures: super::ArmCallFailures {
            prompting: report.arms.first().map(call_failures),
            fine_tuned: report.arms.get(1).map(call_failures),
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
fn call_failures(a: &crate::report::ArmReport) -> super::CallFailures {
    super::CallFailures {
        failed: a.errors,
        calls: a.n,
    }
}

/// Fills the cost part of `e` from a cost report: where each arm is cheaper, and the monthly
/// costs, retraining share and payback at the report's volume.
pub fn with_cost(e: &mut Evidence, c: &CostReport) {
    e.cheaper = Some(c.cheaper.clone());
    e.cost_queries_per_day = Some(c.queries_per_day);
    e.cost_missing = None;
    e.monthly_cost = ArmFigures::new(
        c.arm_a.monthly_at_volume.mean,
        c.arm_b.monthly_at_volume.mean,
    );
    e.retraining_monthly_cost = Some(c.arm_b.training_monthly).filter(|m| *m > 0.0);
    e.payback_months = c.payback.months;
}

/// The run's cost scenario under the team's answers: their daily volume, and a fine-tuned
/// arm retrained as often as their knowledge changes.
pub fn scenario_for(s: &Scenario, q: &Questions) -> Scenario {
    let mut s = s.clone();
    if q.queries_per_day.is_finite() && q.queries_per_day >= 0.0 {
        s.queries_per_day = q.queries_per_day;
    }
    for arm in [&mut s.arm_a, &mut s.arm_b] {
        if let Some(t) = &mut arm.training {
            t.retrain_every_months = q.knowledge_change.retrain_every_months();
        }
    }
    s
}

/// The questions' defaults for a run: the labelled examples counted from the train
/// split and the volume of the run's cost scenario.
pub fn default_questions(train_examples: u32, queries_per_day: Option<f64>) -> Questions {
    let mut q = Questions {
        labelled_examples: train_examples,
        ..Questions::default()
    };
    if let Some(v) = queries_per_day.filter(|v| v.is_finite() && *v > 0.0) {
        q.queries_per_day = v;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_questions_take_the_train_split_and_the_scenario_volume() {
        let cases = [
            (120, Some(25_000.0), 120, 25_000.0),
            (0, None, 0, Questions::default().queries_per_day),
            (
                800,
                Some(f64::NAN),
                800,
                Questions::default().queries_per_day,
            ),
            (800, Some(0.0), 800, Questions::default().queries_per_day),
        ];
        for (train, volume, examples, qpd) in cases {
            let q = default_questions(train, volume);
            assert_eq!(q.labelled_examples, examples);
            assert_eq!(q.queries_per_day, qpd);
            assert_eq!(q.knowledge_change, Questions::default().knowledge_change);
        }
    }
}

//! Builds a recommendation's [`Evidence`] and default [`Questions`] from what a run
//! already has: its report (verdict, comparison, format compliance, latency), its cost
//! report (break-even, monthly cost, retraining, payback) and the fine-tuned arm's base
//! model retirement date. Pure: the caller reads the store and passes `today`.

use crate::cost::{self, CostReport};
use crate::report::RunReport;
use crate::stats::{Margin, VerdictKind};

use super::{ArmFigures, BreakEven, Evidence, MarginKind, QualityEvidence, Questions, Verdict};

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
    Evidence {
        quality: Some(quality),
        task_failure: report.task_warning.clone(),
        format_checks: report.format_checks.clone(),
        latency_p95_ms: per_arm(&|a| a.latency_ms_p95),
        call_failures: super::ArmCallFailures {
            prompting: report.arms.first().map(call_failures),
            fine_tuned: report.arms.get(1).map(call_failures),
        },
        break_even: cost.map(|c| break_even(&c.break_even)),
        monthly_cost: cost.map_or_else(ArmFigures::default, |c| {
            ArmFigures::new(
                c.arm_a.monthly_at_volume.mean,
                c.arm_b.monthly_at_volume.mean,
            )
        }),
        retraining_monthly_cost: cost.map(|c| c.arm_b.training_monthly).filter(|m| *m > 0.0),
        payback_months: cost.and_then(|c| c.payback.months),
        base_model_retirement: retirement.map(str::to_owned),
        today: today.to_owned(),
        train_examples,
    }
}

/// An arm's failed calls out of all its calls.
fn call_failures(a: &crate::report::ArmReport) -> super::CallFailures {
    super::CallFailures {
        failed: a.errors,
        calls: a.n,
    }
}

/// The cost model's break-even as the decision reads it: the volume from which the
/// fine-tuned arm (B) is cheaper, or why it never is.
fn break_even(b: &cost::BreakEven) -> BreakEven {
    match b {
        cost::BreakEven::Crosses {
            queries_per_day,
            cheaper_above: cost::Side::B,
            ..
        } => BreakEven::At {
            queries_per_day: *queries_per_day,
        },
        cost::BreakEven::Crosses {
            queries_per_day, ..
        } => BreakEven::Never {
            reason: format!(
                "prompting is the cheaper arm above {} queries/day",
                super::number::thousands(*queries_per_day)
            ),
        },
        cost::BreakEven::Never { reason, .. } => BreakEven::Never {
            reason: reason.clone(),
        },
    }
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
    fn break_even_maps_each_cost_outcome_to_the_decision_s_reading() {
        let cases = [
            (
                cost::BreakEven::Crosses {
                    queries_per_day: 4000.0,
                    low: None,
                    high: None,
                    cheaper_above: cost::Side::B,
                },
                BreakEven::At {
                    queries_per_day: 4000.0,
                },
            ),
            (
                cost::BreakEven::Crosses {
                    queries_per_day: 4000.0,
                    low: None,
                    high: None,
                    cheaper_above: cost::Side::A,
                },
                BreakEven::Never {
                    reason: "prompting is the cheaper arm above 4,000 queries/day".into(),
                },
            ),
            (
                cost::BreakEven::Never {
                    cheaper: Some(cost::Side::A),
                    reason: "its cost per query is higher".into(),
                },
                BreakEven::Never {
                    reason: "its cost per query is higher".into(),
                },
            ),
        ];
        for (given, want) in cases {
            assert_eq!(break_even(&given), want, "{given:?}");
        }
    }

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

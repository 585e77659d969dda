//! What the decision takes from the cost model and the team: the cost part of the
//! [`Evidence`] (where each arm is cheaper, monthly costs, retraining, payback), the
//! scenario at the team's volume and cadence, and the default [`Questions`]. Pure; a run's
//! report becomes evidence in `report::evidence`, so `decision/` never reads a report.

use crate::cost::{CostReport, Scenario};

use super::{ArmFigures, Evidence, Questions};

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

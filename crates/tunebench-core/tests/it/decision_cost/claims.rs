//! The decision's cost claims for 10,000 random scenarios against the brute force of
//! `cost_brute`, which knows only DESIGN.md §5's formula.

use super::*;
use crate::cost_brute::{cost_text_agrees, cost_truth, scenario, under_answers};
use proptest::prelude::*;
use tunebench_core::decision::{self, recommend, Choice, Evidence};

fn knowledge() -> impl Strategy<Value = KnowledgeCadence> {
    prop_oneof![
        Just(KnowledgeCadence::Weekly),
        Just(KnowledgeCadence::Monthly),
        Just(KnowledgeCadence::Quarterly),
        Just(KnowledgeCadence::Rarely),
    ]
}

/// The decision's cost claims for `s` under the team's answers (`v` queries/day growing
/// by `growth` a month, knowledge changing `k`) against the brute force.
fn claims_agree(
    s: &Scenario,
    v: u32,
    growth: f64,
    k: KnowledgeCadence,
) -> Result<String, TestCaseError> {
    let q = Questions {
        queries_per_day: f64::from(v),
        monthly_growth: growth,
        knowledge_change: k,
        labelled_examples: 1000,
        ..Questions::default()
    };
    let c = cost::evaluate(&decision::scenario_for(s, &q)).unwrap();
    let mut e = Evidence {
        today: TODAY.into(),
        ..Evidence::default()
    };
    decision::with_cost(&mut e, &c);
    let r = recommend(&q, &e);
    let (text, supports) = cost_reason(&r);

    // The brute force's world: the team's volume and the knowledge cadence.
    let bf = under_answers(s, k);
    let v = f64::from(v);
    let Some(truth) = cost_truth(&bf, v, growth) else {
        return Ok(text); // the team's volume sits on a crossing: either reading is right
    };
    cost_text_agrees(&bf, &truth, v, &text).map_err(TestCaseError::fail)?;
    // For or against.
    let want = if truth.win() {
        if r.choice == Choice::Hybrid {
            Supports::Hybrid
        } else {
            Supports::FineTune
        }
    } else if truth.against() {
        Supports::Against
    } else {
        Supports::Neutral
    };
    prop_assert_eq!(supports, want, "{}", text);
    Ok(text)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Which arm is cheaper at the team's volume, the volumes where that flips, whether
    /// growth makes fine-tuning cheaper within 12 months, and whether cost counts for or
    /// against: each agrees with the brute force.
    #[test]
    fn every_cost_claim_of_a_decision_agrees_with_the_brute_force(
        s in scenario(),
        v in 1u32..200_000,
        growth in prop_oneof![2 => Just(0.0), 1 => 0.0..0.3f64],
        k in knowledge(),
    ) {
        claims_agree(&s, v, growth, k)?;
    }
}

/// Case 1 with the fine-tuned arm on provisioned units of $0.20 an hour ($146 a month)
/// carrying 5,164.2 queries a day each. It saves $0.00093 a query, so one unit pays for
/// itself at 5,164.12 queries a day, a tenth of a query below the volume where it needs
/// a second unit: the fine-tuned arm is cheaper only over (5,164.12, 5,164.2], then over
/// n × 0.08 queries a day below each n-th unit. Those slivers are not named; the first
/// lead at least a query a day wide (13 units, from 67,133.6 to 67,134.6) is, and the
/// brute force finds the flip there.
#[test]
fn a_fine_tuned_lead_narrower_than_a_query_a_day_is_not_named_as_where_it_becomes_cheaper() {
    let mut s = case_1();
    s.arm_b.hosting = Hosting::Provisioned {
        per_unit_hour: 0.20,
        unit_queries_per_day: 5_164.2,
        peak_to_mean: 1.0,
    };
    let cheaper_b = |v: f64| crate::cost_brute::b_cheaper(&s, v);
    assert_eq!(
        [5_164.0, 5_164.15, 5_164.25].map(cheaper_b),
        [Some(false), Some(true), Some(false)],
        "the fine-tuned arm is cheaper only between 5,164.12 and the second unit at 5,164.2"
    );
    let text = claims_agree(&s, 1, 0.0, KnowledgeCadence::Quarterly).unwrap();
    assert!(
        text.contains("it is cheaper up to 67,134 queries/day, the fine-tuned arm above"),
        "{text}"
    );
    assert!(
        crate::cost_brute::in_sliver(&s, 5_164.15, false),
        "the brute force sees the first lead as a sliver"
    );
}

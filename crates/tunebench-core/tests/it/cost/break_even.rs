//! Break-even: the design formula, arms that never cross or are cheaper everywhere,
//! retirement, provisioned and stepped hosting, and the range token intervals give.

use super::*;

#[test]
fn break_even_follows_the_design_formula_with_training_amortised_over_the_cadence() {
    let mut s = prices_md_example(0.0);
    s.arm_b.training.as_mut().unwrap().retrain_every_months = 3.0;
    s.arm_b.hosting = Hosting::Hourly { per_hour: 1.0 };
    let r = cost::evaluate(&s).unwrap();
    let fixed_b = 730.0 + 2.25 / 3.0;
    let expected = fixed_b / (30.4 * (0.00108 - 0.00015));
    let v = r.break_even.queries_per_day().unwrap();
    assert!(close(v, expected, 1e-6), "{v} vs {expected}");
    // At the break-even both monthly costs are equal.
    let mut at = s.clone();
    at.queries_per_day = v;
    let r = cost::evaluate(&at).unwrap();
    assert!(close(
        r.arm_a.monthly_at_volume.mean,
        r.arm_b.monthly_at_volume.mean,
        1e-6
    ));
}

#[test]
fn a_fine_tune_that_costs_more_per_query_never_crosses_and_says_why() {
    let mut s = prices_md_example(0.0);
    s.arm_b.tokens = tokens(2300.0, 0.0, 400.0); // longer answers at twice the price
    s.arm_b.price.input = 0.80;
    s.arm_b.price.output = 3.20;
    let r = cost::evaluate(&s).unwrap();
    let BreakEven::Never { cheaper, reason } = &r.break_even else {
        panic!("expected never, got {:?}", r.break_even);
    };
    assert_eq!(*cheaper, Some(Side::A));
    assert!(
        reason.contains("fine-tuned nano") && reason.contains("never cheaper"),
        "{reason}"
    );
    assert!(
        reason.contains("$0.00312") && reason.contains("$0.00108"),
        "{reason}"
    );
    assert_eq!(r.payback.months, None);
    assert!(r
        .payback
        .note
        .as_deref()
        .unwrap()
        .contains("never paid back"));
}

#[test]
fn a_candidate_cheaper_on_every_count_is_cheaper_at_every_volume() {
    let mut s = prices_md_example(0.0);
    s.arm_b.training = None;
    let r = cost::evaluate(&s).unwrap();
    let BreakEven::Never { cheaper, reason } = &r.break_even else {
        panic!("{:?}", r.break_even);
    };
    assert_eq!(*cheaper, Some(Side::B));
    assert!(reason.contains("cheaper at every volume"), "{reason}");
}

#[test]
fn retirement_caps_the_amortisation_horizon() {
    let mut s = prices_md_example(0.0);
    s.today = "2026-11-29".into();
    s.arm_b.training.as_mut().unwrap().retrain_every_months = 12.0;
    s.arm_b.retirement_date = Some("2027-01-14".into());
    let r = cost::evaluate(&s).unwrap();
    let months = r.arm_b.amortisation_months.unwrap();
    assert!(close(months, 46.0 / 30.4, 1e-9), "46 days left: {months}");
    assert!(close(r.arm_b.training_monthly, 2.25 / months, 1e-9));
}

#[test]
fn a_retired_base_model_never_breaks_even() {
    let mut s = prices_md_example(0.0);
    s.today = "2026-11-29".into();
    s.arm_b.retirement_date = Some("2026-10-23".into());
    let r = cost::evaluate(&s).unwrap();
    assert_eq!(r.arm_b.retired_on.as_deref(), Some("2026-10-23"));
    let BreakEven::Never { reason, .. } = &r.break_even else {
        panic!("{:?}", r.break_even);
    };
    assert!(reason.contains("retired on 2026-10-23"), "{reason}");
}

#[test]
fn provisioned_units_make_hosting_a_step_function_of_peak_load() {
    let mut s = prices_md_example(0.0);
    s.arm_b.training = None;
    // A unit carries 20,000 queries/day at peak; peak is 2× mean: a new unit every 10,000/day.
    s.arm_b.hosting = Hosting::Provisioned {
        per_unit_hour: 0.20,
        unit_queries_per_day: 20_000.0,
        peak_to_mean: 2.0,
    };
    s.queries_per_day = 12_000.0;
    let r = cost::evaluate(&s).unwrap();
    assert!(
        close(r.arm_b.hosting_monthly, 2.0 * 0.20 * 730.0, 1e-9),
        "2 units at 12,000/day"
    );
    // One unit costs $146/month; each daily query saves 30.4 × $0.00093 = $0.028272 a month.
    let v = r.break_even.queries_per_day().unwrap();
    assert!(close(v, 146.0 / (30.4 * 0.00093), 1e-6), "{v}");

    // With a unit every 5,000/day, each unit costs more ($146) than its 5,000 queries save
    // ($141.36): the step function never comes down to arm A's line.
    s.arm_b.hosting = Hosting::Provisioned {
        per_unit_hour: 0.20,
        unit_queries_per_day: 10_000.0,
        peak_to_mean: 2.0,
    };
    let r = cost::evaluate(&s).unwrap();
    assert!(
        matches!(
            r.break_even,
            BreakEven::Never {
                cheaper: Some(Side::A),
                ..
            }
        ),
        "{:?}",
        r.break_even
    );
}

#[test]
fn token_intervals_give_a_break_even_range_around_the_mean() {
    let mut s = prices_md_example(0.0);
    s.arm_b.hosting = Hosting::Hourly { per_hour: 1.70 };
    s.arm_a.tokens.output = Estimate::new(100.0, 80.0, 120.0);
    s.arm_b.tokens.output = Estimate::new(100.0, 90.0, 110.0);
    let r = cost::evaluate(&s).unwrap();
    let BreakEven::Crosses {
        queries_per_day,
        low,
        high,
        ..
    } = r.break_even
    else {
        panic!();
    };
    let (low, high) = (low.unwrap(), high.unwrap());
    assert!(
        low < queries_per_day && queries_per_day < high,
        "{low} < {queries_per_day} < {high}"
    );
    let fixed = 1241.0 + 2.25;
    let widest = (0.00108 + 20.0 * 1.6e-6) - (0.00015 - 10.0 * 0.8e-6);
    assert!(close(low, fixed / (30.4 * widest), 1e-6), "{low}");
    // The headline carries the range, as the crossover screen showed it beside the figure.
    let range = format!(
        "Fine-tuning is cheaper from {} queries/day ({} to {} with the token-count intervals), \
         prompting below it. ",
        tunebench_core::money::count(queries_per_day),
        tunebench_core::money::count(low),
        tunebench_core::money::count(high)
    );
    assert!(r.headline.starts_with(&range), "{}", r.headline);
}

#[test]
fn an_awkward_unit_width_still_gives_the_closed_form_break_even() {
    // Unit width 10,000 / 3 queries/day: boundaries that are not exact in binary.
    let mut s = prices_md_example(0.0);
    s.arm_b.training = None;
    s.arm_b.hosting = Hosting::Provisioned {
        per_unit_hour: 0.01,
        unit_queries_per_day: 10_000.0,
        peak_to_mean: 3.0,
    };
    // One unit: $7.30/month, recovered at 7.3 / 0.028272 ≈ 258 queries/day, inside the first unit.
    let v = cost::evaluate(&s)
        .unwrap()
        .break_even
        .queries_per_day()
        .unwrap();
    assert!(close(v, 7.3 / (30.4 * 0.00093), 1e-6), "{v}");
}

#[test]
fn a_step_in_the_baselines_hosting_can_be_the_crossing_itself() {
    // A needs a second $600 unit above 10,000/day; B pays a flat $1,000. Below the step B
    // costs more (gap $400 − $0.028272·V); the second unit flips the sign at exactly 10,000.
    let mut s = prices_md_example(0.0);
    s.arm_b.training = None;
    s.arm_b.hosting = Hosting::Hourly {
        per_hour: 1000.0 / 730.0,
    };
    s.arm_a.hosting = Hosting::Provisioned {
        per_unit_hour: 600.0 / 730.0,
        unit_queries_per_day: 10_000.0,
        peak_to_mean: 1.0,
    };
    let r = cost::evaluate(&s).unwrap();
    let v = r.break_even.queries_per_day().unwrap();
    assert!(close(v, 10_000.0, 1e-6), "{v}");
    assert!(matches!(
        r.break_even,
        BreakEven::Crosses {
            cheaper_above: Side::B,
            ..
        }
    ));
}

#[test]
fn identical_arms_have_no_cheaper_side() {
    let mut s = prices_md_example(0.0);
    s.arm_b = s.arm_a.clone();
    let r = cost::evaluate(&s).unwrap();
    let BreakEven::Never { cheaper, .. } = &r.break_even else {
        panic!("{:?}", r.break_even);
    };
    assert_eq!(*cheaper, None, "neither arm is cheaper than its twin");
}

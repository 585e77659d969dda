//! The cost model against hand-computed cases, including every worked example of PRICES.md.

use tunebench_core::cost::{
    self, ArmAssumptions, ArmPrice, BreakEven, Estimate, Hosting, Scenario, Side, TokenBasis,
    TokenUsage, Training,
};
use tunebench_core::price::TrainingUnit;

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

fn tokens(input: f64, cached: f64, output: f64) -> TokenUsage {
    TokenUsage {
        input: Estimate::exact(input),
        cached_input: Estimate::exact(cached),
        output: Estimate::exact(output),
        basis: TokenBasis::Estimated,
    }
}

fn arm(name: &str, price: (f64, f64, f64), t: TokenUsage) -> ArmAssumptions {
    ArmAssumptions {
        name: name.into(),
        model: name.into(),
        price: ArmPrice {
            input: price.0,
            cached_input: price.1,
            output: price.2,
            batch_multiplier: 1.0,
        },
        tokens: t,
        cached_share: None,
        batch_share: 0.0,
        retrieval_cost_per_query: 0.0,
        hosting: Hosting::None,
        training: None,
        retirement_date: None,
        accuracy: None,
    }
}

/// PRICES.md example 2: prompting gpt-4.1-mini (2,300 in, 100 out) against a fine-tuned
/// gpt-4.1-nano (350 in, 100 out) trained on 1.5M tokens at $1.50.
pub fn prices_md_example(cached: f64) -> Scenario {
    let mut b = arm(
        "fine-tuned nano",
        (0.20, 0.05, 0.80),
        tokens(350.0, 0.0, 100.0),
    );
    b.training = Some(Training {
        tokens: 1.5e6,
        epochs: 1.0,
        price: 1.50,
        unit: TrainingUnit::PerMillionTokens,
        hours: 0.0,
        data_prep_cost: 0.0,
        retrain_every_months: 1.0,
    });
    Scenario {
        queries_per_day: 1000.0,
        today: "2026-06-01".into(),
        error_cost: 0.0,
        hours_per_month: 730.0,
        days_per_month: 30.4,
        horizon_months: 12,
        arm_a: arm(
            "prompting mini",
            (0.40, 0.10, 1.60),
            tokens(2300.0, cached, 100.0),
        ),
        arm_b: b,
        correct_at: None,
    }
}

#[test]
fn per_query_costs_match_the_worked_examples_of_prices_md() {
    let r = cost::evaluate(&prices_md_example(0.0)).unwrap();
    assert!(
        close(r.arm_a.per_query.mean, 0.00108, 1e-12),
        "{}",
        r.arm_a.per_query.mean
    );
    assert!(
        close(r.arm_b.per_query.mean, 0.00015, 1e-12),
        "{}",
        r.arm_b.per_query.mean
    );
    let cached = cost::evaluate(&prices_md_example(1500.0)).unwrap();
    assert!(
        close(cached.arm_a.per_query.mean, 0.00063, 1e-12),
        "{}",
        cached.arm_a.per_query.mean
    );
}

#[test]
fn training_pays_back_after_about_2400_queries_or_4700_against_a_cached_prompt() {
    let r = cost::evaluate(&prices_md_example(0.0)).unwrap();
    assert!(close(r.arm_b.training_per_run, 2.25, 1e-12));
    let q = r.payback.queries.unwrap();
    assert!(
        close(q, 2.25 / 0.00093, 1e-6) && (2_350.0..2_450.0).contains(&q),
        "{q}"
    );
    let cached = cost::evaluate(&prices_md_example(1500.0)).unwrap();
    let q = cached.payback.queries.unwrap();
    assert!(
        close(q, 2.25 / 0.00048, 1e-6) && (4_650.0..4_750.0).contains(&q),
        "{q}"
    );
}

#[test]
fn azure_hosting_moves_break_even_to_about_1_3_million_queries_a_month() {
    for (cached, per_month, band) in [
        (0.0, 1241.0 / 0.00093, 1.30e6..1.36e6),
        (1500.0, 1241.0 / 0.00048, 2.55e6..2.65e6),
    ] {
        let mut s = prices_md_example(cached);
        s.arm_b.training = None;
        s.arm_b.hosting = Hosting::Hourly { per_hour: 1.70 };
        let r = cost::evaluate(&s).unwrap();
        assert!(close(r.arm_b.hosting_monthly, 1241.0, 1e-9), "1.70 × 730 h");
        let BreakEven::Crosses {
            queries_per_day,
            cheaper_above,
            ..
        } = r.break_even
        else {
            panic!("expected a crossing, got {:?}", r.break_even);
        };
        assert_eq!(cheaper_above, Side::B);
        let monthly = queries_per_day * 30.4;
        assert!(close(monthly, per_month, 1e-3), "{monthly} vs {per_month}");
        assert!(band.contains(&monthly), "{monthly}");
    }
}

#[test]
fn azures_fine_tuned_o4_mini_chatbot_costs_1422_a_month() {
    // Azure's example bills a 720-hour month: $1.70 × 720 = $1,224 hosting, plus $198 of
    // tokens (here 40M input at $1.10 and 35M output at $4.40 per 1M: $44 + $154).
    let volume = 1000.0;
    let days = 30.4;
    let queries = volume * days;
    let mut b = arm(
        "o4-mini fine-tuned",
        (1.10, 1.10, 4.40),
        tokens(40e6 / queries, 0.0, 35e6 / queries),
    );
    b.hosting = Hosting::Hourly { per_hour: 1.70 };
    b.training = Some(Training {
        tokens: 1e6,
        epochs: 2.0,
        price: 2.0,
        unit: TrainingUnit::PerMillionTokens,
        hours: 0.0,
        data_prep_cost: 0.0,
        retrain_every_months: 12.0,
    });
    let mut s = prices_md_example(0.0);
    s.hours_per_month = 720.0;
    s.queries_per_day = volume;
    s.arm_b = b;
    let r = cost::evaluate(&s).unwrap();
    assert!(close(r.arm_b.hosting_monthly, 1224.0, 1e-9));
    assert!(close(r.arm_b.per_query.mean * queries, 198.0, 1e-9));
    assert!(
        close(r.arm_b.training_per_run, 4.0, 1e-12),
        "1M tokens × 2 epochs × $2 = $4"
    );
    let without_training = r.arm_b.monthly_at_volume.mean - r.arm_b.training_monthly;
    assert!(close(without_training, 1422.0, 1e-9), "{without_training}");
}

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
fn cost_per_wrong_answer_turns_the_error_rate_into_money() {
    let mut s = prices_md_example(0.0);
    s.error_cost = 0.10;
    s.arm_a.accuracy = Some(0.90);
    s.arm_b.accuracy = Some(0.95);
    let r = cost::evaluate(&s).unwrap();
    assert!(close(r.arm_a.error_cost_per_query, 0.01, 1e-12));
    assert!(close(r.arm_b.error_cost_per_query, 0.005, 1e-12));
    let correct = r.arm_a.cost_per_correct_answer.unwrap();
    assert!(close(correct, (0.00108 + 0.01) / 0.90, 1e-12), "{correct}");
    assert!(r
        .sensitivity
        .iter()
        .any(|row| row.assumption == "cost per wrong answer"));
}

#[test]
fn batch_share_discounts_only_the_batched_traffic() {
    let mut s = prices_md_example(0.0);
    s.arm_a.batch_share = 0.5;
    s.arm_a.price.batch_multiplier = 0.5;
    let r = cost::evaluate(&s).unwrap();
    assert!(close(r.arm_a.per_query.mean, 0.00108 * 0.75, 1e-12));
}

#[test]
fn payback_month_counts_hosting_and_savings_at_the_users_volume() {
    let mut s = prices_md_example(0.0);
    s.queries_per_day = 10.0;
    s.arm_b.training.as_mut().unwrap().retrain_every_months = 12.0;
    let r = cost::evaluate(&s).unwrap();
    let months = r.payback.months.unwrap();
    assert!(close(months, 2.25 / (304.0 * 0.00093), 1e-9), "{months}");
    assert_eq!(r.payback.month, Some(8));
    assert_eq!(r.payback.note, None);
    let cum_a = cost::model::cumulative(&s, Side::A).unwrap();
    let cum_b = cost::model::cumulative(&s, Side::B).unwrap();
    assert!(
        cum_b[7] > cum_a[7] && cum_b[8] <= cum_a[8],
        "the chart's lines cross in month 8"
    );
}

#[test]
fn sensitivity_moves_each_assumption_a_quarter_and_ranks_the_largest_swing_first() {
    let mut s = prices_md_example(0.0);
    s.arm_b.hosting = Hosting::Hourly { per_hour: 1.70 };
    let r = cost::evaluate(&s).unwrap();
    let hosting = r
        .sensitivity
        .iter()
        .find(|row| row.assumption == "fine-tuned nano: hosting price")
        .unwrap();
    let fixed = |h: f64| h * 730.0 + 2.25;
    let lo = hosting.break_even_low.unwrap();
    assert!(
        close(lo, fixed(1.70 * 0.75) / (30.4 * 0.00093), 1e-6),
        "{lo}"
    );
    // Prompt length moves the break-even most: 2,300 tokens at $0.40 are most of A's cost.
    assert_eq!(r.sensitivity[0].assumption, "prompting mini: prompt tokens");
    let swings: Vec<f64> = r
        .sensitivity
        .iter()
        .map(|row| (row.break_even_high.unwrap() - row.break_even_low.unwrap()).abs())
        .collect();
    assert!(
        swings.windows(2).all(|w| w[0] >= w[1]),
        "sorted by swing: {swings:?}"
    );
    assert!(!r.sensitivity.iter().any(|row| row.base_value == 0.0));
}

#[test]
fn an_out_of_range_assumption_is_refused_naming_the_field() {
    let mut s = prices_md_example(0.0);
    s.arm_a.batch_share = 1.5;
    let err = cost::evaluate(&s).unwrap_err();
    assert!(err.is_bad_input());
    assert!(err.to_string().contains("arm_a.batch_share"), "{err}");
}

#[test]
fn a_scenario_round_trips_through_json_for_saving_with_a_run() {
    let s = prices_md_example(1500.0);
    let json = serde_json::to_string(&s).unwrap();
    let back: Scenario = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
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
fn measured_counts_become_means_with_t_intervals() {
    // Mean 100 over 4 cases; half-width of the 95 % interval is t(3) · s / √n.
    let input = [2300, 2300, 2300, 2300];
    let cached = [1500, 1500, 1500, 1500];
    let output = [90, 110, 90, 110]; // deviations ±10: sample variance 400/3
    let t =
        TokenUsage::from_counts(&input, &cached, &output, TokenBasis::Measured { n: 4 }).unwrap();
    assert_eq!(t.input, Estimate::exact(2300.0));
    assert_eq!(t.output.mean, 100.0);
    let half = 3.182_446_305_284_263 * (400.0_f64 / 3.0 / 4.0).sqrt(); // exact t(0.975, 3)
    assert!(
        close(t.output.high - 100.0, half, 1e-9) && close(100.0 - t.output.low, half, 1e-9),
        "{:?}",
        t.output
    );
    let err =
        TokenUsage::from_counts(&input, &cached, &output[..3], TokenBasis::Estimated).unwrap_err();
    assert!(
        err.is_bad_input() && err.to_string().contains("(got 4, 4, 3)"),
        "{err}"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// For any prices, prompt sizes and hosting, the reported break-even is where the two
        /// monthly costs meet, and the arm named cheaper above it is cheaper past it.
        #[test]
        fn monthly_costs_meet_at_the_break_even_and_swap_order_there(
            in_a in 50.0..5000.0f64, out_a in 1.0..800.0f64,
            in_b in 50.0..5000.0f64, out_b in 1.0..800.0f64,
            p_in_a in 0.05..10.0f64, p_out_a in 0.1..40.0f64,
            p_in_b in 0.05..10.0f64, p_out_b in 0.1..40.0f64,
            host_b in 0.0..10.0f64, train in 0.0..500.0f64, cadence in 1.0..24.0f64,
        ) {
            let mut s = prices_md_example(0.0);
            s.arm_a.tokens = tokens(in_a, 0.0, out_a);
            s.arm_a.price = ArmPrice { input: p_in_a, cached_input: p_in_a, output: p_out_a, batch_multiplier: 1.0 };
            s.arm_b.tokens = tokens(in_b, 0.0, out_b);
            s.arm_b.price = ArmPrice { input: p_in_b, cached_input: p_in_b, output: p_out_b, batch_multiplier: 1.0 };
            s.arm_b.hosting = Hosting::Hourly { per_hour: host_b };
            s.arm_b.training = Some(Training {
                tokens: 1e6, epochs: 1.0, price: train, unit: TrainingUnit::PerMillionTokens,
                hours: 0.0, data_prep_cost: 0.0, retrain_every_months: cadence,
            });
            let r = cost::evaluate(&s).unwrap();
            match r.break_even {
                BreakEven::Crosses { queries_per_day: v, cheaper_above, .. } => {
                    let at = |v: f64| {
                        let mut m = s.clone();
                        m.queries_per_day = v;
                        let r = cost::evaluate(&m).unwrap();
                        (r.arm_a.monthly_at_volume.mean, r.arm_b.monthly_at_volume.mean)
                    };
                    let (a, b) = at(v);
                    prop_assert!((a - b).abs() <= 1e-6 * a.max(b).max(1.0), "{a} vs {b} at {v}");
                    let (a, b) = at(v * 2.0 + 1.0);
                    match cheaper_above {
                        Side::B => prop_assert!(b < a, "B cheaper above: {b} vs {a}"),
                        Side::A => prop_assert!(a < b, "A cheaper above: {a} vs {b}"),
                    }
                }
                BreakEven::Never { cheaper, .. } => {
                    // No crossing: the same arm is cheaper (or equal) at low and high volume.
                    let order = |v: f64| {
                        let mut m = s.clone();
                        m.queries_per_day = v;
                        let r = cost::evaluate(&m).unwrap();
                        r.arm_b.monthly_at_volume.mean <= r.arm_a.monthly_at_volume.mean
                    };
                    prop_assert_eq!(order(1.0), order(1e9));
                    prop_assert_eq!(cheaper == Some(Side::B), order(1e9));
                }
            }
        }
    }
}

#[test]
fn a_new_scenario_uses_730_hours_and_30_4_days_a_month() {
    let base = prices_md_example(0.0);
    let s = Scenario::new(500.0, "2026-11-29", base.arm_a.clone(), base.arm_b.clone());
    assert_eq!(
        (s.hours_per_month, s.days_per_month, s.horizon_months),
        (730.0, 30.4, 24)
    );
    assert_eq!(s.error_cost, 0.0);
    // The same defaults apply when a saved scenario omits them.
    let mut json = serde_json::to_value(&s).unwrap();
    let obj = json.as_object_mut().unwrap();
    obj.remove("hours_per_month");
    obj.remove("days_per_month");
    obj.remove("horizon_months");
    let back: Scenario = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
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

#[test]
fn training_is_amortised_one_way_in_the_monthly_line_and_the_cumulative_chart() {
    // The base model retires in 15 days: the monthly line charges the whole run in a month,
    // and the cumulative chart must pay runs at that same pace, not every half month.
    let mut s = prices_md_example(0.0);
    s.queries_per_day = 0.0; // only training accrues
    s.horizon_months = 24;
    s.arm_b.training.as_mut().unwrap().retrain_every_months = 3.0;
    s.arm_b.retirement_date = Some("2026-06-16".into());
    let r = cost::evaluate(&s).unwrap();
    let cumulative = cost::model::cumulative(&s, Side::B).unwrap();
    let paid_after_month_0 = cumulative[24] - cumulative[0];
    assert!(
        close(paid_after_month_0, r.arm_b.training_monthly * 24.0, 1e-9),
        "24 months of the chart cost {paid_after_month_0}, of the monthly line {}",
        r.arm_b.training_monthly * 24.0
    );
}

#[test]
fn token_intervals_use_the_exact_t_quantile_at_every_sample_size() {
    // 97.5 % quantiles of Student's t (scipy.stats.t.ppf(0.975, df)).
    for (n, t) in [
        (31usize, 2.042_272_456),
        (32, 2.039_513_446),
        (121, 1.979_930_405),
    ] {
        let values: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
        let e = Estimate::from_sample(&values).unwrap();
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        let half = e.high - e.mean;
        assert!(
            close(half, t * sd / (n as f64).sqrt(), 1e-8),
            "n = {n}: half-width {half}, expected t = {t}"
        );
    }
}

#[test]
fn a_run_that_outlives_neither_retraining_nor_retirement_never_pays_back_in_one_sentence() {
    // One run costs $1,000; fine-tuning saves $28.27 a month at 1,000 queries/day.
    let with = |cadence: f64, retirement: Option<&str>| {
        let mut s = prices_md_example(0.0);
        let t = s.arm_b.training.as_mut().unwrap();
        t.price = 1000.0 / 1.5;
        t.retrain_every_months = cadence;
        s.arm_b.retirement_date = retirement.map(str::to_owned);
        cost::evaluate(&s).unwrap().payback
    };
    let cases = [
        (
            with(3.0, None),
            "The first training run would pay back in month 36, but the model is retrained every 3 months: it never pays back",
        ),
        (
            with(12.0, Some("2026-08-31")),
            "The first training run would pay back in month 36, but the model retires after 3 months: it never pays back",
        ),
    ];
    for (p, sentence) in cases {
        assert_eq!(p.note.as_deref(), Some(sentence));
        assert_eq!(p.month, None, "no payback month when it never pays back");
    }
    // Within the cadence: a payback month and no note.
    let p = with(48.0, None);
    assert_eq!((p.month, p.note), (Some(36), None));
}

/// Every dollar figure written in `text`, as written.
fn dollar_figures(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "();:".contains(c))
        .filter(|w| w.starts_with('$') || w.starts_with("-$"))
        .map(|w| w.trim_end_matches(['.', ',']).to_string())
        .collect()
}

/// The figures of the cost table under the crossover chart, as written: per query, hosting,
/// training and total a month, and per correct answer, of both arms.
fn table_figures(r: &cost::CostReport) -> Vec<String> {
    [&r.arm_a, &r.arm_b]
        .iter()
        .flat_map(|a| {
            [
                Some(a.per_query.mean),
                Some(a.hosting_monthly),
                Some(a.training_monthly),
                Some(a.monthly_at_volume.mean),
                a.cost_per_correct_answer,
            ]
        })
        .flatten()
        .map(tunebench_core::money::usd)
        .collect()
}

#[test]
fn the_never_paid_back_sentence_cites_only_figures_the_cost_table_shows() {
    // Hosting at $0.10 an hour makes the fine-tuned arm dearer than prompting at 1,000
    // queries a day even before its training: the sentence must not quote a figure "before
    // training" that no table shows.
    let mut s = prices_md_example(0.0);
    s.arm_b.hosting = Hosting::Hourly { per_hour: 0.10 };
    let r = cost::evaluate(&s).unwrap();
    let note = r.payback.note.clone().expect("it never pays back");
    let shown = table_figures(&r);
    for figure in dollar_figures(&note) {
        assert!(
            shown.contains(&figure),
            "{figure} in {note:?} is not in the cost table {shown:?}"
        );
    }
    assert_eq!(
        note,
        format!(
            "At 1,000 queries a day fine-tuned nano costs {} a month, {} of it training, against \
             {} for prompting mini: its queries and hosting alone cost no less, so its training is \
             never paid back",
            tunebench_core::money::usd(r.arm_b.monthly_at_volume.mean),
            tunebench_core::money::usd(r.arm_b.training_monthly),
            tunebench_core::money::usd(r.arm_a.monthly_at_volume.mean),
        )
    );
}

/// Case 2 of the decision's cost cases: prompting hosted at $10/h, the fine-tuned arm dearer
/// per query; they cross once, and below the crossing fine-tuning is cheaper.
fn prompting_cheaper_above() -> Scenario {
    let mut s = prices_md_example(0.0);
    s.arm_a.hosting = Hosting::Hourly { per_hour: 10.0 };
    s.arm_b.tokens = prices_md_example(0.0).arm_a.tokens;
    s.arm_b.tokens.output = Estimate::exact(400.0);
    s.arm_b.price.input = 0.80;
    s.arm_b.price.output = 3.20;
    s.queries_per_day = 10_000.0;
    s
}

/// Case 3: no training, the fine-tuned arm on provisioned units ($0.20 an hour, 11,000
/// queries a day each, peak twice the mean): the cheaper arm changes at every unit.
fn stepped_hosting(queries_per_day: f64) -> Scenario {
    let mut s = prices_md_example(0.0);
    s.arm_b.training = None;
    s.arm_b.hosting = Hosting::Provisioned {
        per_unit_hour: 0.20,
        unit_queries_per_day: 11_000.0,
        peak_to_mean: 2.0,
    };
    s.queries_per_day = queries_per_day;
    s
}

#[test]
fn the_cost_headline_names_the_cheaper_arm_at_the_volume_and_where_it_flips() {
    let cases = [
        (
            // One crossing, fine-tuning cheaper above it.
            prices_md_example(0.0),
            "Fine-tuning is cheaper from 80 queries/day, prompting below it. At 1,000 \
             queries/day fine-tuning is cheaper: fine-tuned $6.81 vs prompting $32.83 a month",
        ),
        (
            // One crossing, prompting cheaper above it.
            prompting_cheaper_above(),
            "Fine-tuning is cheaper up to 117,675 queries/day, prompting above it. At 10,000 \
             queries/day fine-tuning is cheaper: fine-tuned $951 vs prompting $7,628 a month",
        ),
        (
            // No crossing: cheaper at every volume.
            {
                let mut s = prices_md_example(0.0);
                s.arm_b.training = None;
                s.queries_per_day = 10_000.0;
                s
            },
            "No break-even: fine-tuning is cheaper at every volume. At 10,000 queries/day \
             fine-tuning is cheaper: fine-tuned $45.60 vs prompting $328 a month",
        ),
    ];
    for (s, expected) in cases {
        let r = cost::evaluate(&s).unwrap();
        assert_eq!(r.headline, expected);
        let shown = table_figures(&r);
        for figure in dollar_figures(&r.headline) {
            assert!(shown.contains(&figure), "{figure} is not in {shown:?}");
        }
    }
}

#[test]
fn with_stepped_hosting_the_cost_headline_states_the_arm_cheaper_at_the_volume_not_the_first_crossing(
) {
    let r = cost::evaluate(&stepped_hosting(50_000.0)).unwrap();
    let (ranges, _) = cost::cheaper_ranges(&stepped_hosting(50_000.0)).unwrap();
    let here = ranges.iter().find(|x| x.contains(50_000.0)).unwrap();
    assert_eq!(here.cheaper, Some(Side::A), "{ranges:?}");
    let flips = ranges.len() - 1;
    assert_eq!(
        r.headline,
        format!(
            "Prompting is cheaper below 5,164 queries/day and fine-tuning from 82,626 up; in \
             between the cheaper arm changes {} more times as provisioned units are added. At \
             50,000 queries/day prompting is cheaper, from 49,500 to 51,641 queries/day: \
             fine-tuned $1,688 vs prompting $1,642 a month",
            flips - 2
        )
    );
    // Away from the team's volume the headline follows the range it falls in.
    let r = cost::evaluate(&stepped_hosting(52_000.0)).unwrap();
    assert!(
        r.headline.contains(
            "At 52,000 queries/day fine-tuning is cheaper, from 51,641 to 55,000 queries/day"
        ),
        "{}",
        r.headline
    );
}

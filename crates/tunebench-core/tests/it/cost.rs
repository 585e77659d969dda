//! The cost model against hand-computed cases, including every worked example of PRICES.md.

use tunebench_core::cost::{
    self, ArmAssumptions, ArmPrice, BreakEven, Estimate, Hosting, Scenario, Side, TokenBasis,
    TokenUsage, Training,
};
use tunebench_core::price::TrainingUnit;

mod break_even;
mod headline;

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
        measured_training: None,
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

//! Random cost scenarios against a brute force written from DESIGN.md §5 alone (not from
//! the cost model's code): the monthly cost of each arm at a volume is
//! `hosting + training/R + 30.4·V·(c + e·err)`, hosting is hourly (`H·730`) or provisioned
//! (`max(1, ⌈V·peak/capacity⌉)` units at `unit price·730`), and a training run is spread over
//! the retraining cadence, capped by the months to the base model's retirement (never less
//! than one month).
//!
//! Used by the cost model's property test over every integer volume 1..200,000/day, and by
//! the decision's property test over 10,000 scenarios (`decision_cost`).

use proptest::prelude::*;
use tunebench_core::cost::{
    ArmAssumptions, ArmPrice, Estimate, Hosting, Scenario, TokenBasis, TokenUsage, Training,
};
use tunebench_core::price::TrainingUnit;

pub const TODAY: &str = "2026-06-01";

fn day(date: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

/// Days from [`TODAY`] to `date` (YYYY-MM-DD).
fn days_from_today(date: &str) -> i64 {
    (day(date) - day(TODAY)).num_days()
}

/// The date `days` after [`TODAY`].
pub fn date_after(days: i64) -> String {
    (day(TODAY) + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Monthly cost of `arm` at `v` queries/day, straight from the formula.
pub fn monthly(s: &Scenario, arm: &ArmAssumptions, v: f64) -> f64 {
    let t = &arm.tokens;
    let cached = match arm.cached_share {
        Some(share) => share * t.input.mean,
        None => t.cached_input.mean.min(t.input.mean),
    };
    let p = &arm.price;
    let tokens =
        ((t.input.mean - cached) * p.input + cached * p.cached_input + t.output.mean * p.output)
            / 1e6;
    let c = tokens * (1.0 - arm.batch_share + arm.batch_share * p.batch_multiplier)
        + arm.retrieval_cost_per_query;
    let err = arm.accuracy.map_or(0.0, |acc| s.error_cost * (1.0 - acc));
    let hosting = match arm.hosting {
        Hosting::None => 0.0,
        Hosting::Hourly { per_hour } => per_hour * s.hours_per_month,
        Hosting::Provisioned {
            per_unit_hour,
            unit_queries_per_day,
            peak_to_mean,
        } => {
            let units = (v * peak_to_mean / unit_queries_per_day).ceil().max(1.0);
            units * per_unit_hour * s.hours_per_month
        }
    };
    let training = match &arm.training {
        None => 0.0,
        Some(tr) => {
            let run = tr.tokens * tr.epochs * tr.price / 1e6 + tr.data_prep_cost;
            let mut r = tr.retrain_every_months;
            if let Some(date) = &arm.retirement_date {
                let left = days_from_today(date) as f64 / s.days_per_month;
                r = r.min(left.max(1.0));
            }
            run / r
        }
    };
    hosting + training + s.days_per_month * v * (c + err)
}

/// Which arm the brute force finds cheaper at `v`: `Some(true)` for B (fine-tuned),
/// `Some(false)` for A, `None` when the two are within a part in 10⁹ (a crossing point).
pub fn b_cheaper(s: &Scenario, v: f64) -> Option<bool> {
    let (a, b) = (monthly(s, &s.arm_a, v), monthly(s, &s.arm_b, v));
    if (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) {
        return None;
    }
    Some(b < a)
}

fn tokens(input: f64, cached: f64, output: f64) -> TokenUsage {
    TokenUsage {
        input: Estimate::exact(input),
        cached_input: Estimate::exact(cached.min(input)),
        output: Estimate::exact(output),
        basis: TokenBasis::Estimated,
    }
}

fn hosting() -> impl Strategy<Value = Hosting> {
    prop_oneof![
        2 => Just(Hosting::None),
        1 => (0.1..20.0f64).prop_map(|per_hour| Hosting::Hourly { per_hour }),
        3 => (0.05..3.0f64, 500.0..40_000.0f64, 1.0..3.0f64, any::<bool>()).prop_map(
            |(per_unit_hour, cap, peak, round)| Hosting::Provisioned {
                per_unit_hour,
                // Whole capacities and peaks put step boundaries on integer volumes.
                unit_queries_per_day: if round { cap.round() } else { cap },
                peak_to_mean: if round { peak.round() } else { peak },
            }
        ),
    ]
}

fn arm(name: &'static str, trained: bool) -> impl Strategy<Value = ArmAssumptions> {
    (
        (50.0..4000.0f64, 0.0..2000.0f64, 1.0..600.0f64),
        (0.05..8.0f64, 0.0..1.0f64, 0.1..30.0f64),
        (
            0.0..1.0f64,
            0.3..1.0f64,
            prop_oneof![3 => Just(0.0), 1 => 0.0..0.002f64],
        ),
        hosting(),
        proptest::option::weighted(
            if trained { 0.85 } else { 0.1 },
            (
                1e4..5e6f64,
                1.0..4.0f64,
                0.5..30.0f64,
                0.0..300.0f64,
                0.25..12.0f64,
            ),
        ),
        proptest::option::weighted(0.3, -60i64..900),
        proptest::option::of(0.5..1.0f64),
    )
        .prop_map(
            move |(
                (tin, tc, tout),
                (pin, cache_ratio, pout),
                (bs, bm, retrieval),
                hosting,
                training,
                retire,
                acc,
            )| {
                ArmAssumptions {
                    name: name.into(),
                    model: format!("{name}-model"),
                    price: ArmPrice {
                        input: pin,
                        cached_input: pin * cache_ratio,
                        output: pout,
                        batch_multiplier: bm,
                    },
                    tokens: tokens(tin, tc, tout),
                    cached_share: None,
                    batch_share: bs,
                    retrieval_cost_per_query: retrieval,
                    hosting,
                    training: training.map(|(tokens, epochs, price, prep, cadence)| Training {
                        tokens,
                        epochs,
                        price,
                        unit: TrainingUnit::PerMillionTokens,
                        hours: 0.0,
                        data_prep_cost: prep,
                        retrain_every_months: cadence,
                    }),
                    retirement_date: retire.map(date_after),
                    accuracy: acc,
                }
            },
        )
}

/// A random scenario: prices, tokens, batch share, retrieval, hourly or provisioned hosting
/// on either arm, training with its cadence, retirement dates, error cost; sometimes the
/// two arms are the same arm.
pub fn scenario() -> impl Strategy<Value = Scenario> {
    (
        arm("prompting", false),
        arm("fine-tuned", true),
        prop_oneof![3 => Just(0.0), 1 => 0.0..0.05f64],
        prop_oneof![12 => Just(false), 1 => Just(true)],
    )
        .prop_map(|(a, b, error_cost, twins)| {
            let b = if twins {
                ArmAssumptions {
                    name: b.name,
                    model: b.model,
                    ..a.clone()
                }
            } else {
                b
            };
            let mut s = Scenario::new(10_000.0, TODAY, a, b);
            s.error_cost = error_cost;
            s
        })
}

mod ranges {
    use super::*;
    use tunebench_core::cost::{cheaper_ranges, Side};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        /// At every integer volume from 1 to 200,000 a day, the range the cost model puts
        /// the volume in names the arm the brute force finds cheaper.
        #[test]
        fn each_volume_falls_in_a_range_that_names_the_arm_cheaper_there(s in scenario()) {
            s.validate().unwrap();
            let (ranges, stopped) = cheaper_ranges(&s).unwrap();
            prop_assert!(stopped.is_none(), "the walk settles: {stopped:?}");
            prop_assert_eq!(ranges[0].from, 0.0);
            for w in ranges.windows(2) {
                prop_assert_eq!(w[0].to, Some(w[1].from), "ranges tile the volumes: {:?}", ranges);
                prop_assert!(w[0].cheaper != w[1].cheaper, "neighbours are merged: {:?}", ranges);
            }
            prop_assert_eq!(ranges.last().unwrap().to, None);
            let mut disagreements = Vec::new();
            for v in 1..=200_000u32 {
                let v = f64::from(v);
                let Some(b) = b_cheaper(&s, v) else { continue };
                let here = ranges.iter().find(|r| r.contains(v)).unwrap();
                let want = if b { Side::B } else { Side::A };
                if here.cheaper != Some(want) {
                    disagreements.push((v, want, *here));
                }
            }
            prop_assert!(disagreements.is_empty(), "{} disagreements, first {:?}; ranges {:?}",
                disagreements.len(), disagreements.first(), ranges);
        }
    }
}

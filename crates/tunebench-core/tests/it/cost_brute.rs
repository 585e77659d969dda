//! Random cost scenarios against a brute force written from DESIGN.md §5 alone (not from
//! the cost model's code): the monthly cost of each arm at a volume is
//! `hosting + training/R + 30.4·V·(c + e·err)`, hosting is hourly (`H·730`) or provisioned
//! (`max(1, ⌈V·peak/capacity⌉)` units at `unit price·730`), and a training run is spread over
//! the retraining cadence, capped by the months to the base model's retirement (never less
//! than one month).
//!
//! Used by the cost model's property test over every integer volume 1..200,000/day, by the
//! decision's cost claims over 10,000 scenarios (`decision_cost`), and by the joint
//! property test of every claim of a decision (`decision_props`).

use proptest::prelude::*;
use tunebench_core::cost::{
    ArmAssumptions, ArmPrice, Estimate, Hosting, Scenario, TokenBasis, TokenUsage, Training,
};
use tunebench_core::decision::KnowledgeCadence;
use tunebench_core::price::TrainingUnit;

pub const TODAY: &str = "2026-06-01";

fn day(date: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

/// Days from [`TODAY`] to `date` (YYYY-MM-DD).
pub fn days_from_today(date: &str) -> i64 {
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
    hosting + training_monthly(s, arm) + s.days_per_month * v * (c + err)
}

/// One training run of `arm`, $; `None` when it is not trained.
fn training_run(arm: &ArmAssumptions) -> Option<f64> {
    let tr = arm.training.as_ref()?;
    Some(tr.tokens * tr.epochs * tr.price / 1e6 + tr.data_prep_cost)
}

/// A training run of `arm` spread over its cadence, capped by the months to retirement.
pub fn training_monthly(s: &Scenario, arm: &ArmAssumptions) -> f64 {
    let (Some(run), Some(tr)) = (training_run(arm), &arm.training) else {
        return 0.0;
    };
    let mut r = tr.retrain_every_months;
    if let Some(date) = &arm.retirement_date {
        let left = days_from_today(date) as f64 / s.days_per_month;
        r = r.min(left.max(1.0));
    }
    run / r
}

/// Months until the fine-tuned arm's first training run is recovered at `v` queries/day:
/// the run over what arm A costs a month less than arm B without its training. `None`
/// when B is not trained or saves nothing.
pub fn payback_months(s: &Scenario, v: f64) -> Option<f64> {
    let run = training_run(&s.arm_b)?;
    let saving =
        monthly(s, &s.arm_a, v) - (monthly(s, &s.arm_b, v) - training_monthly(s, &s.arm_b));
    (saving > 0.0).then(|| run / saving)
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

/// The retraining cadence each knowledge answer means, in months.
pub fn cadence(k: KnowledgeCadence) -> f64 {
    match k {
        KnowledgeCadence::Weekly => 12.0 / 52.0,
        KnowledgeCadence::Monthly => 1.0,
        KnowledgeCadence::Quarterly => 3.0,
        KnowledgeCadence::Rarely => 12.0,
    }
}

/// The brute force's world under the team's answers: every trained arm retrained at the
/// knowledge cadence.
pub fn under_answers(s: &Scenario, k: KnowledgeCadence) -> Scenario {
    let mut bf = s.clone();
    for arm in [&mut bf.arm_a, &mut bf.arm_b] {
        if let Some(t) = &mut arm.training {
            t.retrain_every_months = cadence(k);
        }
    }
    bf
}

/// Whether the two arms of `s` are the same arm under two names.
pub fn twins(s: &Scenario) -> bool {
    let (a, b) = (&s.arm_a, &s.arm_b);
    a.price == b.price
        && a.tokens == b.tokens
        && a.hosting == b.hosting
        && a.training == b.training
        && a.retirement_date == b.retirement_date
        && a.accuracy == b.accuracy
        && a.batch_share == b.batch_share
        && a.retrieval_cost_per_query == b.retrieval_cost_per_query
}

/// The number after `marker` in `text`, commas dropped.
pub fn number_after(text: &str, marker: &str) -> Option<f64> {
    let at = text.find(marker)? + marker.len();
    let digits: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    digits.parse().ok()
}

/// What the brute force finds about cost at the team's volume.
#[derive(Debug, Clone, Copy)]
pub struct CostTruth {
    /// The arm cheaper at the volume: `Some(true)` fine-tuned, `None` when both cost the same.
    pub here: Option<bool>,
    /// The first month (within 12) of the growth at which the fine-tuned arm is cheaper.
    pub reached: Option<i32>,
}

impl CostTruth {
    /// Cost counts for fine-tuning: it is cheaper now, or within 12 months of growth.
    pub fn win(&self) -> bool {
        self.here == Some(true) || self.reached.is_some()
    }

    /// Cost counts against: prompting is cheaper and stays so for 12 months of growth.
    pub fn against(&self) -> bool {
        self.here == Some(false) && self.reached.is_none()
    }
}

/// The truth of `bf` (the world under the team's answers, see [`under_answers`]) at `v`
/// queries/day growing by `growth` a month; `None` when `v` sits on a crossing of two
/// different arms, where either reading is right.
pub fn cost_truth(bf: &Scenario, v: f64, growth: f64) -> Option<CostTruth> {
    let here = b_cheaper(bf, v);
    if here.is_none() && !twins(bf) {
        return None;
    }
    let reached = (growth > 0.0)
        .then(|| (1..=12).find(|&m| b_cheaper(bf, v * (1.0 + growth).powi(m)) == Some(true)))
        .flatten();
    Some(CostTruth { here, reached })
}

/// The volumes between `lo` and `hi` where either arm's provisioned units step up (at
/// whole multiples of capacity / peak): the cost of each arm is linear between them.
fn steps_between(s: &Scenario, lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    for arm in [&s.arm_a, &s.arm_b] {
        if let Hosting::Provisioned {
            unit_queries_per_day,
            peak_to_mean,
            ..
        } = arm.hosting
        {
            let per_unit = unit_queries_per_day / peak_to_mean;
            let first = (lo.max(0.0) / per_unit).floor() as i64;
            let last = (hi / per_unit).ceil() as i64;
            out.extend((first..=last).map(|k| k as f64 * per_unit));
        }
    }
    out
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Whether `x` lies in a run of volumes narrower than a query a day (give or take the 0.01
/// the probe steps by) where the other arm than `cheaper_there` is cheaper: a sentence does
/// not name such a sliver as a range of its own (`cost::named_ranges`).
pub fn in_sliver(bf: &Scenario, x: f64, cheaper_there: bool) -> bool {
    let edge = |dir: f64| {
        (1..=102)
            .map(|i| x + dir * 0.01 * f64::from(i))
            .find(|y| b_cheaper(bf, *y) != Some(!cheaper_there))
    };
    match (edge(-1.0), edge(1.0)) {
        (Some(lo), Some(hi)) => hi - lo <= tunebench_core::cost::NARROWEST_NAMED_RANGE + 0.02,
        _ => false,
    }
}

/// The cost reason's words against the brute force at `v`: the arm it names as cheaper at
/// the team's volume, the month growth makes the fine-tuned arm cheaper, and where that
/// flips (the named arm is cheaper everywhere between the printed bounds, sampled 2
/// queries/day clear of them as they are rounded, but for slivers narrower than a query a
/// day, and the other arm within 3 queries/day outside each bound).
pub fn cost_text_agrees(
    bf: &Scenario,
    truth: &CostTruth,
    v: f64,
    text: &str,
) -> Result<(), String> {
    let named = if text.starts_with("The fine-tuned arm is cheaper") {
        Some(true)
    } else if text.starts_with("Prompting is cheaper") {
        Some(false)
    } else {
        ensure!(
            text.starts_with("Both arms cost the same"),
            "names no arm: {text}"
        );
        None
    };
    ensure!(
        named == truth.here,
        "names {named:?}, brute force {:?}: {text}",
        truth.here
    );
    if truth.here != Some(true) {
        let month = number_after(text, "cheaper in month ").map(|m| m as i32);
        ensure!(
            month == truth.reached,
            "growth month {month:?} vs {:?}: {text}",
            truth.reached
        );
    }
    let Some(cheaper_there) = truth.here else {
        return Ok(());
    };
    let from = number_after(text, "it is cheaper from ");
    let to = number_after(text, "it is cheaper up to ")
        .or_else(|| from.and_then(|_| number_after(text, " to ")));
    ensure!(
        (from.is_none() && to.is_none()) == text.contains("at every volume"),
        "bounds {from:?}..{to:?}: {text}"
    );
    let lo = from.map_or(1.0, |f| f + 2.0);
    let hi = to.map_or(1e7, |t| t - 2.0);
    let mut inside = vec![v];
    for i in 0..=32 {
        inside.push(lo + (hi - lo) * f64::from(i) / 32.0);
    }
    for x in inside
        .into_iter()
        .filter(|x| *x >= lo.min(v) && *x <= hi.max(v))
    {
        if let Some(b) = b_cheaper(bf, x) {
            ensure!(
                b == cheaper_there || (x != v && in_sliver(bf, x, cheaper_there)),
                "at {x} queries/day the brute force finds B cheaper {b}: {text}"
            );
        }
    }
    // A printed bound is rounded: the flip lies within half a query/day of it, and a step of
    // provisioned hosting may make the other arm cheaper over less than a query/day, on
    // either side of the step (just above a step of the named arm's units, or just below
    // one of the other arm's, whose next unit ends its lead), so just below and just above
    // every step in the window are tried besides a quarter-query grid.
    let flips_near = |bound: f64, dir: f64| {
        let (lo, hi) = if dir > 0.0 {
            (bound - 0.5, bound + 3.0)
        } else {
            (bound - 3.0, bound + 0.5)
        };
        (0..=14)
            .map(|i| lo + 0.25 * f64::from(i))
            .chain(
                steps_between(bf, lo, hi)
                    .into_iter()
                    .flat_map(|x| [x - 1e-6, x + 1e-6]),
            )
            .filter(|x| *x > 0.0)
            .any(|x| b_cheaper(bf, x) != Some(cheaper_there))
    };
    if let Some(t) = to {
        ensure!(flips_near(t, 1.0), "no flip just above {t}: {text}");
    }
    if let Some(f) = from.filter(|f| *f >= 4.0) {
        ensure!(flips_near(f, -1.0), "no flip just below {f}: {text}");
    }
    Ok(())
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
                    measured_training: None,
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

//! The lower envelope of several arms against hand-computed cases.

use super::*;
use crate::cost::model::monthly_curve;
use crate::cost::{ArmPrice, Estimate, Hosting, TokenBasis, TokenUsage};

/// An arm of 1,000 input tokens a query at `per_million` (so `per_million / 1000` $ a
/// query) with `hourly` $ an hour of hosting.
fn arm(name: &str, per_million: f64, hourly: f64) -> ArmAssumptions {
    ArmAssumptions {
        name: name.into(),
        model: name.into(),
        price: ArmPrice {
            input: per_million,
            cached_input: per_million,
            output: 0.0,
            batch_multiplier: 1.0,
        },
        tokens: TokenUsage {
            input: Estimate::exact(1000.0),
            cached_input: Estimate::exact(0.0),
            output: Estimate::exact(0.0),
            basis: TokenBasis::Estimated,
        },
        cached_share: None,
        batch_share: 0.0,
        retrieval_cost_per_query: 0.0,
        hosting: if hourly > 0.0 {
            Hosting::Hourly { per_hour: hourly }
        } else {
            Hosting::None
        },
        training: None,
        retirement_date: None,
        accuracy: None,
        measured_training: None,
    }
}

fn scenario(arms: Vec<ArmAssumptions>, volume: f64) -> ArmsScenario {
    let mut it = arms.into_iter();
    let (a, b) = (it.next().unwrap(), it.next().unwrap());
    ArmsScenario {
        scenario: Scenario::new(volume, "2026-06-01", a, b),
        more: it.collect(),
    }
}

fn close(x: f64, y: f64) -> bool {
    (x - y).abs() < 1e-6 * y.abs().max(1.0)
}

/// Monthly costs (30.4 days, 730 hours): A = 0.304 V; B = 730 + 0.0304 V;
/// C = 1,460 + 0.0152 V; D = 1,000 + 0.152 V. A = B at 730 / 0.2736 = 2,668.13;
/// B = C at 730 / 0.0152 = 48,026.32; B is below D at every volume, so D is never cheapest.
fn four() -> ArmsScenario {
    scenario(
        vec![
            arm("A", 10.0, 0.0),
            arm("B", 1.0, 1.0),
            arm("C", 0.5, 2.0),
            arm("D", 5.0, 1000.0 / 730.0),
        ],
        10_000.0,
    )
}

#[test]
fn each_arm_is_cheapest_where_its_line_is_lowest_and_one_never_is() {
    let (ranges, stopped) = cheapest_ranges(&four()).unwrap();
    assert_eq!(stopped, None);
    assert_eq!(ranges.len(), 3, "{ranges:?}");
    assert_eq!((ranges[0].from, ranges[0].arms.clone()), (0.0, vec![0]));
    assert!(close(ranges[0].to.unwrap(), 730.0 / 0.2736));
    assert!(close(ranges[1].from, 730.0 / 0.2736));
    assert!(close(ranges[1].to.unwrap(), 730.0 / 0.0152));
    assert_eq!(ranges[1].arms, vec![1]);
    assert!(close(ranges[2].from, 730.0 / 0.0152));
    assert_eq!((ranges[2].to, ranges[2].arms.clone()), (None, vec![2]));
}

#[test]
fn the_report_names_the_arm_cheapest_at_the_volume_and_the_one_never_cheapest() {
    let r = evaluate_arms(&four()).unwrap();
    assert_eq!(r.cheapest_at_volume, vec![1]);
    assert_eq!(r.never_cheapest, vec![3]);
    assert_eq!(r.arms.len(), 4);
    assert_eq!(r.pairs.len(), 3);
    // A against C crosses at 1,460 / (0.304 − 0.0152) = 5,055.4.
    let ac = r.pairs[1].report.break_even.queries_per_day().unwrap();
    assert!(close(ac, 1460.0 / 0.2888), "{ac}");
    assert!(close(r.arms[1].monthly_at_volume.mean, 730.0 + 304.0));
    assert_eq!(
        r.headline,
        "A is cheapest up to 2,668 queries/day; B is cheapest from 2,668 to 48,026 \
         queries/day; C is cheapest from 48,026 queries/day up. At 10,000 queries/day B is \
         cheapest: B $1,034, C $1,612, D $2,520, A $3,040 a month. D is cheapest at no volume."
    );
}

#[test]
fn arms_costing_the_same_share_a_range() {
    // B is A under another name; C = 1,460 + 0.0152 V crosses both at 5,055.4.
    let s = scenario(
        vec![arm("A", 10.0, 0.0), arm("B", 10.0, 0.0), arm("C", 0.5, 2.0)],
        100.0,
    );
    let (ranges, _) = cheapest_ranges(&s).unwrap();
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert_eq!(ranges[0].arms, vec![0, 1]);
    assert!(close(ranges[0].to.unwrap(), 1460.0 / 0.2888));
    assert_eq!(ranges[1].arms, vec![2]);
    let r = evaluate_arms(&s).unwrap();
    assert!(r
        .headline
        .starts_with("A and B (costing the same) are cheapest up to 5,055"));
    assert!(r.never_cheapest.is_empty());
}

#[test]
fn one_arm_cheapest_at_every_volume() {
    let s = scenario(
        vec![arm("A", 1.0, 0.0), arm("B", 2.0, 0.0), arm("C", 3.0, 1.0)],
        1000.0,
    );
    let r = evaluate_arms(&s).unwrap();
    assert_eq!(
        r.cheapest,
        vec![CheapestRange {
            from: 0.0,
            to: None,
            arms: vec![0]
        }]
    );
    assert_eq!(r.never_cheapest, vec![1, 2]);
    assert!(r.headline.starts_with("A is cheapest at every volume."));
}

#[test]
fn steps_of_provisioned_hosting_agree_with_the_cost_at_each_volume() {
    let mut c = arm("C", 0.2, 0.0);
    c.hosting = Hosting::Provisioned {
        per_unit_hour: 0.3,
        unit_queries_per_day: 20_000.0,
        peak_to_mean: 2.0,
    };
    // B = 73 + 0.0304 V against C = 219 a unit of 10,000 queries/day + 0.00608 V: the
    // cheapest arm changes back and forth between B and C at every step.
    let s = scenario(vec![arm("A", 10.0, 0.0), arm("B", 1.0, 0.1), c], 30_000.0);
    let (ranges, _) = cheapest_ranges(&s).unwrap();
    let volumes: Vec<f64> = (1..400).map(|k| f64::from(k) * 137.3).collect();
    let curves: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            let pair = s.between(0, i).unwrap();
            let side = if i == 0 { Side::A } else { Side::B };
            monthly_curve(&pair, side, &volumes)
                .unwrap()
                .iter()
                .map(|e| e.mean)
                .collect()
        })
        .collect();
    for (k, &v) in volumes.iter().enumerate() {
        let least = (0..3)
            .min_by(|&x, &y| curves[x][k].total_cmp(&curves[y][k]))
            .unwrap();
        let range = ranges.iter().find(|r| r.contains(v)).unwrap();
        assert!(
            range.arms.contains(&least),
            "at {v}: {least} is cheapest, the ranges say {range:?}"
        );
    }
    let order: Vec<Vec<usize>> = ranges.iter().take(5).map(|r| r.arms.clone()).collect();
    assert_eq!(
        order,
        [vec![0], vec![1], vec![2], vec![1], vec![2]],
        "{ranges:?}"
    );
}

#[test]
fn pairs_are_a_against_each_arm_in_order() {
    let s = four();
    let p = s.between(0, 3).unwrap();
    assert_eq!((p.arm_a.name.as_str(), p.arm_b.name.as_str()), ("A", "D"));
    assert!(s.between(0, 4).is_err());
}

//! The crossover of three arms: one line per arm in the Okabe–Ito colours, the ranges
//! where each arm is cheapest shaded and named, the layout clear in both themes (through
//! `chart_layout`), and the SVG as reviewed.

use tunebench_core::chart::{self, preset, ChartData, ChartSpec, ChartStyle, CrossoverData, Theme};
use tunebench_core::cost::{self, ArmsScenario, Hosting};

use crate::chart::scenario;

const SOURCE: &str = "n = 412 held-out cases · run 2026-11-29 · prices as of 2026-08-21";

/// The chart tests' scenario (prompting mini $0.00063 a query; fine-tuned nano $0.00015
/// a query with $1,241 of hosting and $2.25 of training a month) and a hybrid arm: the
/// fine-tuned model with 600 more prompt tokens of retrieved context and $0.00001 of
/// retrieval a query ($0.00028 in all) on $0.50-an-hour hosting ($365 a month).
/// Prompting is cheapest up to 34,516 queries/day, the hybrid to 221,660, the
/// fine-tuned arm above.
pub fn three_arms() -> ArmsScenario {
    let s = scenario();
    let mut c = s.arm_b.clone();
    c.name = "hybrid nano".into();
    c.tokens.input = c.tokens.input.scaled(950.0 / 350.0);
    c.retrieval_cost_per_query = 0.00001;
    c.hosting = Hosting::Hourly { per_hour: 0.5 };
    ArmsScenario {
        scenario: s,
        more: vec![c],
    }
}

/// The three-arm crossover at `style`.
pub fn crossover_arms(log: bool, style: ChartStyle) -> ChartSpec {
    let s = three_arms();
    let report = cost::evaluate_arms(&s).unwrap();
    ChartSpec {
        title: preset::CROSSOVER_ARMS_TITLE.into(),
        source: SOURCE.into(),
        style,
        data: ChartData::Crossover(CrossoverData::from_arms(&s, &report, log).unwrap()),
    }
}

#[test]
fn each_arm_is_cheapest_over_its_own_range() {
    let r = cost::evaluate_arms(&three_arms()).unwrap();
    let arms: Vec<Vec<usize>> = r.cheapest.iter().map(|c| c.arms.clone()).collect();
    assert_eq!(arms, [vec![0], vec![2], vec![1]]);
    let ends: Vec<f64> = r.cheapest.iter().filter_map(|c| c.to).collect();
    // A = C: (365 + 2.25) / (30.4 × (0.00063 − 0.00028)); C = B: (1,241 − 365) /
    // (30.4 × (0.00028 − 0.00015)).
    let a_c = (0.5 * 730.0 + 2.25) / (30.4 * (0.00063 - 0.00028));
    let c_b = (1.70 * 730.0 - 0.5 * 730.0) / (30.4 * (0.00028 - 0.00015));
    assert!((ends[0] - a_c).abs() < 1.0, "{} vs {a_c}", ends[0]);
    assert!((ends[1] - c_b).abs() < 1.0, "{} vs {c_b}", ends[1]);
    assert_eq!(r.cheapest_at_volume, vec![0]);
}

#[test]
fn three_lines_in_distinct_colours_and_each_cheapest_range_named() {
    for (theme, colours) in [
        (Theme::Light, ["#0072B2", "#D55E00", "#009E73"]),
        (Theme::Dark, ["#56B4E9", "#E69F00", "#009E73"]),
    ] {
        let style = ChartStyle {
            theme,
            ..ChartStyle::SLIDE
        };
        let spec = crossover_arms(false, style);
        let ChartData::Crossover(d) = &spec.data else {
            unreachable!()
        };
        assert_eq!(d.curves.len(), 3);
        assert!(d.cheaper.is_empty() && d.break_even.is_none());
        let svg = chart::render_svg(&spec).unwrap().to_uppercase();
        for c in colours {
            assert!(
                svg.contains(&format!("STROKE=\"{c}\"")),
                "{theme:?}: no line in {c}"
            );
        }
        // Prompting's range (up to 34,516 of 500,000 queries/day) is too narrow for its
        // label; the legend names it.
        for name in [
            "\nPROMPTING MINI\n",
            "HYBRID NANO CHEAPEST",
            "FINE-TUNED NANO CHEAPEST",
        ] {
            assert!(svg.contains(name), "{theme:?}: {name} is not named");
        }
    }
}

#[test]
fn the_three_arm_crossover_matches_the_reviewed_snapshot() {
    let svg = chart::render_svg(&crossover_arms(false, ChartStyle::SLIDE)).unwrap();
    insta::assert_snapshot!("crossover_three_arms", svg);
}

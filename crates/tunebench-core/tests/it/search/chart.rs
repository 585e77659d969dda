//! The chart of a search's candidates: each at the last rung it reached, the chosen one
//! marked, unpriced ones left out and counted.

use tunebench_core::chart::{self, ChartData, ChartStyle};
use tunebench_core::run::RunStatus;
use tunebench_core::search::{
    self, Candidate, CandidateScore, ChoiceRule, Chosen, Rung, RungResult, SearchOutcome,
};
use tunebench_core::stats::Interval;

fn score(index: u32, n: u32, mean: f64, cost: Option<f64>) -> CandidateScore {
    CandidateScore {
        index,
        name: format!("A #{}", index + 1),
        n,
        errors: 0,
        mean: Some(mean),
        interval: Some(Interval {
            low: mean - 0.05,
            high: mean + 0.05,
            confidence: 0.95,
        }),
        cost_per_query: cost,
    }
}

fn candidates() -> Vec<Candidate> {
    ["m55", "m95", "m75", "unpriced"]
        .iter()
        .enumerate()
        .map(|(i, l)| Candidate {
            index: i as u32,
            arm_id: 10 + i as i32,
            name: format!("A #{}", i + 1),
            label: (*l).into(),
        })
        .collect()
}

fn outcome() -> SearchOutcome {
    let chosen = score(1, 60, 0.95, Some(0.002));
    SearchOutcome {
        search_id: 1,
        experiment_id: 2,
        run_id: 3,
        status: RunStatus::Completed,
        primary_metric: "accuracy".into(),
        candidates: 4,
        validation_cases: 60,
        rule: ChoiceRule::Best,
        rungs: vec![
            RungResult {
                rung: Rung {
                    candidates: 4,
                    cases: 30,
                },
                ranked: vec![
                    score(1, 30, 0.93, Some(0.002)),
                    score(2, 30, 0.77, Some(0.001)),
                    score(3, 30, 0.6, None),
                    score(0, 30, 0.5, Some(0.0005)),
                ],
            },
            RungResult {
                rung: Rung {
                    candidates: 2,
                    cases: 60,
                },
                ranked: vec![chosen.clone(), score(2, 60, 0.75, Some(0.001))],
            },
        ],
        chosen: Some(Chosen {
            score: chosen,
            arm_id: 11,
            label: "m95".into(),
        }),
        calls_full: 240,
        calls_made: 180,
        spend_usd: 0.3,
        sentence: None,
        test_run_id: Some(4),
    }
}

#[test]
fn each_candidate_is_drawn_at_its_last_rung_the_chosen_one_marked() {
    let d = search::chart::data(&candidates(), &outcome());
    let got: Vec<(&str, u32, f64, bool, bool)> = d
        .points
        .iter()
        .map(|p| (p.label.as_str(), p.cases, p.metric, p.finalist, p.chosen))
        .collect();
    assert_eq!(
        got,
        [
            ("m55", 30, 0.5, false, false),
            ("m95", 60, 0.95, true, true),
            ("m75", 60, 0.75, true, false),
        ],
        "m75 at its 60-case score, m55 halved out at 30, the unpriced one left out"
    );
    assert_eq!(d.metric, "accuracy");

    let spec = search::chart::spec(&candidates(), &outcome(), ChartStyle::SLIDE);
    assert!(matches!(spec.data, ChartData::Search(_)));
    assert!(spec.source.contains("180 of 240 calls"), "{}", spec.source);
    assert!(
        spec.source
            .contains("1 without a score or a price not drawn"),
        "{}",
        spec.source
    );
    let svg = chart::render_svg(&spec).unwrap();
    assert!(svg.contains("chosen: m95"), "the chosen one is labelled");
    assert!(!svg.contains("unpriced"));
}

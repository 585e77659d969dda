//! Cost at scale of a three-arm run from the store: every arm priced from its results, and
//! the assumptions the crossover screen saves for arms C, D, … read back with the run's
//! two-arm scenario, which reads as before.

use tunebench_core::report::{run_arms_scenario, run_scenario, save_run_arms_scenario};

use super::document::three_arm_run;
use super::*;

#[test]
fn every_arm_of_a_run_is_priced_and_saved_assumptions_come_back() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = three_arm_run(&conn);
    let today = "2026-11-29";
    let mut s = run_arms_scenario(&conn, run_id, today, None).unwrap();
    let names: Vec<&str> = s.arms().iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["prompting", "fine-tuned", "hybrid"]);
    // The hybrid's 600 prompt tokens a query at the fine-tuned model's $0.30 per 1M.
    assert_eq!(s.more[0].tokens.input.mean, 600.0);
    assert_eq!(s.more[0].price.input, 0.3);

    s.scenario.queries_per_day = 5_000.0;
    s.more[0].retrieval_cost_per_query = 0.0004;
    save_run_arms_scenario(&conn, run_id, &s, "2026-11-29T10:00:00Z").unwrap();
    let back = run_arms_scenario(&conn, run_id, today, None).unwrap();
    assert_eq!(back, s);
    // The two-arm scenario saved with the run is A and B, as a two-arm reader reads it.
    let pair = run_scenario(&conn, run_id, today, None).unwrap();
    assert_eq!(pair, s.scenario);
    // A volume given for the report overrides the saved one for every arm.
    let at = run_arms_scenario(&conn, run_id, today, Some(80_000.0)).unwrap();
    assert_eq!(at.scenario.queries_per_day, 80_000.0);
    assert_eq!(at.more, s.more);
}

#[test]
fn a_three_arm_decision_weighs_the_verdicts_best_arm_and_recommends_hybrid_only_if_it_wins() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = three_arm_run(&conn);
    let opts = tunebench_core::report::ReportOptions::default();
    let d =
        tunebench_core::report::run_decision(&conn, &db.path, run_id, "2026-11-29", &opts).unwrap();
    // Hybrid − prompting +0.40 clears the margin after Holm (p 0.023); hybrid − fine-tuned
    // +0.10 does not (p 0.5): the hybrid is weighed, and does not win as a hybrid.
    assert_eq!(d.leading, 2);
    let (s, _) = d.cost.as_ref().unwrap();
    assert_eq!(
        (s.arm_a.name.as_str(), s.arm_b.name.as_str()),
        ("prompting", "hybrid")
    );
    let w = d.evidence.weighed_arm.as_ref().unwrap();
    assert_eq!((w.name.as_str(), w.kind.as_str()), ("hybrid", "hybrid"));
    let h = d.evidence.hybrid.as_ref().unwrap();
    assert!(h.clears && !h.wins());
    assert_eq!(h.against_fine_tuned.as_ref().unwrap().arm, "fine-tuned");
    let q = tunebench_core::decision::Questions {
        labelled_examples: 1800,
        ..d.default_questions()
    };
    let r = d.recommend(&q);
    assert_eq!(r.choice, tunebench_core::decision::Choice::KeepPrompting);
    assert!(
        r.headline.contains("the measured hybrid arm does not win"),
        "{}",
        r.headline
    );
    assert!(r.reasons.iter().any(|x| x
        .text
        .starts_with("Measured hybrid arm hybrid against prompting: +40.0 points")));
    // Never "fine-tune" on the hybrid's numbers.
    assert!(!r.headline.starts_with("Fine-tune"));
}

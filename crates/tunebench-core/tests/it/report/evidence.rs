//! A run's report and cost report mapped onto the decision's evidence.

use super::*;

#[test]
fn a_runs_report_and_cost_map_onto_the_decisions_evidence() {
    use tunebench_core::decision::{self, MarginKind, Verdict};
    use tunebench_core::report::run_decision;

    let priced = tunebench_core::cost::evaluate(&crate::cost::prices_md_example(0.0)).unwrap();
    // (arm A, arm B, verdict, difference, format compliance A and B, p95 of A: type 7 of
    // its answered latencies 100 + 10·i ms; 18 answers in the first case, 20 in the second)
    type Case = (Answers, Answers, Verdict, f64, (f64, f64), f64);
    let cases: [Case; 2] = [
        (
            arm_a(),
            arm_b(),
            // 7 vs 1 discordant cases: McNemar's p = 0.070.
            Verdict::Inconclusive,
            0.3,
            (0.85, 1.0),
            261.5,
        ),
        (
            arm_b(),
            arm_b(),
            // Identical arms never disagree, yet 0 discordant pairs in 20 cannot rule out
            // a gain of the margin (0.045): Newcombe's interval is about ±0.13.
            Verdict::Inconclusive,
            0.0,
            (1.0, 1.0),
            280.5,
        ),
    ];
    for (a, b, verdict, difference, (fa, fb), p95_a) in cases {
        let db = temp_db();
        let conn = store::open(&db.path).unwrap();
        let run_id = seed_run(&conn, &a, &b);
        let d = run_decision(
            &conn,
            &db.path,
            run_id,
            "2026-11-29",
            &ReportOptions::default(),
        )
        .unwrap();
        assert!(
            d.cost.is_err(),
            "arm B has no price: the cost rules are skipped"
        );
        let e = &d.evidence;
        let q = e.quality.as_ref().unwrap();
        assert_eq!(q.verdict, verdict);
        assert_eq!(q.metric, "accuracy");
        assert!((q.difference - difference).abs() < 1e-12);
        assert_eq!(
            (q.ci_low, q.ci_high),
            (
                d.report.comparison.interval.low,
                d.report.comparison.interval.high
            )
        );
        assert_eq!((q.margin, q.margin_kind), (0.05, MarginKind::Relative));
        let taxonomy = e
            .format_checks
            .iter()
            .find(|c| c.need == decision::FormatNeed::Taxonomy)
            .unwrap();
        assert_eq!(
            (taxonomy.prompting.rate(), taxonomy.fine_tuned.rate()),
            (Some(fa), Some(fb))
        );
        assert!(
            e.format_checks
                .iter()
                .any(|c| c.need == decision::FormatNeed::Json),
            "valid JSON is always checked"
        );
        // The decision's "cases that would settle it" is the report's own figure.
        assert_eq!(q.cases_needed, d.report.comparison.verdict.cases_to_settle);
        assert_eq!(
            e.call_failures.prompting,
            Some(decision::CallFailures {
                failed: d.report.arms[0].errors,
                calls: 20
            })
        );
        let (pa, pb) = e.latency_p95_ms.both().unwrap();
        assert!((pa - p95_a).abs() < 1e-9, "p95 of A: {pa}");
        assert_eq!(pb, 50.0);
        assert_eq!((e.cheaper.as_ref(), e.monthly_cost.both()), (None, None));
        assert_eq!(
            e.cost_missing,
            d.cost.as_ref().err().map(ToString::to_string),
            "the evidence says why cost is not weighed"
        );
        assert_eq!(
            (e.train_examples, e.today.as_str()),
            (Some(0), "2026-11-29")
        );
        assert_eq!(d.default_questions().labelled_examples, 0);

        // The same report with a priced scenario: the cost figures come from the cost model.
        let with_cost = tunebench_core::report::evidence_from(
            &d.report,
            Some(&priced),
            Some("2027-03-01"),
            "2026-11-29",
            Some(640),
        );
        assert_eq!(with_cost.cheaper.as_ref(), Some(&priced.cheaper));
        assert_eq!(with_cost.cost_queries_per_day, Some(priced.queries_per_day));
        assert_eq!(
            with_cost.monthly_cost.both(),
            Some((
                priced.arm_a.monthly_at_volume.mean,
                priced.arm_b.monthly_at_volume.mean
            ))
        );
        assert_eq!(
            with_cost.retraining_monthly_cost,
            Some(priced.arm_b.training_monthly).filter(|m| *m > 0.0)
        );
        assert_eq!(with_cost.payback_months, priced.payback.months);
        assert_eq!(
            with_cost.base_model_retirement.as_deref(),
            Some("2027-03-01")
        );
        assert_eq!(with_cost.train_examples, Some(640));
    }
}

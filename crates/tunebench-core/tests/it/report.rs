//! The report of a run read back from a real SQLite file: per-arm metrics, errors, cost,
//! the verdict, and the case browser's filters.

use rusqlite::{params, Connection};
use tunebench_core::report::{cases, run_report, CaseFilter, ReportOptions};
use tunebench_core::stats::VerdictKind;
use tunebench_core::{store, Error};

use crate::support::temp_db;

mod document;

/// What an arm answered on one case: `Some(output)`, or `None` when it timed out.
type Answers = [Option<&'static str>; 20];

/// The expected label of case `i` of twenty: `billing` and `shipping` in turn.
fn expected(i: usize) -> &'static str {
    if i.is_multiple_of(2) {
        "billing"
    } else {
        "shipping"
    }
}

fn other(i: usize) -> &'static str {
    if i.is_multiple_of(2) {
        "shipping"
    } else {
        "billing"
    }
}

/// Right on 0–11, the wrong label on 12–16, off-taxonomy on 17, timeouts on 18 and 19.
fn arm_a() -> Answers {
    std::array::from_fn(|i| match i {
        0..=11 => Some(expected(i)),
        12..=16 => Some(other(i)),
        17 => Some("no idea"),
        _ => None,
    })
}

/// Right everywhere except case 5 and case 17 (the wrong label).
fn arm_b() -> Answers {
    std::array::from_fn(|i| match i {
        5 | 17 => Some(other(i)),
        _ => Some(expected(i)),
    })
}

/// Writes dataset, provider, arms, experiment, a completed run and its results by plain
/// SQL. Arm A costs $0.001 on even cases, $0.002 on odd ones (none for its errors) and takes 100 + 10·i ms; arm B has no price and
/// takes 50 ms. Returns the run id.
fn seed_run(conn: &Connection, a: &Answers, b: &Answers) -> i32 {
    conn.execute_batch(
        "INSERT INTO dataset (id, name, source_file, source_format, imported_at, row_count)
             VALUES (1, 'tickets', 'tickets.csv', 'csv', '2026-01-01T00:00:00Z', 20);
         INSERT INTO provider (id, name, kind, base_url) VALUES (1, 'local', 'openai_compatible', 'http://127.0.0.1:9/v1');
         INSERT INTO arm (id, name, kind, provider_id, model, created_at)
             VALUES (1, 'fine-tuned', 'fine_tuned', 1, 'ft-model', '2026-01-01T00:00:00Z'),
                    (2, 'prompting', 'prompt', 1, 'base-model', '2026-01-01T00:00:00Z');
         INSERT INTO experiment (id, name, dataset_id, split, primary_metric, margin_kind, margin_value, labels, created_at)
             VALUES (1, 'support', 1, 'test', 'accuracy', 'relative', 0.05, '[\"billing\",\"shipping\"]', '2026-01-01T00:00:00Z');
         -- Arm ids deliberately out of position order: A (position 0) is arm 2.
         INSERT INTO experiment_arm (experiment_id, arm_id, position) VALUES (1, 2, 0), (1, 1, 1);
         INSERT INTO run (id, experiment_id, started_at, finished_at, status)
             VALUES (1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'completed');",
    )
    .unwrap();
    for i in 0..20 {
        conn.execute(
            "INSERT INTO example (id, dataset_id, ordinal, input, expected, split)
             VALUES (?1, 1, ?2, ?3, ?4, 'test')",
            params![
                100 + i as i32,
                i as i32,
                format!("case-{i:02}: my parcel and my invoice"),
                expected(i)
            ],
        )
        .unwrap();
        for (arm_id, answers) in [(2, a), (1, b)] {
            let answer = answers[i];
            let (latency, cost) = if arm_id == 2 {
                (100.0 + 10.0 * i as f64, Some(0.001 * (1 + i % 2) as f64))
            } else {
                (50.0, None)
            };
            conn.execute(
                "INSERT INTO result (run_id, arm_id, example_id, output, error_class, error_message,
                                     completion_tokens, latency_ms, cost, created_at)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, 2, ?6, ?7, '2026-01-01T00:00:30Z')",
                params![
                    arm_id,
                    100 + i as i32,
                    answer,
                    answer.is_none().then_some("timeout"),
                    answer.is_none().then_some("no answer within 60 s"),
                    answer.map(|_| latency),
                    answer.and(cost),
                ],
            )
            .unwrap();
        }
    }
    1
}

#[test]
fn report_scores_each_arm_counts_errors_and_weighs_the_better_arm_with_the_exact_test() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    let r = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();

    assert_eq!((r.n_cases, r.unpaired_cases, r.comparison.n), (20, 0, 20));
    let (a, b) = (&r.arms[0], &r.arms[1]);
    assert_eq!(
        (a.name.as_str(), b.name.as_str()),
        ("prompting", "fine-tuned"),
        "A is position 0 whatever the arm ids"
    );
    assert_eq!(
        a.primary.value, 0.6,
        "12 right of 20; the 2 timeouts count as failures"
    );
    assert_eq!(b.primary.value, 0.9);
    assert_eq!((a.errors, a.answered, b.errors), (2, 18, 0));
    assert_eq!(a.errors_by_class[0].class, "timeout");
    assert_eq!(
        a.format_compliance,
        Some(0.85),
        "17 in-taxonomy answers; 'no idea' and the errors are not"
    );
    assert_eq!(b.format_compliance, Some(1.0));
    let labels = a.label_report.as_ref().unwrap();
    assert_eq!(labels.labels, ["billing", "shipping"]);
    assert_eq!(labels.accuracy, 0.6);
    assert_eq!(
        labels.confusion.iter().flatten().sum::<u32>(),
        17,
        "the off-taxonomy answer and the two errors fall outside the matrix"
    );
    let names: Vec<_> = a.metrics.iter().map(|m| m.metric.as_str()).collect();
    assert_eq!(names, ["exact_match", "label", "label_in_taxonomy"]);
    assert!(a.metrics.iter().all(|m| m.interval.is_some()));

    let cost = a.cost_per_query.unwrap();
    assert!(
        (cost - 0.0015).abs() < 1e-15,
        "9 answers at $0.001 and 9 at $0.002: {cost}"
    );
    assert_eq!(b.cost_per_query, None, "no price is not $0");
    assert!(b.cost_note.as_deref().unwrap().contains("ft-model"));
    assert_eq!(
        a.latency_ms_p50,
        Some(185.0),
        "type-7 median of 100, 110, … 270"
    );
    assert_eq!(
        (b.latency_ms_p50, b.latency_ms_p95),
        (Some(50.0), Some(50.0))
    );

    assert!((r.comparison.difference - 0.3).abs() < 1e-12);
    let m = r.comparison.mcnemar.unwrap();
    assert_eq!(
        (m.a_only, m.b_only),
        (1, 7),
        "case 5 for A; 12–16 and both timeouts for B"
    );
    assert!((r.p_value.unwrap() - 18.0 / 256.0).abs() < 1e-12);
    // Newcombe's interval is above zero, but McNemar's exact test (p = 0.070) is not
    // significant at 95 %: with 7 vs 1 discordant cases the verdict is not "justified".
    assert_eq!(r.comparison.interval_method, "newcombe");
    assert!(r.comparison.interval.low > 0.0);
    assert_eq!(r.verdict_kind, VerdictKind::Inconclusive, "{}", r.verdict);
    assert!(
        r.verdict
            .contains("McNemar's exact test is not significant (p = 0.07)"),
        "{}",
        r.verdict
    );
    assert!(r.minimum_detectable_difference > 0.0);
    assert_eq!((r.seed, r.resamples), (7, 10_000));

    let again = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
    assert_eq!(again, r, "a report is reproducible for its seed");
}

#[test]
fn identical_arms_are_not_justified_and_an_unknown_run_is_not_found() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_b(), &arm_b());
    let r = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
    assert_eq!(r.comparison.difference, 0.0);
    assert_ne!(r.verdict_kind, VerdictKind::Justified, "{}", r.verdict);
    assert!(matches!(
        run_report(&conn, &db.path, 99, &ReportOptions::default()),
        Err(Error::NotFound { entity: "run", .. })
    ));
}

#[test]
fn case_filters_partition_the_cases_and_search_and_paging_narrow_them() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    let page = |filter, search: Option<&str>, offset, limit| {
        cases(
            &conn,
            run_id,
            filter,
            search.map(str::to_owned),
            offset,
            limit,
        )
        .unwrap()
    };
    let ordinals = |p: &tunebench_core::report::CasePage| {
        p.cases.iter().map(|c| c.ordinal).collect::<Vec<_>>()
    };

    let all = page(CaseFilter::All, None, 0, 100);
    let c = all.counts;
    assert_eq!(
        (
            c.all,
            c.a_only_right,
            c.b_only_right,
            c.both_wrong,
            c.both_right,
            c.errors
        ),
        (20, 1, 5, 1, 11, 2)
    );
    assert_eq!(all.total, 20);
    assert_eq!(
        (all.arm_a.as_str(), all.arm_b.as_str()),
        ("prompting", "fine-tuned")
    );

    assert_eq!(ordinals(&page(CaseFilter::AOnlyRight, None, 0, 100)), [5]);
    assert_eq!(
        ordinals(&page(CaseFilter::BOnlyRight, None, 0, 100)),
        [12, 13, 14, 15, 16]
    );
    let both_wrong = page(CaseFilter::BothWrong, None, 0, 100);
    assert_eq!(ordinals(&both_wrong), [17]);
    let case = &both_wrong.cases[0];
    assert_eq!(case.expected, "shipping");
    assert_eq!(case.a.output.as_deref(), Some("no idea"));
    assert_eq!(case.b.output.as_deref(), Some("billing"));
    assert_eq!((case.a.score, case.b.score), (Some(0.0), Some(0.0)));

    let errors = page(CaseFilter::Errors, None, 0, 100);
    assert_eq!(ordinals(&errors), [18, 19]);
    assert_eq!(errors.cases[0].a.error_class.as_deref(), Some("timeout"));
    assert_eq!(
        (errors.cases[0].a.output.as_ref(), errors.cases[0].b.right),
        (None, true)
    );

    let found = page(CaseFilter::All, Some("CASE-07"), 0, 100);
    assert_eq!((found.total, ordinals(&found)), (1, vec![7]));
    let by_output = page(CaseFilter::All, Some("no idea"), 0, 100);
    assert_eq!(ordinals(&by_output), [17], "search covers the outputs too");

    let tail = page(CaseFilter::All, None, 18, 5);
    assert_eq!((tail.total, ordinals(&tail)), (20, vec![18, 19]));
}

#[test]
fn a_stopped_run_is_compared_on_the_cases_both_arms_answered_and_macro_f1_matches_the_label_report()
{
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    // A macro-F1 experiment without a taxonomy, stopped before arm B reached cases 18 and 19.
    conn.execute_batch(
        "UPDATE experiment SET primary_metric = 'macro_f1', labels = '[]';
         UPDATE run SET status = 'interrupted';
         DELETE FROM result WHERE arm_id = 1 AND example_id IN (118, 119);",
    )
    .unwrap();
    let opts = ReportOptions {
        latency_budget_p95_ms: Some(100.0),
        ..ReportOptions::default()
    };
    let r = run_report(&conn, &db.path, run_id, &opts).unwrap();
    assert_eq!(r.status, "interrupted");
    assert_eq!((r.comparison.n, r.unpaired_cases), (18, 2));
    let (a, b) = (&r.arms[0], &r.arms[1]);
    assert_eq!(
        (a.n, a.errors, b.n),
        (20, 2, 18),
        "counts cover every result"
    );
    assert_eq!(a.format_compliance, None, "no taxonomy, no compliance rate");
    for arm in [a, b] {
        let labels = arm.label_report.as_ref().unwrap();
        assert_eq!(labels.n, 18, "quality is measured on the paired cases");
        assert!(
            (arm.primary.value - labels.macro_avg.f1).abs() < 1e-12,
            "{}: comparison {} vs label report {}",
            arm.name,
            arm.primary.value,
            labels.macro_avg.f1
        );
    }
    assert_eq!(
        a.label_report.as_ref().unwrap().labels,
        ["billing", "no idea", "shipping"],
        "without a taxonomy the classes are every label expected or answered"
    );
    assert_eq!(
        r.p_value, None,
        "McNemar needs binary scores; macro-F1 is not"
    );
    assert_eq!(a.latency.within_budget, Some(false), "p95 of 100…270 ms");
    assert_eq!(b.latency.within_budget, Some(true), "a steady 50 ms");
}

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
        let with_cost = decision::evidence_from(
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

/// Copies run 1's results into a new completed run `run_id` of `experiment_id`, with arm B
/// (arm 1 in run 1) answered by `arm_b` at half the latency.
fn copy_run(conn: &Connection, run_id: i32, experiment_id: i32, arm_b: i32, started: &str) {
    conn.execute(
        "INSERT INTO run (id, experiment_id, started_at, finished_at, status)
         VALUES (?1, ?2, ?3, ?3, 'completed')",
        params![run_id, experiment_id, started],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO result (run_id, arm_id, example_id, output, error_class, error_message,
                             completion_tokens, latency_ms, cost, created_at)
         SELECT ?1, CASE arm_id WHEN 1 THEN ?2 ELSE arm_id END, example_id, output, error_class,
                error_message, completion_tokens,
                CASE arm_id WHEN 1 THEN latency_ms / 2 ELSE latency_ms END, cost, created_at
           FROM result WHERE run_id = 1",
        params![run_id, arm_b],
    )
    .unwrap();
}

#[test]
fn a_rerun_on_a_new_model_copies_the_experiment_and_the_history_shows_both_runs() {
    use tunebench_core::experiment::{clone_with_models, ModelSwap};
    use tunebench_core::report::history;

    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    seed_run(&conn, &arm_a(), &arm_b());
    store::experiment::set_questions(&conn, 1, r#"{"queries_per_day":40000}"#).unwrap();
    let mut ft = store::arm::get(&conn, 1).unwrap();
    ft.params.price = Some(serde_json::from_str(r#"{"input":1.0,"output":2.0}"#).unwrap());
    conn.execute(
        "UPDATE arm SET params = ?1 WHERE id = 1",
        [serde_json::to_string(&ft.params).unwrap()],
    )
    .unwrap();

    let swap = |position: u32, model: &str| ModelSwap {
        position,
        model: model.into(),
    };
    // Bad requests name the field and write nothing.
    let experiments = |conn: &Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM experiment", [], |r| r.get(0))
            .unwrap()
    };
    for (swaps, field) in [
        (vec![swap(2, "x")], "arms[2].model"),
        (vec![swap(1, "  ")], "arms[1].model"),
    ] {
        let err = clone_with_models(&conn, 1, &swaps).unwrap_err().to_string();
        assert!(err.contains(field), "{err}");
    }
    assert!(matches!(
        clone_with_models(&conn, 9, &[]),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(experiments(&conn), 1);

    let rerun =
        clone_with_models(&conn, 1, &[swap(1, " ft-model-v2 "), swap(0, "base-model")]).unwrap();
    assert_eq!(rerun.changes, ["fine-tuned: ft-model → ft-model-v2"]);
    assert_eq!(rerun.notes.len(), 1, "{:?}", rerun.notes);
    assert!(
        rerun.notes[0].contains("Prices screen"),
        "{:?}",
        rerun.notes
    );
    let copy = store::experiment::get(&conn, rerun.experiment_id).unwrap();
    let source = store::experiment::get(&conn, 1).unwrap();
    assert_eq!(
        (
            &copy.name,
            copy.dataset_id,
            &copy.split,
            &copy.primary_metric,
            &copy.labels,
            copy.margin
        ),
        (
            &source.name,
            source.dataset_id,
            &source.split,
            &source.primary_metric,
            &source.labels,
            source.margin
        )
    );
    assert_eq!(copy.arm_ids[0], 2, "arm A kept its model, so the same arm");
    let new_b = store::arm::get(&conn, copy.arm_ids[1]).unwrap();
    assert_ne!(new_b.id, 1);
    assert_eq!(
        (new_b.name.as_str(), new_b.model.as_str()),
        ("fine-tuned", "ft-model-v2")
    );
    assert_eq!(
        new_b.params.price, None,
        "the old model's price is not carried over"
    );
    assert_eq!(new_b.template, ft.template);
    assert_eq!(
        store::arm::get(&conn, 1).unwrap().model,
        "ft-model",
        "run 1's arm unchanged"
    );
    assert_eq!(
        store::experiment::questions(&conn, rerun.experiment_id)
            .unwrap()
            .as_deref(),
        Some(r#"{"queries_per_day":40000}"#)
    );

    // A second run on the new model, an empty pending run, and an unrelated experiment.
    copy_run(
        &conn,
        2,
        rerun.experiment_id,
        new_b.id,
        "2026-06-01T00:00:00Z",
    );
    conn.execute_batch(
        "INSERT INTO run (id, experiment_id, started_at, status) VALUES (3, 1, '2026-07-01T00:00:00Z', 'pending');
         INSERT INTO experiment (id, name, dataset_id, split, primary_metric, created_at)
             VALUES (50, 'other', 1, 'test', 'accuracy', '2026-01-01T00:00:00Z');
         INSERT INTO experiment_arm VALUES (50, 2, 0), (50, 1, 1);",
    )
    .unwrap();
    copy_run(&conn, 4, 50, 1, "2026-05-01T00:00:00Z");

    let opts = ReportOptions::default();
    let h = history(&conn, &db.path, 2, &opts).unwrap();
    assert_eq!(h.runs.iter().map(|r| r.run_id).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(h.left_out.len(), 1, "{:?}", h.left_out);
    assert!(h.left_out[0].starts_with("run 3:"), "{:?}", h.left_out);
    let models: Vec<(&str, &str)> = h
        .runs
        .iter()
        .map(|r| {
            (
                r.arms[0].point.model.as_str(),
                r.arms[1].point.model.as_str(),
            )
        })
        .collect();
    assert_eq!(
        models,
        [("base-model", "ft-model"), ("base-model", "ft-model-v2")]
    );
    for r in &h.runs {
        let full = run_report(&conn, &db.path, r.run_id, &opts).unwrap();
        assert_eq!(r.arms[1].point.value, full.arms[1].primary.value);
        assert_eq!(r.arms[1].point.low, full.arms[1].primary.interval.low);
        assert_eq!(r.arms[0].point.cost_per_query, full.arms[0].cost_per_query);
        assert_eq!(r.verdict, full.verdict);
    }
    let p95 = |i: usize| h.runs[i].arms[1].point.latency_p95_ms.unwrap();
    assert_eq!(p95(1), p95(0) / 2.0);
    assert_eq!(
        history(&conn, &db.path, 1, &opts).unwrap().runs.len(),
        2,
        "the same history from either run"
    );

    let trend = h.trend_data();
    assert_eq!(trend.series, ["A (prompting)", "B (fine-tuned)"]);
    assert_eq!(trend.runs[1].label, "run 2");
    assert_eq!(trend.runs[1].points[1].model, "ft-model-v2");
}

#[test]
fn a_rerun_of_a_run_keeps_its_cost_assumptions_and_a_refused_one_writes_nothing() {
    use tunebench_core::experiment::ModelSwap;
    use tunebench_core::run::{create_rerun, RunOptions};

    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    seed_run(&conn, &arm_a(), &arm_b());
    conn.execute_batch(
        r#"UPDATE run SET settings = '{"scenario":{"queries_per_day":40000}}' WHERE id = 1"#,
    )
    .unwrap();
    let counts = |conn: &Connection| -> (i64, i64, i64) {
        conn.query_row(
            "SELECT (SELECT count(*) FROM experiment), (SELECT count(*) FROM run), (SELECT count(*) FROM arm)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let before = counts(&conn);
    let swap = |position: u32, model: &str| ModelSwap {
        position,
        model: model.into(),
    };
    let err = create_rerun(
        &conn,
        1,
        &[swap(0, "new-base"), swap(3, "x")],
        &RunOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("arms[3].model"), "{err}");
    assert_eq!(counts(&conn), before, "nothing written");

    let (rerun, run_id) =
        create_rerun(&conn, 1, &[swap(0, "new-base")], &RunOptions::default()).unwrap();
    assert_eq!(counts(&conn), (before.0 + 1, before.1 + 1, before.2 + 1));
    let run = store::run::get(&conn, run_id).unwrap();
    assert_eq!(run.experiment_id, rerun.experiment_id);
    let settings: serde_json::Value = serde_json::from_str(&run.settings).unwrap();
    assert_eq!(settings["scenario"]["queries_per_day"], 40000);
    assert_eq!(settings["arms"][0]["model"], "new-base");
    assert_eq!(settings["arms"][1]["model"], "ft-model");
}

#[test]
fn the_run_summary_scores_the_primary_metric_as_the_report_does() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    for metric in ["accuracy", "macro_f1", "weighted_f1", "label_in_taxonomy"] {
        conn.execute("UPDATE experiment SET primary_metric = ?1", [metric])
            .unwrap();
        let summary = tunebench_core::run::summarize(&conn, &db.path, run_id).unwrap();
        let report = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
        // Arm B answered every case, so "over the answered cases" is the whole set.
        let (s, r) = (
            summary.arms[1].metric.unwrap(),
            report.arms[1].primary.value,
        );
        assert!((s - r).abs() < 1e-12, "{metric}: summary {s} vs report {r}");
    }
    let macro_f1 = {
        conn.execute("UPDATE experiment SET primary_metric = 'macro_f1'", [])
            .unwrap();
        tunebench_core::run::summarize(&conn, &db.path, run_id)
            .unwrap()
            .arms[1]
            .metric
            .unwrap()
    };
    assert_ne!(macro_f1, 0.9, "macro-F1, not the accuracy of 18 of 20");
}

#[test]
fn format_checks_count_errors_apart_from_answers_outside_the_format() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    let r = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
    use tunebench_core::decision::{FormatCounts, FormatNeed};
    let taxonomy = r
        .format_checks
        .iter()
        .find(|c| c.need == FormatNeed::Taxonomy)
        .unwrap();
    assert_eq!(
        taxonomy.prompting,
        FormatCounts {
            compliant: 17,
            non_compliant: 1,
            errors: 2
        },
        "'no idea' is outside the taxonomy; the two timeouts are errors"
    );
    assert_eq!(taxonomy.fine_tuned.compliant, 20);
    // A only: none; B only: case 17 and the two timeouts.
    assert!(
        (taxonomy.p_value - 0.25).abs() < 1e-12,
        "{}",
        taxonomy.p_value
    );
    let json = r
        .format_checks
        .iter()
        .find(|c| c.need == FormatNeed::Json)
        .unwrap();
    assert_eq!(
        json.prompting,
        FormatCounts {
            compliant: 0,
            non_compliant: 18,
            errors: 2
        },
        "a bare label is not JSON"
    );
}

#[test]
fn a_run_where_neither_arm_answers_within_the_taxonomy_says_so_and_decides_not_yet() {
    use tunebench_core::decision::{Choice, Questions};
    use tunebench_core::report::run_decision;
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let junk: Answers = std::array::from_fn(|i| {
        Some(if i < 15 {
            "I am not sure."
        } else {
            "Sure! Here is the label"
        })
    });
    let run_id = seed_run(&conn, &junk, &junk);
    let d = run_decision(
        &conn,
        &db.path,
        run_id,
        "2026-11-29",
        &ReportOptions::default(),
    )
    .unwrap();
    let warning = d.report.task_warning.clone().unwrap();
    assert_eq!(
        warning,
        "Neither arm does the task: accuracy is 0.000 for prompting and 0.000 for fine-tuned; \
         100.0 % of prompting's answers and 100.0 % of fine-tuned's fall outside the taxonomy; \
         prompting's most common answers: \"I am not sure.\" (15), \"Sure! Here is the label\" (5); \
         fine-tuned's most common answers: \"I am not sure.\" (15), \"Sure! Here is the label\" (5)"
    );
    for volume in [10_000.0, 500_000.0] {
        let q = Questions {
            queries_per_day: volume,
            labelled_examples: 2000,
            quality_parity_enough: true,
            ..d.default_questions()
        };
        let r = d.recommend(&q);
        assert_eq!(r.choice, Choice::NotYet);
        assert_eq!(r.headline, "Not yet: neither arm does the task");
        assert_eq!(r.reasons[0].text, warning);
    }
    // A run where the arms do the task says nothing of the kind.
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    let r = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
    assert_eq!(r.task_warning, None);
}

#[test]
fn bleu_and_chrf_primaries_report_the_corpus_figure_not_the_mean_of_sentences() {
    use tunebench_core::score::{bleu, chrf};
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    conn.execute("UPDATE experiment SET labels = '[]'", [])
        .unwrap();
    let outputs = |answers: &Answers| -> Vec<String> {
        answers.iter().map(|a| a.unwrap_or("").to_owned()).collect()
    };
    let refs: Vec<String> = (0..20).map(|i| expected(i).to_owned()).collect();
    for (metric, corpus) in [
        (
            "bleu",
            bleu::corpus_bleu::<String, String> as fn(&[String], &[String]) -> f64,
        ),
        ("chrf", chrf::corpus_chrf::<String, String>),
    ] {
        conn.execute("UPDATE experiment SET primary_metric = ?1", [metric])
            .unwrap();
        let r = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
        for (arm, answers) in r.arms.iter().zip([arm_a(), arm_b()]) {
            let want = corpus(&outputs(&answers), &refs);
            assert!(
                (arm.primary.value - want).abs() < 1e-9,
                "{metric} {}: {} vs corpus {want}",
                arm.name,
                arm.primary.value
            );
            let row = arm.metrics.iter().find(|m| m.metric == metric).unwrap();
            assert_eq!(
                row.mean,
                Some(arm.primary.value),
                "the metrics table shows the corpus figure"
            );
            assert_eq!(arm.primary.interval_method, "bootstrap");
        }
        assert_eq!(r.comparison.interval_method, "paired bootstrap");
        assert!(
            r.comparison.interval.contains(r.comparison.difference)
                || r.comparison.difference == 0.0
        );
    }
}

/// The seeded run with a BLEU primary metric, token counts and catalog prices for both
/// arms, so it has a cost projection.
fn priced_bleu_run(conn: &Connection) -> i32 {
    use tunebench_core::price::{Origin, PriceEntry, PriceKind, TrainingUnit};
    let run_id = seed_run(conn, &arm_a(), &arm_b());
    conn.execute(
        "UPDATE experiment SET primary_metric = 'bleu', labels = '[]'",
        [],
    )
    .unwrap();
    conn.execute("UPDATE result SET prompt_tokens = 50", [])
        .unwrap();
    let entry = |model: &str, kind: PriceKind| PriceEntry {
        provider: "openai_compatible".into(),
        model_pattern: model.into(),
        kind,
        input: Some(0.4),
        cached_input: None,
        cache_write: None,
        output: Some(1.6),
        batch_multiplier: None,
        training: (kind == PriceKind::FineTuned).then_some(5.0),
        training_unit: (kind == PriceKind::FineTuned).then_some(TrainingUnit::PerMillionTokens),
        hosting_per_hour: None,
        retirement_date: None,
        source: "test".into(),
        as_of: "2026-11-01".into(),
        origin: Origin::Custom,
    };
    store::price::upsert_custom(
        conn,
        &[
            entry("base-model", PriceKind::Base),
            entry("ft-model", PriceKind::FineTuned),
        ],
    )
    .unwrap();
    run_id
}

#[test]
fn a_bleu_primary_still_prices_the_run_without_calling_bleu_an_accuracy() {
    use tunebench_core::report::run_decision;
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = priced_bleu_run(&conn);
    let d = run_decision(
        &conn,
        &db.path,
        run_id,
        "2026-11-29",
        &ReportOptions::default(),
    )
    .unwrap();
    let (scenario, _) = d
        .cost
        .as_ref()
        .expect("a BLEU primary must not stop the cost model");
    assert_eq!(
        (scenario.arm_a.accuracy, scenario.arm_b.accuracy),
        (None, None),
        "BLEU is not a share of right answers: no cost per correct answer"
    );
}

#[test]
fn a_stated_threshold_makes_bleu_scores_correct_answers_and_the_cost_report_states_it() {
    use tunebench_core::report::run_decision;
    use tunebench_core::score::bleu::sentence_bleu;
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = priced_bleu_run(&conn);
    let with_threshold = |at: &str| {
        conn.execute(
            "UPDATE run SET settings = ?1",
            [format!(r#"{{"scenario":{{"correct_at":{at}}}}}"#)],
        )
        .unwrap();
        run_decision(
            &conn,
            &db.path,
            run_id,
            "2026-11-29",
            &ReportOptions::default(),
        )
        .unwrap()
    };
    let d = with_threshold("30");
    let (scenario, cost) = d.cost.as_ref().expect("priced");
    // By hand: a case is correct when its sentence BLEU is at least 30; a timeout is wrong.
    let share = |answers: &Answers| {
        (0..20)
            .filter(|&i| answers[i].is_some_and(|out| sentence_bleu(out, expected(i)) >= 30.0))
            .count() as f64
            / 20.0
    };
    let (a, b) = (share(&arm_a()), share(&arm_b()));
    assert_eq!(
        (scenario.arm_a.accuracy, scenario.arm_b.accuracy),
        (Some(a), Some(b))
    );
    assert!(cost.arm_a.cost_per_correct_answer.is_some());
    assert!(cost.arm_b.cost_per_correct_answer.is_some());
    let stated = format!(
        "Correct answers by a stated threshold: a case counts as correct when its bleu score is \
         at least 30 (the experiment's [scenario] correct_at), which prompting meets in {:.1} % \
         of cases and fine-tuned in {:.1} %; the cost per correct answer and the cost of wrong \
         answers count cases so",
        a * 100.0,
        b * 100.0
    );
    assert!(cost.warnings.contains(&stated), "{:#?}", cost.warnings);
    // A threshold off the metric's scale is refused, naming the field.
    let d = with_threshold("150");
    let why = d.cost.as_ref().expect_err("refused").reason.clone();
    assert!(
        why.contains("[scenario] correct_at = 150 is outside bleu's scale, 0 to 100"),
        "{why}"
    );
}

#[test]
fn an_arm_asking_for_a_json_schema_gets_its_answers_checked_against_it() {
    use tunebench_core::decision::{FormatCounts, FormatNeed, Questions, ReasonKind};
    use tunebench_core::report::run_decision;
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    // The fine-tuned arm (id 1) asks for structured output in this schema; the prompting
    // arm asks for none, so it is held to the same schema.
    let schema = r#"{"type":"object","required":["label"],"properties":{"label":{"enum":["billing","shipping"]}},"additionalProperties":false}"#;
    let params = serde_json::json!({
        "response_format": {"type": "json_schema", "name": "ticket", "schema": schema}
    });
    conn.execute(
        "UPDATE arm SET params = ?1 WHERE id = 1",
        [params.to_string()],
    )
    .unwrap();
    // B answers in JSON: valid on cases 0–13, an unknown label on 14–15, an extra field on
    // 16, bare text on 17–19. A answers bare labels (and times out on 18 and 19).
    for i in 0..20 {
        let out = match i {
            0..=13 => format!(r#"{{"label": "{}"}}"#, expected(i)),
            14 | 15 => r#"{"label": "refund"}"#.to_owned(),
            16 => format!(r#"{{"label": "{}", "why": "x"}}"#, expected(i)),
            _ => expected(i).to_owned(),
        };
        conn.execute(
            "UPDATE result SET output = ?1 WHERE arm_id = 1 AND example_id = ?2",
            rusqlite::params![out, 100 + i as i32],
        )
        .unwrap();
    }
    let r = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
    let check = r
        .format_checks
        .iter()
        .find(|c| c.need == FormatNeed::JsonSchema)
        .expect("schema compliance is measured when an arm asks for a schema");
    assert_eq!(
        check.fine_tuned,
        FormatCounts {
            compliant: 14,
            non_compliant: 6,
            errors: 0
        }
    );
    assert_eq!(
        check.prompting,
        FormatCounts {
            compliant: 0,
            non_compliant: 18,
            errors: 2
        },
        "a bare label is not schema-valid JSON; the two timeouts are errors"
    );
    // B only passes on 14 cases, A only on none: McNemar's exact p = 2 · 0.5^14.
    assert!(
        (check.p_value - 2.0 * 0.5f64.powi(14)).abs() < 1e-12,
        "{}",
        check.p_value
    );
    // The decision weighs it for a team that needs schema-valid JSON.
    let d = run_decision(
        &conn,
        &db.path,
        run_id,
        "2026-11-29",
        &ReportOptions::default(),
    )
    .unwrap();
    let q = Questions {
        format: FormatNeed::JsonSchema,
        ..d.default_questions()
    };
    let rec = d.recommend(&q);
    let format = rec
        .reasons
        .iter()
        .find(|x| x.kind == ReasonKind::Format)
        .expect("a format reason");
    assert!(!format.text.contains("not measured"), "{}", format.text);
    assert!(format.text.contains("14"), "{}", format.text);
}

#[test]
fn an_entity_primary_reports_the_corpus_f1_that_seqeval_gives_on_a_conll_shaped_set() {
    // scripts/reference_formats.py: 60 BIO-tagged sentences with a tagger's errors, and
    // seqeval's micro-averaged F1 over their spans. The fine-tuned arm answers the tagger's
    // entities; prompting answers the gold ones.
    let data = crate::score_reference::fixture("entities.json");
    let sentences = data["sentences"].as_array().unwrap();
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    conn.execute_batch(
        "INSERT INTO dataset (id, name, source_file, source_format, imported_at, row_count)
             VALUES (1, 'conll', 'conll.jsonl', 'jsonl', '2026-01-01T00:00:00Z', 60);
         INSERT INTO provider (id, name, kind, base_url) VALUES (1, 'local', 'openai_compatible', 'http://127.0.0.1:9/v1');
         INSERT INTO arm (id, name, kind, provider_id, model, created_at)
             VALUES (1, 'prompting', 'prompt', 1, 'base-model', '2026-01-01T00:00:00Z'),
                    (2, 'fine-tuned', 'fine_tuned', 1, 'ft-model', '2026-01-01T00:00:00Z');
         INSERT INTO experiment (id, name, dataset_id, split, primary_metric, margin_kind, margin_value, labels, created_at)
             VALUES (1, 'ner', 1, 'test', 'entity', 'absolute', 0.02, '[]', '2026-01-01T00:00:00Z');
         INSERT INTO experiment_arm (experiment_id, arm_id, position) VALUES (1, 1, 0), (1, 2, 1);
         INSERT INTO run (id, experiment_id, started_at, finished_at, status)
             VALUES (1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'completed');",
    )
    .unwrap();
    for (i, s) in sentences.iter().enumerate() {
        let tokens: Vec<&str> = s["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let expected = s["expected"].as_str().unwrap();
        conn.execute(
            "INSERT INTO example (id, dataset_id, ordinal, input, expected, split)
             VALUES (?1, 1, ?1, ?2, ?3, 'test')",
            params![i as i32, tokens.join(" "), expected],
        )
        .unwrap();
        for (arm, out) in [(1, expected), (2, s["output"].as_str().unwrap())] {
            conn.execute(
                "INSERT INTO result (run_id, arm_id, example_id, output, completion_tokens,
                                     latency_ms, created_at)
                 VALUES (1, ?1, ?2, ?3, 5, 80.0, '2026-01-01T00:00:30Z')",
                params![arm, i as i32, out],
            )
            .unwrap();
        }
    }
    let r = run_report(&conn, &db.path, 1, &ReportOptions::default()).unwrap();
    let seqeval = data["f1"].as_f64().unwrap();
    assert!(
        (r.arms[1].primary.value - seqeval).abs() < 1e-9,
        "reported entity F1 {} vs seqeval {seqeval}",
        r.arms[1].primary.value
    );
    assert!((r.arms[0].primary.value - 1.0).abs() < 1e-12);
}

#[test]
fn the_case_browser_calls_a_bleu_answer_right_by_a_threshold_on_bleus_scale_and_states_it() {
    use tunebench_core::score::bleu::sentence_bleu;
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    conn.execute(
        "UPDATE experiment SET primary_metric = 'bleu', labels = '[]'",
        [],
    )
    .unwrap();
    // Case 0: prompting repeats the reference; the fine-tuned arm gets part of it.
    let reference = "the parcel was sent to the wrong address last week";
    let partial = "the parcel went to an old address";
    conn.execute(
        "UPDATE example SET expected = ?1 WHERE id = 100",
        [reference],
    )
    .unwrap();
    conn.execute(
        "UPDATE result SET output = ?1 WHERE example_id = 100 AND arm_id = 2",
        [reference],
    )
    .unwrap();
    conn.execute(
        "UPDATE result SET output = ?1 WHERE example_id = 100 AND arm_id = 1",
        [partial],
    )
    .unwrap();
    let bleu = sentence_bleu(partial, reference);
    assert!(
        bleu > 0.5 && bleu < 50.0,
        "{bleu}: right at 0.5, wrong at half of 100"
    );
    let case_0 = |p: &tunebench_core::report::CasePage| {
        p.cases.iter().find(|c| c.ordinal == 0).cloned().unwrap()
    };
    let page = cases(&conn, run_id, CaseFilter::All, None, 0, 100).unwrap();
    assert_eq!(
        page.right_means,
        "Right: a case's bleu score is at least 50, half its scale (no [scenario] correct_at is stated)"
    );
    let c = case_0(&page);
    assert!(c.a.right && !c.b.right, "{bleu} BLEU is not a right answer");
    let only_a = cases(&conn, run_id, CaseFilter::AOnlyRight, None, 0, 100).unwrap();
    assert!(only_a.cases.iter().any(|c| c.ordinal == 0));
    // A stated threshold below the partial answer's score makes it right, and is stated.
    let at = (bleu / 2.0).floor();
    conn.execute(
        "UPDATE run SET settings = ?1",
        [format!(r#"{{"scenario":{{"correct_at":{at}}}}}"#)],
    )
    .unwrap();
    let page = cases(&conn, run_id, CaseFilter::All, None, 0, 100).unwrap();
    assert_eq!(
        page.right_means,
        format!(
            "Right: a case's bleu score is at least {at} (the experiment's [scenario] correct_at)"
        )
    );
    assert!(case_0(&page).b.right);
    // A binary primary metric needs no threshold: right is a score of 1.
    conn.execute("UPDATE experiment SET primary_metric = 'exact_match'", [])
        .unwrap();
    let page = cases(&conn, run_id, CaseFilter::All, None, 0, 100).unwrap();
    assert_eq!(page.right_means, "Right: a case scores 1 on exact_match");
}

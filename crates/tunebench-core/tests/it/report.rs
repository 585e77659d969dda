//! The report of a run read back from a real SQLite file: per-arm metrics, errors, cost,
//! the verdict, and the case browser's filters.

use rusqlite::{params, Connection};
use tunebench_core::report::{cases, run_report, CaseFilter, ReportOptions};
use tunebench_core::stats::VerdictKind;
use tunebench_core::{store, Error};

use crate::support::temp_db;

mod arms_cost;
mod document;

mod evidence;
mod format;
mod rerun;
mod scales;

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

/// Custom catalog prices for the seeded arms' models, $ per 1M tokens: `prompting` and
/// `fine_tuned` are each (input, output); the fine-tuned model trains at `training` per 1M
/// tokens.
fn price_models(conn: &Connection, prompting: (f64, f64), fine_tuned: (f64, f64), training: f64) {
    use tunebench_core::price::{Origin, PriceEntry, PriceKind, TrainingUnit};
    let entry = |model: &str, kind: PriceKind, (input, output): (f64, f64)| PriceEntry {
        provider: "openai_compatible".into(),
        model_pattern: model.into(),
        kind,
        input: Some(input),
        cached_input: None,
        cache_write: None,
        output: Some(output),
        batch_multiplier: None,
        training: (kind == PriceKind::FineTuned).then_some(training),
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
            entry("base-model", PriceKind::Base, prompting),
            entry("ft-model", PriceKind::FineTuned, fine_tuned),
        ],
    )
    .unwrap();
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

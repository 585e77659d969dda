//! Primary metrics that are not a share of right answers (BLEU, chrF, entity F1): corpus
//! figures, prices without calling them accuracy, and a stated threshold for "correct".

use super::*;

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
    let run_id = seed_run(conn, &arm_a(), &arm_b());
    conn.execute(
        "UPDATE experiment SET primary_metric = 'bleu', labels = '[]'",
        [],
    )
    .unwrap();
    conn.execute("UPDATE result SET prompt_tokens = 50", [])
        .unwrap();
    price_models(conn, (0.4, 1.6), (0.4, 1.6), 5.0);
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

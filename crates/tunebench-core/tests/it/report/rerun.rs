//! Re-runs: onto a new model (the experiment copied, the history showing both runs), and
//! of a run, keeping its cost assumptions; a refused one writes nothing.

use super::*;

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

//! A run that stops and starts again: the response cache on a re-run, a budget, cancelling,
//! resume, and a run whose process died.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_rerun_is_answered_from_the_cache_without_a_call_unless_opted_out() {
    let db = temp_db();
    let srv = server::start(label_server()).await;
    let exp = setup(&db, &srv, 4, "");
    run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(srv.count(), 8);
    let (second, outcome, _) = run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(outcome.status, RunStatus::Completed);
    assert_eq!(srv.count(), 8, "the second run must not call the provider");
    assert_eq!(outcome.spend_usd, 0.0);
    assert_eq!(
        count(
            &db,
            &format!("SELECT COUNT(*) FROM result WHERE run_id = {second} AND from_cache = 1")
        ),
        8
    );
    run_new(
        &db,
        exp,
        RunOptions {
            use_cache: false,
            ..RunOptions::default()
        },
    )
    .await;
    assert_eq!(srv.count(), 16, "--no-cache calls again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_stops_the_run_cleanly_and_resume_sends_only_the_cases_without_a_result() {
    let db = temp_db();
    let srv = server::start(|req, _| {
        Reply::Delay(
            Duration::from_millis(20),
            Box::new(chat_json(&echo_label(req), Some(usage(100_000, 0)))),
        )
    })
    .await;
    let exp = setup(&db, &srv, 20, "");
    // Each arm-A call costs $0.10; stop after $0.30.
    let (run_id, outcome, _) = run_new(
        &db,
        exp,
        RunOptions {
            budget_usd: Some(0.3),
            concurrency: Some(1),
            ..RunOptions::default()
        },
    )
    .await;
    assert_eq!(outcome.status, RunStatus::BudgetStopped);
    let saved = count(&db, "SELECT COUNT(*) FROM result");
    assert!(saved < 40, "stopped early, {saved} results");
    assert!(outcome.spend_usd >= 0.3);
    let conn = store::open(&db.path).unwrap();
    assert_eq!(
        store::run::get(&conn, run_id).unwrap().status,
        RunStatus::BudgetStopped
    );

    let before = srv.per_input();
    let mut plan = Plan::load(&conn, run_id).unwrap();
    plan.options.budget_usd = None;
    plan.options.use_cache = false;
    let outcome = run::execute(&context(&db.path), plan, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(outcome.status, RunStatus::Completed);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM result"), 40);
    assert_eq!(outcome.written as i64, 40 - saved);
    // No (arm, input) answered before the stop was sent again.
    let answered: Vec<(String, String)> = conn
        .prepare("SELECT a.model, e.input FROM result r JOIN arm a ON a.id = r.arm_id JOIN example e ON e.id = r.example_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(answered.len(), 40);
    let per_model_input = {
        let mut m = std::collections::HashMap::new();
        for r in srv.requests.lock().unwrap().iter() {
            *m.entry((r.body["model"].as_str().unwrap().to_string(), r.last_user()))
                .or_insert(0) += 1;
        }
        m
    };
    assert!(
        per_model_input.values().all(|&n| n == 1),
        "a case was sent twice: {per_model_input:?}"
    );
    assert!(before.len() < srv.per_input().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_the_run_and_keeps_what_was_answered() {
    let db = temp_db();
    let srv = server::start(|req, _| {
        Reply::Delay(
            Duration::from_millis(30),
            Box::new(chat_json(&echo_label(req), Some(usage(1, 1)))),
        )
    })
    .await;
    let exp = setup(&db, &srv, 30, "");
    let conn = store::open(&db.path).unwrap();
    let run_id = run::create(
        &conn,
        exp,
        &RunOptions {
            concurrency: Some(2),
            ..RunOptions::default()
        },
        None,
    )
    .unwrap();
    let ctx = context(&db.path);
    let cancel = ctx.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        cancel.cancel();
    });
    let outcome = run::execute(&ctx, Plan::load(&conn, run_id).unwrap(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(outcome.status, RunStatus::Cancelled);
    let saved = count(&db, "SELECT COUNT(*) FROM result");
    assert!(saved > 0 && saved < 60, "{saved}");
    assert_eq!(
        outcome.written as i64, saved,
        "every answer received before the cancel is saved"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_marked_running_without_a_live_process_is_shown_as_interrupted() {
    let db = temp_db();
    let srv = server::start(label_server()).await;
    let exp = setup(&db, &srv, 1, "");
    let conn = store::open(&db.path).unwrap();
    let run_id = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    store::run::set_status(&conn, run_id, RunStatus::Running).unwrap();
    let rec = store::run::get(&conn, run_id).unwrap();
    assert_eq!(
        run::effective_status(&db.path, &rec),
        RunStatus::Interrupted
    );
    let lock = run::liveness::acquire(&db.path, run_id).unwrap();
    assert_eq!(
        run::effective_status(&db.path, &rec),
        RunStatus::Running,
        "a held lock means a live process"
    );
    assert!(
        run::liveness::acquire(&db.path, run_id).is_err(),
        "a second executor is refused"
    );
    drop(lock);
    assert_eq!(
        run::effective_status(&db.path, &rec),
        RunStatus::Interrupted
    );
}

//! A batch run survives its process: killed after submitting (or in the middle of
//! ingesting), resumed later, it polls the same batches and writes each case once; a
//! cancelled run cancels its batches at the provider.

use super::*;

/// Starts `run_id` in a task, waits until the fake has been polled, then kills the task
/// outright (the future is dropped mid-poll, as a killed process would stop).
async fn kill_after_first_poll(db: &TempDb, fake: &BatchFake, run_id: i32) {
    fake.with(|s| s.hold = true);
    let ctx = context(db);
    let plan = Plan::load(&store::open(&db.path).unwrap(), run_id).unwrap();
    let task = tokio::spawn(async move {
        let _ = batch::execute_with(&ctx, plan, FAST, &mut |_| {}).await;
    });
    for _ in 0..500 {
        if fake.with(|s| s.polls) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    task.abort();
    let _ = task.await;
    // The writer thread commits what it was handed before it stops.
    tokio::time::sleep(Duration::from_millis(200)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_after_submitting_resumes_polling_the_same_batches_and_loses_no_case() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    let exp = setup(&db, &fake, 20);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 3));
    kill_after_first_poll(&db, &fake, run_id).await;
    let conn = store::open(&db.path).unwrap();
    let record = store::run::get(&conn, run_id).unwrap();
    assert_eq!(
        run::effective_status(&db.path, &record),
        RunStatus::Interrupted
    );
    let jobs = store::batch::jobs(&conn, run_id).unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs
        .iter()
        .all(|j| j.provider_batch_id.is_some() && !j.state.has_ended()));
    // The batch finishes while nobody watches.
    fake.with(|s| s.hold = false);
    let out = go(&db, &context(&db), run_id).await;
    assert_eq!(out.status, RunStatus::Completed);
    assert_eq!(fake.batches().len(), 2, "no batch submitted twice");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result"),
        40,
        "every case once"
    );
    assert_eq!(
        fake.with(|s| s.live_calls),
        6,
        "the sample was not sent twice"
    );
    assert_eq!(fake.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_in_the_middle_of_ingesting_writes_each_case_once_on_resume() {
    let db = temp_db();
    let fake = BatchFake::start(Api::Anthropic).await;
    let exp = setup(&db, &fake, 20);
    let run_id = new_run(&db, exp, settings(OnFailure::Error, 0));
    kill_after_first_poll(&db, &fake, run_id).await;
    // What an ingestion cut short leaves behind: some of a batch's results are in, the
    // batch is not marked ingested.
    let conn = store::open(&db.path).unwrap();
    let plan = Plan::load(&conn, run_id).unwrap();
    let arm = plan.arms[0].prepared.arm.id;
    let early: Vec<run::ResultRecord> = plan.cases[..7]
        .iter()
        .map(|c| run::ResultRecord {
            run_id,
            arm_id: arm,
            example_id: c.id,
            output: Some("written before the kill".into()),
            attempts: 1,
            ..Default::default()
        })
        .collect();
    store::result::insert_batch(&conn, &early).unwrap();
    fake.with(|s| s.hold = false);
    let out = go(&db, &context(&db), run_id).await;
    assert_eq!(out.status, RunStatus::Completed);
    assert_eq!(out.written, 33, "only what was missing");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM result"), 40);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM result WHERE output = 'written before the kill'"
        ),
        7,
        "rows already written are kept, not written twice"
    );
    assert_eq!(fake.batches().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_batch_run_cancels_its_batches_at_the_provider() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    fake.with(|s| s.hold = true);
    let exp = setup(&db, &fake, 10);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 0));
    let ctx = context(&db);
    let cancel = ctx.cancel.clone();
    let plan = Plan::load(&store::open(&db.path).unwrap(), run_id).unwrap();
    let task =
        tokio::spawn(async move { batch::execute_with(&ctx, plan, FAST, &mut |_| {}).await });
    while fake.with(|s| s.polls) < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cancel.cancel();
    let out = task.await.unwrap().unwrap();
    assert_eq!(out.status, RunStatus::Cancelled);
    assert!(
        fake.batches().iter().all(|b| b.cancelled),
        "every batch cancelled at the provider"
    );
    let conn = store::open(&db.path).unwrap();
    let jobs = store::batch::jobs(&conn, run_id).unwrap();
    assert!(
        jobs.iter().all(|j| j.state == BatchState::Cancelling),
        "{jobs:?}"
    );
    // A resume ingests what the batches answered before they stopped and asks the rest again.
    fake.with(|s| {
        s.hold = false;
        s.processed_before_expiry = 4;
    });
    let out = go(&db, &context(&db), run_id).await;
    assert_eq!(out.status, RunStatus::Completed, "{out:?}");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class IS NULL"),
        20
    );
    assert_eq!(
        fake.batches().len(),
        4,
        "the cancelled cases in a new batch per arm"
    );
    assert!(fake.batches()[2..].iter().all(|b| b.requests.len() == 6));
}

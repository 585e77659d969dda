//! Each fault ends in a clear state, never a lost or duplicated case: an expired batch, a
//! rejected file, partial errors, 5xx on the status endpoint.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_batch_keeps_what_it_answered_and_the_rest_become_errors_when_so_set() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    fake.with(|s| {
        s.script = Some(vec!["validating", "in_progress", "expired"]);
        s.processed_before_expiry = 3;
    });
    let exp = setup(&db, &fake, 10);
    let run_id = new_run(&db, exp, settings(OnFailure::Error, 0));
    let ended = go_watched(&db, &context(&db), run_id).await;
    ends_clearly(&db, &fake, run_id, &ended, 10);
    assert_eq!(fake.violations(), Vec::<String>::new());
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result"),
        20,
        "every case once"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class IS NULL"),
        6
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class = 'timeout' AND error_message LIKE '%24-hour window%'"),
        14
    );
    assert_eq!(fake.with(|s| s.live_calls), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anthropic_batch_with_expired_requests_falls_back_to_live_calls_when_so_set() {
    let db = temp_db();
    let fake = BatchFake::start(Api::Anthropic).await;
    fake.with(|s| {
        s.expire_unprocessed = true;
        s.processed_before_expiry = 4;
    });
    let exp = setup(&db, &fake, 10);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 0));
    let ended = go_watched(&db, &context(&db), run_id).await;
    ends_clearly(&db, &fake, run_id, &ended, 10);
    assert_eq!(fake.violations(), Vec::<String>::new());
    assert_eq!(
        fake.with(|s| s.live_calls),
        12,
        "6 expired per arm, asked live"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class IS NULL"),
        20
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE latency_ms > 0"),
        12
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_errors_are_asked_again_live_and_each_case_has_one_result() {
    let db = temp_db();
    let fake = BatchFake::start(Api::Anthropic).await;
    let exp = setup(&db, &fake, 8);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 0));
    let plan = Plan::load(&store::open(&db.path).unwrap(), run_id).unwrap();
    fake.with(|s| {
        for c in &plan.cases[..3] {
            s.errored.insert(tunebench_core::provider::batch::custom_id(
                plan.arms[1].prepared.arm.id,
                c.id,
            ));
        }
    });
    let ended = go_watched(&db, &context(&db), run_id).await;
    ends_clearly(&db, &fake, run_id, &ended, 8);
    assert_eq!(fake.with(|s| s.live_calls), 3);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class IS NULL"),
        16
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE latency_ms > 0"),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_batch_file_ends_the_part_and_its_cases_stay_errors_naming_why() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    fake.with(|s| s.reject = true);
    let exp = setup(&db, &fake, 5);
    let run_id = new_run(&db, exp, settings(OnFailure::Error, 0));
    let ended = go_watched(&db, &context(&db), run_id).await;
    ends_clearly(&db, &fake, run_id, &ended, 5);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class = 'bad_request' AND error_message LIKE '%rejected the batch%line 1%does not exist%'"),
        10
    );
    let conn = store::open(&db.path).unwrap();
    let jobs = store::batch::jobs(&conn, run_id).unwrap();
    assert!(
        jobs.iter()
            .all(|j| j.state == BatchState::Ingested
                && j.provider_status.as_deref() == Some("failed"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anthropic_batch_refused_at_creation_falls_back_to_live_calls() {
    let db = temp_db();
    let fake = BatchFake::start(Api::Anthropic).await;
    fake.with(|s| s.reject = true);
    let exp = setup(&db, &fake, 5);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 0));
    let ended = go_watched(&db, &context(&db), run_id).await;
    ends_clearly(&db, &fake, run_id, &ended, 5);
    assert_eq!(fake.with(|s| s.live_calls), 10);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class IS NULL"),
        10
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_on_the_status_endpoint_is_retried_and_never_ends_the_batch() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    fake.with(|s| s.poll_errors = [500, 503, 500].into());
    let exp = setup(&db, &fake, 4);
    let run_id = new_run(&db, exp, settings(OnFailure::Error, 0));
    let ended = go_watched(&db, &context(&db), run_id).await;
    ends_clearly(&db, &fake, run_id, &ended, 4);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class IS NULL"),
        8
    );
    assert_eq!(fake.batches().len(), 2, "no batch submitted twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_endpoint_that_keeps_failing_interrupts_the_run_and_resume_finishes_it() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    fake.with(|s| s.poll_errors = std::iter::repeat_n(500, 20).collect());
    let exp = setup(&db, &fake, 4);
    let run_id = new_run(&db, exp, settings(OnFailure::Error, 0));
    let ctx = context(&db);
    let out = go(&db, &ctx, run_id).await;
    assert_eq!(out.status, RunStatus::Interrupted);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM result"), 0);
    let conn = store::open(&db.path).unwrap();
    let job = &store::batch::jobs(&conn, run_id).unwrap()[0];
    assert!(job.poll_failures >= FAST.max_failures);
    assert!(
        job.error_message
            .as_deref()
            .unwrap()
            .contains("status check failed"),
        "{job:?}"
    );
    fake.with(|s| s.poll_errors.clear());
    let ended = go_watched(&db, &ctx, run_id).await;
    ends_clearly(&db, &fake, run_id, &ended, 4);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class IS NULL"),
        8
    );
    assert_eq!(fake.batches().len(), 2, "resume polled the same batches");
}

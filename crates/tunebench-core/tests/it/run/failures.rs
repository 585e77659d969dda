//! Calls that fail or end oddly: retried until answered, or recorded as an error exactly
//! once, never dropped nor scored; answers without usage, truncated answers and refusals.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_after_its_retry_after_and_then_answered() {
    let db = temp_db();
    let srv = server::start(|req, attempt| {
        if attempt == 1 {
            Reply::Status(
                429,
                vec![("retry-after", "1".into())],
                r#"{"error":{"message":"slow down"}}"#.into(),
            )
        } else {
            chat_json(&echo_label(req), Some(usage(1, 1)))
        }
    })
    .await;
    let exp = setup(&db, &srv, 2, "");
    let started = std::time::Instant::now();
    let (_, outcome, _) = run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(outcome.status, RunStatus::Completed);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 must be waited out"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM result WHERE output IS NOT NULL AND attempts = 2"
        ),
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_timeouts_resets_and_truncated_streams_are_retried_until_answered() {
    let db = temp_db();
    // Each case meets a different transient fault on its first attempt.
    let srv = server::start(|req, attempt| {
        let label = echo_label(req);
        if attempt > 1 {
            return chat_sse(&label, Some(usage(1, 1)), true);
        }
        let n: usize = req.last_user().rsplit(' ').next().unwrap().parse().unwrap();
        match n % 5 {
            0 => error(500, "boom"),
            1 => error(503, "unavailable"),
            2 => Reply::Delay(Duration::from_secs(10), Box::new(chat_json(&label, None))),
            3 => Reply::Drop,
            _ => chat_sse(&label, None, false),
        }
    })
    .await;
    let exp = setup(&db, &srv, 5, "");
    let (run_id, outcome, _) = run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(outcome.status, RunStatus::Completed);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM result WHERE error_class IS NULL AND attempts = 2"
        ),
        10
    );
    let conn = store::open(&db.path).unwrap();
    let s = run::summarize(&conn, &db.path, run_id).unwrap();
    assert!(s
        .arms
        .iter()
        .all(|a| a.errors == 0 && a.metric == Some(1.0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_that_keeps_failing_is_recorded_as_an_error_never_dropped_nor_scored() {
    let db = temp_db();
    let srv = server::start(|req, _| {
        if req.last_user().ends_with("case 0") {
            error(500, "always broken")
        } else {
            chat_json(&echo_label(req), Some(usage(1, 1)))
        }
    })
    .await;
    let exp = setup(&db, &srv, 3, "");
    let (run_id, outcome, _) = run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(outcome.status, RunStatus::Completed);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result"),
        6,
        "no case dropped"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class = 'server' AND http_status = 500 AND attempts = 3 AND error_message LIKE '%always broken%'"),
        2
    );
    let conn = store::open(&db.path).unwrap();
    let s = run::summarize(&conn, &db.path, run_id).unwrap();
    for a in &s.arms {
        assert_eq!((a.n, a.errors, a.answered), (3, 1, 2));
        assert_eq!(a.metric, Some(1.0), "an error is not a wrong answer");
        assert_eq!(a.errors_by_class[0].class, "server");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_recorded_as_malformed_without_retrying() {
    let db = temp_db();
    let srv = server::start(|_, _| Reply::Status(200, vec![], "not json".into())).await;
    let exp = setup(&db, &srv, 2, "stream = false");
    run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM result WHERE error_class = 'malformed' AND attempts = 1"
        ),
        4
    );
    assert_eq!(srv.count(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_without_usage_is_kept_with_unknown_tokens_and_cost() {
    let db = temp_db();
    let srv = server::start(|req, _| chat_json(&echo_label(req), None)).await;
    let exp = setup(&db, &srv, 2, "");
    run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE output IS NOT NULL AND prompt_tokens IS NULL AND cost IS NULL"),
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_answers_are_flagged_and_refusals_are_kept_apart_without_retries() {
    use tunebench_core::report::{self, CaseFilter, ReportOptions};
    let db = temp_db();
    let srv = server::start(|req, _| {
        let label = echo_label(req);
        let whole = |content: serde_json::Value, refusal: serde_json::Value, finish: &str| {
            Reply::Status(
                200,
                vec![],
                serde_json::json!({
                    "id": "chatcmpl-1", "object": "chat.completion", "model": "m",
                    "choices": [{"index": 0, "finish_reason": finish,
                        "message": {"role": "assistant", "content": content, "refusal": refusal}}],
                    "usage": usage(100, 2),
                })
                .to_string(),
            )
        };
        let input = req.last_user();
        if req.body["model"] == "base" && input.contains("t case 0") {
            whole(serde_json::json!(label), serde_json::Value::Null, "length")
        } else if req.body["model"] == "base" && input.contains("t case 1") {
            whole(
                serde_json::Value::Null,
                serde_json::json!("I can't help with that."),
                "stop",
            )
        } else {
            whole(serde_json::json!(label), serde_json::Value::Null, "stop")
        }
    })
    .await;
    let exp = setup(&db, &srv, 6, "stream = false");
    let (run_id, outcome, _) = run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(outcome.status, RunStatus::Completed);
    assert_eq!(srv.count(), 12, "the refusal was not retried");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE finish_reason = 'length' AND output = 'label-billing'"),
        1
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class = 'refused' AND finish_reason = 'refusal' AND error_message LIKE '%I can''t help with that.%'"),
        1
    );

    let conn = store::open(&db.path).unwrap();
    let rep = report::run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
    let a = &rep.arms[0];
    assert_eq!((a.truncated, a.refused), (1, 1), "{a:?}");
    assert_eq!((rep.arms[1].truncated, rep.arms[1].refused), (0, 0));
    let page = report::cases(&conn, run_id, CaseFilter::All, None, 0, 50).unwrap();
    let first = &page.cases[0];
    assert!(first.a.truncated && !first.b.truncated, "{first:?}");
    assert_eq!(page.cases[1].a.error_class.as_deref(), Some("refused"));

    // A resume re-sends failed calls, never a refusal.
    run::clear_errors(&conn, &db.path, run_id).unwrap();
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM result WHERE error_class = 'refused'"
        ),
        1
    );
}

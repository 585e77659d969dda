//! The run engine end to end over real HTTP and a real SQLite file: every case answered
//! or recorded as an error exactly once, retries, the cache, budget, resume, liveness.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tunebench_core::run::{self, Plan, Progress, RunContext, RunOptions, RunStatus};
use tunebench_core::{experiment, store};

use crate::provider_server::{
    self as server, chat_json, chat_sse, echo_label, error, usage, Reply, TestServer,
};
use crate::support::{confirmed_import, seed_dataset, temp_db, toy_cases, TempDb};

/// Writes an experiment with two arms against `srv` into the db's folder, imports it and
/// returns the experiment id. `provider_extra` is appended to the provider table.
fn setup(db: &TempDb, srv: &TestServer, cases: usize, provider_extra: &str) -> i32 {
    let conn = store::open(&db.path).unwrap();
    seed_dataset(&conn, "toy", &toy_cases(cases, "t"), &toy_cases(4, "train"));
    let toml = format!(
        r#"
name = "toy"
dataset = "toy"
[[providers]]
name = "local"
kind = "openai_compatible"
base_url = "{}/v1"
max_concurrency = 4
timeout_s = 2
max_attempts = 3
backoff_initial_ms = 10
{provider_extra}

[[arms]]
name = "prompting"
provider = "local"
model = "base"
system = "Answer with the label."
template = "[{{{{lang}}}}] Input: {{{{input}}}}"
few_shot = {{ k = 2, strategy = "random", seed = 3 }}
max_tokens = 8
price = {{ input = 1.0, output = 2.0 }}

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "local"
model = "ft"
template = "Input: {{{{input}}}}"
max_tokens = 8
"#,
        srv.base_url
    );
    let path = db.dir.path().join("exp.toml");
    std::fs::write(&path, toml).unwrap();
    confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap()
}

fn context(db: &Path) -> RunContext {
    RunContext {
        db_path: db.to_path_buf(),
        client: reqwest::Client::new(),
        keys: Arc::new(|_| None),
        prices: Arc::new(run::ArmPriceOverride),
        cancel: CancellationToken::new(),
        seed: 1,
    }
}

async fn run_new(
    db: &TempDb,
    experiment_id: i32,
    options: RunOptions,
) -> (i32, run::RunOutcome, Vec<Progress>) {
    let conn = store::open(&db.path).unwrap();
    let run_id = run::create(&conn, experiment_id, &options, None).unwrap();
    let plan = Plan::load(&conn, run_id).unwrap();
    let mut events = Vec::new();
    let outcome = run::execute(&context(&db.path), plan, &mut |p: &Progress| {
        events.push(p.clone())
    })
    .await
    .unwrap();
    (run_id, outcome, events)
}

fn count(db: &TempDb, sql: &str) -> i64 {
    let conn = store::open(&db.path).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn label_server() -> impl Fn(&server::Recorded, u32) -> Reply + Send + Sync + 'static {
    |req, _| chat_sse(&echo_label(req), Some(usage(100, 2)), true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_run_answers_every_case_of_both_arms_once_and_records_usage_latency_and_cost() {
    let db = temp_db();
    let srv = server::start(label_server()).await;
    let exp = setup(&db, &srv, 12, "");
    let (run_id, outcome, events) = run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(outcome.status, RunStatus::Completed);
    assert_eq!(outcome.written, 24);
    assert_eq!(srv.count(), 24, "one request per (arm, case)");
    assert!(
        srv.per_input().values().all(|&n| n <= 2),
        "each input once per arm"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM result WHERE output IS NOT NULL AND prompt_tokens = 100 AND ttft_ms IS NOT NULL AND latency_ms > 0"), 24);
    // Arm A has a price: 100 in × $1/M + 2 out × $2/M.
    let conn = store::open(&db.path).unwrap();
    let cost: f64 = conn
        .query_row("SELECT cost FROM result r JOIN arm a ON a.id = r.arm_id WHERE a.name = 'prompting' LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!((cost - 104e-6).abs() < 1e-12, "{cost}");
    let summary = run::summarize(&conn, &db.path, run_id).unwrap();
    let a = &summary.arms[0];
    assert_eq!((a.n, a.errors, a.answered), (12, 0, 12));
    assert_eq!(a.metric, Some(1.0), "the server echoes the right label");
    assert!(a.latency_ms_p50.is_some() && a.latency_ms_p95 >= a.latency_ms_p50);
    assert_eq!(summary.arms[1].cost_per_query, None, "arm B has no price");
    let last = events.last().unwrap();
    assert_eq!(last.arms.iter().map(|a| a.done).sum::<u32>(), 24);
    assert!(
        (last.spend_usd - 12.0 * 104e-6).abs() < 1e-9,
        "spend {}",
        last.spend_usd
    );
    // The few-shot examples and metadata column reached the prompt.
    let first = srv
        .requests
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.body["model"] == "base")
        .cloned()
        .unwrap();
    let msgs = first.body["messages"].as_array().unwrap().clone();
    assert_eq!(msgs.len(), 1 + 4 + 1, "system, 2 few-shot pairs, the case");
    assert!(msgs[5]["content"]
        .as_str()
        .unwrap()
        .starts_with("[en] Input: label-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_never_exceeds_the_providers_bound() {
    let db = temp_db();
    let srv = server::start(|req, _| {
        Reply::Delay(
            Duration::from_millis(40),
            Box::new(chat_json(&echo_label(req), Some(usage(1, 1)))),
        )
    })
    .await;
    let exp = setup(&db, &srv, 15, "");
    let (_, outcome, _) = run_new(
        &db,
        exp,
        RunOptions {
            concurrency: Some(3),
            ..RunOptions::default()
        },
    )
    .await;
    assert_eq!(outcome.status, RunStatus::Completed);
    let peak = srv.peak_in_flight();
    assert!(peak <= 3, "{peak} calls in flight at concurrency 3");
    assert!(
        peak >= 2,
        "30 slow calls at concurrency 3 must overlap; peak {peak}"
    );
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_estimate_counts_calls_and_prices_input_tokens_and_the_output_bound() {
    let db = temp_db();
    let srv = server::start(label_server()).await;
    let exp = setup(&db, &srv, 10, "");
    let conn = store::open(&db.path).unwrap();
    let run_id = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    let plan = Plan::load(&conn, run_id).unwrap();
    let e = run::estimate(&plan, &run::ArmPriceOverride).unwrap();
    assert_eq!(e.calls, 20);
    let a = &e.arms[0];
    assert_eq!(a.calls, 10);
    assert_eq!(a.max_output_tokens, 80.0, "10 calls × max_tokens 8");
    assert!(
        a.input_tokens > 10.0 * 20.0,
        "system + 2 shots + case: {}",
        a.input_tokens
    );
    let expected = (a.input_tokens * 1.0 + 80.0 * 2.0) / 1e6;
    assert!((a.cost_usd.unwrap() - expected).abs() < 1e-12);
    assert_eq!(e.unpriced_arms, vec!["fine-tuned".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prompt_preview_renders_a_chosen_case_with_its_token_count() {
    let db = temp_db();
    let srv = server::start(label_server()).await;
    let exp = setup(&db, &srv, 3, "");
    let conn = store::open(&db.path).unwrap();
    let e = store::experiment::get(&conn, exp).unwrap();
    let arm = store::arm::get(&conn, e.arm_ids[0]).unwrap();
    let case_id: i32 = conn
        .query_row(
            "SELECT id FROM example WHERE split = 'test' ORDER BY ordinal LIMIT 1 OFFSET 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let p = tunebench_core::arm::preview(&conn, arm, case_id).unwrap();
    assert_eq!(p.messages.len(), 6, "system, two few-shot pairs, the case");
    assert_eq!(p.messages[5].content, "[en] Input: label-shipping t case 1");
    assert_eq!(
        p.tokens,
        tunebench_core::arm::tokens::count_messages("base", &p.messages)
    );
    assert!(p.tokens > 20);
    assert_eq!(store::run::list(&conn, Some(exp)).unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_per_minute_paces_the_calls() {
    let db = temp_db();
    let srv = server::start(|req, _| chat_json(&echo_label(req), Some(usage(1, 1)))).await;
    // 1,200 per minute = one every 50 ms: 8 calls need at least 7 intervals.
    let exp = setup(&db, &srv, 4, "requests_per_minute = 1200");
    let started = std::time::Instant::now();
    let (_, outcome, _) = run_new(&db, exp, RunOptions::default()).await;
    assert_eq!(outcome.status, RunStatus::Completed);
    assert!(
        started.elapsed() >= Duration::from_millis(350),
        "8 calls at 1,200/min took {:?}",
        started.elapsed()
    );
}

#[test]
fn the_catalog_prices_an_arm_that_names_no_price_of_its_own() {
    use tunebench_core::arm::{Arm, ArmKind, ArmParams, Price};
    use tunebench_core::run::{CatalogPrices, PriceLookup};
    let conn = tunebench_core::store::open_in_memory().unwrap();
    let prices = CatalogPrices::load(&conn).unwrap();
    let provider = tunebench_core::provider::Provider {
        id: 1,
        name: "openai".into(),
        kind: tunebench_core::provider::ProviderKind::OpenAi,
        base_url: "https://api.openai.com/v1".into(),
        api_key_env: None,
        settings: Default::default(),
    };
    let arm = |model: &str, price: Option<Price>| Arm {
        id: 1,
        name: "a".into(),
        kind: ArmKind::Prompt,
        provider_id: 1,
        model: model.into(),
        system_prompt: String::new(),
        template: "{{input}}".into(),
        few_shot: None,
        retrieval: None,
        params: ArmParams {
            price,
            ..Default::default()
        },
    };
    let seeded = prices.price(&provider, &arm("gpt-4.1-mini", None)).unwrap();
    assert_eq!(
        (seeded.input, seeded.output),
        (Some(0.40), Some(1.60)),
        "PRICES.md"
    );
    let own = Price {
        input: Some(9.0),
        cached_input: None,
        cache_write: None,
        output: Some(9.0),
        training: None,
        hosting_per_hour: None,
    };
    assert_eq!(
        prices.price(&provider, &arm("gpt-4.1-mini", Some(own))),
        Some(own),
        "the arm's own price wins"
    );
    assert_eq!(
        prices.price(&provider, &arm("my-model", None)),
        None,
        "unknown is unpriced, not $0"
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_added_after_a_run_prices_its_recorded_answers() {
    use tunebench_core::price::{self, Origin, PriceEntry, PriceKind};
    let db = temp_db();
    let srv = server::start(label_server()).await;
    let exp = setup(&db, &srv, 6, "");
    let (run_id, _, _) = run_new(&db, exp, RunOptions::default()).await;
    let conn = store::open(&db.path).unwrap();
    assert_eq!(
        run::summarize(&conn, &db.path, run_id).unwrap().arms[1].cost_per_query,
        None
    );
    assert_eq!(
        run::backfill::price_unpriced(&conn).unwrap(),
        0,
        "no price yet: nothing to do"
    );
    price::save_custom(
        &conn,
        &PriceEntry {
            provider: "openai_compatible".into(),
            model_pattern: "ft".into(),
            kind: PriceKind::FineTuned,
            input: Some(3.0),
            cached_input: None,
            cache_write: None,
            output: Some(12.0),
            batch_multiplier: None,
            training: None,
            training_unit: None,
            hosting_per_hour: None,
            retirement_date: None,
            source: "quote".into(),
            as_of: "2026-11-30".into(),
            origin: Origin::Custom,
        },
    )
    .unwrap();
    assert_eq!(
        run::backfill::price_unpriced(&conn).unwrap(),
        6,
        "each answer of arm B"
    );
    let b = &run::summarize(&conn, &db.path, run_id).unwrap().arms[1];
    // 100 prompt tokens × $3/M + 2 completion tokens × $12/M, as the server reports.
    let per_query = b.cost_per_query.unwrap();
    assert!((per_query - 324e-6).abs() < 1e-12, "{per_query}");
    let a = &run::summarize(&conn, &db.path, run_id).unwrap().arms[0];
    assert!(
        (a.cost_per_query.unwrap() - 104e-6).abs() < 1e-12,
        "a priced arm keeps its cost"
    );
    assert_eq!(
        run::backfill::price_unpriced(&conn).unwrap(),
        0,
        "priced once"
    );
}

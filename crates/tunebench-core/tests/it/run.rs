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

mod failures;
mod stopping;

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

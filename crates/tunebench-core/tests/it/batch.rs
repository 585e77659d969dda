//! Batch runs end to end against the strict fakes of the three batch APIs: every case
//! answered once (by its batch, or live for the latency sample and the fallbacks), priced
//! at the batch price, the batches' ids and states in the store, resume after a kill,
//! cancel, and each fault ending in a clear state.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tunebench_core::provider::ApiKey;
use tunebench_core::run::batch::{self, BatchSettings, BatchState, OnFailure, PollTiming};
use tunebench_core::run::{self, Plan, RunContext, RunOptions, RunStatus};
use tunebench_core::{experiment, store};

use crate::batch_fakes::{BatchFake, KEY};
use crate::provider_fakes::Api;
use crate::support::{confirmed_import, seed_dataset, temp_db, toy_cases, TempDb};

mod bench;
mod cost_report;
mod faults;
mod resume;
mod window;

/// Imports an experiment with two arms on `fake`'s provider; returns the experiment id.
fn setup(db: &TempDb, fake: &BatchFake, cases: usize) -> i32 {
    setup_at(db, fake.api, &fake.base_url(), cases)
}

/// [`setup`] for a fake of `api` at `base_url` (its provider row's base URL).
fn setup_at(db: &TempDb, api: Api, base_url: &str, cases: usize) -> i32 {
    let conn = store::open(&db.path).unwrap();
    seed_dataset(&conn, "toy", &toy_cases(cases, "t"), &toy_cases(4, "train"));
    let (kind, model) = match api {
        Api::OpenAi => ("openai", "gpt-4.1-mini"),
        Api::Azure => ("azure_openai", "gpt-4.1-mini"),
        Api::Anthropic => ("anthropic", "claude-haiku-4-5"),
    };
    let toml = format!(
        r#"
name = "toy"
dataset = "toy"
[[providers]]
name = "fake"
kind = "{kind}"
base_url = "{base_url}"
api_key_env = "TUNEBENCH_BATCH_FAKE_KEY"
max_concurrency = 4
timeout_s = 5
max_attempts = 2
backoff_initial_ms = 10
stream = false

[[arms]]
name = "prompting"
provider = "fake"
model = "{model}"
system = "Answer with the label."
template = "[{{{{lang}}}}] Input: {{{{input}}}}"
max_tokens = 8
price = {{ input = 1.0, output = 2.0 }}

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "fake"
model = "{model}"
template = "Input: {{{{input}}}}"
max_tokens = 8
price = {{ input = 1.0, output = 2.0, training = 3.0 }}
"#
    );
    let path = db.dir.path().join("exp.toml");
    std::fs::write(&path, toml).unwrap();
    confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap()
}

fn context(db: &TempDb) -> RunContext {
    let conn = store::open(&db.path).unwrap();
    RunContext {
        db_path: db.path.clone(),
        client: reqwest::Client::new(),
        keys: Arc::new(|_| Some(ApiKey::new(KEY))),
        prices: Arc::new(run::CatalogPrices::load(&conn).unwrap()),
        cancel: CancellationToken::new(),
        seed: 1,
    }
}

const FAST: PollTiming = PollTiming {
    every: Duration::from_millis(10),
    max: Duration::from_millis(80),
    max_failures: 4,
};

fn new_run(db: &TempDb, exp: i32, settings: BatchSettings) -> i32 {
    let conn = store::open(&db.path).unwrap();
    batch::create(&conn, exp, &RunOptions::default(), None, &settings).unwrap()
}

async fn go(db: &TempDb, ctx: &RunContext, run_id: i32) -> run::RunOutcome {
    let plan = Plan::load(&store::open(&db.path).unwrap(), run_id).unwrap();
    batch::execute_with(ctx, plan, FAST, &mut |_| {})
        .await
        .unwrap()
}

/// [`go`], also returning the last progress the session reported.
async fn go_watched(
    db: &TempDb,
    ctx: &RunContext,
    run_id: i32,
) -> (run::RunOutcome, run::Progress) {
    let plan = Plan::load(&store::open(&db.path).unwrap(), run_id).unwrap();
    let mut last = None;
    let out = batch::execute_with(ctx, plan, FAST, &mut |p| last = Some(p.clone()))
        .await
        .unwrap();
    (out, last.unwrap())
}

/// The clear end a fault must reach, with nothing lost or duplicated: the run completed
/// and every batch ingested; each of the `cases` cases of both arms has one result row,
/// written once by this session and counted once by its progress; no case went into two
/// batches the provider accepted.
fn ends_clearly(
    db: &TempDb,
    fake: &BatchFake,
    run_id: i32,
    ended: &(run::RunOutcome, run::Progress),
    cases: u32,
) {
    stored_once(db, run_id, ended, cases);
    let mut seen = std::collections::HashSet::new();
    for b in fake.batches() {
        for (custom_id, _) in &b.requests {
            assert!(seen.insert(custom_id.clone()), "{custom_id} in two batches");
        }
    }
}

/// What [`ends_clearly`] checks in the store and the session's counts.
fn stored_once(
    db: &TempDb,
    run_id: i32,
    (out, last): &(run::RunOutcome, run::Progress),
    cases: u32,
) {
    assert_eq!(out.status, RunStatus::Completed);
    assert_eq!(out.written, 2 * cases, "each case written once");
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM result"),
        i64::from(2 * cases)
    );
    for a in &last.arms {
        assert_eq!(
            (a.done, a.total),
            (cases, cases),
            "{a:?}: each case counted once"
        );
    }
    let conn = store::open(&db.path).unwrap();
    let jobs = store::batch::jobs(&conn, run_id).unwrap();
    assert!(!jobs.is_empty());
    assert!(
        jobs.iter().all(|j| j.state == BatchState::Ingested),
        "{jobs:?}"
    );
}

fn count(db: &TempDb, sql: &str) -> i64 {
    store::open(&db.path)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn settings(on_failure: OnFailure, latency_sample: u32) -> BatchSettings {
    BatchSettings {
        on_failure,
        latency_sample,
    }
}

/// The whole path for one API: 30 cases × 2 arms, 5 of them live per arm.
async fn clean_run(api: Api) {
    let db = temp_db();
    let fake = BatchFake::start(api).await;
    let exp = setup(&db, &fake, 30);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 5));
    let out = go(&db, &context(&db), run_id).await;
    assert_eq!(out.status, RunStatus::Completed, "{api:?}");
    assert_eq!(fake.violations(), Vec::<String>::new(), "{api:?}");
    assert_eq!(fake.batches().len(), 2, "{api:?}: one batch per arm");
    assert!(fake.batches().iter().all(|b| b.requests.len() == 25));
    assert_eq!(
        fake.with(|s| s.live_calls),
        10,
        "{api:?}: the latency sample only"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM result"), 60);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class IS NULL"),
        60
    );
    // Batched answers carry no latency; the live sample does.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE latency_ms IS NULL"),
        50
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE latency_ms > 0"),
        10
    );
    let conn = store::open(&db.path).unwrap();
    let jobs = store::batch::jobs(&conn, run_id).unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs
        .iter()
        .all(|j| j.state == BatchState::Ingested && j.provider_batch_id.is_some()));
    let summary = run::summarize(&conn, &db.path, run_id).unwrap();
    assert_eq!(
        summary.arms[0].metric,
        Some(1.0),
        "{api:?}: the fake answers right"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openai_batch_run_answers_every_case_once_by_batch_or_by_the_live_sample() {
    clean_run(Api::OpenAi).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_azure_global_batch_run_answers_every_case_once_under_openai_v1() {
    clean_run(Api::Azure).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anthropic_message_batches_run_answers_every_case_once() {
    clean_run(Api::Anthropic).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_answers_cost_the_catalogs_batch_price_and_the_live_sample_the_live_price() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    let exp = setup(&db, &fake, 12);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 2));
    go(&db, &context(&db), run_id).await;
    // 100 in × $1/M + 2 out × $2/M = $104e-6 live; gpt-4.1-mini's catalog multiplier is 0.5.
    let conn = store::open(&db.path).unwrap();
    let costs: Vec<(f64, bool)> = conn
        .prepare("SELECT cost, latency_ms IS NULL FROM result")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(costs.len(), 24);
    for (cost, batched) in costs {
        let want = if batched { 52e-6 } else { 104e-6 };
        assert!(
            (cost - want).abs() < 1e-12,
            "cost {cost}, batched {batched}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_lines_body_is_exactly_the_live_request_body_of_the_same_case() {
    // A case the batch errors is asked again live: both requests reach the fake.
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    let exp = setup(&db, &fake, 6);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 0));
    let conn = store::open(&db.path).unwrap();
    let plan = Plan::load(&conn, run_id).unwrap();
    let (arm, case) = (plan.arms[0].prepared.arm.id, plan.cases[2].id);
    let cid = tunebench_core::provider::batch::custom_id(arm, case);
    fake.with(|s| s.errored.insert(cid.clone()));
    let out = go(&db, &context(&db), run_id).await;
    assert_eq!(out.status, RunStatus::Completed);
    let batched = fake
        .batches()
        .iter()
        .flat_map(|b| b.requests.clone())
        .find(|(id, _)| *id == cid)
        .unwrap()
        .1;
    let live: Vec<_> = fake
        .srv
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.path == "/v1/chat/completions")
        .map(|r| r.body.clone())
        .collect();
    assert_eq!(
        live,
        vec![batched],
        "the one live call is the batch line's body"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM result WHERE error_class IS NULL"),
        12
    );
}

#[test]
fn a_batch_job_round_trips_through_the_store_and_an_ingested_one_never_moves_back() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let exp = {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let fake = rt.block_on(BatchFake::start(Api::OpenAi));
        setup(&db, &fake, 3)
    };
    let run_id = new_run(&db, exp, settings(OnFailure::Error, 7));
    assert_eq!(
        batch::settings(&conn, run_id).unwrap(),
        Some(settings(OnFailure::Error, 7))
    );
    let live = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    assert_eq!(
        batch::settings(&conn, live).unwrap(),
        None,
        "a live run is no batch run"
    );
    let arm_id = Plan::load(&conn, run_id).unwrap().arms[0].prepared.arm.id;
    let mut job = batch::BatchJob {
        run_id,
        arm_id,
        part: 0,
        case_ids: vec![1, 2, 3],
        input_file_id: Some("file-1".into()),
        provider_batch_id: Some("batch_1".into()),
        state: BatchState::InProgress,
        provider_status: Some("in_progress".into()),
        total: 3,
        succeeded: 1,
        failed: 0,
        error_message: None,
        poll_failures: 2,
    };
    store::batch::save_job(&conn, &job).unwrap();
    assert_eq!(
        store::batch::jobs(&conn, run_id).unwrap(),
        vec![job.clone()]
    );
    job.state = BatchState::Ingested;
    store::batch::save_job(&conn, &job).unwrap();
    let mut back = job.clone();
    back.state = BatchState::InProgress;
    store::batch::save_job(&conn, &back).unwrap();
    assert_eq!(
        store::batch::jobs(&conn, run_id).unwrap()[0].state,
        BatchState::Ingested
    );
    let p = batch::progress(&conn, run_id).unwrap();
    assert_eq!(
        (p[0].submitted, p[0].in_progress, p[0].completed),
        (3, 0, 1)
    );
}

#[test]
fn a_store_from_before_batch_runs_gains_the_batch_tables_and_keeps_its_runs_live() {
    let db = temp_db();
    {
        let raw = crate::support::raw(&db.path);
        for sql in [
            include_str!("../../migrations/0001_init.sql"),
            include_str!("../../migrations/0002_finish_reason_and_cache_writes.sql"),
            include_str!("../../migrations/0003_fine_tune_jobs.sql"),
            include_str!("../../migrations/0004_local_provider.sql"),
        ] {
            raw.execute_batch(sql).unwrap();
        }
        raw.execute_batch(
            "INSERT INTO dataset (id, name, source_file, source_format, imported_at) VALUES (1, 'd', 'f', 'csv', 't');
             INSERT INTO experiment (id, name, dataset_id, created_at) VALUES (1, 'e', 1, 't');
             INSERT INTO run (id, experiment_id, started_at, status) VALUES (3, 1, 't', 'completed');",
        )
        .unwrap();
        raw.pragma_update(None, "user_version", 4).unwrap();
    }
    let conn = store::open(&db.path).unwrap();
    assert_eq!(store::schema_version(&conn).unwrap(), store::LATEST_VERSION);
    assert_eq!(
        batch::settings(&conn, 3).unwrap(),
        None,
        "an old run is a live run"
    );
    assert!(store::batch::jobs(&conn, 3).unwrap().is_empty());
    store::batch::create_run(&conn, 3, &BatchSettings::default()).unwrap();
    assert_eq!(
        batch::settings(&conn, 3).unwrap(),
        Some(settings(OnFailure::Live, 200))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_runs_latency_is_labelled_as_sampled_with_its_counts() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    let exp = setup(&db, &fake, 9);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 4));
    go(&db, &context(&db), run_id).await;
    let conn = store::open(&db.path).unwrap();
    assert_eq!(
        batch::latency_note(&conn, run_id).unwrap().unwrap(),
        "Latency and time to first token are sampled: measured on a live sample (4 cases of \
         prompting, 4 cases of fine-tuned; 4 requested per arm, seeded), since the 10 answers \
         that came through the batch API carry no serving latency."
    );
    let summary = run::summarize(&conn, &db.path, run_id).unwrap();
    assert!(summary.arms.iter().all(|a| a.latency_ms_p50.is_some()));
    let live = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    assert_eq!(batch::latency_note(&conn, live).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_estimate_shows_the_run_live_and_batched_with_the_sample_at_the_live_price() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    let exp = setup(&db, &fake, 20);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 5));
    let conn = store::open(&db.path).unwrap();
    let plan = Plan::load(&conn, run_id).unwrap();
    let prices = run::CatalogPrices::load(&conn).unwrap();
    let e = batch::estimate(&plan, &prices, &settings(OnFailure::Live, 5)).unwrap();
    let live = e.live.cost_usd.unwrap();
    let batched = e.batch_cost_usd.unwrap();
    // 5 of 20 calls per arm live, 15 at half price: 5/20 + 15/20 × 0.5 = 0.625 of live.
    assert!((batched / live - 0.625).abs() < 1e-9, "{batched} vs {live}");
    assert!(e
        .arms
        .iter()
        .all(|a| a.sample_calls == 5 && a.batch_calls == 15));
    assert_eq!(e.arms[0].multiplier, Some(0.5));
    let s = e.sentence();
    assert!(
        s.contains(&tunebench_core::money::usd(live))
            && s.contains(&tunebench_core::money::usd(batched)),
        "{s}"
    );
    assert!(
        s.contains("30 calls batched") && s.contains("10 sent live"),
        "{s}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cost_models_batch_share_of_a_batch_run_is_the_share_its_batches_answered() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    let exp = setup(&db, &fake, 12);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 3));
    go(&db, &context(&db), run_id).await;
    let conn = store::open(&db.path).unwrap();
    let s = tunebench_core::report::measured_scenario(&conn, run_id, "2026-12-01", None).unwrap();
    // 3 of 12 cases per arm live (the latency sample), 9 through the batch: 9/12.
    for a in [&s.arm_a, &s.arm_b] {
        assert!((a.batch_share - 0.75).abs() < 1e-12, "{}", a.batch_share);
        assert_eq!(
            a.price.batch_multiplier, 0.5,
            "gpt-4.1-mini's catalog batch price"
        );
    }
    let live = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    drop(conn);
    let plan = Plan::load(&store::open(&db.path).unwrap(), live).unwrap();
    run::execute(&context(&db), plan, &mut |_| {})
        .await
        .unwrap();
    let conn = store::open(&db.path).unwrap();
    let s = tunebench_core::report::measured_scenario(&conn, live, "2026-12-01", None).unwrap();
    assert!(
        s.arm_a.batch_share == 0.0 && s.arm_a.price.batch_multiplier == 1.0,
        "a live run's scenario is as before"
    );
}

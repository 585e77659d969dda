//! Fine-tuning: the training examples a train split becomes, and the job model.

use std::path::Path;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tunebench_core::finetune::{self, to_jsonl, training_examples};
use tunebench_core::provider::Role;
use tunebench_core::run::{self, Plan, RunContext, RunOptions};
use tunebench_core::{experiment, store, ErrorCode};

use crate::provider_server::{self as server, chat_sse, echo_label, usage};
use crate::support::{confirmed_import, seed_dataset, temp_db, toy_cases, TempDb};

/// An experiment over every row of a toy dataset (3 test, 6 train) with one fine-tuned arm
/// against `base_url`; returns (experiment id, dataset id, arm id).
fn setup(db: &TempDb, base_url: &str) -> (i32, i32, i32) {
    let conn = store::open(&db.path).unwrap();
    let ds = seed_dataset(&conn, "toy", &toy_cases(3, "t"), &toy_cases(6, "train"));
    let toml = format!(
        r#"
name = "toy"
dataset = "toy"
split = "all"
[[providers]]
name = "local"
kind = "openai_compatible"
base_url = "{base_url}/v1"
max_attempts = 1

[[arms]]
name = "prompting"
provider = "local"
model = "base"
system = "Answer with the label."
template = "[{{{{lang}}}}] Input: {{{{input}}}}"
max_tokens = 8
"#
    );
    let path = db.dir.path().join("exp.toml");
    std::fs::write(&path, toml).unwrap();
    let exp = confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap();
    let arm = store::experiment::get(&conn, exp).unwrap().arm_ids[0];
    (exp, ds, arm)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_training_example_carries_exactly_the_messages_the_engine_sends_for_its_row() {
    let db = temp_db();
    let srv = server::start(|req, _| chat_sse(&echo_label(req), Some(usage(10, 2)), true)).await;
    let (exp, ds, arm_id) = setup(&db, &srv.base_url);
    let conn = store::open(&db.path).unwrap();
    let arm = store::arm::get(&conn, arm_id).unwrap();
    let examples = training_examples(&conn, ds, &arm).unwrap();
    assert_eq!(examples.len(), 6, "the six train rows, no test row");

    let run_id = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    let plan = Plan::load(&conn, run_id).unwrap();
    run::execute(&context(&db.path), plan, &mut |_| {})
        .await
        .unwrap();
    let sent = srv.requests.lock().unwrap().clone();
    for ex in &examples {
        let (answer, prompt) = ex.messages.split_last().unwrap();
        assert_eq!(answer.role, Role::Assistant);
        let user = &prompt.last().unwrap().content;
        let req = sent
            .iter()
            .find(|r| &r.last_user() == user)
            .unwrap_or_else(|| panic!("the engine sent no request whose user message is {user:?}"));
        let wire: Vec<(String, String)> = req.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["role"].as_str().unwrap().to_string(),
                    m["content"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let ours: Vec<(String, String)> = prompt
            .iter()
            .map(|m| (m.role.as_str().to_string(), m.content.clone()))
            .collect();
        assert_eq!(ours, wire, "row {}", ex.row);
    }
    let first = &examples[0];
    assert_eq!(first.messages[0].content, "Answer with the label.");
    assert_eq!(
        first.messages[1].content,
        "[en] Input: label-billing train case 0"
    );
    assert_eq!(first.answer(), "label-billing");
    let line = to_jsonl(&examples[..1]);
    let v: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
    assert_eq!(v["messages"][2]["role"], "assistant");
    assert_eq!(v["messages"][2]["content"], "label-billing");
    assert!(line.ends_with('\n'));
}

#[test]
fn a_train_row_that_repeats_a_test_input_once_folded_refuses_the_whole_set() {
    let db = temp_db();
    let (_, ds, arm_id) = setup(&db, "http://127.0.0.1:9");
    let conn = store::open(&db.path).unwrap();
    let arm = store::arm::get(&conn, arm_id).unwrap();
    // A near-duplicate of test row 1 ("label-billing t case 0"): case and punctuation differ.
    let leak = seed_dataset(
        &conn,
        "leaky",
        &[("Where is my parcel?".into(), "shipping".into())],
        &[
            ("refund please".into(), "billing".into()),
            ("where is my PARCEL".into(), "shipping".into()),
        ],
    );
    let err = training_examples(&conn, leak, &arm).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let msg = err.to_string();
    assert!(
        msg.contains("1 train rows repeat a test input (rows 3)"),
        "{msg}"
    );
    assert!(training_examples(&conn, ds, &arm).is_ok());
}

#[test]
fn a_dataset_without_train_rows_has_nothing_to_train_on() {
    let db = temp_db();
    let (_, _, arm_id) = setup(&db, "http://127.0.0.1:9");
    let conn = store::open(&db.path).unwrap();
    let arm = store::arm::get(&conn, arm_id).unwrap();
    let none = seed_dataset(&conn, "none", &toy_cases(2, "t"), &[]);
    let msg = training_examples(&conn, none, &arm)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("has no train rows"), "{msg}");
    assert!(
        msg.contains("Split on its dataset screen"),
        "the window's way first: {msg}"
    );
}

#[test]
fn few_shot_examples_are_dropped_from_training_and_from_the_fine_tuned_arm() {
    let db = temp_db();
    let (_, ds, arm_id) = setup(&db, "http://127.0.0.1:9");
    let conn = store::open(&db.path).unwrap();
    let mut arm = store::arm::get(&conn, arm_id).unwrap();
    arm.few_shot = Some(tunebench_core::arm::FewShot {
        k: 2,
        strategy: tunebench_core::arm::FewShotStrategy::Random,
        seed: Some(1),
        ids: vec![],
    });
    let examples = training_examples(&conn, ds, &arm).unwrap();
    assert!(examples.iter().all(|e| e.messages.len() == 3));
    assert_eq!(finetune::training_arm(&arm).few_shot, None);
}

fn preflight_req(
    ds: i32,
    arm: i32,
    trainer: finetune::Trainer,
    model: &str,
) -> finetune::PreflightRequest {
    finetune::PreflightRequest {
        dataset_id: ds,
        arm_id: arm,
        trainer,
        base_model: model.into(),
        hyperparameters: finetune::Hyperparameters::default(),
        spend_ceiling: None,
    }
}

#[test]
fn preflight_for_openai_counts_with_tiktoken_refuses_too_few_rows_and_prices_tokens_times_epochs() {
    let db = temp_db();
    let (_, _, arm) = setup(&db, "http://127.0.0.1:9");
    let conn = store::open(&db.path).unwrap();
    let mut train = toy_cases(12, "train");
    train.push(train[0].clone());
    train.push(("label-shipping train case 1".into(), "".into()));
    let ds = seed_dataset(&conn, "ft", &toy_cases(3, "t"), &train);
    let r = finetune::preflight(
        &conn,
        &preflight_req(
            ds,
            arm,
            finetune::Trainer::OpenAi,
            "gpt-4.1-mini-2025-04-14",
        ),
    )
    .unwrap();
    assert_eq!(r.examples, 14);
    assert_eq!(r.token_method, finetune::preflight::TokenMethod::O200kBase);
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    for c in [
        "empty_answer",
        "duplicates",
        "conflicting_answers",
        "few_examples",
        "closing",
    ] {
        assert!(codes.contains(&c), "{c} in {codes:?}");
    }
    assert!(!r.ok, "an empty answer refuses Start");
    let empty = r
        .findings
        .iter()
        .find(|f| f.code == "empty_answer")
        .unwrap();
    assert_eq!(empty.rows, vec![3 + 14]);
    let closing = r.findings.iter().find(|f| f.code == "closing").unwrap();
    assert!(
        closing.message.contains("2027-01-06"),
        "{}",
        closing.message
    );
    // 14 examples: OpenAI's automatic epochs see at least 100 examples, so 8.
    let e = &r.estimate;
    assert_eq!(e.epochs, 8);
    assert_eq!(
        e.price_per_1m,
        Some(5.0),
        "ft:gpt-4.1-mini* in the seed catalog"
    );
    let cost = e.training_cost.unwrap();
    assert!((cost - e.tokens_per_epoch * 8.0 * 5.0 / 1e6).abs() < 1e-12);
    assert!(e.tokens_per_epoch > 14.0 * 10.0, "{}", e.tokens_per_epoch);
}

#[test]
fn preflight_for_together_says_its_tokens_are_chars_over_four_and_names_the_missing_price() {
    let db = temp_db();
    let (_, ds, arm) = setup(&db, "http://127.0.0.1:9");
    let conn = store::open(&db.path).unwrap();
    let mut req = preflight_req(
        ds,
        arm,
        finetune::Trainer::Together,
        "meta-llama/Llama-3.2-3B-Instruct",
    );
    req.spend_ceiling = Some(0.01);
    let r = finetune::preflight(&conn, &req).unwrap();
    assert_eq!(r.token_method, finetune::preflight::TokenMethod::CharsOver4);
    assert!(r.token_method.describe().contains("characters / 4"));
    assert_eq!(r.estimate.epochs, 1);
    assert_eq!(r.estimate.training_cost, None);
    let why = r.estimate.missing.as_deref().unwrap();
    assert!(why.contains("no per-token training price"), "{why}");
    assert!(
        r.ok,
        "a missing price is a warning, not a refusal: {:?}",
        r.findings
    );

    tunebench_core::price::save_custom(
        &conn,
        &tunebench_core::price::PriceEntry {
            provider: "together".into(),
            model_pattern: "meta-llama/Llama-3.2-3B-Instruct".into(),
            kind: tunebench_core::price::PriceKind::FineTuned,
            input: None,
            cached_input: None,
            cache_write: None,
            output: None,
            batch_multiplier: None,
            training: Some(500.0),
            training_unit: Some(tunebench_core::price::TrainingUnit::PerMillionTokens),
            hosting_per_hour: None,
            retirement_date: None,
            source: "test".into(),
            as_of: "2026-11-30".into(),
            origin: tunebench_core::price::Origin::Custom,
        },
    )
    .unwrap();
    let r = finetune::preflight(&conn, &req).unwrap();
    assert!(r.estimate.training_cost.unwrap() > 0.01);
    assert!(r.findings.iter().any(|f| f.code == "over_ceiling"));
    assert!(!r.ok);
}

// --- jobs against the fakes ---

mod jobs {
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use tunebench_core::finetune::flow::{self, Context, StartRequest};
    use tunebench_core::finetune::{self, Hyperparameters, JobStatus, Trainer};
    use tunebench_core::provider::{ApiKey, ProviderKind, ProviderSettings};
    use tunebench_core::{price, store, ErrorCode};

    use crate::finetune_fakes::{self as fakes, Fake, FakeServer, KEY};
    use crate::support::{seed_dataset, temp_db, toy_cases, TempDb};

    /// One clock for every context, moving a minute a look, so a "restarted" process
    /// does not go back in time.
    static CLOCK: AtomicI64 = AtomicI64::new(1_764_496_800); // 2026-11-30T10:00:00Z

    fn context(db: &TempDb) -> Context {
        Context {
            db_path: db.path.clone(),
            client: tunebench_core::provider::http_client().unwrap(),
            keys: Arc::new(|_| Some(ApiKey::new(KEY))),
            upload_poll: Duration::from_millis(5),
            clock: Arc::new(|| finetune::at(CLOCK.fetch_add(60, Ordering::SeqCst))),
        }
    }

    /// A dataset of 3 test and 12 train rows, a prompting arm, and a provider at the fake.
    /// Returns (dataset, arm, provider).
    fn setup(db: &TempDb, fake: Fake, srv: &FakeServer) -> (i32, i32, i32) {
        let conn = store::open(&db.path).unwrap();
        let ds = seed_dataset(&conn, "toy", &toy_cases(3, "t"), &toy_cases(12, "train"));
        let kind = match fake {
            Fake::OpenAi => ProviderKind::OpenAi,
            Fake::Azure => ProviderKind::AzureOpenAi,
            _ => ProviderKind::OpenAiCompatible,
        };
        let p = store::provider::insert(
            &conn,
            &format!("{fake:?}"),
            kind,
            &srv.provider_base_url(fake),
            Some("FAKE_KEY"),
            &ProviderSettings::default(),
        )
        .unwrap();
        let arm = tunebench_core::arm::Arm {
            id: 0,
            name: "prompting".into(),
            kind: tunebench_core::arm::ArmKind::Prompt,
            provider_id: p,
            model: "gpt-4.1-mini-2025-04-14".into(),
            system_prompt: "Answer with the label.".into(),
            template: "Ticket: {{input}}".into(),
            few_shot: None,
            retrieval: None,
            params: Default::default(),
        };
        let arm = store::arm::insert(&conn, &arm).unwrap();
        (ds, arm, p)
    }

    fn request(ds: i32, arm: i32, p: i32, trainer: Trainer, model: &str) -> StartRequest {
        StartRequest {
            preflight: finetune::PreflightRequest {
                dataset_id: ds,
                arm_id: arm,
                trainer,
                base_model: model.into(),
                hyperparameters: Hyperparameters {
                    epochs: Some(2),
                    ..Hyperparameters::default()
                },
                spend_ceiling: Some(50.0),
            },
            provider_id: p,
            fireworks_account: None,
            azure_deployment: None,
        }
    }

    fn add_training_price(db: &TempDb, provider: &str, model: &str, per_1m: f64) {
        let conn = store::open(&db.path).unwrap();
        price::save_custom(
            &conn,
            &price::PriceEntry {
                provider: provider.into(),
                model_pattern: model.into(),
                kind: price::PriceKind::FineTuned,
                input: None,
                cached_input: None,
                cache_write: None,
                output: None,
                batch_multiplier: None,
                training: Some(per_1m),
                training_unit: Some(price::TrainingUnit::PerMillionTokens),
                hosting_per_hour: None,
                retirement_date: None,
                source: "test".into(),
                as_of: "2026-11-30".into(),
                origin: price::Origin::Custom,
            },
        )
        .unwrap();
    }

    /// Polls with fresh contexts (as a restarted app or a new CLI process would) until the
    /// job ends; returns it.
    async fn follow(db: &TempDb, id: i32) -> finetune::FineTuneJob {
        for _ in 0..20 {
            let ctx = context(db);
            let jobs = flow::poll_live(&ctx).await.unwrap();
            let job = jobs.into_iter().find(|j| j.id == id).unwrap();
            if job.status.is_terminal() {
                return flow::poll(&ctx, id).await.unwrap();
            }
        }
        panic!("job {id} never ended");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_openai_job_survives_429_503_and_a_restart_and_becomes_an_arm_priced_by_its_trained_tokens(
    ) {
        let db = temp_db();
        let srv = fakes::start(Fake::OpenAi).await;
        {
            let mut s = srv.state.lock().unwrap();
            s.script = [
                "validating_files",
                "validating_files",
                "queued",
                "running",
                "succeeded",
            ]
            .into();
            s.inject = [429, 503].into();
        }
        let (ds, arm, p) = setup(&db, Fake::OpenAi, &srv);
        let ctx = context(&db);
        let job = flow::start(
            &ctx,
            &request(ds, arm, p, Trainer::OpenAi, "gpt-4.1-mini-2025-04-14"),
        )
        .await
        .unwrap();
        assert_eq!(job.status, JobStatus::Validating);
        assert_eq!(job.provider_job_id.as_deref(), Some("ftjob-1"));
        // The exact file the preflight built was uploaded.
        let conn = store::open(&db.path).unwrap();
        let source = store::arm::get(&conn, arm).unwrap();
        let examples = finetune::training_examples(&conn, ds, &source).unwrap();
        assert_eq!(
            srv.state.lock().unwrap().uploaded.as_deref(),
            Some(finetune::to_jsonl(&examples).as_str())
        );
        let created = srv.state.lock().unwrap().created.clone().unwrap();
        assert_eq!(
            created["method"]["supervised"]["hyperparameters"]["n_epochs"],
            2
        );

        // Two failed polls: the job keeps its state and backs off.
        let j = flow::poll(&ctx, job.id).await.unwrap();
        assert_eq!((j.status, j.poll_failures), (JobStatus::Validating, 1));
        let j = flow::poll(&ctx, job.id).await.unwrap();
        assert_eq!(j.poll_failures, 2);
        let stored = store::fine_tune::get(&conn, job.id).unwrap();
        assert_eq!(stored.poll_failures, 2, "the backoff lives in the store");
        assert!(stored.next_poll_at.unwrap() > stored.updated_at);
        drop(ctx); // the app quits; a new process picks the job up from the store

        let done = follow(&db, job.id).await;
        assert_eq!(done.status, JobStatus::Succeeded);
        assert_eq!(done.poll_failures, 0);
        assert_eq!(done.trained_tokens, Some(120_000.0));
        // ft:gpt-4.1-mini* trains at $5 per 1M tokens in the seed catalog.
        assert_eq!(done.training_cost, Some(0.6));
        assert_eq!(
            done.training_cost_source,
            Some(finetune::CostSource::TrainedTokens)
        );
        assert_eq!(done.losses(), vec![(1, 1.5), (2, 0.8)]);
        assert!(done.wall_seconds.unwrap() > 0.0);
        let made = store::arm::get(&conn, done.result_arm_id.unwrap()).unwrap();
        assert_eq!(made.kind, tunebench_core::arm::ArmKind::FineTuned);
        assert_eq!(made.model, "ft:gpt-4.1-mini-2025-04-14:acme::tb1");
        assert_eq!(
            (made.system_prompt.as_str(), made.template.as_str()),
            (source.system_prompt.as_str(), source.template.as_str())
        );
        assert_eq!(made.provider_id, p);
        // Looking again makes no second arm.
        flow::poll(&context(&db), job.id).await.unwrap();
        assert_eq!(store::arm::list(&conn).unwrap().len(), 2);
        assert_eq!(srv.violations(), Vec::<String>::new());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_azure_job_uses_the_api_key_header_and_its_arm_calls_the_named_deployment() {
        let db = temp_db();
        let srv = fakes::start(Fake::Azure).await;
        srv.state.lock().unwrap().script = ["validating_files", "running", "succeeded"].into();
        let (ds, arm, p) = setup(&db, Fake::Azure, &srv);
        let mut req = request(ds, arm, p, Trainer::AzureOpenAi, "gpt-4.1-mini-2025-04-14");
        let err = flow::start(&context(&db), &req).await.unwrap_err();
        assert!(err.to_string().contains("azure_deployment"), "{err}");
        req.azure_deployment = Some("support-ft".into());
        let job = flow::start(&context(&db), &req).await.unwrap();
        assert_eq!(
            job.hosting_per_hour,
            Some(1.7),
            "Azure's hourly fee from the catalog"
        );
        let done = follow(&db, job.id).await;
        let conn = store::open(&db.path).unwrap();
        let made = store::arm::get(&conn, done.result_arm_id.unwrap()).unwrap();
        assert_eq!(made.model, "support-ft");
        assert_eq!(
            done.training_cost,
            Some(0.6),
            "Azure is priced as OpenAI per token"
        );
        assert_eq!(srv.violations(), Vec::<String>::new());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_together_job_uploads_through_the_redirect_without_the_key_and_shows_its_estimate() {
        let db = temp_db();
        let srv = fakes::start(Fake::Together).await;
        {
            let mut s = srv.state.lock().unwrap();
            s.script = ["pending", "queued", "running", "running", "completed"].into();
            s.inject = [500].into();
        }
        let (ds, arm, p) = setup(&db, Fake::Together, &srv);
        let model = "meta-llama/Llama-3.2-3B-Instruct";
        add_training_price(&db, "together", model, 0.48);
        let mut req = request(ds, arm, p, Trainer::Together, model);
        req.preflight.hyperparameters.lora_rank = Some(16);
        let job = flow::start(&context(&db), &req).await.unwrap();
        assert!(job
            .events
            .iter()
            .any(|e| e.message == "Together estimates $1.25"));
        let created = srv.state.lock().unwrap().created.clone().unwrap();
        assert_eq!(created["training_type"]["type"], "Lora");
        assert_eq!(created["training_type"]["lora_r"], 16);
        assert_eq!(created["n_epochs"], 2);
        let done = follow(&db, job.id).await;
        assert_eq!(done.status, JobStatus::Succeeded);
        assert_eq!(done.trained_tokens, Some(8000.0), "4,000 tokens × 2 epochs");
        assert!((done.training_cost.unwrap() - 8000.0 * 0.48 / 1e6).abs() < 1e-12);
        let conn = store::open(&db.path).unwrap();
        let made = store::arm::get(&conn, done.result_arm_id.unwrap()).unwrap();
        assert_eq!(made.model, "acme/Llama-3.2-3B-Instruct-tb1");
        assert_eq!(srv.violations(), Vec::<String>::new());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_fireworks_job_waits_for_its_dataset_and_is_deployed_serverless() {
        let db = temp_db();
        let srv = fakes::start(Fake::Fireworks).await;
        {
            let mut s = srv.state.lock().unwrap();
            s.script = [
                "JOB_STATE_VALIDATING",
                "JOB_STATE_RUNNING",
                "JOB_STATE_COMPLETED",
            ]
            .into();
            s.inject = [429].into();
        }
        let (ds, arm, p) = setup(&db, Fake::Fireworks, &srv);
        let model = "accounts/fireworks/models/llama-v3p1-8b-instruct";
        add_training_price(&db, "fireworks", model, 0.5);
        let mut req = request(ds, arm, p, Trainer::Fireworks, model);
        req.fireworks_account = Some(fakes::ACCOUNT.into());
        let job = flow::start(&context(&db), &req).await.unwrap();
        assert_eq!(
            job.provider_job_id.as_deref(),
            Some("accounts/acme/supervisedFineTuningJobs/j1")
        );
        let done = follow(&db, job.id).await;
        assert_eq!(done.status, JobStatus::Succeeded);
        assert_eq!(
            done.deployment.as_deref(),
            Some("accounts/acme/deployedModels/d1")
        );
        let conn = store::open(&db.path).unwrap();
        let made = store::arm::get(&conn, done.result_arm_id.unwrap()).unwrap();
        assert_eq!(made.model, "accounts/acme/models/tb1");
        assert!(srv.state.lock().unwrap().deployed.is_some());
        assert_eq!(srv.violations(), Vec::<String>::new());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_base_model_the_provider_refuses_fails_the_job_with_its_words_and_changes_nothing_else(
    ) {
        let db = temp_db();
        let srv = fakes::start(Fake::OpenAi).await;
        srv.state.lock().unwrap().refuse_model = Some("gpt-4.1-mini-2025-04-14");
        let (ds, arm, p) = setup(&db, Fake::OpenAi, &srv);
        let err = flow::start(
            &context(&db),
            &request(ds, arm, p, Trainer::OpenAi, "gpt-4.1-mini-2025-04-14"),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(
            err.to_string().contains("is not available for fine-tuning"),
            "{err}"
        );
        let conn = store::open(&db.path).unwrap();
        let job = &store::fine_tune::list(&conn).unwrap()[0];
        assert_eq!(job.status, JobStatus::Failed);
        assert!(job
            .error_message
            .as_deref()
            .unwrap()
            .contains("not available for fine-tuning"));
        assert_eq!(store::arm::list(&conn).unwrap().len(), 1, "no arm was made");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_preflight_over_the_spend_ceiling_uploads_nothing() {
        let db = temp_db();
        let srv = fakes::start(Fake::OpenAi).await;
        let (ds, arm, p) = setup(&db, Fake::OpenAi, &srv);
        let mut req = request(ds, arm, p, Trainer::OpenAi, "gpt-4.1-mini-2025-04-14");
        req.preflight.spend_ceiling = Some(0.000_001);
        let err = flow::start(&context(&db), &req).await.unwrap_err();
        assert!(err.to_string().contains("above the spend ceiling"), "{err}");
        assert_eq!(srv.srv.count(), 0, "no request reached the provider");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancelling_tells_the_provider_and_ends_the_job() {
        let db = temp_db();
        let srv = fakes::start(Fake::Together).await;
        srv.state.lock().unwrap().script = ["running"].into();
        let (ds, arm, p) = setup(&db, Fake::Together, &srv);
        let job = flow::start(
            &context(&db),
            &request(ds, arm, p, Trainer::Together, "m/x"),
        )
        .await
        .unwrap();
        let j = flow::cancel(&context(&db), job.id).await.unwrap();
        assert_eq!(
            j.status,
            JobStatus::Validating,
            "Together confirms at the next poll"
        );
        let j = flow::poll(&context(&db), job.id).await.unwrap();
        assert_eq!(j.status, JobStatus::Cancelled);
        assert!(flow::cancel(&context(&db), job.id).await.is_err());
        assert_eq!(srv.violations(), Vec::<String>::new());
    }
}

#[test]
fn the_cost_model_uses_a_fine_tuned_arms_measured_training_cost_instead_of_the_catalog_estimate() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    conn.execute_batch(
        "INSERT INTO dataset (id, name, source_file, source_format, imported_at, row_count)
             VALUES (1, 'd', 'd.csv', 'csv', '2026-01-01T00:00:00Z', 4);
         INSERT INTO example (id, dataset_id, ordinal, input, expected, split) VALUES
             (1, 1, 0, 'a long training input about a parcel', 'shipping', 'train'),
             (2, 1, 1, 'a test input', 'shipping', 'test');
         INSERT INTO provider (id, name, kind, base_url) VALUES (1, 'openai', 'openai', 'https://api.openai.com/v1');
         INSERT INTO arm (id, name, kind, provider_id, model, created_at) VALUES
             (1, 'prompting', 'prompt', 1, 'gpt-4.1-mini', '2026-01-01T00:00:00Z'),
             (2, 'tuned', 'fine_tuned', 1, 'ft:gpt-4.1-mini:acme::tb1', '2026-01-01T00:00:00Z');
         INSERT INTO experiment (id, name, dataset_id, created_at) VALUES (1, 'e', 1, '2026-01-01T00:00:00Z');
         INSERT INTO experiment_arm (experiment_id, arm_id, position) VALUES (1, 1, 0), (1, 2, 1);
         INSERT INTO run (id, experiment_id, started_at, status) VALUES (1, 1, '2026-01-01T00:00:00Z', 'completed');
         INSERT INTO result (run_id, arm_id, example_id, output, prompt_tokens, completion_tokens, created_at) VALUES
             (1, 1, 2, 'shipping', 300, 2, '2026-01-01T00:00:01Z'),
             (1, 2, 2, 'shipping', 40, 2, '2026-01-01T00:00:01Z');",
    )
    .unwrap();
    let catalog =
        tunebench_core::report::scenario::measured_scenario(&conn, 1, "2026-11-30", None).unwrap();
    let estimated = catalog.arm_b.training.unwrap().cost_per_run();
    let id = store::fine_tune::insert(
        &conn,
        finetune::Trainer::OpenAi,
        &finetune::NewJob {
            provider_id: Some(1),
            base_model: "gpt-4.1-mini-2025-04-14".into(),
            ..finetune::NewJob::default()
        },
        "2026-11-30T10:00:00Z",
    )
    .unwrap();
    let mut job = store::fine_tune::get(&conn, id).unwrap();
    job.trained_tokens = Some(2_000_000.0);
    job.price_trained_tokens(5.0);
    store::fine_tune::save(&conn, &job).unwrap();
    assert!(store::fine_tune::set_result_arm(&conn, id, 2).unwrap());
    let measured =
        tunebench_core::report::scenario::measured_scenario(&conn, 1, "2026-11-30", None).unwrap();
    let training = measured.arm_b.training.unwrap();
    assert!(
        (training.cost_per_run() - 10.0).abs() < 1e-9,
        "{training:?}"
    );
    assert!(
        (estimated - 10.0).abs() > 1.0,
        "the catalog guessed {estimated}"
    );
    assert_eq!(
        training.retrain_every_months,
        catalog.arm_b.training.unwrap().retrain_every_months
    );
}

//! Fine-tuning: the training examples a train split becomes, the preflight, and the cost
//! model's use of a job's measured training cost. Jobs against the fakes: `finetune_jobs`.

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
            estimated_cost: Some(0.75),
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
    // The cost report says where its training figure comes from; the catalog's does not.
    let report = tunebench_core::cost::evaluate(&measured).unwrap();
    assert_eq!(
        report.arm_b.training_note.as_deref(),
        Some(
            "tuned: training $10.00 a run, measured by fine-tune job 1 (2,000,000 trained \
             tokens × $5.00 per 1M); $0.75 was estimated before it started"
        )
    );
    assert_eq!(report.arm_a.training_note, None);
    let before = tunebench_core::cost::evaluate(&catalog).unwrap();
    assert_eq!(before.arm_b.training_note, None);
    // A provider's billed figure is named as such.
    job.training_cost = Some(7.25);
    job.training_cost_source = Some(finetune::CostSource::Billed);
    store::fine_tune::save(&conn, &job).unwrap();
    let billed =
        tunebench_core::report::scenario::measured_scenario(&conn, 1, "2026-11-30", None).unwrap();
    let report = tunebench_core::cost::evaluate(&billed).unwrap();
    assert_eq!(report.arm_b.training_per_run, 7.25);
    assert!(
        report
            .arm_b
            .training_note
            .as_deref()
            .unwrap()
            .contains("training $7.25 a run, measured by fine-tune job 1 (as billed by OpenAI)"),
        "{:?}",
        report.arm_b.training_note
    );
}

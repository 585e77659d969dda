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

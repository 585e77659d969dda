//! `tunebench finetune`: preflight, start, status, list and cancel through the binary.

use predicates::prelude::*;

mod support;
use support::{toy_dataset, tunebench_at as tunebench};

fn setup(db: &std::path::Path) {
    toy_dataset(db, 12);
    let conn = tunebench_core::store::open(db).unwrap();
    conn.execute_batch(
        "INSERT INTO provider (id, name, kind, base_url, api_key_env)
             VALUES (1, 'openai', 'openai', 'http://127.0.0.1:9/v1', 'TB_TEST_NO_KEY');
         INSERT INTO arm (id, name, kind, provider_id, model, system_prompt, template, created_at)
             VALUES (1, 'prompting', 'prompt', 1, 'gpt-4.1-mini', 'Answer with one label.', 'Input: {{input}}', 'now');",
    )
    .unwrap();
}

const PLAN: [&str; 8] = [
    "--dataset",
    "toy",
    "--arm",
    "1",
    "--trainer",
    "openai",
    "--base-model",
    "gpt-4.1-mini-2025-04-14",
];

#[test]
fn preflight_reports_the_examples_the_estimate_and_openais_closing_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    setup(&db);
    let out = tunebench(&db)
        .args(["finetune", "preflight", "--json", "--epochs", "2"])
        .args(PLAN)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["examples"], 12);
    assert_eq!(v["token_method"], "o200k_base");
    assert_eq!(v["estimate"]["epochs"], 2);
    assert_eq!(v["estimate"]["price_per_1m"], 5.0);
    assert_eq!(v["ok"], true);
    tunebench(&db)
        .args(["finetune", "preflight"])
        .args(PLAN)
        .assert()
        .success()
        .stdout(
            predicate::str::contains(
                "OpenAI closes self-serve fine-tuning to new jobs on 2027-01-06",
            )
            .and(predicate::str::contains("12 examples is fewer than 500"))
            .and(predicate::str::contains("Ready to start.")),
        );
}

#[test]
fn start_over_the_ceiling_is_refused_as_bad_input_and_list_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    setup(&db);
    tunebench(&db)
        .args([
            "finetune",
            "start",
            "--provider",
            "openai",
            "--ceiling",
            "0.0001",
        ])
        .args(PLAN)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("above the spend ceiling"));
    let out = tunebench(&db)
        .args(["finetune", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["jobs"], serde_json::json!([]));
    tunebench(&db)
        .args(["finetune", "status", "7"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no fine-tune job with id \"7\""));
}

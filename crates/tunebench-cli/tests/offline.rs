//! `tunebench offline`: the estimate it prints before anything runs, and bad input refused
//! with exit code 2 before anything is made. (The real run, with llama.cpp, is the
//! window's: `e2e/tests/offline.test.mjs`.)

mod support;
use support::{tunebench_at, tunebench_json};

fn sample() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tunebench-core/assets/sample/spamassassin_spam_ham.csv"
    )
    .to_string()
}

#[test]
fn the_estimate_counts_the_subset_it_would_use_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    tunebench_json(&db, &["import", &sample(), "--name", "spam"]);
    let out = tunebench_json(
        &db,
        &[
            "offline",
            "spam",
            "--train-rows",
            "8",
            "--test-cases",
            "4",
            "--estimate",
        ],
    );
    let e = &out["estimate"];
    assert_eq!(
        (e["train_rows"].as_u64(), e["test_cases"].as_u64()),
        (Some(8), Some(4))
    );
    assert_eq!(e["labels"], serde_json::json!(["ham", "spam"]));
    // 8 e-mails cut to 240 characters: 8 × (≤ 240 / 3.4 + 45) ≤ 925 tokens, ≤ 5 windows.
    let tokens = e["training_tokens"].as_u64().unwrap();
    assert!(tokens > 400 && tokens <= 925, "{e}");
    assert_eq!(e["windows"].as_u64().unwrap(), (tokens - 257) / 128, "{e}");
    let total = e["total_s"].as_f64().unwrap();
    assert!(total > e["training_s"].as_f64().unwrap() + e["evaluation_s"].as_f64().unwrap());
    // Nothing was made: still one dataset, no arm.
    let listed = tunebench_json(&db, &["datasets"]);
    assert_eq!(listed["datasets"].as_array().unwrap().len(), 1, "{listed}");
}

#[test]
fn bad_options_and_an_unknown_dataset_exit_2_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    tunebench_json(&db, &["import", &sample(), "--name", "spam"]);
    let out = tunebench_at(&db)
        .args(["offline", "spam", "--train-rows", "1", "--estimate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("train_rows"));
    let out = tunebench_at(&db)
        .args(["offline", "nope", "--estimate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"nope\""));
}

//! One end-to-end run against a real local model server (llama.cpp's `llama-server` with
//! SmolLM2-135M, see `scripts/local-llm.sh`): a slice of the built-in spam/ham sample,
//! both arms, over real HTTP. The model is tiny, so this asserts protocol facts (every case
//! answered, usage and latencies recorded, output valid under the JSON schema), never
//! accuracy. `scripts/test.sh` starts the server and runs this with `--ignored`.

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tunebench-core/assets/sample/spamassassin_spam_ham.csv"
);

mod support;
use support::{raw, tunebench_json as tunebench};

/// output, prompt tokens, completion tokens, latency, error class.
type StoredResult = (
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<f64>,
    Option<String>,
);

#[test]
#[ignore = "needs a local model server: scripts/test.sh starts one and sets TUNEBENCH_LOCAL_LLM_URL"]
fn both_arms_run_against_a_real_local_model_and_record_usage_and_latency() {
    let base_url = std::env::var("TUNEBENCH_LOCAL_LLM_URL")
        .expect("TUNEBENCH_LOCAL_LLM_URL (e.g. http://127.0.0.1:8078/v1) names the server");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");

    let imported = tunebench(&db, &["import", SAMPLE, "--name", "spam"]);
    assert_eq!(imported["rows"], 2250);
    // A small held-out slice keeps a CPU-only model fast: 0.4 % of 2,250 ≈ 9 cases.
    tunebench(
        &db,
        &["split", "spam", "--test-fraction", "0.004", "--seed", "7"],
    );
    let test_cases: i64 = raw(&db)
        .query_row(
            "SELECT COUNT(*) FROM example WHERE split = 'test'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!((4..=20).contains(&test_cases), "{test_cases} test cases");

    let schema = r#"{ type = "json_schema", name = "label", schema = { type = "object", properties = { label = { enum = ["spam", "ham"] } }, required = ["label"] } }"#;
    let experiment = format!(
        r#"
name = "local-llm"
dataset = "spam"
split = "test"
primary_metric = "accuracy"
labels = ["spam", "ham"]

[[providers]]
name = "local"
kind = "openai_compatible"
base_url = "{base_url}"
max_concurrency = 2
timeout_s = 300
max_attempts = 3

[[arms]]
name = "prompting"
kind = "prompt"
provider = "local"
model = "smollm2-135m"
system = "Classify the e-mail as spam or ham. Answer in JSON."
template = "E-mail: {{{{input}}}}"
few_shot = {{ k = 2, strategy = "random", seed = 7 }}
max_tokens = 32
temperature = 0
response_format = {schema}

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "local"
model = "smollm2-135m"
template = "{{{{input}}}}"
max_tokens = 32
temperature = 0
response_format = {schema}
"#
    );
    let file = dir.path().join("experiment.toml");
    std::fs::write(&file, experiment).unwrap();

    let run = tunebench(&db, &["run", file.to_str().unwrap(), "--yes", "--no-cache"]);
    let arms = run["arms"].as_array().expect("per-arm figures");
    assert_eq!(arms.len(), 2);
    for arm in arms {
        assert_eq!(
            arm["n"], test_cases,
            "every case answered or recorded: {arm}"
        );
        assert_eq!(arm["errors"], 0, "no call failed: {arm}");
        assert!(arm["latency_ms_p50"].as_f64().unwrap() > 0.0, "{arm}");
        assert!(arm["latency_ms_p95"].as_f64().unwrap() >= arm["latency_ms_p50"].as_f64().unwrap());
    }

    let conn = raw(&db);
    let mut stmt = conn
        .prepare(
            "SELECT output, prompt_tokens, completion_tokens, latency_ms, error_class FROM result",
        )
        .unwrap();
    let rows: Vec<StoredResult> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows.len() as i64,
        2 * test_cases,
        "one result per arm and case"
    );
    for (output, prompt, completion, latency, error) in rows {
        assert_eq!(error, None);
        assert!(
            prompt.unwrap_or(0) > 0,
            "prompt tokens come from the server's usage"
        );
        assert!(
            completion.unwrap_or(0) > 0,
            "completion tokens come from the server's usage"
        );
        assert!(latency.unwrap_or(0.0) > 0.0);
        let output = output.expect("answered");
        let json: serde_json::Value = serde_json::from_str(&output)
            .unwrap_or_else(|e| panic!("the schema forces JSON, got {output:?}: {e}"));
        let label = json["label"].as_str().unwrap_or_default();
        assert!(
            ["spam", "ham"].contains(&label),
            "label in the taxonomy: {output}"
        );
    }
}

//! `tunebench report RUN_ID` over a run written straight into a temporary store.

use rusqlite::params;
use serde_json::Value;

/// `tunebench --db DB report RUN_ID --json`, parsed.
fn report_json(db: &str, run_id: &str) -> Value {
    let out = tunebench()
        .args(["--db", db, "report", run_id, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

mod support;
use support::{chat_server, echo_label, toy_arms, toy_dataset, toy_experiment, tunebench};

#[path = "report/arms.rs"]
mod arms;
#[path = "report/charts.rs"]
mod charts;
#[path = "report/documents.rs"]
mod documents;
#[path = "report/rerun.rs"]
mod rerun;

/// Ten `yes`/`no` cases; arm A (prompting, $0.002 an answer) is right on 0–5 and times
/// out on 9; arm B (fine-tuned, no price) is right on all ten. Returns the store's path.
fn seeded_store(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("tunebench.sqlite3");
    let conn = tunebench_core::store::open(&path).unwrap();
    conn.execute_batch(
        "INSERT INTO dataset (id, name, source_file, source_format, imported_at, row_count)
             VALUES (1, 'answers', 'answers.csv', 'csv', '2026-01-01T00:00:00Z', 10);
         INSERT INTO provider (id, name, kind, base_url) VALUES (1, 'local', 'openai_compatible', 'http://127.0.0.1:9/v1');
         INSERT INTO arm (id, name, kind, provider_id, model, created_at)
             VALUES (1, 'prompting', 'prompt', 1, 'base-model', '2026-01-01T00:00:00Z'),
                    (2, 'fine-tuned', 'fine_tuned', 1, 'ft-model', '2026-01-01T00:00:00Z');
         INSERT INTO experiment (id, name, dataset_id, split, primary_metric, created_at)
             VALUES (1, 'yes-no', 1, 'test', 'accuracy', '2026-01-01T00:00:00Z');
         INSERT INTO experiment_arm (experiment_id, arm_id, position) VALUES (1, 1, 0), (1, 2, 1);
         INSERT INTO run (id, experiment_id, started_at, finished_at, status)
             VALUES (1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'completed');",
    )
    .unwrap();
    for i in 0..10_u32 {
        let expected = if i.is_multiple_of(2) { "yes" } else { "no" };
        conn.execute(
            "INSERT INTO example (id, dataset_id, ordinal, input, expected, split)
             VALUES (?1, 1, ?1, ?2, ?3, 'test')",
            params![i, format!("question {i}"), expected],
        )
        .unwrap();
        let a = match i {
            0..=5 => Some(expected),
            9 => None,
            _ => Some("maybe"),
        };
        for (arm, output, cost) in [(1, a, Some(0.002)), (2, Some(expected), None)] {
            conn.execute(
                "INSERT INTO result (run_id, arm_id, example_id, output, error_class, latency_ms, cost, created_at)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, '2026-01-01T00:00:30Z')",
                params![
                    arm,
                    i,
                    output,
                    output.is_none().then_some("timeout"),
                    output.map(|_| 100.0 * arm as f64),
                    output.and(cost)
                ],
            )
            .unwrap();
        }
    }
    path
}

#[test]
fn report_json_carries_metrics_intervals_verdict_latency_and_cost_per_arm() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_store(&dir);
    let out = tunebench()
        .args(["--db", db.to_str().unwrap(), "report", "1", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).expect("one JSON object on stdout");
    let (a, b) = (&v["arms"][0], &v["arms"][1]);
    assert_eq!(a["name"], "prompting");
    assert_eq!(
        a["primary"]["value"], 0.6,
        "6 of 10; the timeout is a failure"
    );
    assert_eq!(b["primary"]["value"], 1.0);
    assert_eq!((a["n"].as_u64(), a["errors"].as_u64()), (Some(10), Some(1)));
    assert_eq!(b["errors"], 0);
    let interval = &a["primary"]["interval"];
    assert!(interval["low"].as_f64().unwrap() < 0.6 && interval["high"].as_f64().unwrap() > 0.6);
    assert!(a["metrics"][0]["interval"]["low"].is_number());
    assert_eq!(a["cost_per_query"], 0.002);
    assert!(b["cost_per_query"].is_null(), "no price is not $0");
    assert_eq!(a["latency_ms_p50"], 100.0);
    assert_eq!(b["latency_ms_p95"], 200.0);
    assert!(v["verdict"].as_str().unwrap().contains("fine-tuned"));
    assert!(v["verdict_kind"].is_string());
    let p = v["p_value"].as_f64().unwrap();
    assert!(
        (p - 2.0 / 16.0).abs() < 1e-12,
        "McNemar: 0 cases only A got right, 4 only B: p = 2·P[Bin(4, ½) = 0] = 2/16, got {p}"
    );
    assert!(v["minimum_detectable_difference"].as_f64().unwrap() > 0.0);
    assert!(
        v["break_even_queries_per_day"].is_null(),
        "no break-even without token usage and prices"
    );
    assert!(
        v["break_even_note"]
            .as_str()
            .unwrap_or("")
            .contains("token usage"),
        "and the report says why: {}",
        v["break_even_note"]
    );
}

#[test]
fn report_prints_a_table_and_the_verdict_and_refuses_an_unknown_run_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_store(&dir);
    let db = db.to_str().unwrap();
    let out = tunebench()
        .args(["--db", db, "report", "1"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("accuracy (primary)"), "{text}");
    assert!(
        text.contains("$0.002 ") && text.contains("no price"),
        "{text}"
    );
    assert!(text.contains("B − A: +0.400"), "{text}");
    insta::assert_snapshot!("report_human", text);

    tunebench()
        .args(["--db", db, "report", "42", "--json"])
        .assert()
        .code(2)
        .stdout(predicates::str::contains("not_found"));
}

/// A stub chat-completions server echoing the word after `Input: ` in the last message,
/// with usage of 1000 prompt and 1 completion tokens. Returns its base URL.
fn echo_server() -> String {
    chat_server(200, 0, echo_label).url
}

/// A six-case labelling dataset (plus `train` rows of about 1,000 tokens each) run by the
/// real engine against [`echo_server`]: arm A priced at $1 per 1M tokens, arm B at
/// `b_price` (a TOML inline table) or unpriced. Returns the store's path and `run --json`.
fn toy_run(dir: &tempfile::TempDir, train: u32, b_price: Option<&str>) -> (String, Value) {
    let b_price = b_price
        .map(|p| format!("price = {p}\n"))
        .unwrap_or_default();
    let arms = toy_arms("price = { input = 1.0, output = 1.0 }\n", &b_price);
    let db = dir.path().join("t.db");
    toy_dataset(&db, train);
    let labels = "labels = [\"billing\", \"shipping\", \"returns\"]\n";
    let exp = toy_experiment(dir.path(), labels, &echo_server(), "", &arms);
    let db = db.to_str().unwrap().to_string();
    let run = tunebench()
        .args(["--db", &db, "run", exp.to_str().unwrap(), "--yes", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    (db, serde_json::from_slice(&run).unwrap())
}

#[test]
fn a_run_made_by_the_engine_reports_the_same_cost_and_accuracy() {
    let dir = tempfile::tempdir().unwrap();
    let (db, run) = toy_run(&dir, 0, None);
    let db = db.as_str();
    let run_id = run["run_id"].to_string();

    let v = report_json(db, &run_id);
    assert_eq!(v["status"], "completed");
    let a = &v["arms"][0];
    assert!(
        (a["primary"]["value"].as_f64().unwrap() - 5.0 / 6.0).abs() < 1e-12,
        "5 of 6 echoed labels are right: {a}"
    );
    assert_eq!(
        a["cost_per_query"], run["arms"][0]["cost_per_query"],
        "the report's cost is the run's recorded cost"
    );
    assert!((a["cost_per_query"].as_f64().unwrap() - 1001e-6).abs() < 1e-12);
    assert!(v["arms"][1]["cost_per_query"].is_null());
    assert_eq!(v["comparison"]["difference"], 0.0);
    assert_ne!(v["verdict_kind"], "justified", "{}", v["verdict"]);
}

#[test]
fn an_llm_judge_grades_both_arms_and_the_report_uses_its_grades() {
    let dir = tempfile::tempdir().unwrap();
    let (db, run) = toy_run(&dir, 0, None);
    let run_id = run["run_id"].to_string();
    let conn = tunebench_core::store::open(std::path::Path::new(&db)).unwrap();
    conn.execute("UPDATE experiment SET primary_metric = 'judge'", [])
        .unwrap();

    let refused = tunebench()
        .args(["--db", &db, "report", &run_id])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8_lossy(&refused).contains("tunebench judge"),
        "a run without grades says how to get them"
    );

    // The judge passes an answer exactly when it equals the reference answer.
    let judge = chat_server(200, 0, |last| {
        let reference = last.split("Reference answer:\n").nth(1).unwrap_or("");
        let reference = reference.split("\n\n").next().unwrap_or("");
        let answer = last.rsplit("Answer to grade:\n").next().unwrap_or("");
        let grade = if answer.trim() == reference.trim() {
            "pass"
        } else {
            "fail"
        };
        format!(r#"{{"grade": "{grade}", "reason": "compared with the reference"}}"#)
    })
    .url;
    conn.execute(
        "INSERT INTO provider (name, kind, base_url) VALUES ('judge', 'openai_compatible', ?1)",
        [&judge],
    )
    .unwrap();
    let out = tunebench()
        .args([
            "--db",
            &db,
            "judge",
            &run_id,
            "--provider",
            "judge",
            "--model",
            "judge-model",
        ])
        .args(["--rubric", "The answer names the right queue.", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let outcome: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(outcome["judged"], 12, "six cases, two arms: {outcome}");
    assert_eq!(outcome["failed"], 0);

    let stored: String = conn
        .query_row("SELECT scores FROM result LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(
        stored.contains("The answer names the right queue."),
        "the judge prompt is kept: {stored}"
    );

    let v = report_json(&db, &run_id);
    let a = &v["arms"][0];
    assert_eq!(a["primary"]["metric"], "judge");
    assert!(
        (a["primary"]["value"].as_f64().unwrap() - 5.0 / 6.0).abs() < 1e-12,
        "the judge passes the 5 echoed labels that match: {a}"
    );
    assert!(a["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["metric"] == "judge"));
}

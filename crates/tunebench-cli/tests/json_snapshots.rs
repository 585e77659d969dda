//! The `--json` outputs as a script reads them, pinned by snapshots: a renamed or dropped
//! field fails here. Temporary paths, the stub server's address, times and measured
//! latencies are redacted, and fractions rounded (sums over concurrent calls vary in their
//! last bits).

use std::path::Path;

use serde_json::Value;

mod support;
use support::{chat_server, echo_label, toy_arms, toy_dataset, toy_experiment, tunebench_at};

/// `tunebench --db DB ARGS --json`, parsed.
fn json(db: &Path, args: &[&str]) -> Value {
    let out = tunebench_at(db).args(args).arg("--json").assert().success();
    serde_json::from_slice(&out.get_output().stdout).expect("one JSON object on stdout")
}

/// Whether a field's value varies from run to run: a time, or a measured duration.
fn varies(key: &str) -> bool {
    key.ends_with("_at") || key.contains("latency") || key.contains("ttft") || key.ends_with("_ms")
}

/// `v` as pretty JSON, with each `(text, placeholder)` replaced inside strings, every
/// field that [`varies`] replaced by "[redacted]", and fractions rounded to 9 places.
fn redacted(v: &Value, texts: &[(&str, &str)]) -> String {
    fn walk(v: &mut Value, texts: &[(&str, &str)]) {
        match v {
            Value::Object(map) => {
                for (k, field) in map.iter_mut() {
                    if varies(k) && !field.is_null() {
                        *field = Value::String("[redacted]".into());
                    } else {
                        walk(field, texts);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, texts)),
            // Sums over concurrently answered calls differ in their last bits.
            Value::Number(n) if n.is_f64() => {
                let x = n.as_f64().unwrap_or_default();
                *v = serde_json::json!((x * 1e9).round() / 1e9);
            }
            Value::String(s) => {
                for (text, placeholder) in texts {
                    *s = s.replace(text, placeholder);
                }
            }
            _ => {}
        }
    }
    let mut v = v.clone();
    walk(&mut v, texts);
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn the_dataset_commands_json_keeps_its_fields() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().to_str().unwrap();
    let db = dir.path().join("t.db");
    let mut csv = String::from("id,text,label\n");
    for i in 0..10 {
        let label = if i % 2 == 0 { "ham" } else { "spam" };
        csv.push_str(&format!("r{i},message {i},{label}\n"));
    }
    let file = dir.path().join("mail.csv");
    std::fs::write(&file, csv).unwrap();
    let texts = [(tmp, "[tmp]")];
    let import = json(&db, &["import", file.to_str().unwrap(), "--name", "mail"]);
    insta::assert_snapshot!("import_json", redacted(&import, &texts));
    let split = json(
        &db,
        &["split", "mail", "--test-fraction", "0.3", "--seed", "7"],
    );
    insta::assert_snapshot!("split_json", redacted(&split, &texts));
    let datasets = json(&db, &["datasets"]);
    insta::assert_snapshot!("datasets_json", redacted(&datasets, &texts));
}

#[test]
fn the_run_and_report_json_keeps_its_fields() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().to_str().unwrap();
    let db = dir.path().join("t.db");
    toy_dataset(&db, 0);
    let server = chat_server(200, 0, echo_label);
    let arms = toy_arms(
        "price = { input = 1.0, output = 1.0 }\n",
        "price = { input = 0.5, output = 0.5 }\n",
    );
    let labels = "labels = [\"billing\", \"shipping\", \"returns\"]\n";
    let exp = toy_experiment(dir.path(), labels, &server.url, "", &arms);
    let texts = [(tmp, "[tmp]"), (server.url.as_str(), "[server]")];
    let run = json(&db, &["run", exp.to_str().unwrap(), "--yes"]);
    insta::assert_snapshot!("run_json", redacted(&run, &texts));
    let report = json(&db, &["report", "1"]);
    insta::assert_snapshot!("report_json", redacted(&report, &texts));
}

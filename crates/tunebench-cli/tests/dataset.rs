//! `tunebench import | datasets | split | export`: the contract of DESIGN.md §8 for datasets.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

mod support;

struct Store {
    dir: tempfile::TempDir,
    db: PathBuf,
}

fn store() -> Store {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    Store { dir, db }
}

impl Store {
    fn cmd(&self) -> Command {
        support::tunebench_at(&self.db)
    }

    fn file(&self, name: &str, body: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).arg("--json").assert().success();
        serde_json::from_slice(&out.get_output().stdout).expect("one JSON object on stdout")
    }
}

fn labelled(n: usize) -> String {
    let mut s = String::from("id,text,label\n");
    for i in 0..n {
        s.push_str(&format!(
            "r{i},message {i},{}\n",
            if i % 2 == 0 { "ham" } else { "spam" }
        ));
    }
    s
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn import_json_reports_the_dataset_id_rows_and_report() {
    let s = store();
    let f = s.file("mail.csv", &labelled(10));
    let v = s.json(&["import", p(&f), "--name", "mail"]);
    assert_eq!(v["rows"], 10);
    assert!(v["dataset_id"].as_i64().unwrap() > 0);
    assert_eq!(v["report"]["labels"][0]["count"], 5);
    assert_eq!(v["report"]["token_estimate"], "characters / 4");
    let list = s.json(&["datasets"]);
    assert_eq!(list["datasets"][0]["name"], "mail");
    assert_eq!(list["datasets"][0]["labels"][1]["label"], "spam");
}

#[test]
fn bad_input_exits_2_naming_file_and_line_and_stores_nothing() {
    let s = store();
    let f = s.file("bad.jsonl", "{\"input\":\"a\"}\nnot json\n");
    s.cmd()
        .args(["import", p(&f)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.jsonl, line 2"));
    let list = s.json(&["datasets"]);
    assert_eq!(list["datasets"], serde_json::json!([]));
    let out = s.cmd().args(["import", p(&f), "--json"]).assert().code(2);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
}

#[test]
fn a_missing_file_and_a_missing_column_exit_2() {
    let s = store();
    s.cmd()
        .args(["import", "/nonexistent/x.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
    let f = s.file("m.csv", &labelled(3));
    s.cmd()
        .args(["import", p(&f), "--input-col", "body"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("column `body`"));
}

#[test]
fn split_then_export_then_import_round_trips_the_test_split() {
    let s = store();
    let f = s.file("mail.csv", &labelled(40));
    s.json(&["import", p(&f), "--name", "mail"]);
    let v = s.json(&["split", "mail", "--test-fraction", "0.25", "--seed", "3"]);
    assert_eq!(
        (v["train_rows"].as_i64(), v["test_rows"].as_i64()),
        (Some(30), Some(10))
    );
    assert_eq!(v["stratified"], true);
    assert_eq!(
        v["leakage"]["exact_test_rows"], 0,
        "every message is distinct"
    );
    let out = s.dir.path().join("test.csv");
    let e = s.json(&[
        "export",
        "mail",
        "--split",
        "test",
        "--format",
        "csv",
        "--out",
        p(&out),
    ]);
    assert_eq!(e["rows"], 10);
    let back = s.json(&["import", p(&out), "--name", "again"]);
    assert_eq!(
        back["report"]["test_rows"], 10,
        "the split column comes back"
    );
    let chat = s.dir.path().join("train.jsonl");
    s.cmd()
        .args(["export", "1", "--split", "train", "--format", "openai-chat"])
        .args(["--system", "Classify.", "--out", p(&chat)])
        .assert()
        .success();
    let first = std::fs::read_to_string(&chat).unwrap();
    assert_eq!(first.lines().count(), 30);
    assert!(first.contains("\"Classify.\""));
}

#[test]
fn re_splitting_a_dataset_an_experiment_uses_needs_force() {
    let s = store();
    let f = s.file("mail.csv", &labelled(10));
    s.json(&["import", p(&f), "--name", "mail"]);
    let conn = tunebench_core::store::open(&s.db).unwrap();
    conn.execute(
        "INSERT INTO experiment (name, dataset_id, created_at) VALUES ('cmp', 1, '2026-01-01T00:00:00Z')",
        [],
    )
    .unwrap();
    drop(conn);
    s.cmd()
        .args(["split", "mail"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("experiment(s) cmp"));
    s.cmd()
        .args(["split", "mail", "--force"])
        .assert()
        .success();
}

#[test]
fn an_unknown_dataset_exits_2() {
    let s = store();
    s.cmd()
        .args(["split", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
}

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
fn leakage_lists_test_rows_copied_in_train_and_remove_deletes_only_the_train_copies() {
    let s = store();
    // Rows 1 and 3 repeat row 0 (once exactly, once after folding case and punctuation);
    // the file's own split puts row 0 in test and its copies in train.
    let f = s.file(
        "mail.csv",
        "input,expected,split\n\
         win a prize now,spam,test\n\
         win a prize now,spam,train\n\
         lunch at noon,ham,train\n\
         Win a PRIZE -- now!,spam,train\n\
         minutes attached,ham,test\n",
    );
    s.json(&["import", p(&f), "--name", "mail"]);
    let seen = s.json(&["leakage", "mail"]);
    assert_eq!(seen["leakage"]["exact_test_rows"], 1, "{seen}");
    assert_eq!(seen["leakage"]["leaked_train_rows"], 2, "{seen}");
    assert_eq!(seen["removed_train_rows"], Value::Null);
    s.cmd()
        .args(["leakage", "mail"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tunebench leakage mail --remove"));
    let gone = s.json(&["leakage", "mail", "--remove"]);
    assert_eq!(gone["removed_train_rows"], 2, "{gone}");
    assert_eq!(gone["leakage"]["leaked_train_rows"], 0, "{gone}");
    assert_eq!(gone["leakage"]["train_rows"], 1, "{gone}");
    assert_eq!(
        gone["leakage"]["test_rows"], 2,
        "the test rows stay: {gone}"
    );
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

#[test]
fn export_refuses_to_replace_a_file_without_force_and_a_failed_export_keeps_it() {
    let s = store();
    let f = s.file("mail.csv", &labelled(10));
    s.json(&["import", p(&f), "--name", "mail"]);
    let keep = s.file("keep.txt", "precious");
    let export = |extra: &[&str]| {
        let mut cmd = s.cmd();
        cmd.args(["export", "mail", "--split", "train", "--format", "jsonl"])
            .args(["--out", p(&keep)])
            .args(extra);
        cmd.assert()
    };
    export(&[]).code(2).stderr(predicate::str::contains(
        "keep.txt already exists; pass --force",
    ));
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "precious");
    // Not split yet: no train rows, so even with --force nothing replaces the file.
    export(&["--force"])
        .code(2)
        .stderr(predicate::str::contains("no train rows"));
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "precious");
    let split = s.json(&["split", "mail", "--test-fraction", "0.5", "--seed", "1"]);
    export(&["--force"]).success();
    assert_eq!(
        std::fs::read_to_string(&keep).unwrap().lines().count() as i64,
        split["train_rows"].as_i64().unwrap()
    );
}

#[test]
fn csv_export_defuses_formulas_by_default_and_keeps_them_with_raw_values() {
    let s = store();
    let f = s.file(
        "f.csv",
        "input,expected\n\"=HYPERLINK(\"\"http://x\"\")\",@SUM(1)\n",
    );
    s.json(&["import", p(&f), "--name", "f"]);
    let safe = s.dir.path().join("safe.csv");
    let raw = s.dir.path().join("raw.csv");
    let args = ["export", "f", "--split", "all", "--format", "csv", "--out"];
    s.cmd().args(args).arg(p(&safe)).assert().success();
    s.cmd()
        .args(args)
        .arg(p(&raw))
        .arg("--raw-values")
        .assert()
        .success();
    let safe = std::fs::read_to_string(&safe).unwrap();
    assert!(
        safe.contains("'@SUM(1)") && safe.contains("\"'=HYPERLINK("),
        "{safe}"
    );
    let raw = std::fs::read_to_string(&raw).unwrap();
    assert!(
        raw.contains(",@SUM(1)") && raw.contains("\"=HYPERLINK("),
        "{raw}"
    );
}

#[test]
fn names_with_terminal_escape_sequences_are_printed_without_their_control_characters() {
    let s = store();
    let f = s.file("mail.csv", &labelled(4));
    let name = "evil\u{1b}]0;pwned\u{7}\u{1b}[2Jname\r";
    s.cmd()
        .args(["import", p(&f), "--name", name])
        .assert()
        .success();
    let out = s.cmd().arg("datasets").assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("evil]0;pwned[2Jname"), "{stdout:?}");
    assert!(
        !stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{stdout:?}"
    );
}

//! The `tunebench` binary honours the contract of DESIGN.md §8: exit codes, `--json`, `--db`.

// The tests write rows behind the binary's back through raw connections.
#![allow(clippy::disallowed_methods)]

use predicates::prelude::*;

mod support;
use support::{raw, tunebench};

#[test]
fn version_prints_the_crate_version() {
    tunebench()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn datasets_json_on_a_new_store_is_one_valid_object_with_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let out = tunebench()
        .args(["--db", db.to_str().unwrap(), "datasets", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("stdout is one JSON value");
    assert_eq!(v["datasets"], serde_json::json!([]));
    assert!(db.exists(), "the store file must be created at --db");
}

#[test]
fn datasets_reads_rows_the_store_holds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    tunebench()
        .args(["--db", db.to_str().unwrap(), "datasets"])
        .assert()
        .success();
    let conn = raw(&db);
    conn.execute(
        "INSERT INTO dataset (name, source_file, source_format, imported_at, row_count)
         VALUES ('tickets', 'tickets.csv', 'csv', '2026-11-29T00:00:00Z', 3)",
        [],
    )
    .unwrap();
    drop(conn);
    let out = tunebench()
        .args(["--db", db.to_str().unwrap(), "datasets", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["datasets"][0]["name"], "tickets");
    assert_eq!(v["datasets"][0]["rows"], 3);
    tunebench()
        .args(["--db", db.to_str().unwrap(), "datasets"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tickets"));
}

#[test]
fn the_environment_variable_chooses_the_store_when_no_flag_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-env.db");
    tunebench()
        .env("TUNEBENCH_DB", &db)
        .args(["datasets", "--json"])
        .assert()
        .success();
    assert!(db.exists());
}

#[test]
fn a_database_from_a_newer_schema_is_refused_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("newer.db");
    let conn = raw(&db);
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    tunebench()
        .args(["--db", db.to_str().unwrap(), "datasets"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("newer").and(predicate::str::contains("newer.db")));
    let out = tunebench()
        .args(["--db", db.to_str().unwrap(), "datasets", "--json"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["error"]["code"], "schema_too_new");
}

#[test]
fn an_unknown_subcommand_is_a_usage_error_with_exit_code_2() {
    tunebench().arg("frobnicate").assert().code(2);
}

#[test]
fn a_store_that_cannot_be_created_is_a_failure_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    // A path *under a regular file* cannot be created.
    let db = blocker.join("sub").join("x.db");
    tunebench()
        .args(["--db", db.to_str().unwrap(), "datasets"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("file"));
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    use std::process::{Command as Std, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    // `prices list` prints the whole seeded catalog: far more than one pipe read.
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("tunebench"))
        .args(["--db", db.to_str().unwrap(), "prices", "list"])
        .env_remove("TUNEBENCH_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // as `| head -0` would
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn a_missing_file_is_named_once_with_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let missing = dir.path().join("nowhere.toml");
    let out = tunebench()
        .args([
            "--db",
            db.to_str().unwrap(),
            "run",
            missing.to_str().unwrap(),
        ])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&out);
    assert!(stderr.contains("nowhere.toml"), "{stderr}");
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
}

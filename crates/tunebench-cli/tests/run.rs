//! `tunebench run`, `resume` and `provider test` against a tiny in-process HTTP server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

mod support;
use support::{
    chat_server, echo_label, run_exp, spawn_run, toy_arms, toy_experiment, toy_store, tunebench_at,
};

/// A stub server answering every chat call with `status`; a 200 carries the label that
/// follows `Input: ` in the last message. Returns the base URL and a call count.
fn server(status: u16) -> (String, Arc<AtomicUsize>) {
    let s = chat_server(status, 0, echo_label);
    (s.url, s.calls)
}

/// [`server`] answering after `delay_ms`, also recording each call as "model|last message".
fn slow_server(status: u16, delay_ms: u64) -> (String, Arc<AtomicUsize>, Arc<Mutex<Vec<String>>>) {
    let s = chat_server(status, delay_ms, echo_label);
    (s.url, s.calls, s.seen)
}

/// A store with dataset `toy` (6 test cases) and an experiment file against `url`.
fn setup(dir: &std::path::Path, url: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let db = toy_store(dir);
    let arms = toy_arms(
        "max_tokens = 4\nprice = { input = 1.0, output = 1.0 }\n",
        "",
    );
    let key = "api_key_env = \"TB_CLI_TEST_KEY\"\n";
    (db, toy_experiment(dir, "", url, key, &arms))
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("stdout is one JSON object")
}

#[test]
fn run_json_reports_the_run_id_and_per_arm_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (url, calls) = server(200);
    let (db, exp) = setup(dir.path(), &url);
    let out = run_exp(&db, &exp, &["--concurrency", "2", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v = json_of(&out.stdout);
    assert_eq!(v["run_id"], 1);
    assert_eq!(v["status"], "completed");
    assert_eq!(calls.load(Ordering::SeqCst), 12);
    let a = &v["arms"][0];
    assert_eq!(a["name"], "prompting");
    assert_eq!((a["n"].as_i64(), a["errors"].as_i64()), (Some(6), Some(0)));
    // 5 of 6 cases echo the expected label.
    assert!(
        (a["accuracy"].as_f64().unwrap() - 5.0 / 6.0).abs() < 1e-9,
        "{a}"
    );
    assert!(a["latency_ms_p50"].as_f64().unwrap() > 0.0);
    assert!(a["latency_ms_p95"].as_f64().unwrap() >= a["latency_ms_p50"].as_f64().unwrap());
    assert!(
        (a["cost_per_query"].as_f64().unwrap() - 1001e-6).abs() < 1e-12,
        "{a}"
    );
    assert_eq!(v["arms"][1]["cost_per_query"], Value::Null);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("run 1: 12 calls to send"), "{stderr}");
    assert!(
        stderr.contains("estimate: 12 calls, ~"),
        "the token and cost estimate is shown: {stderr}"
    );
}

#[test]
fn a_new_experiment_file_is_shown_and_refused_without_a_terminal_to_confirm_it() {
    let dir = tempfile::tempdir().unwrap();
    let (url, calls) = server(200);
    let (db, exp) = setup(dir.path(), &url);
    let out = tunebench_at(&db)
        .args(["run", exp.to_str().unwrap()])
        .write_stdin("")
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "add provider \"local\" (NEW): openai_compatible at {url}"
        )),
        "the provider and its URL are shown: {stderr}"
    );
    assert!(
        stderr.contains("$TB_CLI_TEST_KEY"),
        "and its key source: {stderr}"
    );
    assert!(
        stderr.contains("not run, there is no terminal to ask whether it may run")
            && stderr.contains("pass --yes"),
        "{stderr}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "nothing was sent");
    let conn = tunebench_core::store::open(&db).unwrap();
    assert!(tunebench_core::store::provider::list(&conn)
        .unwrap()
        .is_empty());
}

#[test]
fn resuming_a_completed_run_sends_nothing_again() {
    let dir = tempfile::tempdir().unwrap();
    let (url, calls) = server(200);
    let (db, exp) = setup(dir.path(), &url);
    run_exp(&db, &exp, &[]).assert().success();
    let out = tunebench_at(&db)
        .args(["resume", "1", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)["arms"][1]["n"], 6);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        12,
        "a completed run has nothing to send"
    );
}

#[test]
fn a_bad_experiment_file_exits_2_naming_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let (db, exp) = setup(dir.path(), "http://127.0.0.1:9/v1");
    let text = std::fs::read_to_string(&exp)
        .unwrap()
        .replace("model = \"ft\"", "model = \"\"");
    std::fs::write(&exp, text).unwrap();
    let out = run_exp(&db, &exp, &["--json"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let msg = json_of(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("exp.toml, key `arms[1].model`: must not be empty"),
        "{msg}"
    );
}

#[test]
fn provider_test_reports_a_refused_key_in_plain_words_without_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = server(401);
    let (db, exp) = setup(dir.path(), &url);
    // Importing the experiment registers the provider; the run itself records errors.
    run_exp(&db, &exp, &[]).assert().success();
    let out = tunebench_at(&db)
        .env("TB_CLI_TEST_KEY", "sk-cli-SECRET")
        .args(["provider", "test", "local"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("refused the API key"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.contains("sk-cli-SECRET") && !stderr.contains("sk-cli-SECRET"),
        "the key leaked: {stdout} {stderr}"
    );
    assert!(
        stdout.contains("[redacted]"),
        "the provider echoed the key; it must show redacted: {stdout}"
    );
}

#[test]
fn a_budget_stopped_run_resumes_under_a_new_budget_counting_what_was_already_spent() {
    let dir = tempfile::tempdir().unwrap();
    let (url, calls) = server(200);
    let (db, exp) = setup(dir.path(), &url);
    // Arm A costs 1001e-6 USD per call; arm B is free. Concurrency 1 keeps the order.
    let out = run_exp(
        &db,
        &exp,
        &["--concurrency", "1", "--budget", "0.002", "--json"],
    )
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let v = json_of(&out);
    assert_eq!(v["status"], "budget_stopped");
    let first = calls.load(Ordering::SeqCst);
    assert!(first < 12, "stopped before the end: {first} calls");
    // The same ceiling is already reached: resuming under it sends nothing more.
    let out = tunebench_at(&db)
        .args(["resume", "1", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)["status"], "budget_stopped");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        first,
        "no call once the ceiling is reached"
    );
    let out = tunebench_at(&db)
        .args(["resume", "1", "--budget", "1", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json_of(&out);
    assert_eq!(v["status"], "completed");
    assert_eq!(v["arms"][0]["n"], 6);
    assert!(
        (v["spend_usd"].as_f64().unwrap() - 6.0 * 1001e-6).abs() < 1e-9,
        "{v}"
    );
}

#[test]
fn a_run_killed_with_sigkill_shows_as_interrupted_and_resumes_without_resending_saved_cases() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _, seen) = slow_server(200, 60);
    let (db, exp) = setup(dir.path(), &url);
    let mut child = spawn_run(&db, &exp, &["--concurrency", "1"], &[]);
    let conn = tunebench_core::store::open(&db).unwrap();
    let saved = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT COUNT(*) FROM result", [], |r| r.get(0))
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while saved(&conn) < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the run saved nothing"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let before: Vec<String> = conn
        .prepare(
            "SELECT a.model || '|Input: ' || e.input FROM result r
               JOIN arm a ON a.id = r.arm_id JOIN example e ON e.id = r.example_id",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        before.len() >= 4 && before.len() < 12,
        "killed mid-run: {}",
        before.len()
    );
    let calls_before_resume = seen.lock().unwrap().len();

    let out = tunebench_at(&db)
        .args(["resume", "1", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("run 1 is interrupted; resuming"),
        "{stderr}"
    );
    assert_eq!(json_of(&out.stdout)["status"], "completed");
    assert_eq!(saved(&conn), 12);
    let resumed: Vec<String> = seen.lock().unwrap()[calls_before_resume..].to_vec();
    for key in &before {
        assert!(
            !resumed.contains(key),
            "{key} was saved before the kill and sent again"
        );
    }
    assert_eq!(
        resumed.len(),
        12 - before.len(),
        "exactly the cases without a result are sent"
    );
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[cfg(target_os = "linux")]
#[test]
fn set_key_on_a_headless_linux_box_says_there_is_no_keychain_and_points_to_the_env_var() {
    let dir = tempfile::tempdir().unwrap();
    let (db, exp) = setup(dir.path(), "http://127.0.0.1:9/v1");
    run_exp(&db, &exp, &[]).assert().success();
    let out = tunebench_at(&db)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("XDG_RUNTIME_DIR")
        .args(["provider", "set-key", "local"])
        .write_stdin("sk-headless-SECRET\n")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no OS keychain is available"), "{stderr}");
    assert!(
        stderr.contains("api_key_env"),
        "points to the environment variable: {stderr}"
    );
    assert!(!stderr.contains("sk-headless-SECRET"));
}

#[test]
fn resume_with_retry_errors_asks_only_the_errored_cases_again() {
    let dir = tempfile::tempdir().unwrap();
    let (url, calls) = server(200);
    let (db, exp) = setup(dir.path(), &url);
    run_exp(&db, &exp, &[]).assert().success();
    assert_eq!(calls.load(Ordering::SeqCst), 12);
    // Three of the fine-tuned arm's cases timed out (as a provider outage would leave
    // them); a call that failed never filled the response cache.
    let conn = tunebench_core::store::open(&db).unwrap();
    conn.execute_batch(
        "UPDATE result SET output = NULL, error_class = 'timeout', error_message = 'no answer within 60 s'
          WHERE arm_id = 2 AND example_id IN (1, 2, 3);
         DELETE FROM response_cache;",
    )
    .unwrap();
    drop(conn);

    let plain = json_of(
        &tunebench_at(&db)
            .args(["resume", "1", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(
        plain["arms"][1]["errors"], 3,
        "a plain resume keeps errors as results"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 12);

    let out = tunebench_at(&db)
        .args(["resume", "1", "--retry-errors", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v = json_of(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        15,
        "only the three errored cases asked again: {stderr} {v}"
    );
    assert_eq!(
        (v["arms"][1]["n"].as_i64(), v["arms"][1]["errors"].as_i64()),
        (Some(6), Some(0))
    );
    assert_eq!(v["arms"][0]["n"], 6, "the other arm untouched");
    assert!(String::from_utf8_lossy(&out.stderr).contains("the 3 cases that ended as errors"));
}

//! `tunebench run EXP --batch` and `resume` of a batch run, through the real binary,
//! against an in-process fake of OpenAI's Batch API (files with purpose `batch`, batches
//! with `/v1/chat/completions` and `24h`, output files) that also answers live calls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

mod support;
use support::{echo_label, run_exp, serve, spawn_run, toy_store, tunebench_at, Request};

const KEY: &str = "sk-batch-cli-test";

#[derive(Default)]
struct Fake {
    files: HashMap<String, String>,
    batches: Vec<(String, String)>,
    live_calls: u32,
    violations: Vec<String>,
    /// While true, a batch stays `in_progress`.
    hold: bool,
}

fn answer(fake: &mut Fake, req: &Request) -> (u16, String) {
    if req.headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {KEY}")) {
        fake.violations
            .push(format!("{} {}: no key", req.method, req.path));
        return (401, json!({"error": {"message": "no key"}}).to_string());
    }
    let label = |body: &Value| {
        let last = body["messages"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"].as_str())
            .unwrap_or("");
        echo_label(last)
    };
    let completion = |body: &Value| {
        json!({"choices": [{"message": {"role": "assistant", "content": label(body)}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 1}})
    };
    let batch = |id: &str, status: &str, out: Option<String>| {
        json!({"id": id, "object": "batch", "status": status,
        "endpoint": "/v1/chat/completions", "completion_window": "24h", "output_file_id": out, "error_file_id": null,
        "request_counts": {"total": 0, "completed": 0, "failed": 0}}).to_string()
    };
    let path = req.path.as_str();
    match (req.method.as_str(), path) {
        ("POST", "/v1/chat/completions") => {
            fake.live_calls += 1;
            let body = req.json();
            (200, completion(&body).to_string())
        }
        ("POST", "/v1/files") => {
            if !req.body.contains("name=\"purpose\"\r\n\r\nbatch\r\n") {
                fake.violations.push("upload without purpose=batch".into());
            }
            let start = req
                .body
                .find("application/jsonl\r\n\r\n")
                .map(|i| i + 21)
                .unwrap_or(0);
            let end = req.body.rfind("\r\n--").unwrap_or(req.body.len());
            let id = format!("file-{}", fake.files.len() + 1);
            fake.files
                .insert(id.clone(), req.body[start..end].to_string());
            (200, json!({"id": id, "purpose": "batch"}).to_string())
        }
        ("POST", "/v1/batches") => {
            let b = req.json();
            if b["endpoint"] != "/v1/chat/completions" || b["completion_window"] != "24h" {
                fake.violations.push(format!("batch create body {b}"));
            }
            let file = b["input_file_id"].as_str().unwrap_or_default().to_string();
            for line in fake.files.get(&file).cloned().unwrap_or_default().lines() {
                let v: Value = serde_json::from_str(line).unwrap_or(Value::Null);
                if v["url"] != "/v1/chat/completions"
                    || v["method"] != "POST"
                    || v["body"].get("stream").is_some()
                {
                    fake.violations.push(format!("batch line {line}"));
                }
            }
            let id = format!("batch_{}", fake.batches.len() + 1);
            fake.batches.push((id.clone(), file));
            (200, batch(&id, "validating", None))
        }
        ("GET", p) if p.starts_with("/v1/batches/") => {
            let id = &p["/v1/batches/".len()..];
            let Some((_, file)) = fake.batches.iter().find(|(b, _)| b == id).cloned() else {
                return (404, json!({"error": {"message": "no batch"}}).to_string());
            };
            if fake.hold {
                return (200, batch(id, "in_progress", None));
            }
            let mut out = String::new();
            for line in fake.files.get(&file).cloned().unwrap_or_default().lines() {
                let v: Value = serde_json::from_str(line).unwrap_or(Value::Null);
                out.push_str(
                    &json!({"custom_id": v["custom_id"], "error": null,
                    "response": {"status_code": 200, "body": completion(&v["body"])}})
                    .to_string(),
                );
                out.push('\n');
            }
            let out_id = format!("{file}-out");
            fake.files.insert(out_id.clone(), out);
            (200, batch(id, "completed", Some(out_id)))
        }
        ("GET", p) if p.starts_with("/v1/files/") && p.ends_with("/content") => {
            let id = &p["/v1/files/".len()..p.len() - "/content".len()];
            match fake.files.get(id) {
                Some(text) => (200, text.clone()),
                None => (404, json!({"error": {"message": "no file"}}).to_string()),
            }
        }
        _ => {
            fake.violations.push(format!("{} {path}", req.method));
            (404, json!({"error": {"message": "not found"}}).to_string())
        }
    }
}

fn start() -> (String, Arc<Mutex<Fake>>) {
    let fake = Arc::new(Mutex::new(Fake::default()));
    let shared = fake.clone();
    let url = serve(move |req| answer(&mut shared.lock().unwrap(), req));
    (url, fake)
}

/// The arms differ in their template, so neither is answered from the other's cached
/// responses: every live latency call reaches the fake whatever order they finish in.
fn setup(dir: &std::path::Path, url: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let db = toy_store(dir);
    let toml = format!(
        "name = \"toy\"\ndataset = \"toy\"\n[[providers]]\nname = \"openai\"\nkind = \"openai\"\n\
         base_url = \"{url}\"\napi_key_env = \"TB_BATCH_KEY\"\nstream = false\nmax_attempts = 1\n\
         [[arms]]\nname = \"prompting\"\nprovider = \"openai\"\nmodel = \"gpt-4.1-mini\"\n\
         template = \"Input: {{{{input}}}}\"\nmax_tokens = 4\n\
         [[arms]]\nname = \"fine-tuned\"\nkind = \"fine_tuned\"\nprovider = \"openai\"\n\
         model = \"gpt-4.1-mini\"\ntemplate = \"Answer. Input: {{{{input}}}}\"\nmax_tokens = 4\n"
    );
    let exp = dir.join("exp.toml");
    std::fs::write(&exp, toml).unwrap();
    (db, exp)
}

/// `tunebench run EXP --yes --batch EXTRA…` with the fake's key and a fast poll.
fn run_batch(db: &std::path::Path, exp: &std::path::Path, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = run_exp(db, exp, &[&["--batch"], extra].concat());
    cmd.envs(BATCH_ENV.iter().copied());
    cmd
}

const BATCH_ENV: [(&str, &str); 2] = [
    ("TB_BATCH_KEY", KEY),
    ("TUNEBENCH_BATCH_POLL_SECONDS", "0.05"),
];

#[test]
fn run_batch_sends_the_cases_through_the_batch_api_and_reports_both_costs_and_sampled_latency() {
    let dir = tempfile::tempdir().unwrap();
    let (url, fake) = start();
    let (db, exp) = setup(dir.path(), &url);
    let out = run_batch(&db, &exp, &["--latency-sample", "2", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fake = fake.lock().unwrap();
    assert_eq!(fake.violations, Vec::<String>::new());
    assert_eq!(fake.batches.len(), 2, "one batch per arm");
    assert_eq!(fake.live_calls, 4, "2 cases per arm live, for latency");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["arms"][0]["n"], 6);
    assert_eq!(v["arms"][0]["errors"], 0);
    let live = v["batch"]["estimate"]["live"]["cost_usd"].as_f64().unwrap();
    let batched = v["batch"]["estimate"]["batch_cost_usd"].as_f64().unwrap();
    // 2 of 6 calls per arm live, 4 at the catalog's half price: 2/6 + 4/6 × 0.5.
    assert!(
        (batched / live - 4.0 / 6.0).abs() < 1e-9,
        "{batched} / {live}"
    );
    assert_eq!(v["batch"]["arms"][0]["state"], "ingested");
    assert_eq!(v["batch"]["arms"][0]["submitted"], 4);
    let note = v["batch"]["latency_note"].as_str().unwrap();
    assert!(
        note.starts_with("Latency and time to first token are sampled")
            && note.contains("2 cases of prompting"),
        "{note}"
    );
    assert!(
        stderr.contains("as a batch run: live: $") && stderr.contains("8 calls batched"),
        "{stderr}"
    );
}

#[test]
fn run_batch_refuses_a_provider_without_a_batch_api_and_leaves_no_run_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start();
    let (db, exp) = setup(dir.path(), &url);
    std::fs::write(
        &exp,
        std::fs::read_to_string(&exp)
            .unwrap()
            .replace("kind = \"openai\"", "kind = \"openai_compatible\""),
    )
    .unwrap();
    let out = run_exp(&db, &exp, &["--batch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("has no batch API"), "{stderr}");
    let conn = support::raw(&db);
    let runs: i64 = conn
        .query_row("SELECT COUNT(*) FROM run", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 0);
}

#[test]
fn resume_continues_a_batch_run_killed_mid_ingestion_and_writes_each_case_once() {
    let dir = tempfile::tempdir().unwrap();
    let (url, fake) = start();
    let (db, exp) = setup(dir.path(), &url);
    fake.lock().unwrap().hold = true;
    let mut child = spawn_run(&db, &exp, &["--batch", "--latency-sample", "0"], &BATCH_ENV);
    for _ in 0..600 {
        if fake.lock().unwrap().batches.len() == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Killed once both batches are in the store, however long the writer takes to record
    // them on a busy machine.
    for _ in 0..1500 {
        let stored: i64 = support::raw(&db)
            .query_row(
                "SELECT COUNT(*) FROM batch_job WHERE provider_batch_id IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap_or(0);
        if stored == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // What an ingestion cut short leaves behind: 3 of the first batch's results are in,
    // the batch is not marked ingested.
    let conn = support::raw(&db);
    let (arm_id, case_ids): (i64, String) = conn
        .query_row(
            "SELECT arm_id, case_ids FROM batch_job ORDER BY arm_id, part LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let case_ids: Vec<i64> = serde_json::from_str(&case_ids).unwrap();
    for id in &case_ids[..3] {
        conn.execute(
            "INSERT INTO result (run_id, arm_id, example_id, output, created_at)
             VALUES (1, ?1, ?2, 'written before the kill', '2026-12-01T00:00:00Z')",
            [arm_id, *id],
        )
        .unwrap();
    }
    drop(conn);
    fake.lock().unwrap().hold = false;
    let out = tunebench_at(&db)
        .envs(BATCH_ENV.iter().copied())
        .args(["resume", "1", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "completed");
    assert_eq!(
        fake.lock().unwrap().batches.len(),
        2,
        "the same batches, not submitted again"
    );
    assert_eq!(fake.lock().unwrap().live_calls, 0);
    let conn = support::raw(&db);
    let results: i64 = conn
        .query_row("SELECT COUNT(*) FROM result", [], |r| r.get(0))
        .unwrap();
    assert_eq!(results, 12, "every case once");
    let early: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM result WHERE output = 'written before the kill'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(early, 3, "rows already written are kept, not written twice");
    let ingested: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM batch_job WHERE state = 'ingested'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ingested, 2);
}

#[test]
fn report_of_a_batch_run_labels_its_latency_as_sampled() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start();
    let (db, exp) = setup(dir.path(), &url);
    run_batch(&db, &exp, &["--latency-sample", "3"])
        .assert()
        .success();
    let out = tunebench_at(&db).args(["report", "1"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Latency and time to first token are sampled: measured on a live sample (3 cases of prompting, 3 cases of fine-tuned; 3 requested per arm, seeded), since the 6 answers that came through the batch API carry no serving latency."),
        "{text}"
    );
}

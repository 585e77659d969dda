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

/// A stub of OpenAI's job poll: `GET …/fine_tuning/jobs/ftjob-1` answers the next word of
/// `words` (the last one stays), `…/events` one loss event; returns the base URL.
fn job_poll_stub(words: &'static [&'static str]) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let polls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut line).unwrap();
            while reader.read_line(&mut String::new()).unwrap_or(0) > 2 {}
            let body = if line.starts_with("GET /v1/fine_tuning/jobs/ftjob-1/events") {
                serde_json::json!({"data": [{"created_at": 1764500060, "level": "info",
                    "message": "Step 1/1: training loss=0.90", "data": {"step": 1, "train_loss": 0.9}}]})
            } else if line.starts_with("GET /v1/fine_tuning/jobs/ftjob-1 ") {
                let n = polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let word = words[n.min(words.len() - 1)];
                let done = word == "succeeded";
                serde_json::json!({"id": "ftjob-1", "status": word,
                    "fine_tuned_model": if done { serde_json::json!("ft:gpt-4.1-mini:acme::w1") } else { serde_json::Value::Null },
                    "trained_tokens": if done { serde_json::json!(1000) } else { serde_json::Value::Null }})
            } else {
                serde_json::json!({"error": {"message": format!("no such endpoint: {line}")}})
            };
            let body = body.to_string();
            let _ = write!(
                &stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn status_watch_polls_until_the_job_ends_printing_each_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    setup(&db);
    let url = job_poll_stub(&["running", "succeeded"]);
    let conn = tunebench_core::store::open(&db).unwrap();
    conn.execute_batch(&format!(
        "UPDATE provider SET base_url = '{url}' WHERE id = 1;
         INSERT INTO fine_tune_job (id, trainer, provider_id, dataset_id, source_arm_id, base_model,
                status, training_file, provider_job_id, created_at, updated_at)
             VALUES (3, 'openai', 1, 1, 1, 'gpt-4.1-mini-2025-04-14', 'queued', 'file-1', 'ftjob-1',
                '2026-11-30T10:00:00Z', '2026-11-30T10:00:00Z');"
    ))
    .unwrap();
    drop(conn);
    tunebench(&db)
        .args(["finetune", "status", "3", "--watch"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("job 3: running")
                .and(predicate::str::contains("job 3: succeeded"))
                .and(predicate::str::contains("training loss 0.9 at step 1"))
                .and(predicate::str::contains("arm 2 is ready to compare")),
        );
}

#[test]
fn compare_refuses_an_unfinished_job_and_prepares_the_run_of_a_finished_one_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    setup(&db);
    let url = job_poll_stub(&["succeeded"]);
    let conn = tunebench_core::store::open(&db).unwrap();
    conn.execute_batch(&format!(
        "UPDATE provider SET base_url = '{url}' WHERE id = 1;
         INSERT INTO fine_tune_job (id, trainer, provider_id, dataset_id, source_arm_id, base_model,
                status, training_file, provider_job_id, created_at, updated_at)
             VALUES (3, 'openai', 1, 1, 1, 'gpt-4.1-mini-2025-04-14', 'running', 'file-1', 'ftjob-1',
                '2026-11-30T10:00:00Z', '2026-11-30T10:00:00Z');"
    ))
    .unwrap();
    drop(conn);
    tunebench(&db)
        .args(["finetune", "compare", "3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "fine-tune job 3 is running; compare it once it has succeeded",
        ));
    tunebench(&db)
        .args(["finetune", "status", "3"])
        .assert()
        .success();
    tunebench(&db)
        .args(["finetune", "compare", "3"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("(new) compares job 3's source arm with its fine-tuned arm")
                .and(predicate::str::contains("Start it with `tunebench resume")),
        );
    let out = tunebench(&db)
        .args(["finetune", "compare", "3", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["reused"], true, "the experiment is made once");
    assert!(v["prepared"]["estimate"]["calls"].as_u64().unwrap() > 0);
}

/// What the OpenAI stub of [`openai_stub`] saw: uploads, job creations, the key each
/// request carried, and the polls it answered (failures included).
#[derive(Default)]
struct Seen {
    uploads: usize,
    created: Vec<serde_json::Value>,
    keys: Vec<String>,
    polls: usize,
}

/// A stub of OpenAI's fine-tuning API over real HTTP: the multipart upload, the job
/// creation, and the job poll answering `script` in order (a status code, and the job's
/// status when 200; the last one stays). Returns its base URL and what it saw.
fn openai_stub(
    script: &'static [(u16, &'static str)],
) -> (String, std::sync::Arc<std::sync::Mutex<Seen>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Seen::default()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            let (mut len, mut key) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("authorization:") {
                    key = line["authorization:".len()..].trim().to_string();
                }
            }
            let mut body = vec![0u8; len];
            reader.read_exact(&mut body).unwrap();
            let body = String::from_utf8_lossy(&body).to_string();
            let mut s = log.lock().unwrap();
            s.keys.push(key);
            let (status, reply) = if first.starts_with("POST /v1/files ") {
                s.uploads += 1;
                let ok = body.contains("name=\"purpose\"\r\n\r\nfine-tune")
                    && body.contains("\"messages\"");
                (
                    if ok { 200 } else { 400 },
                    serde_json::json!({"id": "file-1", "object": "file", "purpose": "fine-tune"}),
                )
            } else if first.starts_with("POST /v1/fine_tuning/jobs ") {
                let b: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                s.created.push(b.clone());
                (
                    200,
                    serde_json::json!({"id": "ftjob-1", "status": "validating_files", "model": b["model"]}),
                )
            } else if first.starts_with("GET /v1/fine_tuning/jobs/ftjob-1/events") {
                (200, serde_json::json!({"data": []}))
            } else if first.starts_with("GET /v1/fine_tuning/jobs/ftjob-1 ") {
                let (code, word) = script[s.polls.min(script.len() - 1)];
                s.polls += 1;
                let done = word == "succeeded";
                (
                    code,
                    if code == 200 {
                        serde_json::json!({"id": "ftjob-1", "status": word,
                            "fine_tuned_model": if done { serde_json::json!("ft:gpt-4.1-mini-2025-04-14:acme::cli") } else { serde_json::Value::Null },
                            "trained_tokens": if done { serde_json::json!(30000) } else { serde_json::Value::Null }})
                    } else {
                        serde_json::json!({"error": {"message": format!("injected {code}")}})
                    },
                )
            } else {
                (
                    404,
                    serde_json::json!({"error": {"message": format!("no such endpoint: {first}")}}),
                )
            };
            drop(s);
            let reply = reply.to_string();
            let _ = write!(
                &stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn a_job_started_by_one_process_is_followed_by_the_next_through_a_429_and_a_503_to_its_arm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    setup(&db);
    let (url, seen) = openai_stub(&[(429, ""), (503, ""), (200, "running"), (200, "succeeded")]);
    let conn = tunebench_core::store::open(&db).unwrap();
    conn.execute(
        "UPDATE provider SET base_url = ?1, api_key_env = 'TB_TEST_FT_KEY' WHERE id = 1",
        [&url],
    )
    .unwrap();
    drop(conn);
    let cli = || {
        let mut c = tunebench(&db);
        c.env("TB_TEST_FT_KEY", "sk-ft-cli-0123")
            .timeout(std::time::Duration::from_secs(60));
        c
    };
    // `start` uploads, creates the job and exits: nothing of it stays running.
    cli()
        .args([
            "finetune",
            "start",
            "--provider",
            "openai",
            "--ceiling",
            "5",
        ])
        .args(PLAN)
        .assert()
        .success()
        .stdout(
            predicate::str::contains(
                "job 1: validating gpt-4.1-mini-2025-04-14 at OpenAI (ftjob-1), 12 examples",
            )
            .and(predicate::str::contains(
                "Follow it with `tunebench finetune status 1`.",
            )),
        );
    {
        let s = seen.lock().unwrap();
        assert_eq!((s.uploads, s.created.len(), s.polls), (1, 1, 0));
    }
    // Each later process reads the job from the store: a 429 and a 503 are retried later,
    // never the end of the job.
    cli()
        .args(["finetune", "status", "1"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("job 1: validating")
                .and(predicate::str::contains("the last 1 polls failed")),
        );
    cli()
        .args(["finetune", "status", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("the last 2 polls failed"));
    // `status` without an id picks up every live job.
    cli()
        .args(["finetune", "status"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("job 1: running")
                .and(predicate::str::contains("polls failed").not()),
        );
    let out = cli()
        .args(["finetune", "status", "1", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let job = &v["jobs"][0];
    assert_eq!(job["status"], "succeeded");
    assert_eq!(job["trained_tokens"], 30000.0);
    assert_eq!(job["training_cost_source"], "trained_tokens");
    // ft:gpt-4.1-mini* trains at $5 per 1M tokens in the seed catalog: 30,000 × $5 / 1M.
    assert!((job["training_cost"].as_f64().unwrap() - 0.15).abs() < 1e-12);
    assert_eq!(job["result_arm_id"], 2);
    cli()
        .args(["finetune", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("arm 2 is ready to compare"));
    let s = seen.lock().unwrap();
    assert_eq!(
        (s.uploads, s.created.len(), s.polls),
        (1, 1, 4),
        "created once, polled four times"
    );
    assert_eq!(s.created[0]["training_file"], "file-1");
    assert!(
        s.keys.iter().all(|k| k == "Bearer sk-ft-cli-0123"),
        "{:?}",
        s.keys
    );
}

//! The batch ingestion bench: 2 arms × 20,000 cases through the OpenAI batch fake. The fake
//! serves from a process of its own (this test binary started again, running only
//! [`SERVER_TEST`]), so what it holds (every request, the output files) is not counted:
//! the figures are those of this process, which submits and ingests as Tunebench does.
//!
//! - ingestion: results per second from the moment the fake starts sending the first
//!   results file to the moment the session returns (its writer has committed the last
//!   row); both batches end, and their files are written, before that moment;
//! - memory: the peak resident size (`VmHWM`) from the start of the run (the store set up
//!   and its peak started over) to its end: submission and ingestion.
//!
//! Ignored by default. `bench/batch-ingest.sh` runs it in release and quotes the median of
//! three; once: `cargo test -p tunebench-core --test it --release batch::bench -- --ignored
//! --nocapture`.

use std::collections::HashSet;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::*;
use crate::batch_fakes::State;
use crate::provider_server::{Recorded, Reply};

const CASES: u32 = 20_000;
/// Set in the fake's process: the file it writes its address to.
const SERVE_ENV: &str = "TUNEBENCH_BATCH_BENCH_SERVE";
/// The test that serves the fake in its own process.
const SERVER_TEST: &str = "batch::bench::the_benchs_batch_fake_serving_in_a_process_of_its_own";

/// A figure of this process's memory from `/proc/self/status`, in MB: `VmHWM` (the peak
/// resident size since the start or the last [`reset_peak`]) or `VmRSS` (now).
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Starts the peak over from the current resident size (Linux `clear_refs` 5).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// The bench's paths on the fake: `POST /bench/complete` ends every batch now (its files
/// written before any download), `GET /bench/batches` counts the batches, `GET
/// /bench/report` says what the fake saw. Every other request goes to the fake; the first
/// download of a file's content is timed into `first`.
fn control(st: &mut State, req: &Recorded, first: &Mutex<Option<u64>>) -> Option<Reply> {
    let reply = |v: Value| Some(Reply::Status(200, vec![], v.to_string()));
    match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/bench/complete") => {
            st.hold = false;
            st.complete_all(Api::OpenAi);
            reply(json!({}))
        }
        ("GET", "/bench/batches") => reply(json!(st.batches.len())),
        ("GET", "/bench/report") => {
            let mut seen = HashSet::new();
            let repeated = st
                .batches
                .iter()
                .flat_map(|b| &b.requests)
                .filter(|(id, _)| !seen.insert(id.clone()))
                .count();
            reply(json!({
                "violations": st.violations,
                "batch_sizes": st.batches.iter().map(|b| b.requests.len()).collect::<Vec<_>>(),
                "repeated_custom_ids": repeated,
                "live_calls": st.live_calls,
                "first_download_us": *first.lock().unwrap(),
            }))
        }
        ("GET", p) if p.starts_with("/v1/files/") && p.ends_with("/content") => {
            first.lock().unwrap().get_or_insert_with(now_us);
            None
        }
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the batch bench's fake: the bench starts it in a process of its own"]
async fn the_benchs_batch_fake_serving_in_a_process_of_its_own() {
    let Some(addr_file) = std::env::var_os(SERVE_ENV) else {
        return;
    };
    let first = Arc::new(Mutex::new(None));
    let timed = Arc::clone(&first);
    let fake = BatchFake::start_with(Api::OpenAi, move |st, req| control(st, req, &timed)).await;
    fake.with(|s| {
        s.hold = true;
        s.script = Some(vec!["validating", "completed"]);
    });
    let addr_file = std::path::PathBuf::from(addr_file);
    let tmp = addr_file.with_extension("tmp");
    std::fs::write(&tmp, &fake.srv.base_url).unwrap();
    std::fs::rename(&tmp, &addr_file).unwrap();
    // Serves until the bench closes this process's stdin (or ends).
    tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new()))
        .await
        .unwrap()
        .unwrap();
}

/// The fake, serving in a child process (ended when dropped).
struct FakeProcess {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl FakeProcess {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let addr_file = dir.path().join("addr");
        let child = Command::new(std::env::current_exe().unwrap())
            .args([SERVER_TEST, "--exact", "--ignored", "--test-threads", "1"])
            .env(SERVE_ENV, &addr_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !addr_file.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the fake's process did not start"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        Self {
            child,
            base: std::fs::read_to_string(&addr_file).unwrap(),
            http: reqwest::Client::new(),
        }
    }

    async fn ask(&self, method: reqwest::Method, path: &str) -> Value {
        let url = format!("{}/bench/{path}", self.base);
        let resp = self.http.request(method, url).send().await.unwrap();
        resp.json().await.unwrap()
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        for _ in 0..200 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a bench: run it in release with --ignored --nocapture (bench/batch-ingest.sh)"]
async fn batch_ingestion_of_two_arms_of_20000_cases() {
    let fake = FakeProcess::start();
    let db = temp_db();
    let base_url = format!("{}/v1", fake.base);
    let exp = setup_at(&db, Api::OpenAi, &base_url, CASES as usize);
    let run_id = new_run(&db, exp, settings(OnFailure::Error, 0));
    let ctx = context(&db);
    let setup_peak = status_mb("VmHWM:");
    let at_start = status_mb("VmRSS:");
    let reset = reset_peak();
    let t_submit = Instant::now();
    let complete = async {
        while fake.ask(reqwest::Method::GET, "batches").await != json!(2) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let submitted = (t_submit.elapsed(), status_mb("VmHWM:"));
        fake.ask(reqwest::Method::POST, "complete").await;
        submitted
    };
    let (ended, (submitted, submit_peak)) = tokio::join!(go_watched(&db, &ctx, run_id), complete);
    let t_end = now_us();
    let peak = status_mb("VmHWM:");
    let report = fake.ask(reqwest::Method::GET, "report").await;
    stored_once(&db, run_id, &ended, CASES);
    assert_eq!(report["violations"], json!([]), "{report}");
    assert_eq!(report["batch_sizes"], json!([CASES, CASES]), "{report}");
    assert_eq!(report["repeated_custom_ids"], json!(0), "{report}");
    assert_eq!(report["live_calls"], json!(0), "{report}");
    let first = report["first_download_us"].as_u64().expect("a download");
    let ingest_s = t_end.saturating_sub(first) as f64 / 1e6;
    let rate = f64::from(2 * CASES) / ingest_s;
    let mb = |v: Option<f64>| v.unwrap_or(f64::NAN);
    println!(
        "batch bench: 2 arms x {CASES} cases, the fake in its own process; submitted in \
         {:.2} s; ingested {} results in {ingest_s:.3} s = {rate:.0} results/s; peak RSS of \
         this process over submission and ingestion {:.1} MB (by the end of the submission \
         {:.1} MB; RSS at the start of the run {:.1} MB; peak while setting up the store \
         {:.1} MB)",
        submitted.as_secs_f64(),
        2 * CASES,
        mb(peak),
        mb(submit_peak),
        mb(at_start),
        mb(setup_peak),
    );
    // One line for bench/batch-ingest.sh.
    println!(
        "batch-ingest-figures results_per_s={rate:.0} peak_mb={:.1}",
        mb(peak)
    );
    assert!(reset, "the peak could not be started over");
    if cfg!(not(debug_assertions)) {
        assert!(rate >= 20_000.0, "ingestion {rate:.0} results/s");
        assert!(peak.is_some_and(|p| p <= 150.0), "peak {peak:?} MB");
    }
}

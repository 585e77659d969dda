//! What the CLI tests share: the binary and its run commands, a raw SQLite handle, one stub
//! HTTP server (and a chat-completions server on it), and the toy dataset and experiment
//! file most run tests start from.
#![allow(dead_code)] // each test binary uses its own part

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use serde_json::Value;

/// The `tunebench` binary, blind to the caller's `TUNEBENCH_DB`.
pub fn tunebench() -> Command {
    let mut cmd = Command::cargo_bin("tunebench").unwrap();
    cmd.env_remove("TUNEBENCH_DB");
    cmd
}

/// [`tunebench`] on the store at `db`.
pub fn tunebench_at(db: &Path) -> Command {
    let mut cmd = tunebench();
    cmd.arg("--db").arg(db);
    cmd
}

/// Runs `tunebench --json ARGS` on the store at `db`, asserts it succeeded (showing its
/// stderr when not), and returns the one JSON object it printed.
pub fn tunebench_json(db: &Path, args: &[&str]) -> Value {
    let out = tunebench_at(db).args(args).arg("--json").output().unwrap();
    assert!(
        out.status.success(),
        "tunebench {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

/// A raw SQLite handle that bypasses the store's `open()`, to set up or inspect files by hand.
#[allow(clippy::disallowed_methods)]
pub fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// A running stub server: its base URL (ending in `/v1`), how many calls it answered, and
/// each call as "model|last message".
pub struct ChatServer {
    pub url: String,
    pub calls: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<String>>>,
}

/// The label that follows `Input: ` in a message (what the echo server answers).
pub fn echo_label(last: &str) -> String {
    let after = last.rsplit("Input: ").next().unwrap_or("");
    after.split(' ').next().unwrap_or("").to_owned()
}

/// One HTTP request as a stub server read it; header names lower-cased.
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Request {
    /// The body as JSON (`null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A blocking HTTP/1.1 server on a free loopback port, a thread per connection, answering
/// each request with `answer(request)` = (status, JSON body). Returns its base URL, ending
/// in `/v1`.
pub fn serve(answer: impl Fn(&Request) -> (u16, String) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let answer = answer.clone();
            std::thread::spawn(move || {
                let Some(req) = read_request(&stream) else {
                    return;
                };
                let (status, body) = answer(&req);
                let _ = write!(
                    &stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    url
}

/// A chat-completions server ([`serve`]): a 200 answers `reply(last message)` after
/// `delay_ms` with usage of 1000 prompt and 1 completion tokens; any other `status` answers
/// an error quoting a key (`sk-cli-SECRET`).
pub fn chat_server(
    status: u16,
    delay_ms: u64,
    reply: impl Fn(&str) -> String + Send + Sync + 'static,
) -> ChatServer {
    let (calls, seen) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(Mutex::new(Vec::new())),
    );
    let (counter, log) = (calls.clone(), seen.clone());
    let url = serve(move |req| {
        let req = req.json();
        counter.fetch_add(1, Ordering::SeqCst);
        let last = req["messages"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"].as_str())
            .unwrap_or("")
            .to_string();
        let model = req["model"].as_str().unwrap_or("");
        log.lock().unwrap().push(format!("{model}|{last}"));
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let body = if status == 200 {
            serde_json::json!({
                "choices": [{"message": {"role": "assistant", "content": reply(&last)}}],
                "usage": {"prompt_tokens": 1000, "completion_tokens": 1}
            })
        } else {
            serde_json::json!({"error": {"message": "Incorrect API key provided: sk-cli-SECRET"}})
        };
        (status, body.to_string())
    });
    ChatServer { url, calls, seen }
}

/// One request (`None` when the client hung up before sending it whole).
pub fn read_request(stream: &std::net::TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut parts = first.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_lowercase(), v.trim().to_string());
        }
    }
    let len = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into(),
    })
}

/// A new store at `dir/t.db` holding dataset `toy` ([`toy_dataset`], no train rows).
pub fn toy_store(dir: &Path) -> PathBuf {
    let db = dir.join("t.db");
    tunebench_at(&db).arg("datasets").assert().success();
    toy_dataset(&db, 0);
    db
}

/// `tunebench run EXP --yes EXTRA…` on the store at `db`.
pub fn run_exp(db: &Path, exp: &Path, extra: &[&str]) -> Command {
    let mut cmd = tunebench_at(db);
    cmd.arg("run").arg(exp).arg("--yes").args(extra);
    cmd
}

/// [`run_exp`] started as a child process with `envs` and its output discarded, to be
/// killed mid-run.
pub fn spawn_run(
    db: &Path,
    exp: &Path,
    extra: &[&str],
    envs: &[(&str, &str)],
) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("tunebench"))
        .env_remove("TUNEBENCH_DB")
        .envs(envs.iter().copied())
        .arg("--db")
        .arg(db)
        .arg("run")
        .arg(exp)
        .arg("--yes")
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Dataset `toy` in the store at `db`: six test cases "billing case 0", "shipping case 1", …
/// expecting their first word, except case 5, which expects `returns` (a label neither
/// echoing arm gives); and `train` rows of about 1,000 tokens each.
pub fn toy_dataset(db: &Path, train: u32) {
    let conn = tunebench_core::store::open(db).unwrap();
    conn.execute(
        "INSERT INTO dataset (name, source_file, source_format, imported_at) VALUES ('toy', 'x', 'csv', 'now')",
        [],
    )
    .unwrap();
    for i in 0..6_u32 {
        let label = if i.is_multiple_of(2) {
            "billing"
        } else {
            "shipping"
        };
        let expected = if i == 5 { "returns" } else { label };
        conn.execute(
            "INSERT INTO example (dataset_id, ordinal, input, expected, split) VALUES (1, ?1, ?2, ?3, 'test')",
            rusqlite::params![i, format!("{label} case {i}"), expected],
        )
        .unwrap();
    }
    for i in 0..train {
        conn.execute(
            "INSERT INTO example (dataset_id, ordinal, input, expected, split) VALUES (1, ?1, ?2, 'billing', 'train')",
            rusqlite::params![100 + i, "x".repeat(3993)],
        )
        .unwrap();
    }
}

/// The toy experiment file: dataset `toy`, provider `local` at `url` (no streaming, one
/// attempt) with `provider_extra` lines, then `arms` (TOML `[[arms]]` tables).
pub fn toy_experiment(
    dir: &Path,
    head: &str,
    url: &str,
    provider_extra: &str,
    arms: &str,
) -> PathBuf {
    let toml = format!(
        "name = \"toy\"\ndataset = \"toy\"\n{head}[[providers]]\nname = \"local\"\n\
         kind = \"openai_compatible\"\nbase_url = \"{url}\"\nstream = false\nmax_attempts = 1\n\
         {provider_extra}{arms}"
    );
    let exp = dir.join("exp.toml");
    std::fs::write(&exp, toml).unwrap();
    exp
}

/// The two toy arms: `prompting` (model `base`) and `fine-tuned` (model `ft`), both sending
/// `Input: {{input}}`; `a_extra` and `b_extra` are further lines of each.
pub fn toy_arms(a_extra: &str, b_extra: &str) -> String {
    format!(
        "[[arms]]\nname = \"prompting\"\nprovider = \"local\"\nmodel = \"base\"\n\
         template = \"Input: {{{{input}}}}\"\n{a_extra}\
         [[arms]]\nname = \"fine-tuned\"\nkind = \"fine_tuned\"\nprovider = \"local\"\n\
         model = \"ft\"\ntemplate = \"Input: {{{{input}}}}\"\n{b_extra}"
    )
}

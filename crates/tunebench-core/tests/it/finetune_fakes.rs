//! Fakes of the fine-tuning APIs of OpenAI, Azure OpenAI (`/openai/v1`), Together and
//! Fireworks, strict about the request shapes of /work/shared/FINETUNE-APIS.md (paths,
//! auth headers, multipart fields, the redirect upload, JSON bodies) and each running the
//! provider's state machine: a slow validating phase, queued, running with events, then
//! the scripted end. A request the real API would refuse is answered 400 and recorded as a
//! violation, which the tests assert stays empty. 429s and 5xx are injected on demand.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::provider_server::{self as server, Recorded, Reply, TestServer};

mod azure;
mod upload;

pub use azure::{DEPLOYMENT, MANAGEMENT_TOKEN};

use upload::{take_upload, Upload};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fake {
    OpenAi,
    Azure,
    Together,
    Fireworks,
}

pub const KEY: &str = "sk-fake-0123456789";
pub const ACCOUNT: &str = "acme";

#[derive(Default)]
pub struct State {
    /// Requests the real API would refuse, with why.
    pub violations: Vec<String>,
    /// Statuses to answer the next job polls with, before answering normally.
    pub inject: VecDeque<u16>,
    /// The provider's words for the job, one consumed per poll (the last one stays).
    pub script: VecDeque<&'static str>,
    /// The training file as it arrived.
    pub uploaded: Option<String>,
    pub preprocessed: bool,
    pub dataset_polls: u32,
    pub created: Option<Value>,
    pub cancelled: bool,
    pub deployed: Option<Value>,
    /// Base models the fake refuses, as the real API refuses an unknown model.
    pub refuse_model: Option<&'static str>,
    pub polls: u32,
    /// Azure's management API: the deployment asked for, and the looks at it.
    pub deployment: Option<Value>,
    pub deployment_looks: u32,
}

pub struct FakeServer {
    pub srv: TestServer,
    pub state: Arc<Mutex<State>>,
}

impl FakeServer {
    /// The base URL a provider row holds for this fake (its inference base URL).
    pub fn provider_base_url(&self, fake: Fake) -> String {
        match fake {
            Fake::OpenAi | Fake::Together => format!("{}/v1", self.srv.base_url),
            Fake::Azure => self.srv.base_url.clone(),
            Fake::Fireworks => format!("{}/inference/v1", self.srv.base_url),
        }
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }
}

pub(crate) fn bad(state: &mut State, why: String) -> Reply {
    state.violations.push(why.clone());
    Reply::Status(400, vec![], json!({"error": {"message": why}}).to_string())
}

pub(crate) fn ok(v: Value) -> Reply {
    Reply::Status(200, vec![], v.to_string())
}

pub async fn start(fake: Fake) -> FakeServer {
    let state = Arc::new(Mutex::new(State::default()));
    let st = state.clone();
    let srv = server::start(move |req, _| {
        let mut s = st.lock().unwrap();
        handle(fake, &mut s, req)
    })
    .await;
    FakeServer { srv, state }
}

fn auth_ok(fake: Fake, req: &Recorded) -> Result<(), String> {
    match fake {
        Fake::Azure => {
            if req.headers.get("api-key").map(String::as_str) != Some(KEY) {
                return Err("Azure wants the key in `api-key`".into());
            }
            if req.headers.contains_key("authorization") {
                return Err("Azure got an Authorization header besides api-key".into());
            }
        }
        _ => {
            if req.headers.get("authorization") != Some(&format!("Bearer {KEY}")) {
                return Err(format!("{fake:?} wants `Authorization: Bearer <key>`"));
            }
        }
    }
    Ok(())
}

fn handle(fake: Fake, s: &mut State, req: &Recorded) -> Reply {
    // Together's pre-signed upload URL takes no key.
    if fake == Fake::Together && req.path.starts_with("/upload/") {
        return match take_upload(s, req, Upload::Put) {
            Ok(_) => ok(json!({})),
            Err(r) => r,
        };
    }
    if fake == Fake::Azure && req.path.starts_with("/subscriptions/") {
        return azure::management(s, req);
    }
    if let Err(e) = auth_ok(fake, req) {
        return Reply::Status(401, vec![], json!({"error": {"message": e}}).to_string());
    }
    match fake {
        Fake::OpenAi | Fake::Azure => openai(fake, s, req),
        Fake::Together => together(s, req),
        Fake::Fireworks => fireworks(s, req),
    }
}

/// The next word of the script (the last one stays), after any injected failure.
fn next_word(s: &mut State) -> Result<&'static str, Reply> {
    if let Some(code) = s.inject.pop_front() {
        let headers = if code == 429 {
            vec![("retry-after", "1".to_string())]
        } else {
            vec![]
        };
        return Err(Reply::Status(
            code,
            headers,
            json!({"error": {"message": format!("injected {code}")}}).to_string(),
        ));
    }
    s.polls += 1;
    let word = *s.script.front().expect("a scripted state");
    if s.script.len() > 1 {
        s.script.pop_front();
    }
    Ok(word)
}

fn openai(fake: Fake, s: &mut State, req: &Recorded) -> Reply {
    let prefix = if fake == Fake::Azure {
        "/openai/v1"
    } else {
        "/v1"
    };
    let Some(path) = req.path.strip_prefix(prefix) else {
        return bad(s, format!("path {} is outside {prefix}", req.path));
    };
    match (req.method.as_str(), path) {
        ("POST", "/files") => match take_upload(s, req, Upload::OpenAi) {
            Ok(name) => ok(
                json!({"id": "file-abc", "object": "file", "purpose": "fine-tune", "filename": name}),
            ),
            Err(r) => r,
        },
        ("POST", "/fine_tuning/jobs") => {
            let b = &req.body;
            let allowed = [
                "model",
                "training_file",
                "validation_file",
                "suffix",
                "seed",
                "metadata",
                "method",
                "integrations",
            ];
            if let Some(k) = b
                .as_object()
                .and_then(|o| o.keys().find(|k| !allowed.contains(&k.as_str())))
            {
                return bad(s, format!("unknown field `{k}` in the job body"));
            }
            if b["training_file"] != "file-abc" {
                return bad(s, format!("training_file is {}", b["training_file"]));
            }
            if b["method"]["type"] != "supervised"
                || !b["method"]["supervised"]["hyperparameters"].is_object()
            {
                return bad(s, format!("method is {}", b["method"]));
            }
            if let Some(m) = s.refuse_model {
                if b["model"] == m {
                    return Reply::Status(
                        400,
                        vec![],
                        json!({"error": {"message": format!("Model {m} is not available for fine-tuning or does not exist."), "code": "model_not_available"}}).to_string(),
                    );
                }
            }
            s.created = Some(b.clone());
            ok(
                json!({"id": "ftjob-1", "object": "fine_tuning.job", "status": "validating_files", "model": b["model"]}),
            )
        }
        ("GET", "/fine_tuning/jobs/ftjob-1") => {
            let word = if s.cancelled {
                "cancelled"
            } else {
                match next_word(s) {
                    Ok(w) => w,
                    Err(r) => return r,
                }
            };
            let done = word == "succeeded";
            ok(json!({
                "id": "ftjob-1", "status": word,
                "fine_tuned_model": if done { json!("ft:gpt-4.1-mini-2025-04-14:acme::tb1") } else { Value::Null },
                "trained_tokens": if done { json!(120_000) } else { Value::Null },
                "error": if word == "failed" { json!({"message": "The job failed due to an internal error."}) } else { json!({}) },
            }))
        }
        ("GET", "/fine_tuning/jobs/ftjob-1/events?limit=100") => ok(json!({
            "object": "list", "has_more": false,
            "data": [
                {"id": "ev2", "created_at": 1764500120, "level": "info", "message": "Step 2/2: training loss=0.80", "type": "metrics", "data": {"step": 2, "train_loss": 0.8}},
                {"id": "ev1", "created_at": 1764500060, "level": "info", "message": "Step 1/2: training loss=1.50", "type": "metrics", "data": {"step": 1, "train_loss": 1.5}},
            ],
        })),
        ("POST", "/fine_tuning/jobs/ftjob-1/cancel") => {
            s.cancelled = true;
            ok(json!({"id": "ftjob-1", "status": "cancelled"}))
        }
        (m, p) => bad(s, format!("no such endpoint: {m} {p}")),
    }
}

fn together(s: &mut State, req: &Recorded) -> Reply {
    match (req.method.as_str(), req.path.as_str()) {
        ("POST", p) if p.starts_with("/v1/files?") => {
            let q = &p["/v1/files?".len()..];
            for want in ["purpose=fine-tune", "file_type=jsonl"] {
                if !q.split('&').any(|kv| kv == want) {
                    return bad(s, format!("the upload query lacks {want}: {q}"));
                }
            }
            if !q
                .split('&')
                .any(|kv| kv.starts_with("file_name=") && kv.ends_with(".jsonl"))
            {
                return bad(s, format!("the upload query names no .jsonl file: {q}"));
            }
            Reply::Status(
                302,
                vec![
                    (
                        "location",
                        format!("http://{}/upload/signed-1", req.headers["host"]),
                    ),
                    ("x-together-file-id", "file-t1".into()),
                ],
                String::new(),
            )
        }
        ("POST", "/v1/files/file-t1/preprocess") => {
            if s.uploaded.is_none() {
                return bad(s, "preprocess asked before the bytes were PUT".into());
            }
            s.preprocessed = true;
            ok(json!({"id": "file-t1", "status": "processed"}))
        }
        ("POST", "/v1/fine-tunes/estimate-price") | ("POST", "/v1/fine-tunes") => {
            let b = &req.body;
            if b["training_file"] != "file-t1" || !b["model"].is_string() {
                return bad(s, format!("body lacks training_file/model: {b}"));
            }
            if !s.preprocessed {
                return bad(s, "the file was not preprocessed".into());
            }
            if b["training_method"]["method"] != "sft" {
                return bad(s, format!("training_method is {}", b["training_method"]));
            }
            match b["training_type"]["type"].as_str() {
                Some("Lora") if b["training_type"]["lora_r"].is_u64() => {}
                Some("Full") => {}
                _ => return bad(s, format!("training_type is {}", b["training_type"])),
            }
            if !b["n_epochs"].is_u64() {
                return bad(s, "n_epochs is missing".into());
            }
            if req.path.ends_with("estimate-price") {
                return ok(
                    json!({"estimated_total_price": 1.25, "allowed_to_proceed": true,
                    "user_limit": 100.0, "estimated_train_token_count": 4000, "estimated_eval_token_count": 0}),
                );
            }
            s.created = Some(b.clone());
            ok(json!({"id": "ft-1", "status": "pending"}))
        }
        ("GET", "/v1/fine-tunes/ft-1") => {
            let word = if s.cancelled {
                "cancelled"
            } else {
                match next_word(s) {
                    Ok(w) => w,
                    Err(r) => return r,
                }
            };
            let done = word == "completed";
            ok(json!({
                "id": "ft-1", "status": word, "n_epochs": 2,
                "model_output_name": if done { json!("acme/Llama-3.2-3B-Instruct-tb1") } else { Value::Null },
                "token_count": 4000,
                "total_price": if done { json!(4_200_000) } else { json!(0) },
                "events": [
                    {"object": "fine-tune-event", "created_at": "2026-11-30T10:00:00Z", "level": "info", "message": "Job started", "type": "job_start"},
                    {"object": "fine-tune-event", "created_at": "2026-11-30T10:02:00Z", "level": "info", "message": "Epoch 1 done", "type": "epoch_complete", "step": 4}
                ],
            }))
        }
        ("GET", "/v1/fine-tunes/ft-1/metrics") => ok(json!({"metrics": [
            {"timestamp": 1_764_500_060_000_000_000_u64, "train/global_step": 1, "train/epoch": 0.5, "train/loss": 2.43},
            {"timestamp": 1_764_500_070_000_000_000_u64, "eval/global_step": 1, "eval/loss": 2.6},
            {"timestamp": 1_764_500_120_000_000_000_u64, "train/global_step": 2, "train/epoch": 1.0, "train/loss": 1.2},
        ]})),
        ("POST", "/v1/fine-tunes/ft-1/cancel") => {
            s.cancelled = true;
            ok(json!({"id": "ft-1", "status": "cancel_requested"}))
        }
        (m, p) => bad(s, format!("no such endpoint: {m} {p}")),
    }
}

fn fireworks(s: &mut State, req: &Recorded) -> Reply {
    let acct = format!("/v1/accounts/{ACCOUNT}");
    let Some(path) = req.path.strip_prefix(&acct) else {
        return bad(s, format!("path {} is outside {acct}", req.path));
    };
    let ds = "job-1";
    match (req.method.as_str(), path) {
        ("POST", "/datasets") => {
            let b = &req.body;
            if !b["datasetId"].is_string()
                || !b["dataset"]["userUploaded"].is_object()
                || !b["dataset"]["exampleCount"].is_string()
            {
                return bad(s, format!("dataset body is {b}"));
            }
            if b["datasetId"] != "tunebench-job-1" {
                return bad(s, format!("datasetId {}", b["datasetId"]));
            }
            ok(
                json!({"name": format!("accounts/{ACCOUNT}/datasets/tunebench-{ds}"), "state": "UPLOADING"}),
            )
        }
        ("POST", "/datasets/tunebench-job-1:upload") => match take_upload(s, req, Upload::Form) {
            Ok(_) => ok(json!({})),
            Err(r) => r,
        },
        ("GET", "/datasets/tunebench-job-1") => {
            s.dataset_polls += 1;
            let state = if s.dataset_polls < 2 || s.uploaded.is_none() {
                "UPLOADING"
            } else {
                "READY"
            };
            ok(
                json!({"name": format!("accounts/{ACCOUNT}/datasets/tunebench-{ds}"), "state": state}),
            )
        }
        ("POST", "/supervisedFineTuningJobs") => {
            let b = &req.body;
            if b["dataset"] != format!("accounts/{ACCOUNT}/datasets/tunebench-job-1")
                || !b["baseModel"].is_string()
                || !b["displayName"].is_string()
            {
                return bad(s, format!("job body is {b}"));
            }
            if s.dataset_polls < 2 {
                return bad(s, "job created before the dataset was READY".into());
            }
            s.created = Some(b.clone());
            ok(
                json!({"name": format!("accounts/{ACCOUNT}/supervisedFineTuningJobs/j1"), "state": "JOB_STATE_CREATING"}),
            )
        }
        ("GET", "/supervisedFineTuningJobs/j1") => {
            let word = if s.cancelled {
                "JOB_STATE_CANCELLED"
            } else {
                match next_word(s) {
                    Ok(w) => w,
                    Err(r) => return r,
                }
            };
            ok(json!({
                "name": format!("accounts/{ACCOUNT}/supervisedFineTuningJobs/j1"), "state": word,
                "outputModel": if word == "JOB_STATE_COMPLETED" { json!(format!("accounts/{ACCOUNT}/models/tb1")) } else { Value::Null },
                "jobProgress": {"percent": if word == "JOB_STATE_COMPLETED" { 100 } else { 40 }, "epoch": 1, "inputTokens": if word == "JOB_STATE_COMPLETED" { "6000" } else { "2400" }},
            }))
        }
        ("DELETE", "/supervisedFineTuningJobs/j1") => {
            s.cancelled = true;
            ok(json!({}))
        }
        ("POST", "/deployedModels") => {
            let b = &req.body;
            if b["model"] != format!("accounts/{ACCOUNT}/models/tb1") || b["serverless"] != true {
                return bad(s, format!("deployedModels body is {b}"));
            }
            s.deployed = Some(b.clone());
            ok(
                json!({"name": format!("accounts/{ACCOUNT}/deployedModels/d1"), "state": "DEPLOYED"}),
            )
        }
        (m, p) => bad(s, format!("no such endpoint: {m} {p}")),
    }
}

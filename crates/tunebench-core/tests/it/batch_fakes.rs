//! Fakes of the three batch APIs, each a state machine as strict as the real one:
//! OpenAI (`/v1/files` with purpose `batch`, `/v1/batches`, output and error files), Azure
//! OpenAI's global batch (the same under `/openai/v1`, key in `api-key`) and Anthropic
//! Message Batches (`/v1/messages/batches`, `results_url`). Every line of a submitted batch
//! is checked as the live endpoint would check its body (`provider_fakes::check`), plus
//! what only batches require (unique custom ids, one model per OpenAI file, no streaming,
//! the size and count limits). A request the real API would refuse is answered with its
//! error and recorded as a violation, which tests assert stays empty. The same server
//! answers live calls (the latency sample, fallbacks) through the strict live fakes.
//!
//! Shapes: OpenAI API reference "Batch" (create, the batch object, the request input and
//! output objects) and "Files"; Azure OpenAI v1 REST reference "Create a batch"; Anthropic
//! "Create a Message Batch", "Retrieve a Message Batch", "Retrieve Message Batch results".

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::provider_fakes::{self as strict, Api};
use crate::provider_server::{self as server, echo_label, Recorded, Reply, TestServer};

mod results;

use results::{batch_object, results_anthropic};

pub const KEY: &str = "sk-batch-fake-0123456789";

/// One batch as the fake holds it.
#[derive(Debug, Clone)]
pub struct FakeBatch {
    pub id: String,
    /// Each request: (custom id, body).
    pub requests: Vec<(String, Value)>,
    /// The states still to come, one per poll (the last stays).
    pub script: VecDeque<&'static str>,
    pub status: &'static str,
    pub cancelled: bool,
}

#[derive(Default)]
pub struct State {
    pub violations: Vec<String>,
    pub files: HashMap<String, String>,
    pub batches: Vec<FakeBatch>,
    /// The states a new batch goes through (default: the API's ordinary path).
    pub script: Option<Vec<&'static str>>,
    /// While true, polls answer the current state without moving on.
    pub hold: bool,
    /// Statuses to answer the next status checks with, before answering normally.
    pub poll_errors: VecDeque<u16>,
    /// Requests whose custom id ends with one of these numbers' `-c{n}` fail at the provider.
    pub errored: HashSet<String>,
    /// Of an expired batch, how many requests (in order) were processed.
    pub processed_before_expiry: usize,
    /// Requests past `processed_before_expiry` expire even though the batch ends normally
    /// (Anthropic: the batch `ended`, those requests `expired`).
    pub expire_unprocessed: bool,
    /// Refuse every submitted file as a whole.
    pub reject: bool,
    pub polls: u32,
    pub live_calls: u32,
    /// The server's own address, for `results_url`.
    pub base: String,
}

pub struct BatchFake {
    pub srv: TestServer,
    pub api: Api,
    pub state: Arc<Mutex<State>>,
}

impl BatchFake {
    pub async fn start(api: Api) -> Self {
        Self::start_with(api, |_, _| None).await
    }

    /// [`BatchFake::start`], asking `hook` first about each request: its `Some` answers the
    /// request instead of the fake (a bench's control paths), `None` lets the fake answer.
    pub async fn start_with(
        api: Api,
        hook: impl Fn(&mut State, &Recorded) -> Option<Reply> + Send + Sync + 'static,
    ) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        let srv = server::start(move |req, _| {
            let mut st = st.lock().unwrap();
            hook(&mut st, req).unwrap_or_else(|| handle(api, &mut st, req))
        })
        .await;
        state.lock().unwrap().base = srv.base_url.clone();
        Self { srv, api, state }
    }

    /// The base URL a provider row holds for this fake.
    pub fn base_url(&self) -> String {
        match self.api {
            Api::OpenAi => format!("{}/v1", self.srv.base_url),
            Api::Azure => format!("{}/openai/v1", self.srv.base_url),
            Api::Anthropic => self.srv.base_url.clone(),
        }
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }

    pub fn batches(&self) -> Vec<FakeBatch> {
        self.state.lock().unwrap().batches.clone()
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }
}

impl State {
    /// Ends every batch now as `completed` (OpenAI, Azure) and writes its output and error
    /// files, so that the polls and downloads that follow only read them.
    pub fn complete_all(&mut self, api: Api) {
        for i in 0..self.batches.len() {
            self.batches[i].script.clear();
            self.batches[i].status = "completed";
            let b = self.batches[i].clone();
            batch_object(api, self, &b);
        }
    }
}

fn bad(st: &mut State, api: Api, status: u16, why: String) -> Reply {
    st.violations.push(why.clone());
    match api {
        Api::Anthropic => strict::anthropic_error(status, "invalid_request_error", &why),
        _ => strict::openai_error(status, &why, None, None),
    }
}

fn ok(v: Value) -> Reply {
    Reply::Status(200, vec![], v.to_string())
}

fn authed(api: Api, req: &Recorded) -> bool {
    match api {
        Api::OpenAi => {
            req.headers.get("authorization").map(String::as_str) == Some(&format!("Bearer {KEY}"))
        }
        Api::Azure => req.headers.get("api-key").map(String::as_str) == Some(KEY),
        Api::Anthropic => {
            req.headers.get("x-api-key").map(String::as_str) == Some(KEY)
                && req.headers.contains_key("anthropic-version")
        }
    }
}

fn handle(api: Api, st: &mut State, req: &Recorded) -> Reply {
    let path = req.path.split('?').next().unwrap_or_default().to_string();
    let live = match api {
        Api::OpenAi => "/v1/chat/completions",
        Api::Azure => "/openai/v1/chat/completions",
        Api::Anthropic => "/v1/messages",
    };
    if path == live {
        st.live_calls += 1;
        if let Some(refused) = strict::check(api, req) {
            st.violations
                .push(format!("live call refused: {refused:?}"));
            return refused;
        }
        return live_answer(api, req);
    }
    if !authed(api, req) {
        return bad(
            st,
            api,
            401,
            format!("{} {}: missing or wrong key", req.method, path),
        );
    }
    let root = match api {
        Api::OpenAi => "/v1",
        Api::Azure => "/openai/v1",
        Api::Anthropic => "/v1/messages/batches",
    };
    let Some(rest) = path.strip_prefix(root) else {
        return bad(st, api, 404, format!("unknown path {path}"));
    };
    let rest = rest.to_string();
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    match (api, req.method.as_str(), parts.as_slice()) {
        (Api::OpenAi | Api::Azure, "POST", ["files"]) => upload(api, st, req),
        (Api::OpenAi | Api::Azure, "POST", ["batches"]) => create_openai(api, st, req),
        (Api::OpenAi | Api::Azure, "GET", ["batches", id]) => poll(api, st, id),
        (Api::OpenAi | Api::Azure, "POST", ["batches", id, "cancel"]) => cancel(api, st, id),
        (Api::OpenAi | Api::Azure, "GET", ["files", id, "content"]) => match st.files.get(*id) {
            Some(text) => Reply::Status(200, vec![], text.clone()),
            None => bad(st, api, 404, format!("no file {id}")),
        },
        (Api::Anthropic, "POST", [""]) => create_anthropic(st, req),
        (Api::Anthropic, "GET", [id]) => poll(api, st, id),
        (Api::Anthropic, "POST", [id, "cancel"]) => cancel(api, st, id),
        (Api::Anthropic, "GET", [id, "results"]) => results_anthropic(st, id),
        _ => bad(
            st,
            api,
            404,
            format!("{} {path} is not an endpoint", req.method),
        ),
    }
}

fn live_answer(api: Api, req: &Recorded) -> Reply {
    let label = echo_label(req);
    match api {
        Api::Anthropic => ok(json!({"type": "message", "role": "assistant",
            "content": [{"type": "text", "text": label}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 100, "output_tokens": 2}})),
        _ => server::chat_json(&label, Some(server::usage(100, 2))),
    }
}

/// The text of the multipart part named `name`.
fn multipart_part(req: &Recorded, name: &str) -> Option<String> {
    let ctype = req.headers.get("content-type")?;
    let boundary = ctype.strip_prefix("multipart/form-data; boundary=")?;
    let marker = format!("--{boundary}");
    req.raw.split(&marker).find_map(|part| {
        let (head, body) = part.split_once("\r\n\r\n")?;
        head.contains(&format!("name=\"{name}\""))
            .then(|| body.trim_end_matches("\r\n").to_string())
    })
}

/// Checks one request of a batch as its live endpoint would; `None` when accepted.
fn check_request(
    api: Api,
    custom_id: &str,
    body: &Value,
    seen: &mut HashSet<String>,
) -> Option<String> {
    if custom_id.is_empty() || !seen.insert(custom_id.to_string()) {
        return Some(format!("custom_id {custom_id:?} is empty or repeated"));
    }
    if api == Api::Anthropic
        && (custom_id.len() > 64
            || !custom_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        return Some(format!(
            "custom_id {custom_id:?} does not match ^[a-zA-Z0-9_-]{{1,64}}$"
        ));
    }
    if body.get("stream").is_some() {
        return Some(format!("{custom_id}: a batch request cannot stream"));
    }
    let (path, header) = match api {
        Api::OpenAi => (
            "/v1/chat/completions",
            ("authorization", format!("Bearer {KEY}")),
        ),
        Api::Azure => ("/openai/v1/chat/completions", ("api-key", KEY.to_string())),
        Api::Anthropic => ("/v1/messages", ("x-api-key", KEY.to_string())),
    };
    let mut headers = HashMap::from([(header.0.to_string(), header.1)]);
    headers.insert("anthropic-version".into(), "2023-06-01".into());
    let as_live = Recorded {
        method: "POST".into(),
        path: path.into(),
        headers,
        body: body.clone(),
        raw: body.to_string(),
    };
    strict::check(api, &as_live)
        .map(|r| format!("{custom_id}: the live endpoint refuses it: {r:?}"))
}

fn upload(api: Api, st: &mut State, req: &Recorded) -> Reply {
    if multipart_part(req, "purpose").as_deref() != Some("batch") {
        return bad(
            st,
            api,
            400,
            "a batch input file is uploaded with purpose=batch".into(),
        );
    }
    let Some(text) = multipart_part(req, "file") else {
        return bad(st, api, 400, "no file part".into());
    };
    if text.len() > 200 * 1024 * 1024 {
        return bad(st, api, 400, "a batch file holds at most 200 MB".into());
    }
    let id = format!("file-{}", st.files.len() + 1);
    st.files.insert(id.clone(), text);
    ok(json!({"id": id, "object": "file", "purpose": "batch"}))
}

fn create_openai(api: Api, st: &mut State, req: &Recorded) -> Reply {
    let b = &req.body;
    if b["endpoint"] != "/v1/chat/completions" || b["completion_window"] != "24h" {
        return bad(
            st,
            api,
            400,
            format!("endpoint/completion_window wrong: {b}"),
        );
    }
    let Some(text) = b["input_file_id"]
        .as_str()
        .and_then(|f| st.files.get(f))
        .cloned()
    else {
        return bad(st, api, 400, "input_file_id names no uploaded file".into());
    };
    let mut requests = Vec::new();
    let mut seen = HashSet::new();
    let mut models = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return bad(st, api, 400, format!("line {}: not JSON", i + 1));
        };
        if v["method"] != "POST" || v["url"] != "/v1/chat/completions" {
            return bad(st, api, 400, format!("line {}: method/url wrong", i + 1));
        }
        let id = v["custom_id"].as_str().unwrap_or_default().to_string();
        if let Some(why) = check_request(api, &id, &v["body"], &mut seen) {
            return bad(st, api, 400, format!("line {}: {why}", i + 1));
        }
        models.insert(v["body"]["model"].to_string());
        requests.push((id, v["body"].clone()));
    }
    if requests.len() > 50_000 || models.len() != 1 {
        return bad(
            st,
            api,
            400,
            format!("{} requests over {} models", requests.len(), models.len()),
        );
    }
    new_batch(api, st, requests)
}

fn create_anthropic(st: &mut State, req: &Recorded) -> Reply {
    let api = Api::Anthropic;
    let Some(list) = req.body["requests"].as_array().cloned() else {
        return bad(st, api, 400, "requests: Field required".into());
    };
    if list.is_empty() || list.len() > 100_000 || req.raw.len() > 256 * 1024 * 1024 {
        return bad(
            st,
            api,
            413,
            format!("{} requests, {} bytes", list.len(), req.raw.len()),
        );
    }
    let mut requests = Vec::new();
    let mut seen = HashSet::new();
    for r in list {
        let id = r["custom_id"].as_str().unwrap_or_default().to_string();
        if let Some(why) = check_request(api, &id, &r["params"], &mut seen) {
            return bad(st, api, 400, why);
        }
        requests.push((id, r["params"].clone()));
    }
    new_batch(api, st, requests)
}

fn new_batch(api: Api, st: &mut State, requests: Vec<(String, Value)>) -> Reply {
    if st.reject && api == Api::Anthropic {
        // Anthropic validates at creation: the whole batch is refused.
        return strict::anthropic_error(
            400,
            "invalid_request_error",
            "requests.0.params: model not found",
        );
    }
    let default: Vec<&'static str> = match api {
        Api::Anthropic => vec!["in_progress", "ended"],
        _ if st.reject => vec!["validating", "failed"],
        _ => vec!["validating", "in_progress", "finalizing", "completed"],
    };
    let mut script: VecDeque<&'static str> = st.script.clone().unwrap_or(default).into();
    let status = script.pop_front().unwrap_or("in_progress");
    let id = match api {
        Api::Anthropic => format!("msgbatch_{:04}", st.batches.len() + 1),
        _ => format!("batch_{:04}", st.batches.len() + 1),
    };
    st.batches.push(FakeBatch {
        id: id.clone(),
        requests,
        script,
        status,
        cancelled: false,
    });
    let b = st.batches.last().unwrap().clone();
    ok(batch_object(api, st, &b))
}

fn find(st: &mut State, id: &str) -> Option<usize> {
    st.batches.iter().position(|b| b.id == id)
}

fn poll(api: Api, st: &mut State, id: &str) -> Reply {
    st.polls += 1;
    if let Some(code) = st.poll_errors.pop_front() {
        return strict::openai_error(
            code,
            "The server had an error while processing your request.",
            None,
            None,
        );
    }
    let Some(i) = find(st, id) else {
        return bad(st, api, 404, format!("no batch {id}"));
    };
    if !st.hold {
        let b = &mut st.batches[i];
        if let Some(next) = b.script.pop_front() {
            b.status = next;
        }
    }
    let b = st.batches[i].clone();
    ok(batch_object(api, st, &b))
}

fn cancel(api: Api, st: &mut State, id: &str) -> Reply {
    let Some(i) = find(st, id) else {
        return bad(st, api, 404, format!("no batch {id}"));
    };
    let b = &mut st.batches[i];
    b.cancelled = true;
    b.script = match api {
        Api::Anthropic => VecDeque::from(["ended"]),
        _ => VecDeque::from(["cancelled"]),
    };
    b.status = if api == Api::Anthropic {
        "canceling"
    } else {
        "cancelling"
    };
    let b = b.clone();
    ok(batch_object(api, st, &b))
}

//! What a fake batch holds once it ends: the batch object with its counts and (OpenAI,
//! Azure) output and error files, or (Anthropic) the results JSONL.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{bad, find, Api, FakeBatch, State};
use crate::provider_server::{echo_label, Recorded, Reply};

/// What became of request `n` of batch `b` once it ended: `Some(true)` answered,
/// `Some(false)` errored, `None` not processed (expired or cancelled).
pub(super) fn fate(st: &State, b: &FakeBatch, n: usize) -> Option<bool> {
    let cut = b.status == "expired" || b.cancelled || st.expire_unprocessed;
    let processed = !cut || n < st.processed_before_expiry;
    processed.then(|| !st.errored.contains(&b.requests[n].0))
}

pub(super) fn batch_object(api: Api, st: &mut State, b: &FakeBatch) -> Value {
    let ended = matches!(b.status, "completed" | "expired" | "cancelled" | "ended");
    let n = b.requests.len();
    let fates: Vec<Option<bool>> = (0..n)
        .map(|i| if ended { fate(st, b, i) } else { None })
        .collect();
    let ok_n = fates.iter().filter(|f| **f == Some(true)).count();
    let err_n = fates.iter().filter(|f| **f == Some(false)).count();
    if api == Api::Anthropic {
        let gone = if ended { n - ok_n - err_n } else { 0 };
        let (expired, canceled) = if b.cancelled { (0, gone) } else { (gone, 0) };
        return json!({"id": b.id, "type": "message_batch", "processing_status": b.status,
            "request_counts": {"processing": if ended { 0 } else { n }, "succeeded": ok_n,
                "errored": err_n, "canceled": canceled, "expired": expired},
            "results_url": if b.status == "ended" {
                json!(format!("{}/v1/messages/batches/{}/results", st.base, b.id)) } else { Value::Null }});
    }
    let mut v = json!({"id": b.id, "object": "batch", "endpoint": "/v1/chat/completions",
        "completion_window": "24h", "status": b.status, "output_file_id": null, "error_file_id": null,
        "request_counts": {"total": n, "completed": ok_n,
            "failed": if ended { n - ok_n } else { 0 }}});
    if b.status == "failed" {
        v["errors"] = json!({"object": "list", "data": [{"code": "invalid_request", "line": 1,
            "message": "The model `gpt-4.1-mini` does not exist or you do not have access to it."}]});
    }
    let file_id = |field: &str| format!("file-{}-{field}", b.id);
    let fields = ["output_file_id", "error_file_id"];
    // An ended batch's files are written once (every request has a line in one of them),
    // then only read.
    let written = fields.iter().any(|f| st.files.contains_key(&file_id(f)));
    if ended && written {
        for field in fields {
            if st.files.contains_key(&file_id(field)) {
                v[field] = json!(file_id(field));
            }
        }
    } else if ended {
        let (mut out, mut errs) = (String::new(), String::new());
        for (i, (cid, body)) in b.requests.iter().enumerate() {
            let line = match fates[i] {
                Some(true) => {
                    json!({"id": format!("batch_req_{i}"), "custom_id": cid, "error": null,
                    "response": {"status_code": 200, "request_id": "req_1", "body": {
                        "id": "chatcmpl-b", "object": "chat.completion", "model": body["model"],
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": label_of(body)}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 2, "total_tokens": 102}}}})
                }
                Some(false) => {
                    json!({"id": format!("batch_req_{i}"), "custom_id": cid, "error": null,
                    "response": {"status_code": 500, "request_id": "req_2", "body": {"error": {
                        "message": "The server had an error while processing your request.", "type": "server_error"}}}})
                }
                None => json!({"id": format!("batch_req_{i}"), "custom_id": cid, "response": null,
                    "error": {"code": if b.cancelled { "batch_cancelled" } else { "batch_expired" },
                        "message": "This request could not be executed before the completion window expired."}}),
            };
            let target = if fates[i] == Some(true) {
                &mut out
            } else {
                &mut errs
            };
            target.push_str(&line.to_string());
            target.push('\n');
        }
        for (text, field) in [(out, "output_file_id"), (errs, "error_file_id")] {
            if !text.is_empty() {
                let fid = file_id(field);
                st.files.insert(fid.clone(), text);
                v[field] = json!(fid);
            }
        }
    }
    v
}

pub(super) fn results_anthropic(st: &mut State, id: &str) -> Reply {
    let Some(i) = find(st, id) else {
        return bad(st, Api::Anthropic, 404, format!("no batch {id}"));
    };
    let b = st.batches[i].clone();
    if b.status != "ended" {
        return bad(st, Api::Anthropic, 400, format!("batch {id} has not ended"));
    }
    let mut text = String::new();
    for (n, (cid, body)) in b.requests.iter().enumerate() {
        let result = match fate(st, &b, n) {
            Some(true) => json!({"type": "succeeded", "message": {"id": "msg_1", "type": "message",
                "role": "assistant", "model": body["model"], "content": [{"type": "text", "text": label_of(body)}],
                "stop_reason": "end_turn", "usage": {"input_tokens": 100, "output_tokens": 2}}}),
            Some(false) => json!({"type": "errored", "error": {"type": "error",
                "error": {"type": "api_error", "message": "Internal server error"}}}),
            None if b.cancelled => json!({"type": "canceled"}),
            None => json!({"type": "expired"}),
        };
        text.push_str(&json!({"custom_id": cid, "result": result}).to_string());
        text.push('\n');
    }
    Reply::Status(200, vec![], text)
}

/// The toy task's right label for a request body: the word after `Input: `.
pub(super) fn label_of(body: &Value) -> String {
    let rec = Recorded {
        method: "POST".into(),
        path: String::new(),
        headers: HashMap::new(),
        body: body.clone(),
        raw: String::new(),
    };
    echo_label(&rec)
}

//! The training file as the fakes receive it: OpenAI's and Fireworks' multipart bodies,
//! Together's raw PUT; every line must be a chat example ending in an assistant answer.

use serde_json::Value;

use super::{bad, State};
use crate::provider_server::{Recorded, Reply};

/// Checks that a training file is chat JSONL: every line `{"messages": [...]}` ending with
/// a non-empty assistant message.
fn check_jsonl(text: &str) -> Result<usize, String> {
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let msgs = v["messages"]
            .as_array()
            .ok_or(format!("line {}: no messages", i + 1))?;
        let last = msgs.last().ok_or(format!("line {}: empty", i + 1))?;
        if last["role"] != "assistant" || last["content"].as_str().unwrap_or("").is_empty() {
            return Err(format!(
                "line {}: does not end with an assistant answer",
                i + 1
            ));
        }
        n += 1;
    }
    Ok(n)
}

/// The file part of a multipart body: (field name check, file name, content).
fn multipart_file(req: &Recorded) -> Result<(String, String), String> {
    let ctype = req.headers.get("content-type").cloned().unwrap_or_default();
    let boundary = ctype
        .strip_prefix("multipart/form-data; boundary=")
        .ok_or(format!("content-type {ctype:?} is not multipart/form-data"))?;
    let marker = format!("--{boundary}");
    for part in req.raw.split(&marker) {
        let Some((head, body)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        if head.contains("name=\"file\"") {
            let name = head
                .split("filename=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .ok_or("the file part has no filename")?;
            return Ok((name.to_string(), body.trim_end_matches("\r\n").to_string()));
        }
    }
    Err("no `file` part".into())
}

fn multipart_field(req: &Recorded, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"\r\n\r\n");
    let start = req.raw.find(&needle)? + needle.len();
    let rest = &req.raw[start..];
    Some(rest[..rest.find("\r\n")?].to_string())
}

/// How a provider takes a training file's bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Upload {
    /// multipart/form-data: a `file` part named `*.jsonl` and a `purpose=fine-tune` field.
    OpenAi,
    /// multipart/form-data: a `file` part (Fireworks' dataset upload).
    Form,
    /// The raw bytes PUT to a pre-signed URL, which must not see the key (Together).
    Put,
}

/// Checks an upload of `shape` and keeps its content as `uploaded`; returns the file's
/// name (empty for a raw PUT), or the refusal to answer with.
pub fn take_upload(s: &mut State, req: &Recorded, shape: Upload) -> Result<String, Reply> {
    let (name, content) = if shape == Upload::Put {
        if req.method != "PUT" {
            return Err(bad(
                s,
                format!("the upload URL wants PUT, got {}", req.method),
            ));
        }
        if req.headers.contains_key("authorization") {
            return Err(bad(
                s,
                "the key was sent to the pre-signed upload URL".into(),
            ));
        }
        (String::new(), req.raw.clone())
    } else {
        if shape == Upload::OpenAi
            && multipart_field(req, "purpose").as_deref() != Some("fine-tune")
        {
            return Err(bad(s, "the upload has no purpose=fine-tune field".into()));
        }
        multipart_file(req).map_err(|e| bad(s, e))?
    };
    if shape == Upload::OpenAi && !name.ends_with(".jsonl") {
        return Err(bad(s, format!("file name {name:?} is not .jsonl")));
    }
    if let Err(e) = check_jsonl(&content) {
        return Err(bad(s, format!("training file: {e}")));
    }
    s.uploaded = Some(content);
    Ok(name)
}

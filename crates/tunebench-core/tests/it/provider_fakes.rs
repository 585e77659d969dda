//! Fakes as strict as the real APIs: each request is checked as OpenAI, Azure OpenAI or
//! Anthropic would check it (path, auth header, version header, required and refused fields
//! per model family), and refused with that API's own error shape; answers come in the
//! real shapes (a separate `choices: []` usage chunk, `usage: null` chunks, refusals,
//! `length` / `content_filter` endings, Anthropic's named events with `ping` and `error`).
//!
//! References: OpenAI API reference "Chat Completions" (create, the chat completion object,
//! the chunk object), the reasoning-models guide, and "Error codes"; Azure OpenAI
//! "REST API reference" (inference, api-version lifecycle, the v1 API) and "reasoning
//! models"; Anthropic "Messages", "Streaming Messages", "Errors", "Versions" and
//! "Prompt caching".

use serde_json::{json, Value};

use crate::provider_server::{Recorded, Reply};

mod answers;

pub use answers::*;

/// Which real API a fake stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// api.openai.com, base URL `https://api.openai.com/v1`.
    OpenAi,
    /// An Azure OpenAI resource: `/openai/deployments/{name}/...?api-version=` or `/openai/v1/...`.
    Azure,
    /// api.anthropic.com, `POST /v1/messages`.
    Anthropic,
}

/// The real API's refusal of `req`, or `None` when it would accept it.
pub fn check(api: Api, req: &Recorded) -> Option<Reply> {
    match api {
        Api::OpenAi => check_openai(req),
        Api::Azure => check_azure(req),
        Api::Anthropic => check_anthropic(req),
    }
}

// --- OpenAI ---

/// An error in OpenAI's shape: `{"error": {message, type, param, code}}`.
pub fn openai_error(status: u16, message: &str, param: Option<&str>, code: Option<&str>) -> Reply {
    let kind = match status {
        _ if code == Some("insufficient_quota") => "insufficient_quota",
        401 => "invalid_request_error",
        429 => "requests",
        500..=599 => "server_error",
        _ => "invalid_request_error",
    };
    Reply::Status(
        status,
        vec![],
        json!({"error": {"message": message, "type": kind, "param": param, "code": code}})
            .to_string(),
    )
}

/// o-series and gpt-5 (not its chat snapshots): reasoning models.
pub fn openai_reasoning(model: &str) -> bool {
    let o_series = model.len() > 1
        && model.starts_with('o')
        && model[1..].starts_with(|c: char| c.is_ascii_digit());
    o_series
        || model.starts_with("ft:o")
        || ((model.starts_with("gpt-5") || model.starts_with("gpt-6")) && !model.contains("chat"))
}

fn check_openai(req: &Recorded) -> Option<Reply> {
    if req.method != "POST" || req.path != "/v1/chat/completions" {
        return Some(openai_error(
            404,
            &format!("Invalid URL ({} {})", req.method, req.path),
            None,
            None,
        ));
    }
    if !req
        .headers
        .get("authorization")
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > 7)
    {
        return Some(openai_error(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            None,
            None,
        ));
    }
    check_chat_body(req, true)
}

/// The body checks shared by OpenAI and Azure (`model_required`: the body must name it).
fn check_chat_body(req: &Recorded, model_required: bool) -> Option<Reply> {
    let b = &req.body;
    if !b.is_object() {
        return Some(openai_error(
            400,
            "We could not parse the JSON body of your request.",
            None,
            None,
        ));
    }
    let model = b["model"].as_str().unwrap_or_default();
    if model_required && model.is_empty() {
        return Some(openai_error(
            400,
            "you must provide a model parameter",
            None,
            None,
        ));
    }
    if b["messages"].as_array().is_none_or(|m| m.is_empty()) {
        return Some(openai_error(
            400,
            "Missing required parameter: 'messages'.",
            Some("messages"),
            Some("missing_required_parameter"),
        ));
    }
    if b.get("stream_options").is_some() && b["stream"] != json!(true) {
        return Some(openai_error(
            400,
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            Some("stream_options"),
            None,
        ));
    }
    if b.get("max_tokens").is_some() && b.get("max_completion_tokens").is_some() {
        return Some(openai_error(
            400,
            "max_tokens and max_completion_tokens cannot both be set.",
            Some("max_tokens"),
            None,
        ));
    }
    if let Some(rf) = b.get("response_format") {
        if rf["type"] == "json_schema" && rf["json_schema"]["name"].as_str().is_none() {
            return Some(openai_error(
                400,
                "Missing required parameter: 'response_format.json_schema.name'.",
                Some("response_format.json_schema.name"),
                Some("missing_required_parameter"),
            ));
        }
    }
    if openai_reasoning(model) {
        if b.get("max_tokens").is_some() {
            return Some(openai_error(
                400,
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                Some("max_tokens"),
                Some("unsupported_parameter"),
            ));
        }
        for p in ["temperature", "top_p"] {
            if let Some(v) = b.get(p).filter(|v| **v != json!(1) && **v != json!(1.0)) {
                return Some(openai_error(
                    400,
                    &format!("Unsupported value: '{p}' does not support {v} with this model. Only the default (1) value is supported."),
                    Some(p),
                    Some("unsupported_value"),
                ));
            }
        }
    }
    None
}

// --- Azure OpenAI ---

/// The date part of an api-version (`2024-12-01-preview` → `2024-12-01`), compared as text.
fn version_date(v: &str) -> &str {
    v.get(..10).unwrap_or(v)
}

fn azure_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::Status(
        status,
        vec![],
        json!({"error": {"code": code, "message": message}}).to_string(),
    )
}

fn check_azure(req: &Recorded) -> Option<Reply> {
    let (path, query) = req.path.split_once('?').unwrap_or((req.path.as_str(), ""));
    let api_version = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("api-version="))
        .map(str::to_string);
    let deployment = path
        .strip_prefix("/openai/deployments/")
        .and_then(|rest| rest.strip_suffix("/chat/completions"))
        .map(str::to_string);
    let v1 = path == "/openai/v1/chat/completions";
    if req.method != "POST" || (deployment.is_none() && !v1) {
        return Some(azure_error(404, "404", "Resource not found"));
    }
    if req.headers.get("api-key").is_none_or(|k| k.is_empty())
        && !req
            .headers
            .get("authorization")
            .is_some_and(|v| v.starts_with("Bearer "))
    {
        return Some(azure_error(
            401,
            "401",
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
        ));
    }
    // The deployment name stands for its model here: `o3-mini`, `gpt-5`, `gpt-4o`...
    let model = match &deployment {
        Some(d) => d.clone(),
        None => req.body["model"].as_str().unwrap_or_default().to_string(),
    };
    if deployment.is_some() {
        let Some(version) = &api_version else {
            return Some(azure_error(404, "404", "Resource not found"));
        };
        let date = version_date(version);
        // Fields added in 2024-09-01-preview are unknown arguments before it.
        if date < "2024-09-01" {
            for field in ["stream_options", "max_completion_tokens"] {
                if req.body.get(field).is_some() {
                    return Some(openai_error(
                        400,
                        &format!("Unrecognized request argument supplied: {field}"),
                        None,
                        None,
                    ));
                }
            }
        }
        if openai_reasoning(&model) && date < "2024-12-01" {
            return Some(azure_error(
                400,
                "BadRequest",
                &format!(
                    "Model {model} is enabled only for api versions 2024-12-01-preview and later"
                ),
            ));
        }
    } else if let Some(v) = &api_version {
        if v != "preview" && v != "latest" && v != "v1" {
            return Some(azure_error(
                400,
                "BadRequest",
                &format!("API version not supported: {v}"),
            ));
        }
    }
    let mut body_req = req.clone();
    body_req.body["model"] = json!(model);
    check_chat_body(&body_req, true)
}

// --- Anthropic ---

/// An error in Anthropic's shape: `{"type":"error","error":{type, message}}`.
pub fn anthropic_error(status: u16, kind: &str, message: &str) -> Reply {
    Reply::Status(
        status,
        vec![("request-id", "req_011CTest".into())],
        json!({"type": "error", "error": {"type": kind, "message": message}}).to_string(),
    )
}

/// Claude 4.5 and later refuse `temperature` with `top_p`; Opus 4.7 and later refuse both.
fn claude_one_of(model: &str) -> bool {
    [
        "claude-opus-4-1",
        "claude-opus-4-5",
        "claude-opus-4-6",
        "claude-sonnet-4-5",
        "claude-sonnet-4-6",
        "claude-haiku-4-5",
    ]
    .iter()
    .any(|p| model.starts_with(p))
}

fn claude_no_sampling(model: &str) -> bool {
    ["claude-opus-4-7", "claude-opus-4-8", "claude-opus-5"]
        .iter()
        .any(|p| model.starts_with(p))
}

fn check_anthropic(req: &Recorded) -> Option<Reply> {
    if req.method != "POST" || req.path != "/v1/messages" {
        return Some(anthropic_error(404, "not_found_error", "Not Found"));
    }
    if req.headers.get("x-api-key").is_none_or(|k| k.is_empty()) {
        return Some(anthropic_error(
            401,
            "authentication_error",
            "x-api-key header is required",
        ));
    }
    if !req.headers.contains_key("anthropic-version") {
        return Some(anthropic_error(
            400,
            "invalid_request_error",
            "anthropic-version: header is required",
        ));
    }
    let b = &req.body;
    let allowed = [
        "model",
        "messages",
        "max_tokens",
        "system",
        "temperature",
        "top_p",
        "top_k",
        "stop_sequences",
        "stream",
        "metadata",
        "tools",
        "tool_choice",
        "thinking",
        "service_tier",
    ];
    if let Some(obj) = b.as_object() {
        if let Some(extra) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Some(anthropic_error(
                400,
                "invalid_request_error",
                &format!("{extra}: Extra inputs are not permitted"),
            ));
        }
    }
    for field in ["model", "max_tokens"] {
        if b.get(field).is_none() {
            return Some(anthropic_error(
                400,
                "invalid_request_error",
                &format!("{field}: Field required"),
            ));
        }
    }
    let messages = b["messages"].as_array().cloned().unwrap_or_default();
    if messages.is_empty() {
        return Some(anthropic_error(
            400,
            "invalid_request_error",
            "messages: Field required",
        ));
    }
    if messages.iter().any(|m| m["role"] == "system") {
        return Some(anthropic_error(
            400,
            "invalid_request_error",
            "messages: Unexpected role \"system\". The Messages API accepts a top-level `system` parameter, not \"system\" as an input message role.",
        ));
    }
    let model = b["model"].as_str().unwrap_or_default();
    if claude_no_sampling(model) {
        for p in ["temperature", "top_p"] {
            if b.get(p).is_some() {
                return Some(anthropic_error(
                    400,
                    "invalid_request_error",
                    &format!("`{p}` is deprecated for this model."),
                ));
            }
        }
    }
    if claude_one_of(model) && b.get("temperature").is_some() && b.get("top_p").is_some() {
        return Some(anthropic_error(
            400,
            "invalid_request_error",
            "`temperature` and `top_p` cannot both be specified for this model. Please use only one.",
        ));
    }
    None
}

//! The Anthropic Messages wire format: `x-api-key` and `anthropic-version` headers, the
//! system prompt as a top-level field, and streamed events whose usage arrives in
//! `message_start` (input) and `message_delta` (output).

use std::time::Instant;

use futures_util::StreamExt;
use serde_json::{json, Value};

use super::sse::SseBuffer;
use super::{
    elapsed_ms, error_from_response, refused, ApiKey, CallError, ChatRequest, ChatResponse,
    ErrorClass, FinishReason, Provider, Role, Usage,
};

pub const API_VERSION: &str = "2023-06-01";
/// Anthropic requires `max_tokens`; used when the arm sets none.
pub const DEFAULT_MAX_TOKENS: u32 = 1024;

pub(crate) async fn send(
    client: &reqwest::Client,
    provider: &Provider,
    key: Option<&ApiKey>,
    request: &ChatRequest,
    started: Instant,
) -> Result<ChatResponse, CallError> {
    let url = url(&provider.base_url);
    let stream = provider.settings.stream;
    let mut builder = client
        .post(url)
        .header("anthropic-version", API_VERSION)
        .json(&body(request, stream));
    if let Some(k) = key {
        builder = builder.header("x-api-key", k.expose());
    }
    let resp = builder
        .send()
        .await
        .map_err(|e| CallError::from_transport(&e))?;
    if !resp.status().is_success() {
        return Err(error_from_response(resp).await);
    }
    if super::sse::is_event_stream(&resp) {
        return read_stream(resp, started).await;
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| CallError::from_transport(&e))?;
    let mut out = parse_whole(&bytes)?;
    out.latency_ms = elapsed_ms(started);
    Ok(out)
}

/// The Messages URL: the base URL may be given with `/v1` (`https://api.anthropic.com/v1`)
/// or without it, as the Anthropic SDKs take it (`https://api.anthropic.com`).
pub fn url(base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    if base.ends_with("/v1") {
        format!("{base}/messages")
    } else {
        format!("{base}/v1/messages")
    }
}

/// The request body of the Messages API.
pub fn body(request: &ChatRequest, stream: bool) -> Value {
    let system: Vec<&str> = request
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect();
    let messages: Vec<Value> = request
        .messages
        .iter()
        .filter(|m| m.role != Role::System)
        .map(|m| json!({ "role": m.role.as_str(), "content": m.content }))
        .collect();
    let p = &request.params;
    let mut body = json!({
        "model": request.model,
        "messages": messages,
        "max_tokens": p.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
    });
    if !system.is_empty() {
        body["system"] = json!(system.join("\n\n"));
    }
    if let Some(v) = p.temperature {
        body["temperature"] = json!(v);
    }
    if let Some(v) = p.top_p {
        body["top_p"] = json!(v);
    }
    if !p.stop.is_empty() {
        body["stop_sequences"] = json!(p.stop);
    }
    if stream {
        body["stream"] = json!(true);
    }
    body
}

fn usage_from(u: &Value) -> Option<Usage> {
    let input = u.get("input_tokens")?.as_u64()?;
    let cache_read = u.get("cache_read_input_tokens").and_then(Value::as_u64);
    let cache_write = u.get("cache_creation_input_tokens").and_then(Value::as_u64);
    Some(Usage {
        // Anthropic counts cached and cache-written tokens apart from `input_tokens`.
        prompt_tokens: (input + cache_read.unwrap_or(0) + cache_write.unwrap_or(0)) as u32,
        completion_tokens: u.get("output_tokens").and_then(Value::as_u64).unwrap_or(0) as u32,
        cached_tokens: cache_read.map(|n| n as u32),
        cache_write_tokens: cache_write.map(|n| n as u32),
    })
}

/// Folds a `message_delta`'s usage into what `message_start` said: each field the delta
/// carries replaces the earlier one, as anthropic-sdk-python's `accumulate_event` does
/// (`lib/streaming/_messages.py`).
fn merge_usage(start: Option<&Value>, delta: &Value) -> Option<Value> {
    let mut merged = start.cloned().unwrap_or_else(|| json!({}));
    for field in [
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    ] {
        if let Some(v) = delta.get(field).filter(|v| !v.is_null()) {
            merged[field] = v.clone();
        }
    }
    Some(merged)
}

/// What a `stop_reason` means: `max_tokens` (or a full context window) marks the answer
/// cut, `refusal` makes it a refusal; `end_turn`, `stop_sequence`... a finished answer.
fn ending(stop_reason: Option<&str>, output: &str) -> Result<Option<FinishReason>, CallError> {
    match stop_reason {
        Some("max_tokens") | Some("model_context_window_exceeded") => {
            Ok(Some(FinishReason::Length))
        }
        Some("refusal") => Err(refused(FinishReason::Refusal, output)),
        _ => Ok(None),
    }
}

/// The class of an `error` event's `error.type` (Anthropic "Errors"): overloaded and API
/// errors are the provider's (retried), rate limits are rate limits, the rest are requests
/// it refused.
fn stream_error_class(kind: Option<&str>) -> ErrorClass {
    match kind {
        Some("overloaded_error") | Some("api_error") => ErrorClass::Server,
        Some("rate_limit_error") => ErrorClass::RateLimited,
        Some("authentication_error") | Some("permission_error") => ErrorClass::BadKey,
        Some("not_found_error") => ErrorClass::UnknownModel,
        _ => ErrorClass::BadRequest,
    }
}

/// Parses a non-streamed Messages answer.
pub fn parse_whole(bytes: &[u8]) -> Result<ChatResponse, CallError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| CallError::malformed(format!("not JSON ({e})")))?;
    message(&v)
}

/// [`parse_whole`] of a message already read as JSON (a batch result's `message`).
pub fn message(v: &Value) -> Result<ChatResponse, CallError> {
    let content = v
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| CallError::malformed("no `content` in the answer"))?;
    let output: String = content
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    Ok(ChatResponse {
        finish: ending(v.get("stop_reason").and_then(Value::as_str), &output)?,
        output,
        usage: v.get("usage").and_then(usage_from),
        latency_ms: 0.0,
        ttft_ms: None,
    })
}

async fn read_stream(resp: reqwest::Response, started: Instant) -> Result<ChatResponse, CallError> {
    let mut sse = SseBuffer::default();
    let mut output = String::new();
    let mut usage: Option<Value> = None;
    let mut stop_reason: Option<String> = None;
    let mut ttft_ms = None;
    let mut done = false;
    let mut chunks = resp.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| CallError::from_transport(&e))?;
        for data in sse.push(&chunk) {
            let v: Value = serde_json::from_str(&data)
                .map_err(|e| CallError::malformed(format!("a streamed event is not JSON ({e})")))?;
            match v.get("type").and_then(Value::as_str) {
                Some("message_start") => {
                    usage = v.pointer("/message/usage").cloned();
                }
                Some("content_block_delta") => {
                    if let Some(t) = v.pointer("/delta/text").and_then(Value::as_str) {
                        if ttft_ms.is_none() && !t.is_empty() {
                            ttft_ms = Some(elapsed_ms(started));
                        }
                        output.push_str(t);
                    }
                }
                Some("message_delta") => {
                    if let Some(u) = v.get("usage") {
                        usage = merge_usage(usage.as_ref(), u);
                    }
                    if let Some(r) = v.pointer("/delta/stop_reason").and_then(Value::as_str) {
                        stop_reason = Some(r.to_string());
                    }
                }
                Some("message_stop") => done = true,
                Some("error") => {
                    let kind = v.pointer("/error/type").and_then(Value::as_str);
                    let msg = v
                        .pointer("/error/message")
                        .and_then(Value::as_str)
                        .unwrap_or("unknown error");
                    return Err(CallError::new(
                        stream_error_class(kind),
                        format!(
                            "the provider reported an error mid-stream ({}): {msg}",
                            kind.unwrap_or("error")
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    if !done {
        return Err(CallError::new(
            ErrorClass::Network,
            "the response stream ended before its message_stop event",
        ));
    }
    Ok(ChatResponse {
        finish: ending(stop_reason.as_deref(), &output)?,
        output,
        usage: usage.as_ref().and_then(usage_from),
        latency_ms: elapsed_ms(started),
        ttft_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{GenParams, Message};

    #[test]
    fn the_system_prompt_moves_to_the_top_level_field() {
        let req = ChatRequest {
            model: "claude".into(),
            messages: vec![
                Message::new(Role::System, "be brief"),
                Message::new(Role::User, "hi"),
            ],
            params: GenParams::default(),
        };
        let b = body(&req, false);
        assert_eq!(b["system"], json!("be brief"));
        assert_eq!(b["messages"].as_array().unwrap().len(), 1);
        assert_eq!(b["max_tokens"], json!(DEFAULT_MAX_TOKENS));
    }

    #[test]
    fn the_base_url_may_name_v1_or_not() {
        assert_eq!(
            url("https://api.anthropic.com"),
            "https://api.anthropic.com/v1/messages"
        );
        assert_eq!(
            url("https://api.anthropic.com/v1/"),
            "https://api.anthropic.com/v1/messages"
        );
    }

    #[test]
    fn cached_reads_count_toward_prompt_tokens() {
        let r = parse_whole(
            br#"{"content":[{"type":"text","text":"ok"}],
                "usage":{"input_tokens":10,"cache_read_input_tokens":90,"output_tokens":2}}"#,
        )
        .unwrap();
        let u = r.usage.unwrap();
        assert_eq!(r.output, "ok");
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.cached_tokens),
            (100, 2, Some(90))
        );
    }
}

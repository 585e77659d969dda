//! The Anthropic Messages wire format: `x-api-key` and `anthropic-version` headers, the
//! system prompt as a top-level field, and streamed events whose usage arrives in
//! `message_start` (input) and `message_delta` (output).

use std::time::Instant;

use futures_util::StreamExt;
use serde_json::{json, Value};

use super::sse::SseBuffer;
use super::{
    elapsed_ms, error_from_response, ApiKey, CallError, ChatRequest, ChatResponse, ErrorClass,
    Provider, Role, Usage,
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
    let url = format!("{}/messages", provider.base_url.trim_end_matches('/'));
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
    let cache_write = u
        .get("cache_creation_input_tokens")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Some(Usage {
        // Anthropic counts cached and cache-written tokens apart from `input_tokens`.
        prompt_tokens: (input + cache_read.unwrap_or(0) + cache_write) as u32,
        completion_tokens: u.get("output_tokens").and_then(Value::as_u64).unwrap_or(0) as u32,
        cached_tokens: cache_read.map(|n| n as u32),
    })
}

/// Parses a non-streamed Messages answer.
pub fn parse_whole(bytes: &[u8]) -> Result<ChatResponse, CallError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| CallError::malformed(format!("not JSON ({e})")))?;
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
        output,
        usage: v.get("usage").and_then(usage_from),
        latency_ms: 0.0,
        ttft_ms: None,
    })
}

async fn read_stream(resp: reqwest::Response, started: Instant) -> Result<ChatResponse, CallError> {
    let mut sse = SseBuffer::default();
    let mut output = String::new();
    let mut usage: Option<Usage> = None;
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
                    usage = v.pointer("/message/usage").and_then(usage_from);
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
                    if let (Some(u), Some(out)) = (
                        usage.as_mut(),
                        v.pointer("/usage/output_tokens").and_then(Value::as_u64),
                    ) {
                        u.completion_tokens = out as u32;
                    }
                }
                Some("message_stop") => done = true,
                Some("error") => {
                    let msg = v
                        .pointer("/error/message")
                        .and_then(Value::as_str)
                        .unwrap_or("unknown error");
                    let class = if v.pointer("/error/type").and_then(Value::as_str)
                        == Some("overloaded_error")
                    {
                        ErrorClass::Server
                    } else {
                        ErrorClass::BadRequest
                    };
                    return Err(CallError::new(
                        class,
                        format!("the provider reported an error mid-stream: {msg}"),
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
        output,
        usage,
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

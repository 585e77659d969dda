//! The OpenAI Chat Completions wire format, spoken by OpenAI and every OpenAI-compatible
//! server (Ollama, vLLM, llama.cpp server, LM Studio, Together, Fireworks, Groq,
//! OpenRouter). Streams with `stream_options.include_usage` to measure time to first token.

use std::time::Instant;

use futures_util::StreamExt;
use serde_json::{json, Value};

use super::sse::SseBuffer;
use super::{
    elapsed_ms, error_from_response, refused, ApiKey, CallError, ChatRequest, ChatResponse,
    ErrorClass, FinishReason, Provider, ProviderKind, ResponseFormat, Usage,
};

pub(crate) async fn send(
    client: &reqwest::Client,
    provider: &Provider,
    key: Option<&ApiKey>,
    request: &ChatRequest,
    started: Instant,
) -> Result<ChatResponse, CallError> {
    let url = format!(
        "{}/chat/completions",
        provider.base_url.trim_end_matches('/')
    );
    let mut builder = client.post(url);
    if let Some(k) = key {
        builder = builder.bearer_auth(k.expose());
    }
    // api.openai.com wants `max_completion_tokens` (reasoning models refuse `max_tokens`);
    // compatible servers mostly know only `max_tokens`.
    let field = if provider.kind == ProviderKind::OpenAi {
        MaxTokensField::MaxCompletionTokens
    } else {
        MaxTokensField::MaxTokens
    };
    let stream = provider.settings.stream;
    let wire = Wire {
        stream,
        include_usage: stream,
        field,
    };
    exchange(builder, request, wire, started).await
}

/// How a request body is written for one server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wire {
    pub stream: bool,
    /// Ask for usage in a final chunk (`stream_options.include_usage`); only when streaming,
    /// and only where the server knows the option.
    pub include_usage: bool,
    pub field: MaxTokensField,
}

/// Which name the output bound goes under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxTokensField {
    MaxTokens,
    MaxCompletionTokens,
}

/// The request body of the Chat Completions API.
pub fn body(request: &ChatRequest, wire: Wire) -> Value {
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| json!({ "role": m.role.as_str(), "content": m.content }))
        .collect();
    let mut body = json!({ "model": request.model, "messages": messages });
    let p = &request.params;
    if let Some(v) = p.max_tokens {
        let name = match wire.field {
            MaxTokensField::MaxTokens => "max_tokens",
            MaxTokensField::MaxCompletionTokens => "max_completion_tokens",
        };
        body[name] = json!(v);
    }
    if let Some(v) = p.temperature {
        body["temperature"] = json!(v);
    }
    if let Some(v) = p.top_p {
        body["top_p"] = json!(v);
    }
    if !p.stop.is_empty() {
        body["stop"] = json!(p.stop);
    }
    if let Some(v) = p.seed {
        body["seed"] = json!(v);
    }
    match &p.response_format {
        Some(ResponseFormat::JsonObject) => {
            body["response_format"] = json!({"type": "json_object"})
        }
        Some(ResponseFormat::JsonSchema {
            name,
            schema,
            strict,
        }) => {
            let schema: Value = serde_json::from_str(schema).unwrap_or(Value::Null);
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": { "name": name, "schema": schema, "strict": strict }
            });
        }
        None => {}
    }
    if wire.stream {
        body["stream"] = json!(true);
        if wire.include_usage {
            body["stream_options"] = json!({ "include_usage": true });
        }
    }
    body
}

/// Sends the prepared request (URL and auth set by the caller) and reads the answer,
/// streamed or whole.
pub(crate) async fn exchange(
    builder: reqwest::RequestBuilder,
    request: &ChatRequest,
    wire: Wire,
    started: Instant,
) -> Result<ChatResponse, CallError> {
    let resp = builder
        .json(&body(request, wire))
        .send()
        .await
        .map_err(|e| CallError::from_transport(&e))?;
    if !resp.status().is_success() {
        return Err(error_from_response(resp).await);
    }
    if super::sse::is_event_stream(&resp) {
        read_stream(resp, started).await
    } else {
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| CallError::from_transport(&e))?;
        let mut out = parse_whole(&bytes)?;
        out.latency_ms = elapsed_ms(started);
        Ok(out)
    }
}

/// Parses a non-streamed Chat Completions answer. A refusal (`message.refusal`) or a
/// `content_filter` ending is an error of class `refused`; a `length` ending is an answer
/// marked as cut.
pub fn parse_whole(bytes: &[u8]) -> Result<ChatResponse, CallError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| CallError::malformed(format!("not JSON ({e})")))?;
    answer(&v)
}

/// [`parse_whole`] of an answer already read as JSON (a batch result line's `body`).
pub fn answer(v: &Value) -> Result<ChatResponse, CallError> {
    let choice = v
        .pointer("/choices/0")
        .ok_or_else(|| CallError::malformed("no `choices` in the answer"))?;
    let output = match choice.pointer("/message/content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None if choice.get("message").is_some() => String::new(),
        _ => return Err(CallError::malformed("no `choices[0].message`")),
    };
    if let Some(text) = choice.pointer("/message/refusal").and_then(Value::as_str) {
        return Err(refused(FinishReason::Refusal, text));
    }
    Ok(ChatResponse {
        finish: ending(choice.get("finish_reason").and_then(Value::as_str), &output)?,
        output,
        usage: usage(v),
        latency_ms: 0.0,
        ttft_ms: None,
    })
}

/// What a `finish_reason` means for the answer: `length` marks it cut, `content_filter`
/// makes it a refusal; anything else (`stop`, `tool_calls`...) is a finished answer.
fn ending(finish_reason: Option<&str>, output: &str) -> Result<Option<FinishReason>, CallError> {
    match finish_reason {
        Some("length") => Ok(Some(FinishReason::Length)),
        Some("content_filter") => Err(refused(FinishReason::ContentFilter, output)),
        _ => Ok(None),
    }
}

fn usage(v: &Value) -> Option<Usage> {
    let u = v.get("usage").filter(|u| u.is_object())?;
    Some(Usage {
        prompt_tokens: u.get("prompt_tokens")?.as_u64()? as u32,
        completion_tokens: u
            .get("completion_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0) as u32,
        cached_tokens: u
            .pointer("/prompt_tokens_details/cached_tokens")
            .and_then(Value::as_u64)
            .map(|n| n as u32),
        cache_write_tokens: None,
    })
}

/// Reads a streamed answer. The stream is complete at `[DONE]`, or, for servers that end
/// it without one, at a clean end after a chunk with a `finish_reason` (openai-python's
/// `Stream` likewise ends at the body's end).
async fn read_stream(resp: reqwest::Response, started: Instant) -> Result<ChatResponse, CallError> {
    let mut sse = SseBuffer::default();
    let mut output = String::new();
    let mut refusal: Option<String> = None;
    let mut finish_reason: Option<String> = None;
    let mut usage_seen = None;
    let mut ttft_ms = None;
    let mut done = false;
    let mut chunks = resp.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| CallError::from_transport(&e))?;
        for data in sse.push(&chunk) {
            if data.trim() == "[DONE]" {
                done = true;
                continue;
            }
            let v: Value = serde_json::from_str(&data)
                .map_err(|e| CallError::malformed(format!("a streamed event is not JSON ({e})")))?;
            if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
                let msg = err
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown error");
                return Err(CallError::new(
                    ErrorClass::Server,
                    format!("the provider reported an error mid-stream: {msg}"),
                ));
            }
            if let Some(piece) = v
                .pointer("/choices/0/delta/content")
                .and_then(Value::as_str)
            {
                if ttft_ms.is_none() && !piece.is_empty() {
                    ttft_ms = Some(elapsed_ms(started));
                }
                output.push_str(piece);
            }
            if let Some(piece) = v
                .pointer("/choices/0/delta/refusal")
                .and_then(Value::as_str)
            {
                refusal.get_or_insert_with(String::new).push_str(piece);
            }
            if let Some(f) = v
                .pointer("/choices/0/finish_reason")
                .and_then(Value::as_str)
            {
                finish_reason = Some(f.to_string());
            }
            if let Some(u) = usage(&v) {
                usage_seen = Some(u);
            }
        }
    }
    if sse.has_partial_event() {
        return Err(CallError::new(
            ErrorClass::Network,
            "the response stream was cut off in the middle of an event",
        ));
    }
    if !done && finish_reason.is_none() {
        return Err(CallError::new(
            ErrorClass::Network,
            "the response stream ended before its final [DONE] event",
        ));
    }
    if let Some(text) = refusal {
        return Err(refused(FinishReason::Refusal, &text));
    }
    Ok(ChatResponse {
        finish: ending(finish_reason.as_deref(), &output)?,
        output,
        usage: usage_seen,
        latency_ms: elapsed_ms(started),
        ttft_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{GenParams, Message, Role};

    #[test]
    fn a_whole_answer_yields_output_and_usage_with_cached_tokens() {
        let body = br#"{"choices":[{"message":{"role":"assistant","content":"billing"}}],
            "usage":{"prompt_tokens":12,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":8}}}"#;
        let r = parse_whole(body).unwrap();
        assert_eq!(r.output, "billing");
        let u = r.usage.unwrap();
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.cached_tokens),
            (12, 2, Some(8))
        );
    }

    #[test]
    fn an_answer_without_choices_is_malformed() {
        let e = parse_whole(br#"{"id":"x"}"#).unwrap_err();
        assert_eq!(e.class, ErrorClass::Malformed);
    }

    #[test]
    fn streaming_bodies_ask_for_usage_in_the_final_chunk() {
        let req = ChatRequest {
            model: "m".into(),
            messages: vec![Message::new(Role::User, "hi")],
            params: GenParams {
                max_tokens: Some(3),
                response_format: Some(ResponseFormat::JsonObject),
                ..GenParams::default()
            },
        };
        let wire = |stream, field| Wire {
            stream,
            include_usage: stream,
            field,
        };
        let b = body(&req, wire(true, MaxTokensField::MaxTokens));
        assert_eq!(b["stream_options"]["include_usage"], json!(true));
        assert_eq!(b["response_format"]["type"], json!("json_object"));
        assert_eq!(b["max_tokens"], json!(3));
        let whole = body(&req, wire(false, MaxTokensField::MaxCompletionTokens));
        assert!(whole.get("stream").is_none());
        assert_eq!(whole["max_completion_tokens"], json!(3));
        assert!(whole.get("max_tokens").is_none());
    }
}

//! Answers in the real shapes: OpenAI's usage block, whole and streamed chat completions,
//! and Anthropic's named events, streamed and whole Messages answers.

use super::*;

/// OpenAI's usage block, with its details.
pub fn openai_usage(prompt: u32, completion: u32, cached: u32) -> Value {
    json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
    })
}

/// A whole chat completion: `content` (or `refusal` with `content: null`) and its ending.
pub fn openai_whole(
    content: Option<&str>,
    refusal: Option<&str>,
    finish: &str,
    usage: Value,
) -> Reply {
    Reply::Status(
        200,
        vec![("x-request-id", "req_test".into())],
        json!({
            "id": "chatcmpl-test", "object": "chat.completion", "created": 1_764_000_000,
            "model": "gpt-test-2026-01-01", "system_fingerprint": "fp_test",
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal, "annotations": []},
                "logprobs": null,
                "finish_reason": finish
            }],
            "usage": usage,
            "service_tier": "default"
        })
        .to_string(),
    )
}

/// A streamed chat completion as api.openai.com sends it: a role chunk, content chunks,
/// the finish chunk, each with `usage: null` when usage was asked for, then (when asked)
/// a separate `choices: []` usage chunk, then `[DONE]`.
pub fn openai_stream(req: &Recorded, pieces: &[&str], finish: &str, usage: Value) -> Reply {
    let include_usage = req.body["stream_options"]["include_usage"] == json!(true);
    let chunk = |delta: Value, finish: Value| {
        let mut c = json!({
            "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_764_000_000,
            "model": "gpt-test-2026-01-01", "system_fingerprint": "fp_test",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]
        });
        if include_usage {
            c["usage"] = Value::Null;
        }
        c.to_string()
    };
    let mut events = vec![chunk(
        json!({"role": "assistant", "content": "", "refusal": null}),
        Value::Null,
    )];
    for p in pieces {
        events.push(chunk(json!({"content": p}), Value::Null));
    }
    events.push(chunk(json!({}), json!(finish)));
    if include_usage {
        events.push(
            json!({
                "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_764_000_000,
                "model": "gpt-test-2026-01-01", "system_fingerprint": "fp_test",
                "choices": [], "usage": usage
            })
            .to_string(),
        );
    }
    events.push("[DONE]".into());
    Reply::Sse(events, true)
}

/// A named Anthropic event block.
pub fn anthropic_event(name: &str, data: Value) -> String {
    format!("event: {name}\ndata: {data}")
}

/// A streamed Messages answer as api.anthropic.com sends it, with a `ping`, ending with
/// `stop_reason`. `usage_start` is message_start's usage; `usage_end` message_delta's.
pub fn anthropic_stream(
    pieces: &[&str],
    stop_reason: &str,
    usage_start: Value,
    usage_end: Value,
) -> Vec<String> {
    let mut events = vec![
        anthropic_event(
            "message_start",
            json!({"type": "message_start", "message": {
                "id": "msg_test", "type": "message", "role": "assistant", "content": [],
                "model": "claude-test", "stop_reason": null, "stop_sequence": null,
                "usage": usage_start}}),
        ),
        anthropic_event(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
        anthropic_event("ping", json!({"type": "ping"})),
    ];
    for p in pieces {
        events.push(anthropic_event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}),
        ));
    }
    events.push(anthropic_event(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    events.push(anthropic_event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null}, "usage": usage_end}),
    ));
    events.push(anthropic_event(
        "message_stop",
        json!({"type": "message_stop"}),
    ));
    events
}

/// A whole Messages answer.
pub fn anthropic_whole(text: &str, stop_reason: &str, usage: Value) -> Reply {
    Reply::Status(
        200,
        vec![("request-id", "req_test".into())],
        json!({
            "id": "msg_test", "type": "message", "role": "assistant", "model": "claude-test",
            "content": [{"type": "text", "text": text}],
            "stop_reason": stop_reason, "stop_sequence": null, "usage": usage
        })
        .to_string(),
    )
}

//! Every way an answer ends, read as the provider meant it: truncated, filtered and refused
//! answers, Anthropic errors mid-stream, streams without `[DONE]`, `"error": null`.

use super::*;

// --- 4. truncated, filtered and refused answers ---

#[tokio::test]
async fn an_answer_cut_at_the_token_limit_is_marked_truncated_streamed_or_whole() {
    for stream in [false, true] {
        let srv = server::start_strict(Api::OpenAi, |req, _| {
            if req.body["stream"] == json!(true) {
                openai_stream(req, &["bill"], "length", openai_usage(9, 1, 0))
            } else {
                openai_whole(Some("bill"), None, "length", openai_usage(9, 1, 0))
            }
        })
        .await;
        let p = provider(
            ProviderKind::OpenAi,
            &format!("{}/v1", srv.base_url),
            stream,
        );
        let r = send(&p, &request("gpt-4.1-mini", bounded(1)))
            .await
            .unwrap();
        assert_eq!(
            (r.output.as_str(), r.finish),
            ("bill", Some(FinishReason::Length))
        );
    }
    let srv = server::start_strict(Api::Anthropic, |_, _| {
        anthropic_whole(
            "bill",
            "max_tokens",
            json!({"input_tokens": 9, "output_tokens": 1}),
        )
    })
    .await;
    let p = provider(
        ProviderKind::Anthropic,
        &format!("{}/v1", srv.base_url),
        false,
    );
    let r = send(&p, &request("claude-haiku-4-5", bounded(1)))
        .await
        .unwrap();
    assert_eq!(r.finish, Some(FinishReason::Length));
}

#[tokio::test]
async fn refusals_and_content_filters_are_their_own_outcome_and_not_retried() {
    let openai_refusal = server::start_strict(Api::OpenAi, |_, _| {
        openai_whole(
            None,
            Some("I can't help with that."),
            "stop",
            openai_usage(9, 6, 0),
        )
    })
    .await;
    let filtered = server::start_strict(Api::OpenAi, |req, _| {
        openai_stream(req, &[], "content_filter", openai_usage(9, 0, 0))
    })
    .await;
    let claude_refusal = server::start_strict(Api::Anthropic, |_, _| {
        Reply::Sse(
            anthropic_stream(
                &["I can"],
                "refusal",
                json!({"input_tokens": 9, "output_tokens": 1}),
                json!({"output_tokens": 2}),
            ),
            true,
        )
    })
    .await;
    let cases = [
        (
            ProviderKind::OpenAi,
            &openai_refusal,
            false,
            "gpt-4.1-mini",
            FinishReason::Refusal,
        ),
        (
            ProviderKind::OpenAi,
            &filtered,
            true,
            "gpt-4.1-mini",
            FinishReason::ContentFilter,
        ),
        (
            ProviderKind::Anthropic,
            &claude_refusal,
            true,
            "claude-sonnet-4-5",
            FinishReason::Refusal,
        ),
    ];
    for (kind, srv, stream, model, reason) in cases {
        let p = provider(kind, &format!("{}/v1", srv.base_url), stream);
        let e = send(&p, &request(model, bounded(8))).await.unwrap_err();
        assert_eq!(e.class, ErrorClass::Refused, "{}", e.message);
        assert_eq!(e.finish_reason, Some(reason));
        assert!(!e.retryable(), "a refusal is not retried");
    }
    assert!(openai_refusal.requests.lock().unwrap().len() == 1);
    let e = send(
        &provider(
            ProviderKind::OpenAi,
            &format!("{}/v1", openai_refusal.base_url),
            false,
        ),
        &request("gpt-4.1-mini", bounded(8)),
    )
    .await
    .unwrap_err();
    assert!(
        e.message.contains("refused to answer") && e.message.contains("I can't help with that."),
        "{}",
        e.message
    );
}

// --- 5. Anthropic errors mid-stream ---

#[tokio::test]
async fn anthropic_mid_stream_errors_are_classified_by_their_type() {
    for (kind, class) in [
        ("overloaded_error", ErrorClass::Server),
        ("api_error", ErrorClass::Server),
        ("rate_limit_error", ErrorClass::RateLimited),
        ("invalid_request_error", ErrorClass::BadRequest),
    ] {
        let srv = server::start_strict(Api::Anthropic, move |_, _| {
            let mut events = anthropic_stream(
                &["bi"],
                "end_turn",
                json!({"input_tokens": 9, "output_tokens": 1}),
                json!({"output_tokens": 1}),
            );
            events.truncate(4);
            events.push(anthropic_event(
                "error",
                json!({"type": "error", "error": {"type": kind, "message": "stopped"}}),
            ));
            Reply::Sse(events, true)
        })
        .await;
        let p = provider(
            ProviderKind::Anthropic,
            &format!("{}/v1", srv.base_url),
            true,
        );
        let e = send(&p, &request("claude-sonnet-4-5", bounded(8)))
            .await
            .unwrap_err();
        assert_eq!(e.class, class, "{kind}: {}", e.message);
        assert_eq!(e.retryable(), class.is_retryable(), "{kind}");
    }
}

#[tokio::test]
async fn anthropic_529_overloaded_is_a_retryable_server_error() {
    let srv = server::start_strict(Api::Anthropic, |_, _| {
        anthropic_error(529, "overloaded_error", "Overloaded")
    })
    .await;
    let p = provider(
        ProviderKind::Anthropic,
        &format!("{}/v1", srv.base_url),
        false,
    );
    let e = send(&p, &request("claude-sonnet-4-5", bounded(8)))
        .await
        .unwrap_err();
    assert_eq!((e.class, e.http_status), (ErrorClass::Server, Some(529)));
    assert!(
        e.retryable() && e.message.contains("Overloaded"),
        "{}",
        e.message
    );
}

// --- 8. streams that end without [DONE]; "error": null ---

#[tokio::test]
async fn a_stream_that_ends_after_its_finish_reason_without_done_is_an_answer() {
    let srv = server::start_strict(Api::OpenAi, |req, _| {
        let Reply::Sse(mut events, complete) =
            openai_stream(req, &["ship", "ping"], "stop", openai_usage(9, 2, 0))
        else {
            unreachable!()
        };
        events.pop(); // no [DONE]
        Reply::Sse(events, complete)
    })
    .await;
    let p = provider(
        ProviderKind::OpenAiCompatible,
        &format!("{}/v1", srv.base_url),
        true,
    );
    let r = send(&p, &request("local", bounded(8))).await.unwrap();
    assert_eq!(r.output, "shipping");
    assert_eq!(r.usage.map(|u| u.prompt_tokens), Some(9));
}

#[tokio::test]
async fn an_error_field_that_is_null_is_no_error() {
    let srv = server::start(|_, _| {
        Reply::Sse(
            vec![
                json!({"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":null}],"error":null}).to_string(),
                json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"error":null}).to_string(),
                "[DONE]".into(),
            ],
            true,
        )
    })
    .await;
    let p = provider(
        ProviderKind::OpenAiCompatible,
        &format!("{}/v1", srv.base_url),
        true,
    );
    let r = send(&p, &request("local", bounded(8))).await.unwrap();
    assert_eq!(r.output, "ok");
}

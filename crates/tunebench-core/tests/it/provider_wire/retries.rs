//! Retries as the official SDKs do them: `retry-after-ms` before `Retry-After`, HTTP dates,
//! 408 and 409, `x-should-retry`, and a 429 that means no credit.

use super::*;

// --- 7. retries as the official SDKs do them ---

fn status_with(
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: serde_json::Value,
) -> Reply {
    Reply::Status(status, headers, body.to_string())
}

#[tokio::test]
async fn retry_after_ms_is_read_before_retry_after() {
    let srv = server::start_strict(Api::OpenAi, |_, _| {
        status_with(
            429,
            vec![("retry-after-ms", "1500".into()), ("retry-after", "9".into())],
            json!({"error": {"message": "Rate limit reached", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}),
        )
    })
    .await;
    let p = provider(ProviderKind::OpenAi, &format!("{}/v1", srv.base_url), false);
    let e = send(&p, &request("gpt-4.1-mini", bounded(8)))
        .await
        .unwrap_err();
    assert_eq!(e.retry_after, Some(Duration::from_millis(1500)));
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let srv = server::start_strict(Api::Anthropic, |_, _| {
        let at = SystemTime::now() + Duration::from_secs(30);
        let secs = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64;
        let date = chrono::DateTime::from_timestamp(secs, 0)
            .unwrap()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        Reply::Status(
            429,
            vec![("retry-after", date)],
            json!({"type": "error", "error": {"type": "rate_limit_error", "message": "Number of request tokens has exceeded your per-minute rate limit"}}).to_string(),
        )
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
    let wait = e.retry_after.expect("an HTTP-date Retry-After is a wait");
    assert!(
        wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
        "{wait:?}"
    );
}

#[tokio::test]
async fn timeouts_408_and_conflicts_409_are_retried() {
    for status in [408u16, 409] {
        let srv = server::start_strict(Api::OpenAi, move |_, _| {
            openai_error(status, "Request timed out or conflicted", None, None)
        })
        .await;
        let p = provider(ProviderKind::OpenAi, &format!("{}/v1", srv.base_url), false);
        let e = send(&p, &request("gpt-4.1-mini", bounded(8)))
            .await
            .unwrap_err();
        assert!(e.retryable(), "{status}: {}", e.message);
    }
}

#[tokio::test]
async fn x_should_retry_overrides_the_status() {
    let no = server::start_strict(Api::OpenAi, |_, _| {
        status_with(
            500,
            vec![("x-should-retry", "false".into())],
            json!({"error": {"message": "The server had an error", "type": "server_error", "param": null, "code": null}}),
        )
    })
    .await;
    let yes = server::start_strict(Api::OpenAi, |_, _| {
        status_with(
            400,
            vec![("x-should-retry", "true".into())],
            json!({"error": {"message": "try again", "type": "invalid_request_error", "param": null, "code": null}}),
        )
    })
    .await;
    let p = |srv: &server::TestServer| {
        provider(ProviderKind::OpenAi, &format!("{}/v1", srv.base_url), false)
    };
    let e = send(&p(&no), &request("gpt-4.1-mini", bounded(8)))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::Server);
    assert!(!e.retryable());
    let e = send(&p(&yes), &request("gpt-4.1-mini", bounded(8)))
        .await
        .unwrap_err();
    assert!(e.retryable());
}

#[tokio::test]
async fn a_429_for_insufficient_quota_is_out_of_credit_and_not_retried() {
    let srv = server::start_strict(Api::OpenAi, |_, _| {
        openai_error(
            429,
            "You exceeded your current quota, please check your plan and billing details.",
            None,
            Some("insufficient_quota"),
        )
    })
    .await;
    let p = provider(ProviderKind::OpenAi, &format!("{}/v1", srv.base_url), false);
    let e = send(&p, &request("gpt-4.1-mini", bounded(8)))
        .await
        .unwrap_err();
    assert!(!e.retryable());
    assert!(
        e.message
            .starts_with("the provider account is out of credit"),
        "{}",
        e.message
    );
}

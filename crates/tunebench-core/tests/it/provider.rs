//! Provider calls over real HTTP against the in-process server: answers, usage, time to
//! first token, and every failure classified in plain words with the key redacted.

use std::time::Duration;

use serde_json::json;
use tunebench_core::provider::{
    self, ApiKey, ChatRequest, ErrorClass, GenParams, Message, Provider, ProviderKind,
    ProviderSettings, Role,
};

use crate::provider_fakes::Api;
use crate::provider_server::{self as server, chat_json, chat_sse, error, usage, Reply};

/// A provider of `kind` at `base_url` with no key variable and a 2 s timeout, shared by
/// the provider tests.
pub(crate) fn provider(kind: ProviderKind, base_url: &str, stream: bool) -> Provider {
    Provider {
        id: 1,
        name: "test".into(),
        kind,
        base_url: base_url.into(),
        api_key_env: None,
        settings: ProviderSettings {
            stream,
            timeout_s: 2.0,
            ..ProviderSettings::default()
        },
    }
}

fn request() -> ChatRequest {
    ChatRequest {
        model: "m".into(),
        messages: vec![
            Message::new(Role::System, "be brief"),
            Message::new(Role::User, "Input: hello"),
        ],
        params: GenParams {
            max_tokens: Some(8),
            temperature: Some(0.0),
            ..GenParams::default()
        },
    }
}

async fn call(
    p: &Provider,
    key: Option<&ApiKey>,
) -> Result<provider::ChatResponse, provider::CallError> {
    provider::send(&reqwest::Client::new(), p, key, &request()).await
}

#[tokio::test]
async fn a_streamed_answer_records_output_usage_and_time_to_first_token() {
    let srv = server::start(|_, _| chat_sse("billing", Some(usage(12, 1)), true)).await;
    let p = provider(
        ProviderKind::OpenAiCompatible,
        &format!("{}/v1", srv.base_url),
        true,
    );
    let key = ApiKey::new("sk-test-123456");
    let r = call(&p, Some(&key)).await.unwrap();
    assert_eq!(r.output, "billing");
    let u = r.usage.expect("usage comes in the final chunk");
    assert_eq!((u.prompt_tokens, u.completion_tokens), (12, 1));
    let ttft = r
        .ttft_ms
        .expect("a streamed answer has a time to first token");
    assert!(
        ttft <= r.latency_ms,
        "ttft {ttft} > latency {}",
        r.latency_ms
    );
    let req = &srv.requests.lock().unwrap()[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(req.headers["authorization"], "Bearer sk-test-123456");
    assert_eq!(req.body["stream_options"]["include_usage"], json!(true));
}

#[tokio::test]
async fn a_whole_answer_without_usage_is_still_an_answer() {
    let srv = server::start(|_, _| chat_json("billing", None)).await;
    let p = provider(ProviderKind::OpenAi, &srv.base_url, false);
    let r = call(&p, None).await.unwrap();
    assert_eq!(r.output, "billing");
    assert_eq!(
        r.usage, None,
        "missing usage must stay missing, not become zero"
    );
    assert_eq!(r.ttft_ms, None);
}

#[tokio::test]
async fn a_stream_without_usage_is_still_an_answer() {
    let srv = server::start(|_, _| chat_sse("shipping", None, true)).await;
    let p = provider(ProviderKind::OpenAiCompatible, &srv.base_url, true);
    let r = call(&p, None).await.unwrap();
    assert_eq!((r.output.as_str(), r.usage), ("shipping", None));
}

#[tokio::test]
async fn a_refused_key_is_a_bad_key_and_the_key_is_redacted_from_the_message() {
    let srv =
        server::start(|_, _| error(401, "Incorrect API key provided: sk-live-SECRET99")).await;
    let p = provider(ProviderKind::OpenAi, &srv.base_url, false);
    let e = call(&p, Some(&ApiKey::new("sk-live-SECRET99")))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::BadKey);
    assert_eq!(e.http_status, Some(401));
    assert!(e.message.contains("refused the API key"), "{}", e.message);
    assert!(
        !e.message.contains("SECRET99"),
        "the key leaked: {}",
        e.message
    );
    assert!(e.message.contains("[redacted]"), "{}", e.message);
    assert!(!e.class.is_retryable());
}

#[tokio::test]
async fn a_key_straddling_the_length_limit_of_an_error_message_leaves_no_trace() {
    // The provider echoes the key right where a long message would be cut: redacting after
    // cutting would leave the key's start behind.
    let key = "ghp_FAKEsecretTOKEN1234567890";
    let message = format!("{}{key} is not valid", "x".repeat(290));
    let srv = server::start(move |_, _| error(401, &message)).await;
    let p = provider(ProviderKind::OpenAi, &srv.base_url, false);
    let e = call(&p, Some(&ApiKey::new(key))).await.unwrap_err();
    assert!(
        !e.message.contains("ghp_FAKE"),
        "the key leaked: {}",
        e.message
    );
    assert!(e.message.chars().count() <= 400, "{}", e.message);
}

#[tokio::test]
async fn an_unknown_model_is_named_as_such() {
    let srv = server::start(|_, _| error(404, "The model `nope` does not exist")).await;
    let p = provider(ProviderKind::OpenAi, &srv.base_url, false);
    let e = call(&p, None).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::UnknownModel);
    assert!(
        e.message.contains("unknown model") && e.message.contains("`nope` does not exist"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn a_429_carries_its_retry_after() {
    let srv = server::start(|_, _| {
        Reply::Status(
            429,
            vec![("retry-after", "2".into())],
            json!({"error":{"message":"slow down"}}).to_string(),
        )
    })
    .await;
    let p = provider(ProviderKind::OpenAi, &srv.base_url, false);
    let e = call(&p, None).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::RateLimited);
    assert_eq!(e.retry_after, Some(Duration::from_secs(2)));
    assert!(e.class.is_retryable());
}

#[tokio::test]
async fn server_errors_500_and_503_are_retryable_server_failures() {
    for status in [500u16, 503] {
        let srv = server::start(move |_, _| error(status, "overloaded")).await;
        let p = provider(ProviderKind::OpenAi, &srv.base_url, false);
        let e = call(&p, None).await.unwrap_err();
        assert_eq!((e.class, e.http_status), (ErrorClass::Server, Some(status)));
        assert!(e.class.is_retryable());
    }
}

#[tokio::test]
async fn malformed_json_is_reported_as_malformed() {
    let srv = server::start(|_, _| Reply::Status(200, vec![], "{\"choices\": [".into())).await;
    let p = provider(ProviderKind::OpenAi, &srv.base_url, false);
    let e = call(&p, None).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Malformed);
    assert!(e.message.contains("malformed"), "{}", e.message);
}

#[tokio::test]
async fn a_truncated_stream_is_a_dropped_connection_not_an_answer() {
    let srv = server::start(|_, _| chat_sse("bill", None, false)).await;
    let p = provider(ProviderKind::OpenAiCompatible, &srv.base_url, true);
    let e = call(&p, None).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Network, "{}", e.message);
    assert!(e.class.is_retryable());
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_a_network_failure() {
    let srv = server::start(|_, _| Reply::Drop).await;
    let p = provider(ProviderKind::OpenAi, &srv.base_url, false);
    let e = call(&p, None).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Network, "{}", e.message);
}

#[tokio::test]
async fn a_server_that_does_not_answer_in_time_is_a_timeout() {
    let srv =
        server::start(|_, _| Reply::Delay(Duration::from_secs(5), Box::new(chat_json("x", None))))
            .await;
    let mut p = provider(ProviderKind::OpenAi, &srv.base_url, false);
    p.settings.timeout_s = 0.3;
    let e = call(&p, None).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Timeout);
    assert!(e.message.contains("0.3 s"), "{}", e.message);
}

#[tokio::test]
async fn an_unreachable_host_is_named_unreachable() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = provider(
        ProviderKind::OpenAi,
        &format!("http://127.0.0.1:{port}"),
        false,
    );
    let e = call(&p, None).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Network);
    assert!(
        e.message.contains("could not reach the host"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn azure_addresses_the_deployment_with_an_api_version_and_api_key_header() {
    let srv = server::start_strict(Api::Azure, |_, _| chat_json("ok", Some(usage(3, 1)))).await;
    let mut p = provider(ProviderKind::AzureOpenAi, &srv.base_url, false);
    p.settings.api_version = Some("2024-06-01".into());
    call(&p, Some(&ApiKey::new("azure-key-1"))).await.unwrap();
    let req = &srv.requests.lock().unwrap()[0];
    assert_eq!(
        req.path,
        "/openai/deployments/m/chat/completions?api-version=2024-06-01"
    );
    assert_eq!(req.headers["api-key"], "azure-key-1");
    assert!(!req.headers.contains_key("authorization"));
}

#[tokio::test]
async fn anthropic_streams_messages_with_its_own_headers_and_usage_events() {
    let srv = server::start_strict(Api::Anthropic, |_, _| {
        Reply::Sse(
            vec![
                json!({"type":"message_start","message":{"usage":{"input_tokens":20,"output_tokens":1}}}).to_string(),
                json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"bill"}}).to_string(),
                json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ing"}}).to_string(),
                json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}).to_string(),
                json!({"type":"message_stop"}).to_string(),
            ],
            true,
        )
    })
    .await;
    let p = provider(
        ProviderKind::Anthropic,
        &format!("{}/v1", srv.base_url),
        true,
    );
    let r = call(&p, Some(&ApiKey::new("ant-key-1"))).await.unwrap();
    assert_eq!(r.output, "billing");
    let u = r.usage.unwrap();
    assert_eq!((u.prompt_tokens, u.completion_tokens), (20, 2));
    assert!(r.ttft_ms.is_some());
    let req = &srv.requests.lock().unwrap()[0];
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.headers["x-api-key"], "ant-key-1");
    assert_eq!(req.headers["anthropic-version"], "2023-06-01");
    assert_eq!(req.body["system"], json!("be brief"));
}

#[tokio::test]
async fn test_connection_reports_latency_or_the_error_in_plain_words() {
    let ok = server::start(|_, _| chat_json("OK", Some(usage(5, 1)))).await;
    let p = provider(ProviderKind::OpenAi, &ok.base_url, false);
    let check = provider::test_connection(&reqwest::Client::new(), &p, None, "m").await;
    assert!(
        check.ok && check.message == "OK" && check.latency_ms > 0.0,
        "{check:?}"
    );
    assert_eq!(
        ok.requests.lock().unwrap()[0].body["max_completion_tokens"],
        json!(5),
        "api.openai.com takes max_completion_tokens"
    );

    let bad = server::start(|_, _| error(403, "no access")).await;
    let p = provider(ProviderKind::OpenAi, &bad.base_url, false);
    let check = provider::test_connection(&reqwest::Client::new(), &p, None, "m").await;
    assert!(!check.ok);
    assert_eq!(check.error_class, Some(ErrorClass::BadKey));
    assert_eq!(check.http_status, Some(403));
}

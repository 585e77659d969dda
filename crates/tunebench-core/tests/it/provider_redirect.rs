//! A provider that answers with a redirect to another host never receives the key there:
//! reqwest drops `Authorization` on a cross-host redirect, but not `x-api-key` (Anthropic)
//! nor `api-key` (Azure), so provider calls follow no redirect at all.

use tunebench_core::provider::{self, ApiKey, ChatRequest, GenParams, Message, ProviderKind, Role};

use crate::provider::provider;
use crate::provider_server::{self as server, chat_json, Reply};

fn request() -> ChatRequest {
    ChatRequest {
        model: "m".into(),
        messages: vec![Message::new(Role::User, "Input: hello")],
        params: GenParams {
            max_tokens: Some(8),
            ..GenParams::default()
        },
    }
}

/// Sends one call to a server that 307-redirects to a second server on another port, and
/// returns the header names the second server received (none when it got no request).
async fn headers_seen_after_redirect(kind: ProviderKind) -> Vec<Vec<String>> {
    let elsewhere = server::start(|_, _| chat_json("leaked", None)).await;
    let target = elsewhere.base_url.clone();
    let redirecting = server::start(move |req, _| {
        Reply::Status(
            307,
            vec![("Location", format!("{target}{}", req.path))],
            String::new(),
        )
    })
    .await;
    let client = provider::http_client().unwrap();
    let key = ApiKey::new("sk-secret-redirect-0001");
    let p = provider(kind, &redirecting.base_url, false);
    let result = provider::send(&client, &p, Some(&key), &request()).await;
    assert!(result.is_err(), "a redirect is not an answer: {result:?}");
    assert_eq!(redirecting.count(), 1);
    let seen = elsewhere.requests.lock().unwrap();
    seen.iter()
        .map(|r| r.headers.keys().cloned().collect())
        .collect()
}

#[tokio::test]
async fn an_anthropic_key_never_follows_a_redirect_to_another_host() {
    let seen = headers_seen_after_redirect(ProviderKind::Anthropic).await;
    assert!(seen.is_empty(), "the other host received {seen:?}");
}

#[tokio::test]
async fn an_azure_key_never_follows_a_redirect_to_another_host() {
    let seen = headers_seen_after_redirect(ProviderKind::AzureOpenAi).await;
    assert!(seen.is_empty(), "the other host received {seen:?}");
}

#[tokio::test]
async fn an_openai_key_never_follows_a_redirect_to_another_host() {
    let seen = headers_seen_after_redirect(ProviderKind::OpenAi).await;
    assert!(seen.is_empty(), "the other host received {seen:?}");
}

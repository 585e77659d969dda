//! Azure OpenAI: the Chat Completions wire format addressed by deployment name, with an
//! `api-version` query parameter and the key in an `api-key` header.

use std::time::Instant;

use super::{openai_chat, ApiKey, CallError, ChatRequest, ChatResponse, Provider};

/// The API version used when the provider's settings name none.
pub const DEFAULT_API_VERSION: &str = "2024-10-21";

/// The chat-completions URL of deployment `deployment` (the arm's `model`).
pub fn url(base_url: &str, deployment: &str, api_version: Option<&str>) -> String {
    format!(
        "{}/openai/deployments/{}/chat/completions?api-version={}",
        base_url.trim_end_matches('/'),
        deployment,
        api_version.unwrap_or(DEFAULT_API_VERSION)
    )
}

pub(crate) async fn send(
    client: &reqwest::Client,
    provider: &Provider,
    key: Option<&ApiKey>,
    request: &ChatRequest,
    started: Instant,
) -> Result<ChatResponse, CallError> {
    let url = url(
        &provider.base_url,
        &request.model,
        provider.settings.api_version.as_deref(),
    );
    let mut builder = client.post(url);
    if let Some(k) = key {
        builder = builder.header("api-key", k.expose());
    }
    openai_chat::exchange(
        builder,
        request,
        provider.settings.stream,
        openai_chat::MaxTokensField::MaxTokens,
        started,
    )
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_url_names_the_deployment_and_the_api_version() {
        assert_eq!(
            super::url("https://x.openai.azure.com/", "gpt4o-prod", Some("2025-01-01")),
            "https://x.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2025-01-01"
        );
        assert!(super::url("https://x", "d", None).ends_with(super::DEFAULT_API_VERSION));
    }
}

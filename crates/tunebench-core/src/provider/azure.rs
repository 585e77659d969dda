//! Azure OpenAI: the Chat Completions wire format with the key in an `api-key` header,
//! addressed either by deployment (`{endpoint}/openai/deployments/{name}/chat/completions`
//! with an `api-version` query parameter) or, when the base URL ends in `/openai/v1`, by
//! the v1 API (`{endpoint}/openai/v1/chat/completions`, the deployment in `model`, no
//! api-version needed).
//!
//! What an api-version accepts (Azure OpenAI "API version lifecycle" and the inference
//! reference): `max_completion_tokens` and `stream_options` arrived in 2024-09-01-preview
//! (earlier versions answer "Unrecognized request argument supplied"); reasoning
//! deployments (o-series, gpt-5) need 2024-12-01-preview or later and refuse `max_tokens`.

use std::time::Instant;

use super::openai_chat::{self, MaxTokensField, Wire};
use super::{ApiKey, CallError, ChatRequest, ChatResponse, Provider};

/// The API version used when the provider's settings name none.
pub const DEFAULT_API_VERSION: &str = "2024-10-21";

/// The first api-version that knows `max_completion_tokens` and `stream_options`.
const FIRST_WITH_NEW_FIELDS: &str = "2024-09-01";

/// Whether `base_url` is a v1 API endpoint (`https://x.openai.azure.com/openai/v1`).
fn is_v1(base_url: &str) -> bool {
    base_url.trim_end_matches('/').ends_with("/openai/v1")
}

/// The v1 API root of the resource whose base URL is `base_url`, where its batch and
/// fine-tuning endpoints live: `/openai/v1` is added to a resource endpoint that lacks it.
pub fn v1_root(base_url: &str) -> String {
    let b = base_url.trim_end_matches('/');
    if is_v1(b) {
        b.to_string()
    } else {
        format!("{}/openai/v1", b.trim_end_matches("/openai"))
    }
}

/// The chat-completions URL of deployment `deployment` (the arm's `model`).
pub fn url(base_url: &str, deployment: &str, api_version: Option<&str>) -> String {
    let base = base_url.trim_end_matches('/');
    if is_v1(base) {
        return match api_version {
            Some(v) => format!("{base}/chat/completions?api-version={v}"),
            None => format!("{base}/chat/completions"),
        };
    }
    format!(
        "{base}/openai/deployments/{deployment}/chat/completions?api-version={}",
        api_version.unwrap_or(DEFAULT_API_VERSION)
    )
}

/// How the body is written for `base_url` at `api_version`.
pub fn wire(base_url: &str, api_version: Option<&str>, stream: bool) -> Wire {
    let version = api_version.unwrap_or(DEFAULT_API_VERSION);
    // Compare the date part: `2024-12-01-preview` is after `2024-10-21`.
    let new_fields =
        is_v1(base_url) || version.get(..10).unwrap_or(version) >= FIRST_WITH_NEW_FIELDS;
    Wire {
        stream,
        include_usage: stream && new_fields,
        field: if new_fields {
            MaxTokensField::MaxCompletionTokens
        } else {
            MaxTokensField::MaxTokens
        },
    }
}

pub(crate) async fn send(
    client: &reqwest::Client,
    provider: &Provider,
    key: Option<&ApiKey>,
    request: &ChatRequest,
    started: Instant,
) -> Result<ChatResponse, CallError> {
    let version = provider.settings.api_version.as_deref();
    let url = url(&provider.base_url, &request.model, version);
    let mut builder = client.post(url);
    if let Some(k) = key {
        builder = builder.header("api-key", k.expose());
    }
    let wire = wire(&provider.base_url, version, provider.settings.stream);
    openai_chat::exchange(builder, request, wire, started).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_the_deployment_and_the_api_version() {
        assert_eq!(
            url("https://x.openai.azure.com/", "gpt4o-prod", Some("2025-01-01")),
            "https://x.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2025-01-01"
        );
        assert!(url("https://x", "d", None).ends_with(DEFAULT_API_VERSION));
    }

    #[test]
    fn a_v1_base_url_takes_the_v1_path_and_no_api_version_unless_set() {
        assert_eq!(
            url("https://x.openai.azure.com/openai/v1/", "gpt4o-prod", None),
            "https://x.openai.azure.com/openai/v1/chat/completions"
        );
        assert_eq!(
            url("https://x.openai.azure.com/openai/v1", "d", Some("preview")),
            "https://x.openai.azure.com/openai/v1/chat/completions?api-version=preview"
        );
    }

    #[test]
    fn versions_before_2024_09_01_preview_get_max_tokens_and_no_stream_options() {
        let old = wire("https://x", Some("2024-06-01"), true);
        assert_eq!(
            (old.include_usage, old.field),
            (false, MaxTokensField::MaxTokens)
        );
        let new = wire("https://x", Some("2024-12-01-preview"), true);
        assert_eq!(
            (new.include_usage, new.field),
            (true, MaxTokensField::MaxCompletionTokens)
        );
        let ga = wire("https://x", None, false);
        assert_eq!(
            (ga.include_usage, ga.field),
            (false, MaxTokensField::MaxCompletionTokens)
        );
    }
}

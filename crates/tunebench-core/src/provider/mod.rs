//! Model providers: the request and response of one chat call, the provider's settings,
//! and the classification of every way a call can fail, in plain words. One submodule per
//! wire format (`openai_chat`, `azure`, `anthropic`), not per vendor.

pub mod anthropic;
pub mod azure;
mod check;
mod client;
pub mod openai_chat;
pub mod secrets;
mod sse;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use check::{check_target, CheckTarget};
pub use client::http_client;
pub use secrets::ApiKey;

/// The wire format family a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// api.openai.com.
    #[serde(rename = "openai")]
    OpenAi,
    /// Azure OpenAI: deployments and an api-version.
    #[serde(rename = "azure_openai")]
    AzureOpenAi,
    /// Anthropic Messages API.
    Anthropic,
    /// Any OpenAI-compatible server: Ollama, vLLM, llama.cpp, LM Studio, Together, Groq...
    #[serde(rename = "openai_compatible")]
    OpenAiCompatible,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::AzureOpenAi => "azure_openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAiCompatible => "openai_compatible",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "openai" => ProviderKind::OpenAi,
            "azure_openai" => ProviderKind::AzureOpenAi,
            "anthropic" => ProviderKind::Anthropic,
            "openai_compatible" => ProviderKind::OpenAiCompatible,
            _ => return None,
        })
    }

    /// Whether the wire format accepts `response_format` (JSON object / JSON Schema).
    pub fn supports_response_format(self) -> bool {
        !matches!(self, ProviderKind::Anthropic)
    }
}

/// How the engine treats one provider: concurrency, rate limits, timeout and retries.
/// Stored as the provider row's `settings` JSON. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ProviderSettings {
    pub max_concurrency: u32,
    /// 0 = no limit.
    pub requests_per_minute: u32,
    /// 0 = no limit.
    pub tokens_per_minute: u32,
    pub timeout_s: f64,
    pub max_attempts: u32,
    /// First retry delay; doubles each attempt, with jitter.
    pub backoff_initial_ms: u32,
    pub backoff_max_ms: u32,
    /// Azure OpenAI's `api-version` query parameter.
    pub api_version: Option<String>,
    /// Stream responses (to measure time to first token) where the wire format allows it.
    pub stream: bool,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        Self {
            max_concurrency: 8,
            requests_per_minute: 0,
            tokens_per_minute: 0,
            timeout_s: 60.0,
            max_attempts: 5,
            backoff_initial_ms: 500,
            backoff_max_ms: 30_000,
            api_version: None,
            stream: true,
        }
    }
}

/// A provider as the store holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Provider {
    pub id: i32,
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: String,
    /// The environment variable that holds the key (never the key itself).
    pub api_key_env: Option<String>,
    pub settings: ProviderSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
        }
    }
}

/// Structured output requested from the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    JsonObject,
    /// `schema` is the JSON Schema as JSON text. `strict` asks OpenAI to enforce the
    /// schema exactly (which restricts the schema's features); off by default, as in the
    /// API reference.
    JsonSchema {
        name: String,
        schema: String,
        #[serde(default)]
        strict: bool,
    },
}

/// Generation parameters of an arm.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct GenParams {
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub stop: Vec<String>,
    pub seed: Option<i32>,
    pub response_format: Option<ResponseFormat>,
}

/// One chat call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    pub params: GenParams,
}

/// Token usage as the provider reported it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub cached_tokens: Option<u32>,
    /// Of `prompt_tokens`, those written to the provider's prompt cache (Anthropic bills
    /// them above the input price).
    #[serde(default)]
    pub cache_write_tokens: Option<u32>,
}

/// Why an answer ended other than by finishing: stored with the result (`finish_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// Cut at the output token limit (OpenAI `length`, Anthropic `max_tokens`): an answer,
    /// scored, but flagged.
    Length,
    /// Stopped by the provider's content filter (OpenAI/Azure `content_filter`).
    ContentFilter,
    /// The model declined (OpenAI `message.refusal`, Anthropic `stop_reason: refusal`).
    Refusal,
}

impl FinishReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Length => "length",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::Refusal => "refusal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "length" => FinishReason::Length,
            "content_filter" => FinishReason::ContentFilter,
            "refusal" => FinishReason::Refusal,
            _ => return None,
        })
    }
}

/// A successful call.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    pub output: String,
    /// `None` when the provider sent no usage block.
    pub usage: Option<Usage>,
    pub latency_ms: f64,
    /// Time to the first content token, when streamed.
    pub ttft_ms: Option<f64>,
    /// `Some(Length)` when the answer was cut at the token limit; `None` when it finished.
    pub finish: Option<FinishReason>,
}

/// What kind of failure a call met. Stored as `result.error_class`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// 401/403: the key is missing, wrong or lacks access.
    BadKey,
    /// 404: unknown model/deployment, or a wrong base URL.
    UnknownModel,
    /// 429.
    RateLimited,
    /// 5xx.
    Server,
    /// No complete answer within the timeout.
    Timeout,
    /// Could not connect, or the connection dropped mid-answer.
    Network,
    /// The provider answered something that is not the expected JSON/SSE.
    Malformed,
    /// 400/422 and other 4xx: the provider rejected the request.
    BadRequest,
    /// The model refused to answer, or the provider's content filter stopped the answer:
    /// an outcome of its own, not retried and not a wrong answer.
    Refused,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::BadKey => "bad_key",
            ErrorClass::UnknownModel => "unknown_model",
            ErrorClass::RateLimited => "rate_limited",
            ErrorClass::Server => "server",
            ErrorClass::Timeout => "timeout",
            ErrorClass::Network => "network",
            ErrorClass::Malformed => "malformed",
            ErrorClass::BadRequest => "bad_request",
            ErrorClass::Refused => "refused",
        }
    }

    /// Transient failures worth another attempt: 429, 5xx, timeouts, dropped connections.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorClass::RateLimited
                | ErrorClass::Server
                | ErrorClass::Timeout
                | ErrorClass::Network
        )
    }
}

/// A failed call, described in plain words with the key redacted.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    pub class: ErrorClass,
    pub http_status: Option<u16>,
    pub message: String,
    /// The provider's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
    /// Whether to retry regardless of the class: the provider's `x-should-retry`, or a
    /// status the official SDKs retry (408, 409), or a 429 that no wait will fix.
    pub retry: Option<bool>,
    /// Set for a refusal or a content filter.
    pub finish_reason: Option<FinishReason>,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CallError {}

impl CallError {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self {
            class,
            http_status: None,
            message: message.into(),
            retry_after: None,
            retry: None,
            finish_reason: None,
        }
    }

    /// Whether another attempt may succeed: the provider's word when it gave one, else the
    /// class's.
    pub fn retryable(&self) -> bool {
        self.retry.unwrap_or_else(|| self.class.is_retryable())
    }

    /// Classifies an HTTP error status, with the provider's own message from `body`.
    pub fn from_status(status: u16, body: &str, retry_after: Option<Duration>) -> Self {
        let detail = provider_message(body);
        let (class, words) = match status {
            401 | 403 => (
                ErrorClass::BadKey,
                "the provider refused the API key (missing, wrong, or without access)",
            ),
            404 => (
                ErrorClass::UnknownModel,
                "unknown model or deployment, or a wrong base URL",
            ),
            408 => (
                ErrorClass::Timeout,
                "the provider timed out waiting for the request",
            ),
            429 => (ErrorClass::RateLimited, "rate-limited by the provider"),
            500..=599 => (ErrorClass::Server, "the provider had a server error"),
            _ => (ErrorClass::BadRequest, "the provider rejected the request"),
        };
        let message = match detail {
            Some(d) => format!("{words} (HTTP {status}): {d}"),
            None => format!("{words} (HTTP {status})"),
        };
        Self {
            class,
            http_status: Some(status),
            message,
            retry_after,
            retry: None,
            finish_reason: None,
        }
    }

    /// Classifies a transport error from reqwest.
    pub fn from_transport(err: &reqwest::Error) -> Self {
        let mut source = String::new();
        let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(err);
        while let Some(e) = cur {
            source = e.to_string();
            cur = e.source();
        }
        let tail = if source.is_empty() {
            String::new()
        } else {
            format!(": {source}")
        };
        if err.is_timeout() {
            CallError::new(ErrorClass::Timeout, format!("the request timed out{tail}"))
        } else if err.is_connect() {
            CallError::new(
                ErrorClass::Network,
                format!("could not reach the host (unreachable or refused){tail}"),
            )
        } else {
            CallError::new(
                ErrorClass::Network,
                format!("the connection dropped before the answer was complete{tail}"),
            )
        }
    }

    pub fn timeout(after: Duration) -> Self {
        CallError::new(
            ErrorClass::Timeout,
            format!(
                "no complete answer within the timeout of {:.1} s",
                after.as_secs_f64()
            ),
        )
    }

    pub fn malformed(what: impl std::fmt::Display) -> Self {
        CallError::new(
            ErrorClass::Malformed,
            format!("the provider's answer is malformed: {what}"),
        )
    }

    /// Removes every occurrence of `key` from the message, then cuts it to
    /// [`MAX_MESSAGE_CHARS`]: in that order, so no cut can leave part of a key behind.
    pub fn redacted(mut self, key: Option<&ApiKey>) -> Self {
        if let Some(k) = key {
            self.message = secrets::redact(&self.message, k);
        }
        if self.message.chars().count() > MAX_MESSAGE_CHARS {
            self.message = self.message.chars().take(MAX_MESSAGE_CHARS).collect();
        }
        self
    }
}

/// The `error.message` of a provider's JSON error body, or the body's start.
fn provider_message(body: &str) -> Option<String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return None;
    }
    let from_json = serde_json::from_str::<serde_json::Value>(trimmed)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.pointer("/message"))
                .or_else(|| v.pointer("/error"))
                .and_then(|m| m.as_str().map(str::to_string))
        });
    // Not cut here: the key is redacted first, then [`CallError::redacted`] cuts.
    Some(from_json.unwrap_or_else(|| trimmed.to_string()))
}

/// The longest error message kept: the plain words plus about 300 characters of the
/// provider's own text.
pub const MAX_MESSAGE_CHARS: usize = 400;

/// Parses a `Retry-After` value: seconds (possibly fractional) or an HTTP-date, as
/// openai-python and anthropic-sdk-python read it (`_base_client.py`,
/// `_parse_retry_after_header`). A date already past is ignored (the backoff applies);
/// waits are capped at an hour.
pub fn parse_retry_after(value: Option<&reqwest::header::HeaderValue>) -> Option<Duration> {
    let s = value?.to_str().ok()?.trim();
    let secs: f64 = match s.parse::<f64>() {
        Ok(secs) => secs,
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(s).ok()?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs_f64();
            at.timestamp_millis() as f64 / 1000.0 - now
        }
    };
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

/// The wait a provider asked for: `retry-after-ms` (milliseconds, OpenAI and Anthropic)
/// first, then `Retry-After`.
pub fn retry_after_from(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let ms = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
        .map(|ms| Duration::from_secs_f64((ms / 1000.0).min(3600.0)));
    ms.or_else(|| parse_retry_after(headers.get(reqwest::header::RETRY_AFTER)))
}

/// Sends one chat call to `provider`, bounded by its timeout. The key, if any, is redacted
/// from every error message.
pub async fn send(
    client: &reqwest::Client,
    provider: &Provider,
    key: Option<&ApiKey>,
    request: &ChatRequest,
) -> Result<ChatResponse, CallError> {
    let timeout = Duration::from_secs_f64(provider.settings.timeout_s.max(0.001));
    let started = Instant::now();
    let call = async {
        match provider.kind {
            ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
                openai_chat::send(client, provider, key, request, started).await
            }
            ProviderKind::AzureOpenAi => azure::send(client, provider, key, request, started).await,
            ProviderKind::Anthropic => {
                anthropic::send(client, provider, key, request, started).await
            }
        }
    };
    match tokio::time::timeout(timeout, call).await {
        Ok(r) => r.map_err(|e| e.redacted(key)),
        Err(_) => Err(CallError::timeout(timeout)),
    }
}

/// The result of "test connection": one tiny request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectionCheck {
    pub ok: bool,
    pub latency_ms: f64,
    /// The model's reply (ok) or the failure in plain words.
    pub message: String,
    pub error_class: Option<ErrorClass>,
    pub http_status: Option<u32>,
}

/// Sends one tiny request ("Reply with OK", 5 tokens, no temperature, no retries) to
/// `model` at `provider`.
pub async fn test_connection(
    client: &reqwest::Client,
    provider: &Provider,
    key: Option<&ApiKey>,
    model: &str,
) -> ConnectionCheck {
    let request = ChatRequest {
        model: model.to_string(),
        messages: vec![Message::new(Role::User, "Reply with OK.")],
        // No temperature: current reasoning models and the newest Claude Opus refuse any
        // but their default.
        params: GenParams {
            max_tokens: Some(5),
            ..GenParams::default()
        },
    };
    let started = Instant::now();
    let result = send(client, provider, key, &request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        // A reasoning model may spend the whole allowance thinking: connected, no words.
        Ok(r) if r.output.trim().is_empty() && r.finish == Some(FinishReason::Length) => {
            ConnectionCheck {
                ok: true,
                latency_ms: r.latency_ms,
                message: format!(
                    "nothing: it used all {} tokens before replying, as reasoning models do",
                    request.params.max_tokens.unwrap_or_default()
                ),
                error_class: None,
                http_status: None,
            }
        }
        Ok(r) => ConnectionCheck {
            ok: true,
            latency_ms: r.latency_ms,
            message: r.output,
            error_class: None,
            http_status: None,
        },
        Err(e) => ConnectionCheck {
            ok: false,
            latency_ms,
            message: e.message,
            error_class: Some(e.class),
            http_status: e.http_status.map(u32::from),
        },
    }
}

/// Reads an HTTP error response into a [`CallError`], deciding whether to retry as the
/// official SDKs do (openai-python and anthropic-sdk-python `_base_client.py`,
/// `_should_retry`): the provider's `x-should-retry` first, then 408, 409, 429 and 5xx.
pub(crate) async fn error_from_response(resp: reqwest::Response) -> CallError {
    let status = resp.status().as_u16();
    let retry_after = retry_after_from(resp.headers());
    let should_retry = match resp.headers().get("x-should-retry").map(|v| v.as_bytes()) {
        Some(b"true") => Some(true),
        Some(b"false") => Some(false),
        _ => None,
    };
    let body = resp.text().await.unwrap_or_default();
    let mut e = CallError::from_status(status, &body, retry_after);
    e.retry = should_retry.or(match status {
        408 | 409 => Some(true),
        _ => None,
    });
    if out_of_credit(status, &body) {
        for words in [
            "rate-limited by the provider",
            "the provider rejected the request",
        ] {
            e.message = e.message.replacen(
                words,
                "the provider account is out of credit (add credit or raise its spending limit; not retried)",
                1,
            );
        }
        e.retry = Some(false);
    }
    e
}

/// An answer no wait will fix: the account has no credit left. OpenAI says so with a 429
/// whose code is `insufficient_quota` (its "Error codes" guide: add credit, waiting does not
/// help); Anthropic with a 400 "Your credit balance is too low".
fn out_of_credit(status: u16, body: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    let text = |p: &str| v.pointer(p).and_then(|c| c.as_str()).unwrap_or_default();
    match status {
        429 => {
            text("/error/code") == "insufficient_quota"
                || text("/error/type") == "insufficient_quota"
        }
        400 => text("/error/message").contains("credit balance is too low"),
        _ => false,
    }
}

/// The error of an answer the model refused, or the provider's content filter stopped.
pub(crate) fn refused(reason: FinishReason, text: &str) -> CallError {
    let text: String = text.trim().chars().take(300).collect();
    let words = match reason {
        FinishReason::ContentFilter => {
            "the provider's content filter stopped the answer (content_filter)".to_string()
        }
        _ if text.is_empty() => "the model refused to answer (refusal)".to_string(),
        _ => format!("the model refused to answer (refusal): {text}"),
    };
    CallError {
        finish_reason: Some(reason),
        ..CallError::new(ErrorClass::Refused, words)
    }
}

pub(crate) fn elapsed_ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

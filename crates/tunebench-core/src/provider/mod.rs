//! Model providers: the request and response of one chat call, the provider's settings,
//! and the dispatch of a call to its wire format. One submodule per wire format
//! (`openai_chat`, `azure`, `anthropic`), not per vendor; the classification of every way
//! a call can fail, in plain words, is `error`, the reading of `Retry-After` is
//! `retry_after`. `local` serves a GGUF file with llama.cpp's server, which Tunebench starts
//! itself (`gguf` reads such a file's header).

pub mod anthropic;
pub mod azure;
pub mod batch;
mod check;
mod client;
mod error;
pub mod gguf;
pub mod local;
pub mod openai_chat;
mod retry_after;
pub mod secrets;
mod sse;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use check::{check_target, CheckTarget};
pub use client::http_client;
pub(crate) use client::{send_checked, send_for_json, send_for_text};
pub(crate) use error::{error_from_response, refused};
pub use error::{CallError, ErrorClass, MAX_MESSAGE_CHARS};
pub use retry_after::{parse_retry_after, retry_after_from};
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
    /// A GGUF file on this machine (the arm's model is its path), served by a llama.cpp
    /// `llama-server` that Tunebench starts on a free loopback port for a run and stops
    /// after; spoken to as an OpenAI-compatible server.
    Local,
}

/// What a local provider stores as its base URL: its real one, a loopback port, exists only
/// while a run serves its models.
pub const LOCAL_BASE_URL: &str = "local";

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::AzureOpenAi => "azure_openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAiCompatible => "openai_compatible",
            ProviderKind::Local => "local",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "openai" => ProviderKind::OpenAi,
            "azure_openai" => ProviderKind::AzureOpenAi,
            "anthropic" => ProviderKind::Anthropic,
            "openai_compatible" => ProviderKind::OpenAiCompatible,
            "local" => ProviderKind::Local,
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
            // A run replaces the stored base URL with the server it started.
            ProviderKind::Local if provider.base_url.starts_with("http") => {
                openai_chat::send(client, provider, key, request, started).await
            }
            ProviderKind::Local => Err(CallError::new(
                ErrorClass::UnknownModel,
                format!(
                    "the local model {} is not being served: no llama-server was started for it",
                    request.model
                ),
            )),
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

pub(crate) fn elapsed_ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

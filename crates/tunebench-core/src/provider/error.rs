//! How a call can fail, in plain words: the error classes, [`CallError`] with its
//! classification of HTTP statuses and transport errors, redaction and cutting of its
//! message, and the reading of an HTTP error response (retry or not, out of credit).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::retry_after::retry_after_from;
use super::secrets::{self, ApiKey};
use super::FinishReason;

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

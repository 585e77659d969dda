//! Anthropic's Message Batches: create (`POST /v1/messages/batches` with `requests:
//! [{custom_id, params}]`), poll (`GET /v1/messages/batches/{id}`, `processing_status`
//! `in_progress` | `canceling` | `ended`, `request_counts`), results as JSONL at
//! `results_url` (each line `{custom_id, result: {type: succeeded | errored | canceled |
//! expired, ...}}`), cancel (`POST /v1/messages/batches/{id}/cancel`). References:
//! Anthropic "Create a Message Batch", "Retrieve a Message Batch", "Retrieve Message Batch
//! results", "Cancel a Message Batch".

use reqwest::RequestBuilder;
use serde_json::Value;

use super::{BatchState, Observation, Outcome};
use crate::provider::anthropic::{message, API_VERSION};
use crate::provider::{send_checked, send_for_json, ApiKey, CallError, ErrorClass};

/// A client of the Message Batches API with one key.
pub struct Client {
    pub(super) http: reqwest::Client,
    /// The API root without `/v1` (`https://api.anthropic.com`).
    pub(super) base: String,
    pub(super) key: Option<ApiKey>,
}

/// The API root for a provider whose base URL is `base_url` (given with `/v1` or not).
pub fn api_base(base_url: &str) -> String {
    base_url
        .trim_end_matches('/')
        .trim_end_matches("/v1")
        .to_string()
}

impl Client {
    fn authed(&self, rb: RequestBuilder) -> RequestBuilder {
        let rb = rb.header("anthropic-version", API_VERSION);
        match &self.key {
            Some(k) => rb.header("x-api-key", k.expose()),
            None => rb,
        }
    }

    async fn json(&self, rb: RequestBuilder) -> Result<Value, CallError> {
        send_for_json(self.authed(rb), self.key.as_ref()).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/messages/batches{path}", self.base)
    }

    /// Creates a batch of `body` (`{"requests": [{custom_id, params}, ...]}`); returns its
    /// id and first state.
    pub async fn create(&self, body: Vec<u8>) -> Result<(String, Observation), CallError> {
        let v = self
            .json(
                self.http
                    .post(self.url(""))
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await?;
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| CallError::malformed("no `id` in the answer"))?
            .to_string();
        Ok((id, observation(&v)?))
    }

    pub async fn poll(&self, batch_id: &str) -> Result<Observation, CallError> {
        observation(
            &self
                .json(self.http.get(self.url(&format!("/{batch_id}"))))
                .await?,
        )
    }

    /// The results JSONL at `results_url`, which must be on the provider's own host: the
    /// key is sent with the request, so an address elsewhere is refused.
    pub async fn download(&self, results_url: &str) -> Result<reqwest::Response, CallError> {
        let own = format!("{}/", self.base);
        if !results_url.starts_with(&own) {
            return Err(CallError::new(
                ErrorClass::BadRequest,
                format!(
                    "the batch's results_url {results_url:?} is not on the provider's host {}; \
                     the key is not sent there",
                    self.base
                ),
            ));
        }
        send_checked(self.authed(self.http.get(results_url)), self.key.as_ref()).await
    }

    pub async fn cancel(&self, batch_id: &str) -> Result<Observation, CallError> {
        observation(
            &self
                .json(self.http.post(self.url(&format!("/{batch_id}/cancel"))))
                .await?,
        )
    }
}

/// Reads a `message_batch` object.
pub fn observation(v: &Value) -> Result<Observation, CallError> {
    let word = v
        .get("processing_status")
        .and_then(Value::as_str)
        .ok_or_else(|| CallError::malformed("no `processing_status` in the answer"))?
        .to_string();
    let count = |k: &str| {
        v.pointer(&format!("/request_counts/{k}"))
            .and_then(Value::as_u64)
            .unwrap_or(0) as u32
    };
    let failed = count("errored") + count("expired") + count("canceled");
    let succeeded = count("succeeded");
    Ok(Observation {
        state: BatchState::from_anthropic(&word),
        provider_status: word,
        total: count("processing") + succeeded + failed,
        succeeded,
        failed,
        output_file_id: None,
        error_file_id: None,
        results_url: v
            .get("results_url")
            .and_then(Value::as_str)
            .map(str::to_string),
        error: None,
    })
}

/// What one results line says.
pub(super) fn outcome(v: &Value) -> Outcome {
    let result = v.get("result").unwrap_or(&Value::Null);
    match result.get("type").and_then(Value::as_str) {
        Some("succeeded") => match message(result.get("message").unwrap_or(&Value::Null)) {
            Ok(r) => Outcome::Answered(r),
            Err(e) => Outcome::Failed(e),
        },
        Some("errored") => {
            let kind = result
                .pointer("/error/error/type")
                .and_then(Value::as_str)
                .unwrap_or("error");
            let msg = result
                .pointer("/error/error/message")
                .and_then(Value::as_str)
                .unwrap_or("unknown error");
            let class = match kind {
                "api_error" | "overloaded_error" => ErrorClass::Server,
                "rate_limit_error" => ErrorClass::RateLimited,
                "authentication_error" | "permission_error" => ErrorClass::BadKey,
                "not_found_error" => ErrorClass::UnknownModel,
                _ => ErrorClass::BadRequest,
            };
            Outcome::Failed(CallError::new(
                class,
                format!("the batch answered this request with an error ({kind}): {msg}"),
            ))
        }
        Some("expired") => Outcome::Expired,
        Some("canceled") => Outcome::Cancelled,
        other => Outcome::Failed(CallError::malformed(format!(
            "a batch result of unknown type {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_result_type_reads_as_its_outcome() {
        let ok = json!({"custom_id": "a1-c1", "result": {"type": "succeeded", "message": {
            "content": [{"type": "text", "text": "billing"}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 10, "output_tokens": 1}}}});
        assert!(matches!(outcome(&ok), Outcome::Answered(r) if r.output == "billing"));
        let err = json!({"custom_id": "a1-c2", "result": {"type": "errored", "error": {
            "type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too big"}}}});
        assert!(
            matches!(outcome(&err), Outcome::Failed(e) if e.class == ErrorClass::BadRequest && e.message.contains("too big"))
        );
        for (t, o) in [
            ("expired", Outcome::Expired),
            ("canceled", Outcome::Cancelled),
        ] {
            assert_eq!(
                outcome(&json!({"custom_id": "x", "result": {"type": t}})),
                o
            );
        }
    }

    #[test]
    fn an_ended_batch_counts_every_request() {
        let o = observation(&json!({"id": "msgbatch_1", "processing_status": "ended",
            "request_counts": {"processing": 0, "succeeded": 7, "errored": 1, "canceled": 0, "expired": 2},
            "results_url": "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"}))
        .unwrap();
        assert_eq!(o.state, Some(BatchState::Completed));
        assert_eq!((o.total, o.succeeded, o.failed), (10, 7, 3));
    }
}

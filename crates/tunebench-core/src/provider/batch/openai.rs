//! OpenAI's Batch API and Azure OpenAI's global batch under `/openai/v1` (same bodies; the
//! key goes in `api-key` on Azure): upload the JSONL with purpose `batch` (`POST /files`,
//! multipart), create the batch (`POST /batches` with `endpoint` and `completion_window:
//! 24h`), poll it (`GET /batches/{id}`), download its output and error files
//! (`GET /files/{id}/content`), cancel it (`POST /batches/{id}/cancel`).
//!
//! Each line of the output and error files is `{id, custom_id, response: {status_code,
//! request_id, body}, error}` (OpenAI "The request output object"); a request the window
//! did not reach is in the error file with `error.code = "batch_expired"`.

use reqwest::RequestBuilder;
use serde_json::{json, Value};

use super::{BatchApi, BatchState, Observation, Outcome, CHAT_ENDPOINT};
use crate::provider::{
    azure, openai_chat, send_checked, send_for_json, ApiKey, CallError, ErrorClass,
};

/// A client of one OpenAI-shaped batch API with one key.
pub struct Client {
    pub(super) http: reqwest::Client,
    pub(super) api: BatchApi,
    /// OpenAI: the provider's base URL (`https://api.openai.com/v1`); Azure:
    /// `{endpoint}/openai/v1`.
    pub(super) base: String,
    pub(super) key: Option<ApiKey>,
}

/// The API root for a provider whose base URL is `base_url` (Azure: its v1 root).
pub fn api_base(api: BatchApi, base_url: &str) -> String {
    match api {
        BatchApi::Azure => azure::v1_root(base_url),
        _ => base_url.trim_end_matches('/').to_string(),
    }
}

impl Client {
    fn authed(&self, rb: RequestBuilder) -> RequestBuilder {
        match (&self.key, self.api) {
            (None, _) => rb,
            (Some(k), BatchApi::Azure) => rb.header("api-key", k.expose()),
            (Some(k), _) => rb.bearer_auth(k.expose()),
        }
    }

    async fn json(&self, rb: RequestBuilder) -> Result<Value, CallError> {
        send_for_json(self.authed(rb), self.key.as_ref()).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Uploads a batch input file (`body`: `multipart_head`, the JSONL, `MULTIPART_TAIL`);
    /// returns its id.
    pub async fn upload(&self, body: Vec<u8>) -> Result<String, CallError> {
        let ctype = format!("multipart/form-data; boundary={BOUNDARY}");
        let v = self
            .json(
                self.http
                    .post(self.url("/files"))
                    .header("content-type", ctype)
                    .body(body),
            )
            .await?;
        str_field(&v, "id")
    }

    /// Creates the batch of input file `file_id`; returns its id and first state.
    pub async fn create(&self, file_id: &str) -> Result<(String, Observation), CallError> {
        let body = json!({
            "input_file_id": file_id,
            "endpoint": CHAT_ENDPOINT,
            "completion_window": "24h",
        });
        let v = self
            .json(self.http.post(self.url("/batches")).json(&body))
            .await?;
        Ok((str_field(&v, "id")?, observation(&v)?))
    }

    pub async fn poll(&self, batch_id: &str) -> Result<Observation, CallError> {
        let v = self
            .json(self.http.get(self.url(&format!("/batches/{batch_id}"))))
            .await?;
        observation(&v)
    }

    /// The answer carrying file `file_id` (an output or error file), its body still to read.
    pub async fn download(&self, file_id: &str) -> Result<reqwest::Response, CallError> {
        let rb = self
            .http
            .get(self.url(&format!("/files/{file_id}/content")));
        send_checked(self.authed(rb), self.key.as_ref()).await
    }

    pub async fn cancel(&self, batch_id: &str) -> Result<Observation, CallError> {
        let v = self
            .json(
                self.http
                    .post(self.url(&format!("/batches/{batch_id}/cancel"))),
            )
            .await?;
        observation(&v)
    }
}

fn str_field(v: &Value, name: &str) -> Result<String, CallError> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| CallError::malformed(format!("no `{name}` in the answer")))
}

/// Reads a batch object.
pub fn observation(v: &Value) -> Result<Observation, CallError> {
    let word = str_field(v, "status")?;
    let count = |k: &str| {
        v.pointer(&format!("/request_counts/{k}"))
            .and_then(Value::as_u64)
            .unwrap_or(0) as u32
    };
    let error = v
        .pointer("/errors/data")
        .and_then(Value::as_array)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.iter()
                .map(|e| {
                    let msg = e.get("message").and_then(Value::as_str).unwrap_or("error");
                    match e.get("line").and_then(Value::as_u64) {
                        Some(l) => format!("line {l}: {msg}"),
                        None => msg.to_string(),
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
        });
    let file = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(Observation {
        state: BatchState::from_openai(&word),
        provider_status: word,
        total: count("total"),
        succeeded: count("completed"),
        failed: count("failed"),
        output_file_id: file("output_file_id"),
        error_file_id: file("error_file_id"),
        results_url: None,
        error,
    })
}

/// The usual line of an output file (an answer with status 200), read straight into what
/// Tunebench keeps (no JSON tree, the custom id and the answer's text its only strings);
/// `None` for any other line, or any shape this reading does not take, which [`outcome`]
/// then reads as it reads every line. Where both read a line, they agree.
pub(super) fn answered(line: &[u8]) -> Option<(String, Outcome)> {
    let l: fast::Line = serde_json::from_slice(line).ok()?;
    if l.error.is_some() {
        return None;
    }
    let resp = l.response?;
    if resp.status_code != Some(200) {
        return None;
    }
    let body = resp.body?;
    let choice = body.choices?.into_iter().next()?;
    let message = choice.message?;
    if message.refusal.is_some() {
        return None;
    }
    let finish = match choice.finish_reason.as_deref() {
        Some("length") => Some(crate::provider::FinishReason::Length),
        Some("content_filter") => return None,
        _ => None,
    };
    let usage = body.usage.and_then(|u| {
        Some(crate::provider::Usage {
            prompt_tokens: u.prompt_tokens? as u32,
            completion_tokens: u.completion_tokens.unwrap_or(0) as u32,
            cached_tokens: u
                .prompt_tokens_details
                .and_then(|d| d.cached_tokens)
                .map(|n| n as u32),
            cache_write_tokens: None,
        })
    });
    let answer = crate::provider::ChatResponse {
        output: message.content.map(|c| c.into_owned()).unwrap_or_default(),
        usage,
        latency_ms: 0.0,
        ttft_ms: None,
        finish,
    };
    Some((l.custom_id.into_owned(), Outcome::Answered(answer)))
}

/// The shapes [`answered`] reads; a field of another type fails the whole line over to
/// [`outcome`].
mod fast {
    use std::borrow::Cow;

    use serde::de::IgnoredAny;
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Line<'a> {
        #[serde(borrow)]
        pub custom_id: Cow<'a, str>,
        #[serde(default)]
        pub error: Option<IgnoredAny>,
        #[serde(default, borrow)]
        pub response: Option<Response<'a>>,
    }

    #[derive(Deserialize)]
    pub struct Response<'a> {
        #[serde(default)]
        pub status_code: Option<u64>,
        #[serde(default, borrow)]
        pub body: Option<Body<'a>>,
    }

    #[derive(Deserialize)]
    pub struct Body<'a> {
        #[serde(default, borrow)]
        pub choices: Option<Vec<Choice<'a>>>,
        #[serde(default)]
        pub usage: Option<Usage>,
    }

    #[derive(Deserialize)]
    pub struct Choice<'a> {
        #[serde(default, borrow)]
        pub message: Option<Message<'a>>,
        #[serde(default, borrow)]
        pub finish_reason: Option<Cow<'a, str>>,
    }

    #[derive(Deserialize)]
    pub struct Message<'a> {
        #[serde(default, borrow)]
        pub content: Option<Cow<'a, str>>,
        #[serde(default)]
        pub refusal: Option<IgnoredAny>,
    }

    #[derive(Deserialize)]
    pub struct Usage {
        #[serde(default)]
        pub prompt_tokens: Option<u64>,
        #[serde(default)]
        pub completion_tokens: Option<u64>,
        #[serde(default)]
        pub prompt_tokens_details: Option<Details>,
    }

    #[derive(Deserialize)]
    pub struct Details {
        #[serde(default)]
        pub cached_tokens: Option<u64>,
    }
}

/// What one line of an output or error file says.
pub(super) fn outcome(v: &Value) -> Outcome {
    if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
        let code = err.get("code").and_then(Value::as_str).unwrap_or_default();
        if code == "batch_expired" {
            return Outcome::Expired;
        }
        if code == "batch_cancelled" {
            return Outcome::Cancelled;
        }
        let msg = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("unknown error");
        return Outcome::Failed(CallError::new(
            ErrorClass::BadRequest,
            format!("the batch refused this request ({code}): {msg}"),
        ));
    }
    let Some(resp) = v.get("response").filter(|r| r.is_object()) else {
        return Outcome::Failed(CallError::malformed("a batch result with no response"));
    };
    let status = resp.get("status_code").and_then(Value::as_u64).unwrap_or(0) as u16;
    let body = resp.get("body").unwrap_or(&Value::Null);
    if status != 200 {
        return Outcome::Failed(CallError::from_status(status, &body.to_string(), None));
    }
    match openai_chat::answer(body) {
        Ok(r) => Outcome::Answered(r),
        Err(e) => Outcome::Failed(e),
    }
}

const BOUNDARY: &str = "tunebench-batch-5c0e2f7a41d9";

/// The start of a multipart upload with `purpose=batch` and the file `file_name`, whose
/// content follows.
pub(super) fn multipart_head(file_name: &str) -> String {
    format!(
        "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n\
         --{BOUNDARY}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         content-type: application/jsonl\r\n\r\n"
    )
}

/// The end of the upload `multipart_head` starts.
pub(super) const MULTIPART_TAIL: &str = "\r\n--tunebench-batch-5c0e2f7a41d9--\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_gets_its_v1_root_and_openai_keeps_its_base() {
        assert_eq!(
            api_base(BatchApi::Azure, "https://x.openai.azure.com/"),
            "https://x.openai.azure.com/openai/v1"
        );
        assert_eq!(
            api_base(BatchApi::Azure, "https://x.openai.azure.com/openai/v1/"),
            "https://x.openai.azure.com/openai/v1"
        );
        assert_eq!(
            api_base(BatchApi::OpenAi, "https://api.openai.com/v1/"),
            "https://api.openai.com/v1"
        );
    }

    #[test]
    fn an_expired_line_a_refused_line_and_an_answer_read_as_such() {
        let expired = json!({"custom_id": "a1-c1", "response": null,
            "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}});
        assert_eq!(outcome(&expired), Outcome::Expired);
        let refused = json!({"custom_id": "a1-c2", "error": null, "response": {"status_code": 400,
            "body": {"error": {"message": "bad", "type": "invalid_request_error"}}}});
        assert!(matches!(outcome(&refused), Outcome::Failed(e) if e.http_status == Some(400)));
        let ok = json!({"custom_id": "a1-c3", "error": null, "response": {"status_code": 200,
            "body": {"choices": [{"message": {"content": "billing"}, "finish_reason": "stop"}],
                     "usage": {"prompt_tokens": 9, "completion_tokens": 1}}}});
        assert!(matches!(outcome(&ok), Outcome::Answered(r) if r.output == "billing"));
    }
}

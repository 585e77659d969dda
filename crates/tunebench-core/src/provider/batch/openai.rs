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

    /// Uploads `jsonl` as a batch input file; returns its id.
    pub async fn upload(&self, jsonl: &str, file_name: &str) -> Result<String, CallError> {
        let (ctype, body) = multipart(file_name, jsonl);
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
    let body = resp.get("body").cloned().unwrap_or(Value::Null);
    if status != 200 {
        return Outcome::Failed(CallError::from_status(status, &body.to_string(), None));
    }
    match openai_chat::parse_whole(body.to_string().as_bytes()) {
        Ok(r) => Outcome::Answered(r),
        Err(e) => Outcome::Failed(e),
    }
}

/// A multipart body with `purpose=batch` and the file.
fn multipart(file_name: &str, content: &str) -> (String, Vec<u8>) {
    let boundary = "tunebench-batch-5c0e2f7a41d9";
    let mut body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n\
         --{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         content-type: application/jsonl\r\n\r\n"
    );
    body.push_str(content);
    body.push_str(&format!("\r\n--{boundary}--\r\n"));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

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

//! Getting the training file to a trainer: OpenAI's multipart upload, Together's
//! redirect to a pre-signed URL then preprocess, Fireworks' dataset then its upload.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::wire::{local, str_field};
use super::Remote;
use crate::finetune::job::Trainer;
use crate::provider::{retry_after_from, CallError, ErrorClass};

impl Remote {
    /// Uploads the training file; returns what a job names as its training file (a file
    /// id, or Fireworks' dataset name).
    pub async fn upload(
        &self,
        jsonl: &str,
        file_name: &str,
        examples: u32,
    ) -> Result<String, CallError> {
        match self.trainer {
            Trainer::OpenAi | Trainer::AzureOpenAi => {
                let (ctype, body) = multipart(&[("purpose", "fine-tune")], file_name, jsonl);
                let v = self
                    .send(
                        self.client
                            .post(self.url("/files"))
                            .header("content-type", ctype)
                            .body(body),
                    )
                    .await?;
                str_field(&v, "id")
            }
            Trainer::Together => self.together_upload(jsonl, file_name).await,
            Trainer::Fireworks => self.fireworks_upload(jsonl, file_name, examples).await,
            Trainer::LlamaCpp => Err(local()),
        }
    }

    async fn together_upload(&self, jsonl: &str, file_name: &str) -> Result<String, CallError> {
        // `file_name` is Tunebench's own (`tunebench-job-<id>.jsonl`): nothing to escape.
        let rb = self.client.post(self.url(&format!(
            "/files?purpose=fine-tune&file_name={file_name}&file_type=jsonl"
        )));
        let resp = self
            .authed(rb)
            .send()
            .await
            .map_err(|e| CallError::from_transport(&e))?;
        let status = resp.status();
        if status != StatusCode::FOUND && !status.is_redirection() {
            let retry = retry_after_from(resp.headers());
            let text = resp.text().await.unwrap_or_default();
            if status.is_success() {
                return Err(CallError::malformed(
                    "expected a redirect to upload the file to",
                ));
            }
            return Err(
                CallError::from_status(status.as_u16(), &text, retry).redacted(self.key.as_ref())
            );
        }
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let id = header("x-together-file-id")
            .ok_or_else(|| CallError::malformed("the redirect carries no X-Together-File-Id"))?;
        let location = header("location")
            .ok_or_else(|| CallError::malformed("the redirect carries no Location"))?;
        // The redirect is a pre-signed URL on another host: the key is not sent there.
        let put = self
            .client
            .put(&location)
            .header("content-type", "application/octet-stream")
            .body(jsonl.to_string())
            .send()
            .await
            .map_err(|e| CallError::from_transport(&e))?;
        if !put.status().is_success() {
            let s = put.status().as_u16();
            let text = put.text().await.unwrap_or_default();
            return Err(CallError::from_status(s, &text, None));
        }
        self.send(
            self.client
                .post(self.url(&format!("/files/{id}/preprocess"))),
        )
        .await?;
        Ok(id)
    }

    async fn fireworks_upload(
        &self,
        jsonl: &str,
        file_name: &str,
        examples: u32,
    ) -> Result<String, CallError> {
        let account = self.account()?;
        let dataset_id = dataset_id(file_name);
        let datasets = format!("/v1/accounts/{account}/datasets");
        self.send(self.client.post(self.url(&datasets)).json(&json!({
            "datasetId": dataset_id,
            "dataset": {"exampleCount": examples.to_string(), "userUploaded": {}},
        })))
        .await?;
        let (ctype, body) = multipart(&[], file_name, jsonl);
        self.send(
            self.client
                .post(self.url(&format!("{datasets}/{dataset_id}:upload")))
                .header("content-type", ctype)
                .body(body),
        )
        .await?;
        Ok(format!("accounts/{account}/datasets/{dataset_id}"))
    }

    /// Whether an uploaded Fireworks dataset is ready for a job (`state` READY).
    pub async fn dataset_ready(&self, dataset: &str) -> Result<bool, CallError> {
        let v = self
            .send(self.client.get(self.url(&format!("/v1/{dataset}"))))
            .await?;
        match v.get("state").and_then(Value::as_str) {
            Some("READY") => Ok(true),
            Some("UPLOADING") | Some("STATE_UNSPECIFIED") | None => Ok(false),
            Some(other) => Err(CallError::new(
                ErrorClass::BadRequest,
                format!("Fireworks did not accept the dataset: state {other}"),
            )),
        }
    }
}

/// A Fireworks dataset id from a file name: lower-case letters, digits and hyphens.
pub(super) fn dataset_id(file_name: &str) -> String {
    let stem = file_name.trim_end_matches(".jsonl");
    let mut id: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    id.truncate(60);
    id.trim_matches('-').to_string()
}

/// A multipart/form-data body: text `fields`, then the file as `file`.
fn multipart(fields: &[(&str, &str)], file_name: &str, content: &str) -> (String, Vec<u8>) {
    let boundary = "tunebench-7d1f0c2a9e4b";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         content-type: application/jsonl\r\n\r\n"
    ));
    body.push_str(content);
    body.push_str(&format!("\r\n--{boundary}--\r\n"));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

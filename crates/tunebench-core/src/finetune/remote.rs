//! The fine-tuning APIs of OpenAI and Azure OpenAI (one OpenAI-shaped client: Azure's
//! `/openai/v1` path takes the same bodies, only the key header differs), Together (file
//! upload through a redirect, preprocess, price estimate, LoRA or full) and Fireworks
//! (dataset, supervised fine-tuning job, serverless LoRA deployment). Each call is one
//! request (or the fixed few an upload needs); retries and polling belong to the caller.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

use super::job::{Hyperparameters, JobEvent, JobStatus, Observation, Trainer};
use crate::provider::{retry_after_from, ApiKey, CallError, ErrorClass};

/// A client for one trainer at one base URL with one key.
pub struct Remote {
    client: reqwest::Client,
    trainer: Trainer,
    /// OpenAI: `https://api.openai.com/v1`; Azure: `https://x.openai.azure.com/openai/v1`;
    /// Together: `https://api.together.xyz/v1`; Fireworks: `https://api.fireworks.ai`.
    base: String,
    key: Option<ApiKey>,
    /// Fireworks: the account the datasets and jobs live under.
    account: Option<String>,
}

/// The API root of `trainer` for a provider whose (inference) base URL is `base_url`.
pub fn api_base(trainer: Trainer, base_url: &str) -> String {
    let b = base_url.trim_end_matches('/');
    match trainer {
        Trainer::AzureOpenAi if !b.ends_with("/openai/v1") => {
            format!("{}/openai/v1", b.trim_end_matches("/openai"))
        }
        Trainer::Fireworks => b
            .trim_end_matches("/v1")
            .trim_end_matches("/inference")
            .to_string(),
        _ => b.to_string(),
    }
}

impl Remote {
    pub fn new(
        client: reqwest::Client,
        trainer: Trainer,
        base_url: &str,
        key: Option<ApiKey>,
        account: Option<String>,
    ) -> Self {
        Self {
            client,
            trainer,
            base: api_base(trainer, base_url),
            key,
            account,
        }
    }

    fn authed(&self, rb: RequestBuilder) -> RequestBuilder {
        match (&self.key, self.trainer) {
            (None, _) => rb,
            (Some(k), Trainer::AzureOpenAi) => rb.header("api-key", k.expose()),
            (Some(k), _) => rb.bearer_auth(k.expose()),
        }
    }

    fn account(&self) -> Result<&str, CallError> {
        self.account.as_deref().ok_or_else(|| {
            CallError::new(
                ErrorClass::BadRequest,
                "Fireworks needs the account id (accounts/<id>) the jobs run under",
            )
        })
    }

    /// Sends `rb`, returning the JSON body of a 2xx answer, else the provider's error.
    async fn send(&self, rb: RequestBuilder) -> Result<Value, CallError> {
        let resp = self
            .authed(rb)
            .send()
            .await
            .map_err(|e| CallError::from_transport(&e))?;
        let status = resp.status();
        let retry = retry_after_from(resp.headers());
        let text = resp
            .text()
            .await
            .map_err(|e| CallError::from_transport(&e))?;
        if !status.is_success() {
            return Err(
                CallError::from_status(status.as_u16(), &text, retry).redacted(self.key.as_ref())
            );
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(CallError::malformed)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

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

    /// Together's own price estimate, USD, and whether the account may proceed.
    pub async fn estimate_price(
        &self,
        file: &str,
        base_model: &str,
        h: &Hyperparameters,
    ) -> Result<(f64, bool), CallError> {
        let v = self
            .send(
                self.client
                    .post(self.url("/fine-tunes/estimate-price"))
                    .json(&together_body(file, base_model, h)),
            )
            .await?;
        let price = v
            .get("estimated_total_price")
            .and_then(Value::as_f64)
            .ok_or_else(|| CallError::malformed("no estimated_total_price"))?;
        Ok((
            price,
            v.get("allowed_to_proceed")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        ))
    }

    /// Creates the job; returns its id (Fireworks: its full name).
    pub async fn create(
        &self,
        file: &str,
        base_model: &str,
        h: &Hyperparameters,
    ) -> Result<String, CallError> {
        match self.trainer {
            Trainer::OpenAi | Trainer::AzureOpenAi => {
                let mut hyper = serde_json::Map::new();
                if let Some(e) = h.epochs {
                    hyper.insert("n_epochs".into(), json!(e));
                }
                if let Some(b) = h.batch_size {
                    hyper.insert("batch_size".into(), json!(b));
                }
                if let Some(m) = h.learning_rate_multiplier {
                    hyper.insert("learning_rate_multiplier".into(), json!(m));
                }
                let mut body = json!({
                    "model": base_model,
                    "training_file": file,
                    "method": {"type": "supervised", "supervised": {"hyperparameters": hyper}},
                });
                if let Some(s) = &h.suffix {
                    body["suffix"] = json!(s);
                }
                if let Some(s) = h.seed {
                    body["seed"] = json!(s);
                }
                let v = self
                    .send(self.client.post(self.url("/fine_tuning/jobs")).json(&body))
                    .await?;
                str_field(&v, "id")
            }
            Trainer::Together => {
                let v = self
                    .send(
                        self.client
                            .post(self.url("/fine-tunes"))
                            .json(&together_body(file, base_model, h)),
                    )
                    .await?;
                str_field(&v, "id")
            }
            Trainer::Fireworks => {
                let account = self.account()?;
                let mut body = json!({
                    "dataset": file,
                    "baseModel": base_model,
                    "displayName": h.suffix.clone().unwrap_or_else(|| "tunebench".into()),
                });
                if let Some(e) = h.epochs {
                    body["epochs"] = json!(e);
                }
                if let Some(l) = h.learning_rate {
                    body["learningRate"] = json!(l);
                }
                if let Some(r) = h.lora_rank {
                    body["loraRank"] = json!(r);
                }
                if let Some(b) = h.batch_size {
                    body["batchSize"] = json!(b);
                }
                let v = self
                    .send(
                        self.client
                            .post(
                                self.url(&format!(
                                    "/v1/accounts/{account}/supervisedFineTuningJobs"
                                )),
                            )
                            .json(&body),
                    )
                    .await?;
                str_field(&v, "name")
            }
            Trainer::LlamaCpp => Err(local()),
        }
    }

    /// One look at job `id`: its state, and for OpenAI/Azure its events too.
    pub async fn poll(&self, id: &str) -> Result<Observation, CallError> {
        match self.trainer {
            Trainer::OpenAi | Trainer::AzureOpenAi => {
                let v = self
                    .send(
                        self.client
                            .get(self.url(&format!("/fine_tuning/jobs/{id}"))),
                    )
                    .await?;
                let mut o = observed(&v, "status", JobStatus::from_openai, "fine_tuned_model")?;
                o.trained_tokens = v.get("trained_tokens").and_then(Value::as_f64);
                o.error_message = v
                    .pointer("/error/message")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let ev = self
                    .send(
                        self.client
                            .get(self.url(&format!("/fine_tuning/jobs/{id}/events?limit=100"))),
                    )
                    .await?;
                o.events = ev
                    .get("data")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(openai_event).collect())
                    .unwrap_or_default();
                Ok(o)
            }
            Trainer::Together => {
                let v = self
                    .send(self.client.get(self.url(&format!("/fine-tunes/{id}"))))
                    .await?;
                let mut o = observed(&v, "status", JobStatus::from_together, "output_name")?;
                o.trained_tokens = v.get("trained_tokens").and_then(Value::as_f64).or_else(|| {
                    let tokens = v.get("token_count").and_then(Value::as_f64)?;
                    let epochs = v.get("n_epochs").and_then(Value::as_f64).unwrap_or(1.0);
                    Some(tokens * epochs)
                });
                if o.status == JobStatus::Failed {
                    o.error_message = v
                        .get("error")
                        .and_then(|e| {
                            e.as_str()
                                .map(str::to_string)
                                .or_else(|| e.get("message")?.as_str().map(str::to_string))
                        })
                        .or_else(|| {
                            Some(format!(
                                "Together ended the job with status {}",
                                o.provider_status.as_deref().unwrap_or("")
                            ))
                        });
                }
                o.events = v
                    .get("events")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(generic_event).collect())
                    .unwrap_or_default();
                Ok(o)
            }
            Trainer::Fireworks => {
                let v = self
                    .send(self.client.get(self.url(&format!("/v1/{id}"))))
                    .await?;
                let mut o = observed(&v, "state", JobStatus::from_fireworks, "outputModel")?;
                o.error_message = v
                    .pointer("/status/message")
                    .and_then(Value::as_str)
                    .filter(|m| !m.is_empty())
                    .map(str::to_string);
                Ok(o)
            }
            Trainer::LlamaCpp => Err(local()),
        }
    }

    /// Asks the provider to cancel job `id`.
    pub async fn cancel(&self, id: &str) -> Result<(), CallError> {
        let rb = match self.trainer {
            Trainer::OpenAi | Trainer::AzureOpenAi => self
                .client
                .post(self.url(&format!("/fine_tuning/jobs/{id}/cancel"))),
            Trainer::Together => self
                .client
                .post(self.url(&format!("/fine-tunes/{id}/cancel"))),
            Trainer::Fireworks => self
                .client
                .request(Method::DELETE, self.url(&format!("/v1/{id}"))),
            Trainer::LlamaCpp => return Err(local()),
        };
        self.send(rb).await.map(|_| ())
    }

    /// Fireworks: serves LoRA model `model` serverless; returns the deployed model's name.
    pub async fn deploy_serverless(&self, model: &str) -> Result<String, CallError> {
        let account = self.account()?;
        let v = self
            .send(
                self.client
                    .post(self.url(&format!("/v1/accounts/{account}/deployedModels")))
                    .json(&json!({"model": model, "serverless": true, "displayName": model})),
            )
            .await?;
        str_field(&v, "name")
    }
}

fn local() -> CallError {
    CallError::new(ErrorClass::BadRequest, "a local job has no remote API")
}

/// A provider's job object read into an observation: its status word (kept as the
/// provider's own, and mapped to ours) and the resulting model, when there is one.
fn observed(
    v: &Value,
    status_field: &str,
    map: fn(&str) -> Option<JobStatus>,
    model_field: &str,
) -> Result<Observation, CallError> {
    let word = str_field(v, status_field)?;
    let mut o = Observation::status(known(map(&word), &word)?);
    o.provider_status = Some(word);
    o.result_model = v
        .get(model_field)
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(o)
}

fn known(status: Option<JobStatus>, word: &str) -> Result<JobStatus, CallError> {
    status.ok_or_else(|| CallError::malformed(format!("unknown job status {word:?}")))
}

fn str_field(v: &Value, field: &str) -> Result<String, CallError> {
    v.get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| CallError::malformed(format!("no `{field}` in the answer")))
}

fn together_body(file: &str, base_model: &str, h: &Hyperparameters) -> Value {
    let mut body = json!({
        "training_file": file,
        "model": base_model,
        "n_epochs": h.epochs.unwrap_or(1),
        "training_method": {"method": "sft"},
        "training_type": if h.full {
            json!({"type": "Full"})
        } else {
            let mut t = json!({"type": "Lora", "lora_r": h.lora_rank.unwrap_or(8)});
            t["lora_alpha"] = json!(h.lora_alpha.unwrap_or(2 * h.lora_rank.unwrap_or(8)));
            t
        },
    });
    if let Some(b) = h.batch_size {
        body["batch_size"] = json!(b);
    }
    if let Some(l) = h.learning_rate {
        body["learning_rate"] = json!(l);
    }
    if let Some(s) = &h.suffix {
        body["suffix"] = json!(s);
    }
    body
}

/// A Fireworks dataset id from a file name: lower-case letters, digits and hyphens.
fn dataset_id(file_name: &str) -> String {
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

fn at_unix(v: &Value) -> String {
    match v.as_i64() {
        Some(secs) => super::at(secs),
        None => v.as_str().unwrap_or_default().to_string(),
    }
}

fn openai_event(e: &Value) -> JobEvent {
    JobEvent {
        at: at_unix(&e["created_at"]),
        level: e["level"].as_str().unwrap_or("info").to_string(),
        message: e["message"].as_str().unwrap_or_default().to_string(),
        step: e
            .pointer("/data/step")
            .and_then(Value::as_u64)
            .map(|s| s as u32),
        loss: e.pointer("/data/train_loss").and_then(Value::as_f64),
    }
}

fn generic_event(e: &Value) -> JobEvent {
    JobEvent {
        at: at_unix(&e["created_at"]),
        level: e["level"].as_str().unwrap_or("info").to_string(),
        message: e["message"].as_str().unwrap_or_default().to_string(),
        step: e.get("step").and_then(Value::as_u64).map(|s| s as u32),
        loss: ["train_loss", "training_loss", "loss"]
            .iter()
            .find_map(|k| e.get(*k).and_then(Value::as_f64)),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_trainer_finds_its_api_root_from_the_providers_base_url() {
        assert_eq!(
            api_base(Trainer::OpenAi, "https://api.openai.com/v1/"),
            "https://api.openai.com/v1"
        );
        assert_eq!(
            api_base(Trainer::AzureOpenAi, "https://x.openai.azure.com"),
            "https://x.openai.azure.com/openai/v1"
        );
        assert_eq!(
            api_base(Trainer::AzureOpenAi, "https://x.openai.azure.com/openai/v1"),
            "https://x.openai.azure.com/openai/v1"
        );
        assert_eq!(
            api_base(Trainer::Fireworks, "https://api.fireworks.ai/inference/v1"),
            "https://api.fireworks.ai"
        );
        assert_eq!(dataset_id("Toy set 3.jsonl"), "toy-set-3");
    }
}

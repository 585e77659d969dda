//! The fine-tuning APIs of OpenAI and Azure OpenAI (one OpenAI-shaped client: Azure's
//! `/openai/v1` path takes the same bodies, only the key header differs), Together (file
//! upload through a redirect, preprocess, price estimate, LoRA or full) and Fireworks
//! (dataset, supervised fine-tuning job, serverless LoRA deployment). Each call is one
//! request (or the fixed few an upload needs); retries and polling belong to the caller.

use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};

use super::job::{Hyperparameters, JobStatus, Observation, Trainer};
use crate::provider::{azure, send_for_text, ApiKey, CallError, ErrorClass};

mod upload;
mod wire;

use wire::{events, local, observed, openai_metrics, str_field, together_body, together_metrics};

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
        Trainer::AzureOpenAi => azure::v1_root(b),
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
        let text = send_for_text(self.authed(rb), self.key.as_ref()).await?;
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(CallError::malformed)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
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
                o.events = events(&ev, "data", openai_metrics);
                Ok(o)
            }
            Trainer::Together => {
                let v = self
                    .send(self.client.get(self.url(&format!("/fine-tunes/{id}"))))
                    .await?;
                // The job object names its result `model_output_name` (Together's SDK
                // reads it as `output_name`).
                let model_field = if v.get("model_output_name").is_some() {
                    "model_output_name"
                } else {
                    "output_name"
                };
                let mut o = observed(&v, "status", JobStatus::from_together, model_field)?;
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
                // `total_price` is what the job is billed, in nanodollars (as Together's
                // SDK converts it); final once the job has ended.
                if o.status.is_terminal() {
                    o.billed_cost = v
                        .get("total_price")
                        .and_then(Value::as_f64)
                        .filter(|p| *p > 0.0)
                        .map(|p| p / 1e9);
                }
                o.events = events(&v, "events", together_metrics);
                // Events carry no loss: the per-step training metrics do, once training runs.
                if !matches!(o.status, JobStatus::Validating | JobStatus::Queued) {
                    o.events.extend(self.together_losses(id).await?);
                }
                Ok(o)
            }
            Trainer::Fireworks => {
                let v = self
                    .send(self.client.get(self.url(&format!("/v1/{id}"))))
                    .await?;
                let mut o = observed(&v, "state", JobStatus::from_fireworks, "outputModel")?;
                // The job's progress counts the tokens it has processed.
                o.trained_tokens = v
                    .pointer("/jobProgress/inputTokens")
                    .and_then(|t| t.as_f64().or_else(|| t.as_str()?.parse().ok()))
                    .filter(|t| *t > 0.0);
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

    /// Together's training losses of job `id` (`GET /fine-tunes/{id}/metrics`, whose
    /// training rows carry `train/global_step` and `train/loss`), one event a step; none
    /// when the job has no metrics (404).
    async fn together_losses(&self, id: &str) -> Result<Vec<super::job::JobEvent>, CallError> {
        match self
            .send(
                self.client
                    .get(self.url(&format!("/fine-tunes/{id}/metrics"))),
            )
            .await
        {
            Ok(v) => Ok(wire::together_losses(&v)),
            Err(e) if e.http_status == Some(404) => Ok(Vec::new()),
            Err(e) => Err(e),
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

#[cfg(test)]
mod tests {
    use super::upload::dataset_id;
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

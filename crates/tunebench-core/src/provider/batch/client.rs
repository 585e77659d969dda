//! One client for every batch API: submit a part's lines, poll, download its results,
//! cancel.

use super::{anthropic, openai, BatchApi, Observation, ResultLines};
use crate::provider::{ApiKey, CallError, Provider};

/// A batch API at one provider with one key.
pub enum BatchClient {
    OpenAi(openai::Client),
    Anthropic(anthropic::Client),
}

/// One download of an ended batch's results: a file id (OpenAI, Azure) or a results URL
/// (Anthropic).
#[derive(Debug, Clone, PartialEq)]
pub struct ResultSource(String);

/// What submitting a part gave: the uploaded file (OpenAI, Azure), the batch and its state.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub input_file_id: Option<String>,
    pub batch_id: String,
    pub observation: Observation,
}

impl BatchClient {
    /// The client of `provider`'s batch API, or `None` when it has none.
    pub fn new(http: reqwest::Client, provider: &Provider, key: Option<ApiKey>) -> Option<Self> {
        let api = BatchApi::of(provider.kind)?;
        Some(match api {
            BatchApi::OpenAi | BatchApi::Azure => BatchClient::OpenAi(openai::Client {
                http,
                api,
                base: openai::api_base(api, &provider.base_url),
                key,
            }),
            BatchApi::Anthropic => BatchClient::Anthropic(anthropic::Client {
                http,
                base: anthropic::api_base(&provider.base_url),
                key,
            }),
        })
    }

    pub fn api(&self) -> BatchApi {
        match self {
            BatchClient::OpenAi(c) => c.api,
            BatchClient::Anthropic(_) => BatchApi::Anthropic,
        }
    }

    /// Submits `lines` (see [`super::line`]) as one batch; `name` names the uploaded file.
    pub async fn submit(&self, lines: &[String], name: &str) -> Result<Submitted, CallError> {
        match self {
            BatchClient::OpenAi(c) => {
                let mut jsonl = lines.join("\n");
                jsonl.push('\n');
                let file = c.upload(&jsonl, name).await?;
                let (batch_id, observation) = c.create(&file).await?;
                Ok(Submitted {
                    input_file_id: Some(file),
                    batch_id,
                    observation,
                })
            }
            BatchClient::Anthropic(c) => {
                let (batch_id, observation) = c.create(lines).await?;
                Ok(Submitted {
                    input_file_id: None,
                    batch_id,
                    observation,
                })
            }
        }
    }

    pub async fn poll(&self, batch_id: &str) -> Result<Observation, CallError> {
        match self {
            BatchClient::OpenAi(c) => c.poll(batch_id).await,
            BatchClient::Anthropic(c) => c.poll(batch_id).await,
        }
    }

    /// Where an ended batch's results are: its output and error files (OpenAI, Azure) or
    /// its results JSONL (Anthropic). Requests no source has a line for are not in them.
    pub fn result_sources(&self, obs: &Observation) -> Vec<ResultSource> {
        match self {
            BatchClient::OpenAi(_) => [&obs.output_file_id, &obs.error_file_id]
                .into_iter()
                .flatten()
                .map(|f| ResultSource(f.clone()))
                .collect(),
            BatchClient::Anthropic(_) => {
                obs.results_url.iter().cloned().map(ResultSource).collect()
            }
        }
    }

    /// Starts downloading `source`; its lines are read as they arrive.
    pub async fn open(&self, source: &ResultSource) -> Result<ResultLines, CallError> {
        let resp = match self {
            BatchClient::OpenAi(c) => c.download(&source.0).await?,
            BatchClient::Anthropic(c) => c.download(&source.0).await?,
        };
        Ok(ResultLines::new(self.api(), resp))
    }

    pub async fn cancel(&self, batch_id: &str) -> Result<Observation, CallError> {
        match self {
            BatchClient::OpenAi(c) => c.cancel(batch_id).await,
            BatchClient::Anthropic(c) => c.cancel(batch_id).await,
        }
    }
}

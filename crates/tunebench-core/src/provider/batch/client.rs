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

    /// A batch of this API to write lines into; `name` names the uploaded file.
    pub fn file(&self, name: &str) -> BatchFile {
        BatchFile::new(self.api(), name)
    }

    /// Submits `file` as one batch.
    pub async fn submit(&self, file: BatchFile) -> Result<Submitted, CallError> {
        match self {
            BatchClient::OpenAi(c) => {
                let file = c.upload(file.finish()).await?;
                let (batch_id, observation) = c.create(&file).await?;
                Ok(Submitted {
                    input_file_id: Some(file),
                    batch_id,
                    observation,
                })
            }
            BatchClient::Anthropic(c) => {
                let (batch_id, observation) = c.create(file.finish()).await?;
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

/// The requests of one batch written as its API takes them, line by line into the one
/// buffer that is sent: a multipart upload of the JSONL (OpenAI, Azure) or the JSON body
/// of `{"requests": [...]}` (Anthropic). A part is held once while it is submitted.
pub struct BatchFile {
    api: BatchApi,
    buf: Vec<u8>,
    lines: usize,
}

impl BatchFile {
    fn new(api: BatchApi, name: &str) -> Self {
        let buf = match api {
            BatchApi::OpenAi | BatchApi::Azure => openai::multipart_head(name).into_bytes(),
            BatchApi::Anthropic => b"{\"requests\":[".to_vec(),
        };
        Self { api, buf, lines: 0 }
    }

    /// Adds one line (see [`super::line`]).
    pub fn push(&mut self, line: &str) {
        match self.api {
            BatchApi::OpenAi | BatchApi::Azure => {
                self.buf.extend_from_slice(line.as_bytes());
                self.buf.push(b'\n');
            }
            BatchApi::Anthropic => {
                if self.lines > 0 {
                    self.buf.push(b',');
                }
                self.buf.extend_from_slice(line.as_bytes());
            }
        }
        self.lines += 1;
    }

    /// The body to send.
    fn finish(mut self) -> Vec<u8> {
        match self.api {
            BatchApi::OpenAi | BatchApi::Azure => self
                .buf
                .extend_from_slice(openai::MULTIPART_TAIL.as_bytes()),
            BatchApi::Anthropic => self.buf.extend_from_slice(b"]}"),
        }
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_file_holds_its_lines_as_the_api_takes_them() {
        let mut a = BatchFile::new(BatchApi::Anthropic, "x");
        a.push(r#"{"custom_id":"a1-c1"}"#);
        a.push(r#"{"custom_id":"a1-c2"}"#);
        let v: serde_json::Value = serde_json::from_slice(&a.finish()).unwrap();
        assert_eq!(v["requests"][1]["custom_id"], "a1-c2");
        let mut o = BatchFile::new(BatchApi::OpenAi, "part.jsonl");
        o.push("{\"n\":1}");
        o.push("{\"n\":2}");
        let body = String::from_utf8(o.finish()).unwrap();
        assert!(body.contains("filename=\"part.jsonl\""), "{body}");
        assert!(
            body.contains("\r\n\r\n{\"n\":1}\n{\"n\":2}\n\r\n--"),
            "each line ends with a newline inside the file part: {body}"
        );
        assert!(body.ends_with("--\r\n"), "{body}");
    }
}

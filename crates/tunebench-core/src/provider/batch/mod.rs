//! The providers' batch APIs: a run's calls written as the lines of a batch (each line's
//! body exactly the body of the live call, without streaming), split by the provider's
//! size and count limits, and the clients that submit, poll, download and cancel them
//! (`openai` for OpenAI and Azure OpenAI's `/openai/v1`, `anthropic` for Message Batches).
//!
//! Limits, as documented: OpenAI "Create batch" (an input file holds up to 50,000 requests
//! and up to 200 MB; `completion_window` only `24h`); Azure OpenAI's v1 REST reference
//! "Create a batch" (`POST /openai/v1/batches`, the same limits and endpoints); Anthropic
//! "Batch processing" (a Message Batch holds up to 100,000 requests or 256 MB, whichever
//! comes first, and ends within 24 hours).

pub mod anthropic;
mod client;
pub mod openai;
mod results;

pub use client::{BatchClient, BatchFile, ResultSource, Submitted};
pub use results::{parse_results, ItemResult, Outcome, ResultLines};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::openai_chat::{self, MaxTokensField, Wire};
use super::{azure, ChatRequest, Provider, ProviderKind};

/// Which batch API a provider's calls go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchApi {
    /// `/v1/files` (purpose `batch`) and `/v1/batches`, bearer key.
    OpenAi,
    /// The same shape under `{endpoint}/openai/v1`, key in `api-key`.
    Azure,
    /// `/v1/messages/batches`, requests inline, results as JSONL at `results_url`.
    Anthropic,
}

impl BatchApi {
    /// The batch API of `kind`, or `None` for providers that have none (compatible servers,
    /// local models).
    pub fn of(kind: ProviderKind) -> Option<Self> {
        match kind {
            ProviderKind::OpenAi => Some(BatchApi::OpenAi),
            ProviderKind::AzureOpenAi => Some(BatchApi::Azure),
            ProviderKind::Anthropic => Some(BatchApi::Anthropic),
            ProviderKind::OpenAiCompatible | ProviderKind::Local => None,
        }
    }

    /// The most requests and bytes one batch may hold.
    pub fn limits(self) -> Limits {
        match self {
            BatchApi::OpenAi | BatchApi::Azure => Limits {
                max_requests: 50_000,
                max_bytes: 200 * 1024 * 1024,
            },
            BatchApi::Anthropic => Limits {
                max_requests: 100_000,
                max_bytes: 256 * 1024 * 1024,
            },
        }
    }
}

/// The most requests and bytes of one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_requests: usize,
    pub max_bytes: usize,
}

/// The endpoint every line of an OpenAI-shaped batch names.
pub const CHAT_ENDPOINT: &str = "/v1/chat/completions";

/// The id of (arm, case) inside a batch: `a{arm}-c{example}` (Anthropic allows
/// `^[a-zA-Z0-9_-]{1,64}$`).
pub fn custom_id(arm_id: i32, example_id: i32) -> String {
    format!("a{arm_id}-c{example_id}")
}

/// The (arm, example) ids of a [`custom_id`], or `None` for an id Tunebench did not write.
pub fn parse_custom_id(id: &str) -> Option<(i32, i32)> {
    let (a, c) = id.strip_prefix('a')?.split_once("-c")?;
    Some((a.parse().ok()?, c.parse().ok()?))
}

/// The body of `request` as the live call to `provider` sends it, without streaming (a
/// batch answers whole).
pub fn body(provider: &Provider, request: &ChatRequest) -> Value {
    match provider.kind {
        ProviderKind::Anthropic => super::anthropic::body(request, false),
        ProviderKind::AzureOpenAi => openai_chat::body(
            request,
            azure::wire(
                &provider.base_url,
                provider.settings.api_version.as_deref(),
                false,
            ),
        ),
        ProviderKind::OpenAi => openai_chat::body(
            request,
            Wire {
                stream: false,
                include_usage: false,
                field: MaxTokensField::MaxCompletionTokens,
            },
        ),
        ProviderKind::OpenAiCompatible | ProviderKind::Local => openai_chat::body(
            request,
            Wire {
                stream: false,
                include_usage: false,
                field: MaxTokensField::MaxTokens,
            },
        ),
    }
}

/// One line of a batch: the request of (arm, case) `custom_id` in the API's shape, as one
/// line of JSON text (no newline).
pub fn line(api: BatchApi, custom_id: &str, body: Value) -> String {
    let v = match api {
        BatchApi::OpenAi | BatchApi::Azure => serde_json::json!({
            "custom_id": custom_id,
            "method": "POST",
            "url": CHAT_ENDPOINT,
            "body": body,
        }),
        BatchApi::Anthropic => serde_json::json!({ "custom_id": custom_id, "params": body }),
    };
    v.to_string()
}

/// Splits lines of `sizes` bytes (see [`line`]) into consecutive parts that each respect
/// `limits` (counting a newline per line, and for Anthropic's JSON array the comma);
/// returns the index ranges. A single line larger than the byte limit is a part of its own
/// (the provider refuses it, and that part ends as errors).
pub fn split(sizes: &[usize], limits: Limits) -> Vec<std::ops::Range<usize>> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut bytes = 0usize;
    for (i, len) in sizes.iter().enumerate() {
        let size = len + 1;
        let count = i - start;
        if count > 0 && (count >= limits.max_requests || bytes + size > limits.max_bytes) {
            parts.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < sizes.len() {
        parts.push(start..sizes.len());
    }
    parts
}

/// Tunebench's closed set of batch states; each API's own words map onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// Recorded, not yet accepted by the provider.
    Preparing,
    Validating,
    InProgress,
    Finalizing,
    Cancelling,
    /// Ended with results to download (Anthropic: `ended`).
    Completed,
    /// Refused as a whole (a rejected input file).
    Failed,
    /// The 24-hour window passed; the results it has are to download.
    Expired,
    Cancelled,
    /// Its results are in the store: nothing more to do.
    Ingested,
}

impl BatchState {
    pub const ALL: [BatchState; 10] = [
        BatchState::Preparing,
        BatchState::Validating,
        BatchState::InProgress,
        BatchState::Finalizing,
        BatchState::Cancelling,
        BatchState::Completed,
        BatchState::Failed,
        BatchState::Expired,
        BatchState::Cancelled,
        BatchState::Ingested,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Preparing => "preparing",
            BatchState::Validating => "validating",
            BatchState::InProgress => "in_progress",
            BatchState::Finalizing => "finalizing",
            BatchState::Cancelling => "cancelling",
            BatchState::Completed => "completed",
            BatchState::Failed => "failed",
            BatchState::Expired => "expired",
            BatchState::Cancelled => "cancelled",
            BatchState::Ingested => "ingested",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        BatchState::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// The provider is done with it: its results (if any) can be downloaded.
    pub fn has_ended(self) -> bool {
        matches!(
            self,
            BatchState::Completed
                | BatchState::Failed
                | BatchState::Expired
                | BatchState::Cancelled
        )
    }

    /// The OpenAI (and Azure) batch status words.
    pub fn from_openai(s: &str) -> Option<Self> {
        Some(match s {
            "validating" => BatchState::Validating,
            "in_progress" => BatchState::InProgress,
            "finalizing" => BatchState::Finalizing,
            "cancelling" => BatchState::Cancelling,
            "completed" => BatchState::Completed,
            "failed" => BatchState::Failed,
            "expired" => BatchState::Expired,
            "cancelled" => BatchState::Cancelled,
            _ => return None,
        })
    }

    /// Anthropic's `processing_status`.
    pub fn from_anthropic(s: &str) -> Option<Self> {
        Some(match s {
            "in_progress" => BatchState::InProgress,
            "canceling" => BatchState::Cancelling,
            "ended" => BatchState::Completed,
            _ => return None,
        })
    }
}

/// What one look at a batch said.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observation {
    /// The provider's own word.
    pub provider_status: String,
    pub state: Option<BatchState>,
    pub total: u32,
    pub succeeded: u32,
    pub failed: u32,
    /// OpenAI: the files of answers and of errors.
    pub output_file_id: Option<String>,
    pub error_file_id: Option<String>,
    /// Anthropic: where the results are.
    pub results_url: Option<String>,
    /// Why the whole batch failed (a rejected file), in the provider's words.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_id_reads_back_as_its_arm_and_case() {
        assert_eq!(parse_custom_id(&custom_id(3, 1207)), Some((3, 1207)));
        assert_eq!(parse_custom_id("request-1"), None);
        assert_eq!(parse_custom_id("a1-cx"), None);
    }

    #[test]
    fn parts_respect_the_count_and_the_byte_limit() {
        let lines = [9; 10]; // 10 bytes each with newline
        let by_count = split(
            &lines,
            Limits {
                max_requests: 4,
                max_bytes: 1000,
            },
        );
        assert_eq!(by_count, vec![0..4, 4..8, 8..10]);
        let by_bytes = split(
            &lines,
            Limits {
                max_requests: 100,
                max_bytes: 35,
            },
        );
        assert_eq!(by_bytes, vec![0..3, 3..6, 6..9, 9..10]);
        assert!(split(&[], BatchApi::OpenAi.limits()).is_empty());
    }

    #[test]
    fn a_line_bigger_than_the_byte_limit_is_a_part_of_its_own() {
        let lines = [50, 1, 1];
        let parts = split(
            &lines,
            Limits {
                max_requests: 10,
                max_bytes: 10,
            },
        );
        assert_eq!(parts, vec![0..1, 1..3]);
    }
}

//! Arms: one way of answering the test cases (a prompting arm, a fine-tuned model, or a
//! hybrid of both with retrieval), and how an arm turns a case into the messages sent to
//! its model: system prompt, few-shot examples, retrieved context, template.

pub mod draft;
pub mod few_shot;
pub mod prompt;
pub mod template;
pub mod tokens;

use serde::{Deserialize, Serialize};

use crate::provider::GenParams;

pub use draft::{preview_draft, save_draft, ArmDraft};
pub use few_shot::{FewShot, FewShotStrategy};
pub use prompt::{preview, PreparedArm, PromptPreview};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ArmKind {
    Prompt,
    FineTuned,
    Hybrid,
}

impl ArmKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ArmKind::Prompt => "prompt",
            ArmKind::FineTuned => "fine_tuned",
            ArmKind::Hybrid => "hybrid",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "prompt" => ArmKind::Prompt,
            "fine_tuned" => ArmKind::FineTuned,
            "hybrid" => ArmKind::Hybrid,
            _ => return None,
        })
    }
}

/// Retrieved context: BM25 top-k passages from a folder of text/Markdown files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Retrieval {
    /// Absolute path of the folder (relative paths are resolved on import).
    pub dir: String,
    pub top_k: u32,
}

/// An arm's own prices, $ per 1M tokens, overriding the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Price {
    pub input: Option<f64>,
    pub cached_input: Option<f64>,
    /// A prompt token written to the provider's cache (Anthropic: 1.25× input for the
    /// 5-minute cache, 2× for the 1-hour one); 1.25× input when not set.
    pub cache_write: Option<f64>,
    pub output: Option<f64>,
    /// $ per 1M training tokens.
    pub training: Option<f64>,
    pub hosting_per_hour: Option<f64>,
}

/// The cache-write price over the input price when none is given: Anthropic's 5-minute cache.
pub const DEFAULT_CACHE_WRITE_FACTOR: f64 = 1.25;

impl Price {
    /// The cost in USD of one call with these token counts (`cached_tokens` read from and
    /// `cache_write_tokens` written to the prompt cache, both part of `prompt_tokens`);
    /// `None` without input/output prices.
    pub fn cost(
        &self,
        prompt_tokens: u32,
        cached_tokens: u32,
        cache_write_tokens: u32,
        completion_tokens: u32,
    ) -> Option<f64> {
        let input = self.input?;
        let output = self.output?;
        let cached = cached_tokens.min(prompt_tokens);
        let written = cache_write_tokens.min(prompt_tokens - cached);
        let cached_price = self.cached_input.unwrap_or(input);
        let write_price = self
            .cache_write
            .unwrap_or(input * DEFAULT_CACHE_WRITE_FACTOR);
        Some(
            (f64::from(prompt_tokens - cached - written) * input
                + f64::from(cached) * cached_price
                + f64::from(written) * write_price
                + f64::from(completion_tokens) * output)
                / 1e6,
        )
    }
}

/// The arm's `params` column: generation parameters plus an optional price override.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmParams {
    #[serde(flatten)]
    pub generation: GenParams,
    #[serde(default)]
    pub price: Option<Price>,
}

/// An arm as the store holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Arm {
    pub id: i32,
    pub name: String,
    pub kind: ArmKind,
    pub provider_id: i32,
    pub model: String,
    pub system_prompt: String,
    pub template: String,
    pub few_shot: Option<FewShot>,
    pub retrieval: Option<Retrieval>,
    pub params: ArmParams,
}

/// A test or train case as an arm sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: i32,
    pub ordinal: i32,
    pub external_id: Option<String>,
    pub input: String,
    pub expected: String,
    /// The dataset's other columns (a JSON object).
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_tokens_are_priced_at_the_cached_rate() {
        let p = Price {
            input: Some(1.0),
            cached_input: Some(0.1),
            output: Some(4.0),
            ..Price::default()
        };
        let c = p.cost(1_000_000, 500_000, 0, 250_000).unwrap();
        assert!((c - (0.5 + 0.05 + 1.0)).abs() < 1e-9, "{c}");
        assert_eq!(Price::default().cost(1, 0, 0, 1), None);
    }

    #[test]
    fn cache_writes_are_priced_at_their_own_rate_or_a_quarter_above_input() {
        let p = Price {
            input: Some(3.0),
            cached_input: Some(0.3),
            output: Some(15.0),
            ..Price::default()
        };
        // 1M prompt tokens: 200k read from the cache, 500k written to it, 300k plain.
        let c = p.cost(1_000_000, 200_000, 500_000, 0).unwrap();
        assert!((c - (0.9 + 0.06 + 0.5 * 3.75)).abs() < 1e-9, "{c}");
        let hour = Price {
            cache_write: Some(6.0),
            ..p
        };
        let c = hour.cost(1_000_000, 200_000, 500_000, 0).unwrap();
        assert!((c - (0.9 + 0.06 + 3.0)).abs() < 1e-9, "{c}");
    }
}

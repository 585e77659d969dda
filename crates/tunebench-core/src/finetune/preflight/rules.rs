//! A trainer's documented limits on a training file, its default epochs, and how the
//! preflight counts tokens for it.

use serde::Serialize;

use crate::finetune::job::Trainer;

/// A trainer's documented limits on a training file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rules {
    pub min_examples: u32,
    /// Tokens one example may hold; `None` where the limit depends on the model and is not
    /// known here.
    pub max_example_tokens: Option<u32>,
    pub max_file_bytes: f64,
    /// The epochs the trainer picks when none are given; `None` means OpenAI's automatic
    /// choice ([`openai_auto_epochs`]).
    pub default_epochs: Option<u32>,
}

impl Rules {
    pub fn of(trainer: Trainer, base_model: &str) -> Self {
        match trainer {
            // OpenAI: at least 10 examples; 512 MB a file; 65,536 tokens an example for the
            // gpt-4o / gpt-4.1 families (16,385 for older models).
            Trainer::OpenAi | Trainer::AzureOpenAi => Rules {
                min_examples: 10,
                max_example_tokens: Some(
                    if base_model.starts_with("gpt-4o") || base_model.starts_with("gpt-4.1") {
                        65_536
                    } else {
                        16_385
                    },
                ),
                max_file_bytes: 512e6,
                default_epochs: None,
            },
            Trainer::Together => Rules {
                min_examples: 1,
                max_example_tokens: None,
                max_file_bytes: 5e9,
                default_epochs: Some(1),
            },
            Trainer::Fireworks => Rules {
                min_examples: 3,
                max_example_tokens: None,
                max_file_bytes: 150e6,
                default_epochs: Some(1),
            },
            Trainer::LlamaCpp => Rules {
                min_examples: 1,
                max_example_tokens: None,
                max_file_bytes: f64::INFINITY,
                default_epochs: Some(1),
            },
        }
    }
}

/// OpenAI's automatic epoch count for `n` examples: 3, raised so that at least 100
/// examples are seen (up to 25 epochs), lowered so that at most 25,000 are (at least 1).
pub fn openai_auto_epochs(n: u32) -> u32 {
    let n = n.max(1);
    if n * 3 < 100 {
        100u32.div_ceil(n).min(25)
    } else if n * 3 > 25_000 {
        (25_000 / n).max(1)
    } else {
        3
    }
}

/// How tokens were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TokenMethod {
    /// tiktoken with OpenAI's o200k_base encoding (the base model's own).
    O200kBase,
    /// tiktoken with cl100k_base.
    Cl100kBase,
    /// Characters / 4: the base model's tokenizer is not known here.
    CharsOver4,
}

impl TokenMethod {
    pub fn describe(self) -> &'static str {
        match self {
            TokenMethod::O200kBase => "counted with the model's tokenizer (tiktoken o200k_base)",
            TokenMethod::Cl100kBase => "counted with the model's tokenizer (tiktoken cl100k_base)",
            TokenMethod::CharsOver4 => {
                "estimated as characters / 4: this model's tokenizer is not known here"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_picks_more_epochs_for_tiny_files_and_fewer_for_huge_ones() {
        assert_eq!(openai_auto_epochs(10), 10);
        assert_eq!(openai_auto_epochs(600), 3);
        assert_eq!(openai_auto_epochs(20_000), 1);
        assert_eq!(openai_auto_epochs(2), 25);
    }
}

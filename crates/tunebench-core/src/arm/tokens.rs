//! Token counting with a real tokenizer (tiktoken), for estimates before a run and the
//! prompt preview: an OpenAI model's own encoding (o200k_base for gpt-4o, gpt-4.1, gpt-5,
//! o-series; cl100k_base for gpt-4/3.5), and cl100k_base as the stand-in for every other
//! model, whose tokenizer is not tiktoken's. Providers' own usage figures win once a call
//! is made.

use std::sync::LazyLock;

use tiktoken_rs::tokenizer::{get_tokenizer, Tokenizer};
use tiktoken_rs::CoreBPE;

use crate::provider::Message;

// o200k_base takes ~0.2 s to load, cl100k_base ~0.06 s: each is loaded only when needed.
static O200K: LazyLock<Option<CoreBPE>> = LazyLock::new(|| tiktoken_rs::o200k_base().ok());
static CL100K: LazyLock<Option<CoreBPE>> = LazyLock::new(|| tiktoken_rs::cl100k_base().ok());

/// The encodings Tunebench counts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    O200kBase,
    Cl100kBase,
}

impl Encoding {
    /// The encoding of `model` (an OpenAI model id, fine-tuned `ft:` ids included), else
    /// cl100k_base.
    pub fn for_model(model: &str) -> Self {
        match get_tokenizer(model) {
            Some(Tokenizer::O200kBase | Tokenizer::O200kHarmony) => Encoding::O200kBase,
            _ => Encoding::Cl100kBase,
        }
    }

    fn bpe(self) -> Option<&'static CoreBPE> {
        match self {
            Encoding::O200kBase => O200K.as_ref(),
            Encoding::Cl100kBase => CL100K.as_ref(),
        }
    }
}

/// Tokens in `text`; falls back to characters / 4 if the tokenizer failed to load.
pub fn count(encoding: Encoding, text: &str) -> u32 {
    match encoding.bpe() {
        Some(bpe) => bpe.encode_ordinary(text).len() as u32,
        None => (text.chars().count() as u32).div_ceil(4),
    }
}

/// Prompt tokens of a chat request to `model`: each message's content plus the chat
/// format's overhead (3 per message, 3 to prime the reply), as OpenAI documents it.
pub fn count_messages(model: &str, messages: &[Message]) -> u32 {
    let encoding = Encoding::for_model(model);
    messages
        .iter()
        .map(|m| count(encoding, &m.content) + 3)
        .sum::<u32>()
        + 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Role;

    #[test]
    fn openai_models_get_their_own_encoding_and_others_cl100k() {
        assert_eq!(Encoding::for_model("gpt-4o-mini"), Encoding::O200kBase);
        assert_eq!(
            Encoding::for_model("ft:gpt-4.1-mini:acme::abc"),
            Encoding::O200kBase
        );
        assert_eq!(Encoding::for_model("gpt-4"), Encoding::Cl100kBase);
        assert_eq!(
            Encoding::for_model("llama-3.1-8b-instruct"),
            Encoding::Cl100kBase
        );
    }

    #[test]
    fn counting_uses_the_tokenizer_not_characters() {
        // "hello world" is 2 tokens in both encodings, not 11 / 4.
        assert_eq!(count(Encoding::O200kBase, "hello world"), 2);
        assert_eq!(count(Encoding::Cl100kBase, "hello world"), 2);
        let m = [Message::new(Role::User, "hello world")];
        assert_eq!(count_messages("gpt-4o", &m), 2 + 3 + 3);
    }
}

/// A dataset's token counts under a model's tokenizer: what a cost estimate needs before
/// any run (inputs of the held-out cases; train examples for the training cost).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatasetTokens {
    pub model: String,
    /// `o200k_base` or `cl100k_base` (the stand-in for models tiktoken does not know).
    pub encoding: String,
    pub test_cases: u32,
    /// Mean tokens of a test case's input.
    pub test_input_mean: f64,
    /// Mean tokens of a test case's expected output.
    pub test_expected_mean: f64,
    pub train_examples: u32,
    /// Tokens of every train example's input and expected output: one training epoch.
    pub train_tokens: f64,
}

/// Counts dataset `dataset_id`'s test inputs and train examples with `model`'s tokenizer.
pub fn dataset_tokens(
    conn: &rusqlite::Connection,
    dataset_id: i32,
    model: &str,
) -> crate::Result<DatasetTokens> {
    let encoding = Encoding::for_model(model);
    let test = crate::store::case::for_split(conn, dataset_id, "test")?;
    let train = crate::store::case::for_split(conn, dataset_id, "train")?;
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let inputs: Vec<f64> = test
        .iter()
        .map(|c| f64::from(count(encoding, &c.input)))
        .collect();
    let expected: Vec<f64> = test
        .iter()
        .map(|c| f64::from(count(encoding, &c.expected)))
        .collect();
    let train_tokens = train
        .iter()
        .map(|c| f64::from(count(encoding, &c.input) + count(encoding, &c.expected)))
        .sum();
    Ok(DatasetTokens {
        model: model.to_string(),
        encoding: match encoding {
            Encoding::O200kBase => "o200k_base",
            Encoding::Cl100kBase => "cl100k_base",
        }
        .into(),
        test_cases: test.len() as u32,
        test_input_mean: mean(&inputs),
        test_expected_mean: mean(&expected),
        train_examples: train.len() as u32,
        train_tokens,
    })
}

#[cfg(test)]
mod dataset_tests {
    use super::*;

    #[test]
    fn a_datasets_tokens_are_counted_with_the_models_tokenizer() {
        let conn = crate::store::open_in_memory().unwrap();
        conn.execute_batch(
            "INSERT INTO dataset (id, name, source_file, source_format, imported_at)
                 VALUES (1, 'd', 'd.csv', 'csv', 'now');
             INSERT INTO example (dataset_id, ordinal, input, expected, split) VALUES
                 (1, 0, 'hello world', 'greeting', 'test'),
                 (1, 1, 'hello world hello world', 'greeting', 'test'),
                 (1, 2, 'refund my order', 'billing', 'train');",
        )
        .unwrap();
        let t = dataset_tokens(&conn, 1, "gpt-4.1-mini").unwrap();
        assert_eq!(t.encoding, "o200k_base");
        assert_eq!(t.test_cases, 2);
        let hw = f64::from(count(Encoding::O200kBase, "hello world"));
        assert_eq!(
            t.test_input_mean,
            1.5 * hw,
            "the second input is twice the first"
        );
        assert_eq!(
            t.train_tokens,
            f64::from(
                count(Encoding::O200kBase, "refund my order")
                    + count(Encoding::O200kBase, "billing")
            )
        );
        assert_eq!(
            dataset_tokens(&conn, 1, "llama-3").unwrap().encoding,
            "cl100k_base"
        );
    }
}

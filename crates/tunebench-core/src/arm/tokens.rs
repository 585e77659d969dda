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

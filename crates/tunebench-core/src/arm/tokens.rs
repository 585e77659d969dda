//! Token counting with a real tokenizer (tiktoken's o200k_base), for estimates before a
//! run and the prompt preview. Providers' own usage figures win once a call is made.

use std::sync::LazyLock;

use tiktoken_rs::CoreBPE;

use crate::provider::Message;

static O200K: LazyLock<Option<CoreBPE>> = LazyLock::new(|| tiktoken_rs::o200k_base().ok());

/// Tokens in `text`; falls back to characters / 4 if the tokenizer failed to load.
pub fn count(text: &str) -> u32 {
    match O200K.as_ref() {
        Some(bpe) => bpe.encode_ordinary(text).len() as u32,
        None => (text.chars().count() as u32).div_ceil(4),
    }
}

/// Prompt tokens of a chat request: each message's content plus the chat format's
/// overhead (3 per message, 3 to prime the reply), as OpenAI documents it.
pub fn count_messages(messages: &[Message]) -> u32 {
    messages.iter().map(|m| count(&m.content) + 3).sum::<u32>() + 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Role;

    #[test]
    fn counting_uses_the_tokenizer_not_characters() {
        // "hello world" is 2 tokens in o200k_base, not 11 / 4.
        assert_eq!(count("hello world"), 2);
        let m = [Message::new(Role::User, "hello world")];
        assert_eq!(count_messages(&m), 2 + 3 + 3);
    }
}

//! What each model family accepts, matched with the price catalog's glob patterns (`*`,
//! `?`, the most specific pattern first): reasoning models refuse sampling parameters, and
//! recent Claude models refuse `temperature` and `top_p` together. An arm that sets what its
//! model refuses is stopped when it is loaded, with the reason, instead of failing every
//! call with a 400.
//!
//! Sources: OpenAI's reasoning guide and Chat Completions reference (o-series and gpt-5
//! answer "Unsupported value: 'temperature' does not support 0 with this model. Only the
//! default (1) value is supported." and refuse `max_tokens`); Anthropic's models overview
//! and migration notes (Claude 4.5 and later: "`temperature` and `top_p` cannot both be
//! specified for this model"; Opus 4.7 and later: "`temperature` is deprecated for this
//! model").

use crate::provider::{GenParams, ProviderKind};

use super::pattern::matches;

/// Sampling parameters a model family takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// `temperature` and `top_p`, alone or together.
    Any,
    /// `temperature` or `top_p`, not both.
    OneOf,
    /// Only the default: `temperature` and `top_p` must be left out (or 1).
    DefaultOnly,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    /// The family's name, as the load-time message writes it.
    pub family: &'static str,
    pub pattern: &'static str,
    pub sampling: Sampling,
}

const OPENAI_REASONING: &str = "OpenAI reasoning models (o-series, gpt-5 and later)";
const CLAUDE_ONE_OF: &str = "Claude 4.5 and later";
const CLAUDE_NO_SAMPLING: &str = "Claude Opus 4.7 and later";

/// The table, for OpenAI (and Azure deployments named after their model) and Anthropic.
const OPENAI_TABLE: &[Capability] = &[
    row(OPENAI_REASONING, "o1*", Sampling::DefaultOnly),
    row(OPENAI_REASONING, "o3*", Sampling::DefaultOnly),
    row(OPENAI_REASONING, "o4*", Sampling::DefaultOnly),
    row(OPENAI_REASONING, "ft:o4-mini*", Sampling::DefaultOnly),
    row(OPENAI_REASONING, "gpt-5*", Sampling::DefaultOnly),
    row(OPENAI_REASONING, "gpt-6*", Sampling::DefaultOnly),
    // The chat snapshots of gpt-5 are not reasoning models.
    row("gpt-5 chat models", "gpt-5*-chat*", Sampling::Any),
];

const ANTHROPIC_TABLE: &[Capability] = &[
    row(CLAUDE_ONE_OF, "claude-opus-4-1*", Sampling::OneOf),
    row(CLAUDE_ONE_OF, "claude-opus-4-5*", Sampling::OneOf),
    row(CLAUDE_ONE_OF, "claude-opus-4-6*", Sampling::OneOf),
    row(CLAUDE_ONE_OF, "claude-sonnet-4-5*", Sampling::OneOf),
    row(CLAUDE_ONE_OF, "claude-sonnet-4-6*", Sampling::OneOf),
    row(CLAUDE_ONE_OF, "claude-haiku-4-5*", Sampling::OneOf),
    row(CLAUDE_ONE_OF, "claude-sonnet-5*", Sampling::OneOf),
    row(CLAUDE_ONE_OF, "claude-haiku-5*", Sampling::OneOf),
    row(
        CLAUDE_NO_SAMPLING,
        "claude-opus-4-7*",
        Sampling::DefaultOnly,
    ),
    row(
        CLAUDE_NO_SAMPLING,
        "claude-opus-4-8*",
        Sampling::DefaultOnly,
    ),
    row(CLAUDE_NO_SAMPLING, "claude-opus-5*", Sampling::DefaultOnly),
];

const fn row(family: &'static str, pattern: &'static str, sampling: Sampling) -> Capability {
    Capability {
        family,
        pattern,
        sampling,
    }
}

/// The row that describes `model` at a provider of `kind` (the most specific matching
/// pattern), or `None` for a model the table does not know (anything is sent as set).
pub fn lookup(kind: ProviderKind, model: &str) -> Option<Capability> {
    let table = match kind {
        ProviderKind::OpenAi | ProviderKind::AzureOpenAi => OPENAI_TABLE,
        ProviderKind::Anthropic => ANTHROPIC_TABLE,
        ProviderKind::OpenAiCompatible | ProviderKind::Local => return None,
    };
    table
        .iter()
        .filter(|c| matches(c.pattern, model))
        .max_by_key(|c| {
            c.pattern
                .chars()
                .filter(|ch| *ch != '*' && *ch != '?')
                .count()
        })
        .copied()
}

/// Whether `model` is an OpenAI reasoning model (which takes `max_completion_tokens` and
/// refuses `max_tokens`).
pub fn is_openai_reasoning(model: &str) -> bool {
    lookup(ProviderKind::OpenAi, model).is_some_and(|c| c.family == OPENAI_REASONING)
}

/// Why `model` at a provider of `kind` would refuse `params`: the parameter to remove and
/// the reason in words; `None` when it takes them.
pub fn refusal(
    kind: ProviderKind,
    model: &str,
    params: &GenParams,
) -> Option<(&'static str, String)> {
    let cap = lookup(kind, model)?;
    let set = |v: Option<f64>| v.is_some_and(|x| x != 1.0);
    match cap.sampling {
        Sampling::Any => None,
        Sampling::OneOf if params.temperature.is_some() && params.top_p.is_some() => Some((
            "top_p",
            format!(
                "{model} ({}) takes `temperature` or `top_p`, not both: remove one of them",
                cap.family
            ),
        )),
        Sampling::OneOf => None,
        Sampling::DefaultOnly if set(params.temperature) || set(params.top_p) => {
            let which = if set(params.temperature) {
                "temperature"
            } else {
                "top_p"
            };
            Some((
                which,
                format!(
                    "{model} ({}) accepts only the default `{which}` (1): remove `{which}`",
                    cap.family
                ),
            ))
        }
        Sampling::DefaultOnly => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(temperature: Option<f64>, top_p: Option<f64>) -> GenParams {
        GenParams {
            temperature,
            top_p,
            ..GenParams::default()
        }
    }

    #[test]
    fn reasoning_models_refuse_a_temperature_other_than_one() {
        let (field, why) = refusal(
            ProviderKind::OpenAi,
            "gpt-5.4-mini",
            &params(Some(0.0), None),
        )
        .expect("gpt-5.4-mini refuses temperature 0");
        assert_eq!(field, "temperature");
        assert!(why.contains("only the default `temperature` (1)"), "{why}");
        assert_eq!(
            refusal(ProviderKind::OpenAi, "o3-mini", &params(Some(1.0), None)),
            None
        );
        assert_eq!(
            refusal(
                ProviderKind::OpenAi,
                "gpt-4.1-mini",
                &params(Some(0.0), None)
            ),
            None
        );
        assert_eq!(
            refusal(
                ProviderKind::OpenAi,
                "gpt-5-chat-latest",
                &params(Some(0.0), None)
            ),
            None
        );
        assert!(is_openai_reasoning("o4-mini-2025-04-16"));
        assert!(!is_openai_reasoning("gpt-4o-mini"));
    }

    #[test]
    fn recent_claude_models_take_temperature_or_top_p_not_both() {
        let both = params(Some(0.2), Some(0.9));
        let (_, why) = refusal(ProviderKind::Anthropic, "claude-sonnet-4-5-20250929", &both)
            .expect("Claude 4.5 refuses both");
        assert!(why.contains("not both"), "{why}");
        assert_eq!(
            refusal(
                ProviderKind::Anthropic,
                "claude-sonnet-4-5",
                &params(Some(0.0), None)
            ),
            None
        );
        assert_eq!(
            refusal(ProviderKind::Anthropic, "claude-3-5-haiku-latest", &both),
            None
        );
        assert!(refusal(
            ProviderKind::Anthropic,
            "claude-opus-4-7",
            &params(Some(0.0), None)
        )
        .is_some());
    }
}

//! What the decision hands back: the choice, a headline, the reasons (each citing its
//! number and saying which choice it supports) and the conflicts between them.

use serde::{Deserialize, Serialize};

/// The four answers of the framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    KeepPrompting,
    FineTune,
    /// Retrieval for knowledge plus a fine-tuned model for format, latency or cost.
    Hybrid,
    /// Collect data first.
    NotYet,
}

impl Choice {
    pub fn title(self) -> &'static str {
        match self {
            Choice::KeepPrompting => "Keep prompting",
            Choice::FineTune => "Fine-tune",
            Choice::Hybrid => "Hybrid",
            Choice::NotYet => "Not yet",
        }
    }
}

/// Which question or measurement a reason comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    Quality,
    Format,
    Latency,
    Cost,
    Retraining,
    NewInformation,
    Portability,
    Retirement,
    Examples,
    DomainLanguage,
    /// A measured hybrid arm against prompting and its fine-tuned arm.
    Hybrid,
}

impl ReasonKind {
    /// The word used when listing what fine-tuning wins or loses on.
    pub fn word(self) -> &'static str {
        match self {
            ReasonKind::Quality => "quality",
            ReasonKind::Format => "format",
            ReasonKind::Latency => "latency",
            ReasonKind::Cost => "cost",
            ReasonKind::Retraining => "retraining",
            ReasonKind::NewInformation => "new information",
            ReasonKind::Portability => "portability",
            ReasonKind::Retirement => "base-model retirement",
            ReasonKind::Examples => "examples",
            ReasonKind::DomainLanguage => "domain language",
            ReasonKind::Hybrid => "the measured hybrid arm",
        }
    }
}

/// The side a reason argues for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Supports {
    KeepPrompting,
    FineTune,
    Hybrid,
    NotYet,
    /// Weighs against fine-tuning without pointing at one alternative (e.g. a retiring
    /// base model, a crossover the expected volume never reaches).
    Against,
    /// A measurement shown for completeness that favours no side (e.g. both arms meet the
    /// latency budget).
    Neutral,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Reason {
    pub kind: ReasonKind,
    /// One sentence citing its number, without a final period.
    pub text: String,
    pub supports: Supports,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Recommendation {
    pub choice: Choice,
    /// The choice and its deciding reason in one line.
    pub headline: String,
    pub reasons: Vec<Reason>,
    /// Pairs of reasons that pull in opposite directions, stated as "A, but B".
    pub conflicts: Vec<String>,
}

//! The framework's questions a team answers about its task (format, domain language,
//! latency budget, volume, knowledge cadence, portability, new information, examples),
//! with defaults that assume nothing in fine-tuning's favour.

use serde::{Deserialize, Serialize};

/// How much output-format consistency matters, and of which kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FormatNeed {
    /// Free text is fine.
    #[default]
    None,
    /// Every answer must be valid JSON.
    Json,
    /// Every answer must be JSON valid against a schema.
    JsonSchema,
    /// Every answer must be one label of a fixed taxonomy.
    Taxonomy,
}

impl FormatNeed {
    /// What compliance means for this need, as written in a reason.
    pub fn compliance_label(self) -> &'static str {
        match self {
            FormatNeed::None => "any output",
            FormatNeed::Json => "valid JSON",
            FormatNeed::JsonSchema => "schema-valid JSON",
            FormatNeed::Taxonomy => "label in the taxonomy",
        }
    }
}

/// How often the domain knowledge the task relies on changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum KnowledgeCadence {
    Weekly,
    Monthly,
    /// The default, matching the cost model's default retraining every three months.
    #[default]
    Quarterly,
    Rarely,
}

impl KnowledgeCadence {
    /// Weekly or monthly: a fine-tune would be retrained so often that retrieval, which
    /// picks up new documents at once, is the better carrier of knowledge.
    pub fn changes_often(self) -> bool {
        matches!(self, KnowledgeCadence::Weekly | KnowledgeCadence::Monthly)
    }

    /// The retraining cadence the cost model uses for this answer, in months: a fine-tune
    /// is retrained as often as its knowledge changes (rarely: once a year).
    pub fn retrain_every_months(self) -> f64 {
        match self {
            KnowledgeCadence::Weekly => 12.0 / 52.0,
            KnowledgeCadence::Monthly => 1.0,
            KnowledgeCadence::Quarterly => 3.0,
            KnowledgeCadence::Rarely => 12.0,
        }
    }

    /// The retraining cadence as a reader says it.
    pub fn every(self) -> &'static str {
        match self {
            KnowledgeCadence::Weekly => "every week",
            KnowledgeCadence::Monthly => "every month",
            KnowledgeCadence::Quarterly => "every three months",
            KnowledgeCadence::Rarely => "once a year",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            KnowledgeCadence::Weekly => "weekly",
            KnowledgeCadence::Monthly => "monthly",
            KnowledgeCadence::Quarterly => "quarterly",
            KnowledgeCadence::Rarely => "rarely",
        }
    }
}

/// The team's answers, saved per experiment. `Default` is a task with no format needs, no
/// latency budget, 1,000 queries a day without growth, knowledge changing quarterly, and
/// no examples counted yet (the caller fills `labelled_examples` from the dataset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Questions {
    pub format: FormatNeed,
    /// Whether the task's domain language (vocabulary, house style) matters.
    pub domain_language: bool,
    /// The p95 latency the product can afford, in milliseconds; `None` when there is no
    /// budget.
    pub latency_budget_p95_ms: Option<f64>,
    /// Expected volume today, in queries per day.
    pub queries_per_day: f64,
    /// Expected monthly growth of that volume as a fraction (0.06 = 6 % a month).
    pub monthly_growth: f64,
    pub knowledge_change: KnowledgeCadence,
    /// Whether the team must be able to switch providers or upgrade models without
    /// retraining.
    pub portability_needed: bool,
    /// Whether the task reasons over new, unseen information (documents that did not
    /// exist at training time).
    pub new_information: bool,
    /// High-quality labelled examples available for training.
    pub labelled_examples: u32,
    /// Whether a fine-tuned arm that only matches prompting's quality is good enough
    /// (when it wins on format, latency or cost). Off by default: the framework's rule is
    /// that fine-tuning must beat prompting by the margin on the primary metric.
    pub quality_parity_enough: bool,
}

impl Default for Questions {
    fn default() -> Self {
        Questions {
            format: FormatNeed::None,
            domain_language: false,
            latency_budget_p95_ms: None,
            queries_per_day: 1000.0,
            monthly_growth: 0.0,
            knowledge_change: KnowledgeCadence::Quarterly,
            portability_needed: false,
            new_information: false,
            labelled_examples: 0,
            quality_parity_enough: false,
        }
    }
}

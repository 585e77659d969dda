//! Experiments: which dataset split is evaluated, by which primary metric and margin rule,
//! over which arms. Written by hand as the TOML file of DESIGN.md §8 ([`file`]) and
//! imported into the store as provider, arm and experiment rows ([`import`]) once the user
//! has confirmed what it would do ([`review`]).

pub mod draft;
pub mod file;
pub mod import;
pub mod rerun;
pub mod review;
mod validate;
pub use validate::MAX_ARMS;

use serde::{Deserialize, Serialize};

pub use draft::{create, ExperimentDraft};
pub use file::{ExperimentFile, LoadedExperiment};
pub use import::import;
pub use rerun::{clone_with_models, ModelSwap, Rerun};
pub use review::{review, FileReview, PathReview, PathUse, ProviderReview, ProviderStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MarginKind {
    /// B must beat A by `value` × A's score (0.05 = 5 %).
    Relative,
    /// B must beat A by `value` points of the metric.
    Absolute,
}

impl MarginKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MarginKind::Relative => "relative",
            MarginKind::Absolute => "absolute",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename = "ExperimentMargin")] // a distinct name in the TypeScript bindings
pub struct Margin {
    pub kind: MarginKind,
    pub value: f64,
}

impl Default for Margin {
    fn default() -> Self {
        Self {
            kind: MarginKind::Relative,
            value: 0.05,
        }
    }
}

/// An experiment as the store holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Experiment {
    pub id: i32,
    pub name: String,
    pub dataset_id: i32,
    /// `test`, `train` or `all`.
    pub split: String,
    pub primary_metric: String,
    pub margin: Margin,
    pub labels: Vec<String>,
    /// The arms in order: position 0 is arm A (prompting), 1 is arm B.
    pub arm_ids: Vec<i32>,
}

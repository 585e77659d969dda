//! The grid file (`GRID.toml`): the candidates of a prompt search, as variations of arm A
//! (the prompting arm) of the experiment file: system-prompt variants, few-shot count × strategy,
//! retrieval on/off × top-k, models, temperatures. Every list left out keeps the arm's own
//! value; the candidates are every combination (repeats dropped).
//!
//! A grid is as untrusted as an experiment file and can do less: it names only providers
//! the experiment file defines (so it never adds nor re-points one; the file's review still
//! governs those), and turns on retrieval only over the folder the arm already reads.
//! Errors name the file, the line and the key.

use std::path::Path;

use serde::Deserialize;

use crate::arm::{FewShot, FewShotStrategy};
use crate::experiment::file::{ExperimentFile, ProviderSpec};
use crate::provider::{GenParams, ProviderKind};
use crate::{Error, Result};

/// More candidates than this is a grid typed by mistake, not a search.
pub const MAX_CANDIDATES: usize = 256;

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct GridFile {
    /// System-prompt variants.
    #[serde(default)]
    pub system: Vec<String>,
    #[serde(default)]
    pub few_shot_k: Vec<u32>,
    /// `fixed`, `random` or `similar` (BM25).
    #[serde(default)]
    pub few_shot_strategy: Vec<String>,
    /// For `fixed`: the examples' ids (or 0-based row numbers), the first k taken.
    #[serde(default)]
    pub few_shot_ids: Vec<String>,
    #[serde(default)]
    pub few_shot_seed: Option<i32>,
    /// Retrieved context on or off (on needs the arm's own `context.dir`).
    #[serde(default)]
    pub retrieval: Vec<bool>,
    #[serde(default)]
    pub top_k: Vec<u32>,
    #[serde(default)]
    pub models: Vec<ModelSpec>,
    #[serde(default)]
    pub temperature: Vec<f64>,
    /// `best` (default) or `cheapest_within_best`.
    #[serde(default)]
    pub choose: Option<String>,
    /// Stop the search once it has spent this many USD.
    #[serde(default)]
    pub max_spend_usd: Option<f64>,
    /// Successive halving: default on when it saves calls.
    #[serde(default)]
    pub halving: Option<bool>,
    #[serde(default)]
    pub min_slice: Option<u32>,
    /// The validation split carved when the dataset has none.
    #[serde(default)]
    pub validation: Option<ValidationSpec>,
}

/// A model on the arm's provider, or `{ provider = "...", model = "..." }`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(untagged)]
pub enum ModelSpec {
    Name(String),
    On { provider: String, model: String },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct ValidationSpec {
    pub fraction: Option<f64>,
    pub max_rows: Option<u32>,
    pub rows: Option<u32>,
    pub seed: Option<u32>,
    pub stratify: Option<bool>,
}

/// One candidate: what it changes in the base arm (`None` keeps the arm's own value).
#[derive(Debug, Clone, PartialEq)]
pub struct Variation {
    pub system: Option<String>,
    /// `Some(None)`: no few-shot examples.
    pub few_shot: Option<Option<FewShot>>,
    /// `Some(None)`: retrieval off; `Some(Some(k))`: on, top k.
    pub retrieval: Option<Option<u32>>,
    /// (provider name in the experiment file, model).
    pub model: Option<(String, String)>,
    pub temperature: Option<f64>,
    /// What it changes, in words ("system 2 · 3 random examples · T 0.7").
    pub label: String,
}

/// A grid read and checked against its experiment file.
#[derive(Debug, Clone)]
pub struct LoadedGrid {
    pub grid: GridFile,
    /// Index of the varied arm in the experiment file's `[[arms]]` (arm A: 0).
    pub arm_index: usize,
    pub variations: Vec<Variation>,
}

/// The 1-based line where top-level `key` (of `key[i].x` or `key.x`) is set in `text`.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let top = key.split(['[', '.']).next().unwrap_or(key);
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(top)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
                || l.starts_with(&format!("[{top}]"))
                || l.starts_with(&format!("[[{top}]]"))
        })
        .map(|i| i + 1)
}

/// Reads and checks the grid at `path` against the experiment file `exp`.
pub fn load(path: &Path, exp: &ExperimentFile) -> Result<LoadedGrid> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path, exp)
}

/// Parses and checks `text`, read from `path`, against the experiment file `exp`.
pub fn parse(text: &str, path: &Path, exp: &ExperimentFile) -> Result<LoadedGrid> {
    let shown = path.display().to_string();
    let grid: GridFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| {
                format!(
                    ", line {}",
                    text[..s.start.min(text.len())].matches('\n').count() + 1
                )
            })
            .unwrap_or_default();
        Error::Invalid(format!("{shown}{line}: {}", e.message().trim()))
    })?;
    let bad = |key: &str, problem: String| {
        let line = line_of_key(text, key).map_or(String::new(), |l| format!(", line {l}"));
        Error::Invalid(format!("{shown}{line}, key `{key}`: {problem}"))
    };
    checked(grid, &shown, exp, &bad)
}

/// Checks `grid`, composed in the window, against the experiment file `exp`; errors name
/// the grid's field.
pub fn from_draft(grid: GridFile, exp: &ExperimentFile) -> Result<LoadedGrid> {
    let bad = |key: &str, problem: String| {
        Error::Invalid(format!("the search grid, field `{key}`: {problem}"))
    };
    checked(grid, "the search grid", exp, &bad)
}

fn checked(
    grid: GridFile,
    shown: &str,
    exp: &ExperimentFile,
    bad: &dyn Fn(&str, String) -> Error,
) -> Result<LoadedGrid> {
    // The candidates vary arm A, the prompting arm the chosen one replaces.
    let arm_index = 0;
    let Some(base) = exp.arms.first() else {
        return Err(bad(
            "arms",
            "the experiment file defines no [[arms]]".into(),
        ));
    };
    if base.kind != "prompt" {
        return Err(Error::Invalid(format!(
            "{shown}: arm A of the experiment file, {:?}, is a {} arm; a search chooses a \
             prompting arm A",
            base.name, base.kind
        )));
    }
    check(&grid, exp, arm_index, bad)?;
    let variations = super::expand::expand(&grid, exp, arm_index);
    if variations.len() > MAX_CANDIDATES {
        return Err(bad(
            "system",
            format!(
                "the grid makes {} candidates, more than {MAX_CANDIDATES}; shorten its lists",
                variations.len()
            ),
        ));
    }
    Ok(LoadedGrid {
        grid,
        arm_index,
        variations,
    })
}

fn check(
    grid: &GridFile,
    exp: &ExperimentFile,
    arm_index: usize,
    bad: &dyn Fn(&str, String) -> Error,
) -> Result<()> {
    let base = &exp.arms[arm_index];
    for (i, s) in grid.system.iter().enumerate() {
        if s.trim().is_empty() {
            return Err(bad(&format!("system[{i}]"), "must not be empty".into()));
        }
    }
    let strategies: Vec<FewShotStrategy> = grid
        .few_shot_strategy
        .iter()
        .enumerate()
        .map(|(i, s)| {
            parse_strategy(s).ok_or_else(|| {
                bad(
                    &format!("few_shot_strategy[{i}]"),
                    format!("{s:?} is not one of fixed, random, similar"),
                )
            })
        })
        .collect::<Result<_>>()?;
    if let Some(i) = grid.few_shot_k.iter().position(|k| *k > 64) {
        return Err(bad(
            &format!("few_shot_k[{i}]"),
            "at most 64 examples".into(),
        ));
    }
    let max_k = grid.few_shot_k.iter().copied().max().unwrap_or(0) as usize;
    if strategies.contains(&FewShotStrategy::Fixed) && grid.few_shot_ids.len() < max_k {
        return Err(bad(
            "few_shot_ids",
            format!(
                "strategy \"fixed\" takes the first k of few_shot_ids; k goes up to {max_k} but \
                 {} ids are listed",
                grid.few_shot_ids.len()
            ),
        ));
    }
    if grid.retrieval.contains(&true) && base.context.is_none() {
        return Err(bad(
            "retrieval",
            format!(
                "arm {:?} has no context.dir; a grid turns retrieval on only over the folder \
                 the arm already reads",
                base.name
            ),
        ));
    }
    if let Some(i) = grid.top_k.iter().position(|k| *k == 0) {
        return Err(bad(&format!("top_k[{i}]"), "must be at least 1".into()));
    }
    if let Some(i) = grid
        .temperature
        .iter()
        .position(|t| !(t.is_finite() && (0.0..=2.0).contains(t)))
    {
        return Err(bad(
            &format!("temperature[{i}]"),
            "must be between 0 and 2".into(),
        ));
    }
    let temps: Vec<Option<f64>> = if grid.temperature.is_empty() {
        vec![base.temperature]
    } else {
        grid.temperature.iter().map(|t| Some(*t)).collect()
    };
    for (i, m) in grid.models.iter().enumerate() {
        let (provider, model) = target(m, &base.provider);
        let Some(p) = exp.providers.iter().find(|p| p.name == provider) else {
            return Err(bad(
                &format!("models[{i}].provider"),
                format!(
                    "no provider named {provider:?} in the experiment file's [[providers]]; a \
                     grid never adds a provider"
                ),
            ));
        };
        if model.trim().is_empty() {
            return Err(bad(
                &format!("models[{i}].model"),
                "must not be empty".into(),
            ));
        }
        capability(p, model, &temps, base.top_p)
            .map_err(|(field, why)| bad(&format!("models[{i}].{field}"), why))?;
    }
    if grid.models.is_empty() {
        if let Some(p) = exp.providers.iter().find(|p| p.name == base.provider) {
            capability(p, &base.model, &temps, base.top_p)
                .map_err(|(field, why)| bad(field, why))?;
        }
    }
    if let Some(c) = &grid.choose {
        if super::rank::ChoiceRule::parse(c).is_none() {
            return Err(bad(
                "choose",
                format!("{c:?} is not best or cheapest_within_best"),
            ));
        }
    }
    if grid
        .max_spend_usd
        .is_some_and(|s| !(s.is_finite() && s > 0.0))
    {
        return Err(bad(
            "max_spend_usd",
            "must be a positive number of USD".into(),
        ));
    }
    if grid.min_slice == Some(0) {
        return Err(bad("min_slice", "must be at least 1".into()));
    }
    if let Some(v) = &grid.validation {
        if v.fraction.is_some_and(|f| !(f > 0.0 && f < 1.0)) {
            return Err(bad(
                "validation.fraction",
                "must be between 0 and 1 (exclusive)".into(),
            ));
        }
        if v.rows == Some(0) || v.max_rows == Some(0) {
            return Err(bad(
                "validation",
                "a validation split of 0 rows ranks nothing".into(),
            ));
        }
    }
    Ok(())
}

/// The sampling a model family refuses, as (field, why).
fn capability(
    p: &ProviderSpec,
    model: &str,
    temps: &[Option<f64>],
    top_p: Option<f64>,
) -> std::result::Result<(), (&'static str, String)> {
    let Some(kind) = ProviderKind::parse(&p.kind) else {
        return Ok(());
    };
    for t in temps {
        let sampling = GenParams {
            temperature: *t,
            top_p,
            ..Default::default()
        };
        if let Some((field, why)) = crate::price::capability::refusal(kind, model, &sampling) {
            return Err((field, why));
        }
    }
    Ok(())
}

pub(super) fn parse_strategy(s: &str) -> Option<FewShotStrategy> {
    match s {
        "fixed" => Some(FewShotStrategy::Fixed),
        "random" => Some(FewShotStrategy::Random),
        "similar" | "bm25" => Some(FewShotStrategy::Similar),
        _ => None,
    }
}

pub(super) fn target<'a>(m: &'a ModelSpec, base_provider: &'a str) -> (&'a str, &'a str) {
    match m {
        ModelSpec::Name(model) => (base_provider, model),
        ModelSpec::On { provider, model } => (provider, model),
    }
}

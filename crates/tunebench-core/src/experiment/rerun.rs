//! Re-running an experiment on another model: a copy of the experiment in which one or
//! both arms call a different model, everything else (dataset split, metric, margin,
//! prompts, few-shot and retrieval settings, the decision answers) unchanged, so the new
//! run is comparable with the earlier ones. The copy keeps the experiment's name, which
//! is what makes its runs one history ([`crate::store::experiment::family`]).

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::Experiment;
use crate::{store, Error, Result};

/// The model one arm calls in the re-run: `position` 0 is arm A, 1 is arm B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModelSwap {
    pub position: u32,
    pub model: String,
}

/// What [`clone_with_models`] made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rerun {
    pub experiment_id: i32,
    /// One line per arm whose model changed, e.g. "fine-tuned: ft-v1 → ft-v2".
    pub changes: Vec<String>,
    /// Things the user should know, e.g. a price override that no longer applies.
    pub notes: Vec<String>,
}

/// Copies experiment `experiment_id` with the models in `swaps` and returns the copy. An
/// arm whose model changes becomes a new arm (the old one stays with the earlier runs);
/// its own price, set for the old model, is dropped so the new model is priced from the
/// catalog. With no change at all the copy is a plain re-run of the same models.
pub fn clone_with_models(
    conn: &Connection,
    experiment_id: i32,
    swaps: &[ModelSwap],
) -> Result<Rerun> {
    let source: Experiment = store::experiment::get(conn, experiment_id)?;
    for s in swaps {
        let field = format!("arms[{}].model", s.position);
        if s.position as usize >= source.arm_ids.len() {
            return Err(Error::Invalid(format!(
                "re-run of experiment {experiment_id}, field `{field}`: the experiment has {} arms",
                source.arm_ids.len()
            )));
        }
        if s.model.trim().is_empty() {
            return Err(Error::Invalid(format!(
                "re-run of experiment {experiment_id}, field `{field}`: name the model"
            )));
        }
    }
    store::atomically(conn, || copy_with(conn, &source, swaps))
}

fn copy_with(conn: &Connection, source: &Experiment, swaps: &[ModelSwap]) -> Result<Rerun> {
    let experiment_id = source.id;
    let mut copy = source.clone();
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    for (pos, arm_id) in copy.arm_ids.iter_mut().enumerate() {
        let Some(swap) = swaps.iter().rev().find(|s| s.position as usize == pos) else {
            continue;
        };
        let mut arm = store::arm::get(conn, *arm_id)?;
        let model = swap.model.trim();
        if arm.model == model {
            continue;
        }
        changes.push(format!("{}: {} → {model}", arm.name, arm.model));
        if arm.params.price.take().is_some() {
            notes.push(format!(
                "{}: the price set for {} is not carried over; {model} is priced from the \
                 catalog (add a custom price on the Prices screen if it has none)",
                arm.name, arm.model
            ));
        }
        let kind = store::provider::get(conn, arm.provider_id)?.kind;
        if let Some((field, why)) =
            crate::price::capability::refusal(kind, model, &arm.params.generation)
        {
            return Err(Error::Invalid(format!(
                "re-run of experiment {experiment_id}, arm `{}`, field `{field}`: {why}",
                arm.name
            )));
        }
        arm.model = model.to_string();
        *arm_id = store::arm::insert(conn, &arm)?;
    }
    let new_id = store::experiment::insert(conn, &copy)?;
    if let Some(questions) = store::experiment::questions(conn, experiment_id)? {
        store::experiment::set_questions(conn, new_id, &questions)?;
    }
    Ok(Rerun {
        experiment_id: new_id,
        changes,
        notes,
    })
}

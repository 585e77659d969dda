//! An arm as the window's editor holds it (not necessarily saved): previewed for one test
//! case, or checked and saved as a new arm.

use rusqlite::Connection;
use serde::Deserialize;

use super::{Arm, ArmKind, ArmParams, FewShot, PromptPreview};
use crate::provider::GenParams;
use crate::{store, Error, Result};

/// An arm being edited.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmDraft {
    /// `prompt` (the default) or `fine_tuned`: a fine-tuned arm's cost at scale includes
    /// training. The editor holds no retrieval, so it makes no hybrid arm.
    pub kind: Option<ArmKind>,
    pub provider_id: i32,
    pub model: String,
    pub system_prompt: String,
    pub template: String,
    pub few_shot: Option<FewShot>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
}

impl ArmDraft {
    /// The arm this draft describes, named `name` (not stored: its id is 0).
    pub fn arm(self, name: String) -> Arm {
        Arm {
            id: 0,
            name,
            kind: self.kind.unwrap_or(ArmKind::Prompt),
            provider_id: self.provider_id,
            model: self.model,
            system_prompt: self.system_prompt,
            template: self.template,
            few_shot: self.few_shot,
            retrieval: None,
            params: ArmParams {
                generation: GenParams {
                    max_tokens: self.max_tokens,
                    temperature: self.temperature,
                    ..GenParams::default()
                },
                price: None,
            },
        }
    }

    /// The draft as an arm to save under `name`, or why it cannot be saved.
    pub fn validate(self, name: &str) -> Result<Arm> {
        let missing: Vec<&str> = [
            (name.trim().is_empty(), "a name"),
            (self.provider_id == 0, "a provider"),
            (self.model.trim().is_empty(), "a model"),
        ]
        .into_iter()
        .filter_map(|(absent, what)| absent.then_some(what))
        .collect();
        if !missing.is_empty() {
            return Err(Error::Invalid(format!(
                "a saved arm needs {}",
                match missing.as_slice() {
                    [one] => one.to_string(),
                    [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
                    [] => String::new(),
                }
            )));
        }
        Ok(self.arm(name.trim().to_string()))
    }
}

/// The messages `draft` sends for case `example_id`, and their token count.
pub fn preview_draft(conn: &Connection, draft: ArmDraft, example_id: i32) -> Result<PromptPreview> {
    super::preview(conn, draft.arm("draft".into()), example_id)
}

/// Saves `draft` as a new arm named `name`; returns its id.
pub fn save_draft(conn: &Connection, name: &str, draft: ArmDraft) -> Result<i32> {
    let arm = draft.validate(name)?;
    if store::arm::name_taken(conn, &arm.name)? {
        return Err(Error::Invalid(format!(
            "an arm named `{}` is already stored: give this one another name",
            arm.name
        )));
    }
    store::arm::insert(conn, &arm)
}

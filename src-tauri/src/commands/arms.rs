//! Arm commands: the stored arms, the rendered prompt of an arm being edited for one test
//! case, and saving an edited arm (a prompt arm, or a fine-tuned model with its prompt) as a
//! new arm.

use serde::Deserialize;
use tunebench_core::arm::{self, Arm, ArmKind, ArmParams, FewShot, PromptPreview};
use tunebench_core::provider::GenParams;
use tunebench_core::store;

use super::blocking;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// An arm as the editor holds it (not necessarily saved).
#[derive(Debug, Clone, Deserialize, specta::Type)]
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
    fn arm(self, name: String) -> Arm {
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
}

/// The messages `draft` sends for case `example_id`, and their token count.
#[tauri::command]
#[specta::specta]
pub async fn preview_arm(
    state: tauri::State<'_, AppState>,
    draft: ArmDraft,
    example_id: i32,
) -> CommandResult<PromptPreview> {
    let db = state.db_path.clone();
    blocking(move || {
        Ok(arm::preview(
            &store::open(&db)?,
            draft.arm("draft".into()),
            example_id,
        )?)
    })
    .await
}

/// Every arm in the store, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_arms(state: tauri::State<'_, AppState>) -> CommandResult<Vec<Arm>> {
    let db = state.db_path.clone();
    blocking(move || Ok(store::arm::list(&store::open(&db)?)?)).await
}

/// Saves `draft` as a new arm named `name`; returns its id.
#[tauri::command]
#[specta::specta]
pub async fn save_arm(
    state: tauri::State<'_, AppState>,
    name: String,
    draft: ArmDraft,
) -> CommandResult<i32> {
    let db = state.db_path.clone();
    blocking(move || {
        if name.trim().is_empty() || draft.provider_id == 0 || draft.model.trim().is_empty() {
            return Err(CommandError::invalid(
                "a saved arm needs a name, a provider and a model",
            ));
        }
        Ok(store::arm::insert(
            &store::open(&db)?,
            &draft.arm(name.trim().to_string()),
        )?)
    })
    .await
}

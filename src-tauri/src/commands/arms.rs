//! Arm commands: the rendered prompt of an arm being edited, for one test case.

use serde::Deserialize;
use tunebench_core::arm::{self, Arm, ArmKind, ArmParams, FewShot, PromptPreview};
use tunebench_core::provider::GenParams;
use tunebench_core::store;

use super::blocking;
use crate::error::CommandResult;
use crate::state::AppState;

/// A prompt arm as the editor holds it (not necessarily saved).
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct ArmDraft {
    pub provider_id: i32,
    pub model: String,
    pub system_prompt: String,
    pub template: String,
    pub few_shot: Option<FewShot>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
}

impl ArmDraft {
    fn arm(self) -> Arm {
        Arm {
            id: 0,
            name: "draft".into(),
            kind: ArmKind::Prompt,
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
    blocking(move || Ok(arm::preview(&store::open(&db)?, draft.arm(), example_id)?)).await
}

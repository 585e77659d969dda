//! Arm commands: the stored arms, the rendered prompt of an arm being edited for one test
//! case, and saving an edited arm (a prompt arm, or a fine-tuned model with its prompt) as a
//! new arm.

use tunebench_core::arm::{self, Arm, ArmDraft, PromptPreview};
use tunebench_core::store;

use crate::error::CommandResult;
use crate::state::AppState;

/// The messages `draft` sends for case `example_id`, and their token count.
#[tauri::command]
#[specta::specta]
pub async fn preview_arm(
    state: tauri::State<'_, AppState>,
    draft: ArmDraft,
    example_id: i32,
) -> CommandResult<PromptPreview> {
    state
        .with_store(move |c, _| arm::preview_draft(c, draft, example_id))
        .await
}

/// Every arm in the store, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_arms(state: tauri::State<'_, AppState>) -> CommandResult<Vec<Arm>> {
    state.with_store(|c, _| store::arm::list(c)).await
}

/// Saves `draft` as a new arm named `name`; returns its id.
#[tauri::command]
#[specta::specta]
pub async fn save_arm(
    state: tauri::State<'_, AppState>,
    name: String,
    draft: ArmDraft,
) -> CommandResult<i32> {
    state
        .with_store(move |c, _| arm::save_draft(c, &name, draft))
        .await
}

/// Deletes arm `id`, refused while runs compare it; returns what was deleted.
#[tauri::command]
#[specta::specta]
pub async fn delete_arm(state: tauri::State<'_, AppState>, id: i32) -> CommandResult<String> {
    state
        .with_store(move |c, _| tunebench_core::remove::arm(c, id))
        .await
}

//! Dataset commands.

use tunebench_core::dataset::DatasetSummary;

use super::blocking;
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_datasets(
    state: tauri::State<'_, AppState>,
) -> CommandResult<Vec<DatasetSummary>> {
    let db = state.db_path.clone();
    blocking(move || {
        Ok(tunebench_core::store::dataset::list(
            &tunebench_core::store::open(&db)?,
        )?)
    })
    .await
}

//! Facts about the running app the UI shows in its footer.

use serde::Serialize;

use crate::error::CommandResult;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    /// Where the SQLite store lives.
    pub db_path: String,
}

#[tauri::command(async)]
#[specta::specta]
pub fn app_info(state: tauri::State<'_, AppState>) -> CommandResult<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        db_path: state.db_path.display().to_string(),
    })
}

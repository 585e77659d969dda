//! Price catalog commands: the list (seeded on first use), custom entries, JSON import/export.

use tunebench_core::price::{self, ImportSummary, PriceEntry, PriceKind};
use tunebench_core::store;

use super::blocking;
use crate::error::CommandResult;
use crate::state::AppState;

/// The whole catalog, seed and custom. Writes this build's seed first (idempotent).
#[tauri::command]
#[specta::specta]
pub async fn list_prices(state: tauri::State<'_, AppState>) -> CommandResult<Vec<PriceEntry>> {
    let db = state.db_path.clone();
    blocking(move || {
        let conn = store::open(&db)?;
        price::seed(&conn)?;
        Ok(price::catalog(&conn)?)
    })
    .await
}

/// Adds or replaces a custom entry (it wins over the seed for the same model).
#[tauri::command]
#[specta::specta]
pub async fn save_price(state: tauri::State<'_, AppState>, entry: PriceEntry) -> CommandResult<()> {
    let db = state.db_path.clone();
    blocking(move || Ok(price::save_custom(&store::open(&db)?, &entry)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_price(
    state: tauri::State<'_, AppState>,
    provider: String,
    model_pattern: String,
    kind: PriceKind,
) -> CommandResult<()> {
    let db = state.db_path.clone();
    blocking(move || {
        Ok(price::delete_custom(
            &store::open(&db)?,
            &provider,
            &model_pattern,
            kind,
        )?)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn import_prices(
    state: tauri::State<'_, AppState>,
    path: String,
) -> CommandResult<ImportSummary> {
    let db = state.db_path.clone();
    blocking(move || {
        let conn = store::open(&db)?;
        price::seed(&conn)?;
        Ok(price::import_file(&conn, path.as_ref())?)
    })
    .await
}

/// Writes the catalog as JSON; returns how many entries were written.
#[tauri::command]
#[specta::specta]
pub async fn export_prices(state: tauri::State<'_, AppState>, path: String) -> CommandResult<u32> {
    let db = state.db_path.clone();
    blocking(move || {
        let conn = store::open(&db)?;
        price::seed(&conn)?;
        Ok(price::export_file(&conn, path.as_ref())?)
    })
    .await
}

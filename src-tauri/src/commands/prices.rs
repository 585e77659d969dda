//! Price catalog commands: the list (the store seeds it when it opens), custom entries, JSON
//! import/export.

use tunebench_core::price::{self, ImportSummary, PriceEntry, PriceKind};
use tunebench_core::run;

use crate::error::CommandResult;
use crate::state::AppState;

/// The whole catalog, seed and custom.
#[tauri::command]
#[specta::specta]
pub async fn list_prices(state: tauri::State<'_, AppState>) -> CommandResult<Vec<PriceEntry>> {
    state.with_store(|c, _| price::catalog(c)).await
}

/// Adds or replaces a custom entry (it wins over the seed for the same model), then prices
/// the earlier answers stored without a cost; returns how many got one.
#[tauri::command]
#[specta::specta]
pub async fn save_price(
    state: tauri::State<'_, AppState>,
    entry: PriceEntry,
) -> CommandResult<u32> {
    let save = move |c: &_| price::save_custom(c, &entry);
    state
        .with_store(move |c, _| save(c).and_then(|()| run::backfill::price_unpriced(c)))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_price(
    state: tauri::State<'_, AppState>,
    provider: String,
    model_pattern: String,
    kind: PriceKind,
) -> CommandResult<()> {
    let delete = move |c: &_, _: &_| price::delete_custom(c, &provider, &model_pattern, kind);
    state.with_store(delete).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_prices(
    state: tauri::State<'_, AppState>,
    path: String,
) -> CommandResult<ImportSummary> {
    let path = state.granted(&path)?;
    state
        .with_store(move |c, _| price::import_file(c, &path))
        .await
}

/// Writes the catalog as JSON; returns how many entries were written.
#[tauri::command]
#[specta::specta]
pub async fn export_prices(state: tauri::State<'_, AppState>, path: String) -> CommandResult<u32> {
    let path = state.granted(&path)?;
    state
        .with_store(move |c, _| price::export_file(c, &path))
        .await
}

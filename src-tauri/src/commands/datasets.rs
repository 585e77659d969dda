//! Dataset commands: preview, import (with progress events and cancel), the sample, report,
//! split, leakage, the row browser, export and delete.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tauri::ipc::Channel;
use tunebench_core::dataset::{
    self, DatasetSummary, ExamplePage, ExportOptions, ExportOutcome, ImportOptions, ImportOutcome,
    ImportProgress, LeakageReport, PageQuery, Preview, SplitOptions, SplitOutcome,
    ValidationReport,
};
use tunebench_core::store;

use super::blocking;
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_datasets(
    state: tauri::State<'_, AppState>,
) -> CommandResult<Vec<DatasetSummary>> {
    let db = state.db_path.clone();
    blocking(move || Ok(store::dataset::list(&store::open(&db)?)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn preview_import(path: String, options: ImportOptions) -> CommandResult<Preview> {
    blocking(move || Ok(dataset::preview(path.as_ref(), &options)?)).await
}

/// Imports `path`; `None` imports the built-in sample dataset. ImportProgress goes to `progress`
/// at most every 100 ms, and once at the end.
#[tauri::command]
#[specta::specta]
pub async fn import_dataset(
    state: tauri::State<'_, AppState>,
    progress: Channel<ImportProgress>,
    path: Option<String>,
    options: ImportOptions,
) -> CommandResult<ImportOutcome> {
    let cancel = state.begin_import()?;
    let db = state.db_path.clone();
    let outcome = blocking(move || {
        let conn = store::open(&db)?;
        let mut last = Instant::now() - Duration::from_secs(1);
        let mut report = |p: &ImportProgress| {
            if last.elapsed() >= Duration::from_millis(100) || p.percent >= 100.0 {
                last = Instant::now();
                let _ = progress.send(*p);
            }
        };
        Ok(match path {
            Some(path) => dataset::import(&conn, path.as_ref(), &options, &mut report, &cancel)?,
            None => dataset::import_sample(&conn, &mut report, &cancel)?,
        })
    })
    .await;
    state.end_import();
    outcome
}

#[tauri::command]
#[specta::specta]
pub fn cancel_import(state: tauri::State<'_, AppState>) -> bool {
    match state.import_cancel.lock().ok().and_then(|s| s.clone()) {
        Some(flag) => {
            flag.store(true, Ordering::Relaxed);
            true
        }
        None => false,
    }
}

#[tauri::command]
#[specta::specta]
pub async fn dataset_report(
    state: tauri::State<'_, AppState>,
    id: i32,
) -> CommandResult<ValidationReport> {
    let db = state.db_path.clone();
    blocking(move || Ok(dataset::report(&store::open(&db)?, id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn split_dataset(
    state: tauri::State<'_, AppState>,
    id: i32,
    options: SplitOptions,
) -> CommandResult<SplitOutcome> {
    let db = state.db_path.clone();
    blocking(move || Ok(dataset::split(&store::open(&db)?, id, &options)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn dataset_leakage(
    state: tauri::State<'_, AppState>,
    id: i32,
) -> CommandResult<LeakageReport> {
    let db = state.db_path.clone();
    blocking(move || Ok(dataset::leakage(&store::open(&db)?, id)?)).await
}

/// Deletes from train every row that leaks into test; returns how many went.
#[tauri::command]
#[specta::specta]
pub async fn remove_leaked(state: tauri::State<'_, AppState>, id: i32) -> CommandResult<u32> {
    let db = state.db_path.clone();
    blocking(move || Ok(dataset::remove_leaked_from_train(&store::open(&db)?, id)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn dataset_examples(
    state: tauri::State<'_, AppState>,
    id: i32,
    query: PageQuery,
) -> CommandResult<ExamplePage> {
    let db = state.db_path.clone();
    blocking(move || Ok(dataset::examples_page(&store::open(&db)?, id, &query)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn export_dataset(
    state: tauri::State<'_, AppState>,
    id: i32,
    options: ExportOptions,
    path: String,
) -> CommandResult<ExportOutcome> {
    let db = state.db_path.clone();
    blocking(move || {
        Ok(dataset::export(
            &store::open(&db)?,
            id,
            &options,
            path.as_ref(),
        )?)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_dataset(state: tauri::State<'_, AppState>, id: i32) -> CommandResult<()> {
    let db = state.db_path.clone();
    blocking(move || Ok(dataset::delete(&store::open(&db)?, id)?)).await
}

//! Dataset commands: preview, import (with progress events and cancel), the sample, report,
//! split, leakage, the row browser, export and delete.

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
    state.with_store(|c, _| store::dataset::list(c)).await
}

#[tauri::command]
#[specta::specta]
pub async fn preview_import(
    state: tauri::State<'_, AppState>,
    path: String,
    options: ImportOptions,
) -> CommandResult<Preview> {
    let path = state.granted(&path)?;
    blocking(move || Ok(dataset::preview(&path, &options)?)).await
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
    let path = path.map(|p| state.granted(&p)).transpose()?;
    let cancel = state.begin_import()?;
    let outcome = (state.with_store(move |c, _| match path {
        Some(path) => dataset::import(c, &path, &options, &mut throttled(progress), &cancel),
        None => dataset::import_sample(c, &mut throttled(progress), &cancel),
    }))
    .await;
    state.end_import();
    outcome
}

/// Sends progress at most every 100 ms, and once at the end.
fn throttled(progress: Channel<ImportProgress>) -> impl FnMut(&ImportProgress) {
    let mut last = Instant::now() - Duration::from_secs(1);
    move |p: &ImportProgress| {
        if last.elapsed() >= Duration::from_millis(100) || p.percent >= 100.0 {
            last = Instant::now();
            let _ = progress.send(*p);
        }
    }
}

#[tauri::command]
#[specta::specta]
pub fn cancel_import(state: tauri::State<'_, AppState>) -> bool {
    state.cancel_import()
}

#[tauri::command]
#[specta::specta]
pub async fn dataset_report(
    state: tauri::State<'_, AppState>,
    id: i32,
) -> CommandResult<ValidationReport> {
    state.with_store(move |c, _| dataset::report(c, id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn split_dataset(
    state: tauri::State<'_, AppState>,
    id: i32,
    options: SplitOptions,
) -> CommandResult<SplitOutcome> {
    state
        .with_store(move |c, _| dataset::split(c, id, &options))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn dataset_leakage(
    state: tauri::State<'_, AppState>,
    id: i32,
) -> CommandResult<LeakageReport> {
    state.with_store(move |c, _| dataset::leakage(c, id)).await
}

/// Deletes from train every row that leaks into test; returns how many went.
#[tauri::command]
#[specta::specta]
pub async fn remove_leaked(state: tauri::State<'_, AppState>, id: i32) -> CommandResult<u32> {
    state
        .with_store(move |c, _| dataset::remove_leaked_from_train(c, id))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn dataset_examples(
    state: tauri::State<'_, AppState>,
    id: i32,
    query: PageQuery,
) -> CommandResult<ExamplePage> {
    state
        .with_store(move |c, _| dataset::examples_page(c, id, &query))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn export_dataset(
    state: tauri::State<'_, AppState>,
    id: i32,
    options: ExportOptions,
    path: String,
) -> CommandResult<ExportOutcome> {
    let path = state.granted(&path)?;
    state
        .with_store(move |c, _| dataset::export(c, id, &options, &path))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_dataset(state: tauri::State<'_, AppState>, id: i32) -> CommandResult<()> {
    state.with_store(move |c, _| dataset::delete(c, id)).await
}

/// Deletes the rows of dataset `id` that repeat an earlier row exactly; returns how many.
#[tauri::command]
#[specta::specta]
pub async fn remove_duplicates(state: tauri::State<'_, AppState>, id: i32) -> CommandResult<u32> {
    state
        .with_store(move |c, _| dataset::remove_exact_duplicates(c, id))
        .await
}

//! Fine-tune commands: preflight and estimate, start, follow, list and cancel jobs at
//! OpenAI, Azure OpenAI, Together and Fireworks. Each is one core call.

use tunebench_core::finetune::flow::{self, Context, StartRequest};
use tunebench_core::finetune::{self, FineTuneJob, PreflightReport, PreflightRequest};
use tunebench_core::store;

use crate::error::CommandResult;
use crate::state::AppState;

fn context(state: &AppState) -> CommandResult<Context> {
    Ok(Context::new(&state.db_path, state.client()?))
}

/// The training file a train split becomes, checked for the trainer, with the estimate.
#[tauri::command]
#[specta::specta]
pub async fn finetune_preflight(
    state: tauri::State<'_, AppState>,
    request: PreflightRequest,
) -> CommandResult<PreflightReport> {
    state
        .with_store(move |c, _| finetune::preflight(c, &request))
        .await
}

/// Preflights, uploads and creates the job at the provider.
#[tauri::command]
#[specta::specta]
pub async fn start_finetune(
    state: tauri::State<'_, AppState>,
    request: StartRequest,
) -> CommandResult<FineTuneJob> {
    Ok(flow::start(&context(&state)?, &request).await?)
}

/// Polls job `id` once; a job that succeeded becomes a fine-tuned arm.
#[tauri::command]
#[specta::specta]
pub async fn poll_finetune(
    state: tauri::State<'_, AppState>,
    id: i32,
) -> CommandResult<FineTuneJob> {
    Ok(flow::poll(&context(&state)?, id).await?)
}

/// Polls every live job once (after a restart too) and returns every job, newest first.
#[tauri::command]
#[specta::specta]
pub async fn poll_finetunes(state: tauri::State<'_, AppState>) -> CommandResult<Vec<FineTuneJob>> {
    Ok(flow::poll_live(&context(&state)?).await?)
}

/// Every job as stored, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_finetunes(state: tauri::State<'_, AppState>) -> CommandResult<Vec<FineTuneJob>> {
    state.with_store(|c, _| store::fine_tune::list(c)).await
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_finetune(
    state: tauri::State<'_, AppState>,
    id: i32,
) -> CommandResult<FineTuneJob> {
    Ok(flow::cancel(&context(&state)?, id).await?)
}

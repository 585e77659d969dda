//! Fine-tune commands: preflight and estimate, start, follow, list and cancel jobs at
//! OpenAI, Azure OpenAI, Together and Fireworks. Each is one core call.

use tauri::ipc::Channel;
use tunebench_core::finetune::compare::{self, PreparedComparison};
use tunebench_core::finetune::flow::{self, Context, StartRequest};
use tunebench_core::finetune::{self, FineTuneJob, PreflightReport, PreflightRequest};
use tunebench_core::run::RunOptions;
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
    let job = flow::start(&context(&state)?, &request).await?;
    state.watchers.wake();
    Ok(job)
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

/// Sends every change the background poller sees in a job to `events`, from now on.
#[tauri::command]
#[specta::specta]
pub fn watch_finetunes(state: tauri::State<'_, AppState>, events: Channel<FineTuneJob>) {
    state.watchers.listen(events);
}

/// Creates (or reuses) the experiment comparing job `id`'s source prompting arm with its
/// fine-tuned arm on the test split, and prepares a run of it with its estimate.
#[tauri::command]
#[specta::specta]
pub async fn prepare_finetune_comparison(
    state: tauri::State<'_, AppState>,
    id: i32,
) -> CommandResult<PreparedComparison> {
    let options = RunOptions::default();
    (state.with_store(move |c, _| compare::prepare(c, id, &options))).await
}

/// Job `id`'s training-loss chart as SVG; null while its events carry no loss.
#[tauri::command]
#[specta::specta]
pub async fn finetune_loss_chart(
    state: tauri::State<'_, AppState>,
    id: i32,
) -> CommandResult<Option<String>> {
    (state.with_store(move |c, _| finetune::loss::loss_chart(c, id))).await
}

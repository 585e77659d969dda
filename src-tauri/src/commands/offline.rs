//! "Try it offline": the whole empirical test on this machine, estimated first, then run
//! to its end (a subset, a prompting arm, a local fine-tune and a run of both), cancelled
//! like a run.

use tauri::ipc::Channel;
use tunebench_core::offline::{
    self, OfflineEstimate, OfflineEvent, OfflineOptions, OfflineOutcome,
};

use crate::error::CommandResult;
use crate::state::AppState;

/// How long the offline test of `options` on dataset `dataset_id` will take here.
#[tauri::command]
#[specta::specta]
pub async fn offline_estimate(
    state: tauri::State<'_, AppState>,
    dataset_id: i32,
    options: OfflineOptions,
) -> CommandResult<OfflineEstimate> {
    state
        .with_store(move |c, _| offline::estimate(c, dataset_id, &options))
        .await
}

/// Runs the offline test of `options` on dataset `dataset_id` with the default local
/// model; its stages, the fine-tune's loss and the run's progress go to `events`.
#[tauri::command]
#[specta::specta]
pub async fn try_offline(
    state: tauri::State<'_, AppState>,
    dataset_id: i32,
    options: OfflineOptions,
    events: Channel<OfflineEvent>,
) -> CommandResult<OfflineOutcome> {
    let client = state.client()?;
    let cancel = state.begin_run()?;
    let mut send = |e: &OfflineEvent| drop(events.send(e.clone()));
    let done = offline::run(
        &state.db_path,
        &client,
        dataset_id,
        &options,
        None,
        &cancel,
        &mut send,
    )
    .await;
    state.end_run();
    Ok(done?)
}

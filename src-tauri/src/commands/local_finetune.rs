//! A fine-tune on this machine with llama.cpp: the whole job in one call, its steps and
//! loss streamed to the window, cancelled like a run.

use tauri::ipc::Channel;
use tunebench_core::finetune::local::LocalEvent;
use tunebench_core::finetune::local_job::{self, LocalFineTuneSpec, LocalJobResult};
use tunebench_core::provider::local::default_model;

use crate::error::CommandResult;
use crate::state::AppState;

/// Fine-tunes `model_path` (a GGUF the person picked; the default local model when `None`)
/// as `spec` says; on success the fine-tuned arm is registered on the local provider.
#[tauri::command]
#[specta::specta]
pub async fn start_local_fine_tune(
    state: tauri::State<'_, AppState>,
    spec: LocalFineTuneSpec,
    model_path: Option<String>,
    events: Channel<LocalEvent>,
) -> CommandResult<LocalJobResult> {
    let model = match model_path {
        Some(p) => state.granted(&p)?,
        None => default_model()?,
    };
    let (client, request) = (state.client()?, spec.request(model));
    let cancel = state.begin_run()?;
    let mut send = |e: &LocalEvent| drop(events.send(e.clone()));
    let done = local_job::run(&state.db_path, &client, &request, &cancel, &mut send).await;
    state.end_run();
    Ok(done?)
}

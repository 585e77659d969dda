//! Tauri commands: adapters of a few lines that unpack state, call one core function on a
//! blocking thread, and map the error. One file per area.

pub mod app;
pub mod arms;
pub mod crossover;
pub mod crossover_arms;
pub mod datasets;
pub mod decision;
pub mod files;
pub mod finetune;
pub mod local_finetune;
pub mod offline;
pub mod prices;
pub mod providers;
pub mod runs;
pub mod search;

use std::path::{Path, PathBuf};

use crate::error::CommandResult;

/// The process environment, where a provider's key variable is read.
pub fn env(var: &str) -> Option<String> {
    std::env::var(var).ok()
}

/// Runs blocking work (SQLite, file I/O, chart rendering) off the async runtime.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(f).await?
}

/// Writes the bytes `render` makes for `path` (a chart knows its format by the extension)
/// to `path` on a blocking thread; returns the path.
pub async fn write_file(
    path: PathBuf,
    render: impl FnOnce(&Path) -> tunebench_core::Result<Vec<u8>> + Send + 'static,
) -> CommandResult<String> {
    blocking(move || {
        let bytes = render(&path)?;
        std::fs::write(&path, bytes).map_err(|e| tunebench_core::Error::io(&path, e))?;
        Ok(path.display().to_string())
    })
    .await
}

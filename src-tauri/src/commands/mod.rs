//! Tauri commands: adapters of a few lines that unpack state, call one core function on a
//! blocking thread, and map the error. One file per area.

pub mod app;
pub mod arms;
pub mod crossover;
pub mod datasets;
pub mod decision;
pub mod prices;
pub mod providers;
pub mod runs;

use crate::error::CommandResult;

/// Runs blocking work (SQLite, file I/O, chart rendering) off the async runtime.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(f).await?
}

//! The native file dialogs, opened from Rust: a path chosen here (or dropped on the window)
//! is the only kind of path the other commands accept.

use std::path::PathBuf;

use tauri_plugin_dialog::{DialogExt, FileDialogBuilder};

use super::blocking;
use crate::error::CommandResult;
use crate::state::{AppState, FileDialog};

/// One filter of a file dialog: its name and the extensions it shows.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
pub struct FileFilter {
    pub name: String,
    pub extensions: Vec<String>,
}

/// Asks for a file to open; `None` when the person cancels.
#[tauri::command]
#[specta::specta]
pub async fn choose_file(
    state: tauri::State<'_, AppState>,
    filters: Vec<FileFilter>,
) -> CommandResult<Option<String>> {
    let ask = state.dialogs();
    let picked = blocking(move || Ok(ask(FileDialog::Open { filters }))).await?;
    Ok(state.grant_one(picked))
}

/// Asks where to save a file, suggesting `file_name`; `None` when the person cancels.
#[tauri::command]
#[specta::specta]
pub async fn choose_save_path(
    state: tauri::State<'_, AppState>,
    file_name: String,
    filters: Vec<FileFilter>,
) -> CommandResult<Option<String>> {
    let ask = state.dialogs();
    let request = FileDialog::Save { file_name, filters };
    let picked = blocking(move || Ok(answered_by_test(&request).or_else(|| ask(request)))).await?;
    Ok(state.grant_one(picked))
}

/// Shows `request` as a native dialog of the app and waits for the answer (call it off the
/// main thread).
pub fn show<R: tauri::Runtime>(app: &tauri::AppHandle<R>, request: FileDialog) -> Option<PathBuf> {
    let with_filters = |dialog: FileDialogBuilder<R>, filters: &[FileFilter]| {
        filters.iter().fold(dialog, |d, f| {
            let extensions: Vec<&str> = f.extensions.iter().map(String::as_str).collect();
            d.add_filter(&f.name, &extensions)
        })
    };
    let picked = match request {
        FileDialog::Open { filters } => {
            with_filters(app.dialog().file(), &filters).blocking_pick_file()
        }
        FileDialog::Save { file_name, filters } => with_filters(app.dialog().file(), &filters)
            .set_file_name(file_name)
            .blocking_save_file(),
    };
    picked.and_then(|p| p.as_path().map(PathBuf::from))
}

/// In a debug build started by the window tests, the save dialog answers its suggested file
/// name in the directory `TUNEBENCH_E2E_SAVE_DIR` (WebDriver cannot drive a native dialog).
/// A release build never reads it.
fn answered_by_test(request: &FileDialog) -> Option<PathBuf> {
    let FileDialog::Save { file_name, .. } = request else {
        return None;
    };
    if !cfg!(debug_assertions) {
        return None;
    }
    let dir = std::env::var_os("TUNEBENCH_E2E_SAVE_DIR")?;
    let name = std::path::Path::new(file_name).file_name()?;
    Some(PathBuf::from(dir).join(name))
}

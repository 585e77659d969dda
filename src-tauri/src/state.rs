//! What every command can reach: where the store lives, one HTTP client, the cancel
//! handles of the import and the run under way, and the files the person handed the app.
//! Each command opens its own connection on a blocking thread (WAL lets readers and one
//! writer work side by side).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tokio_util::sync::CancellationToken;
use tunebench_core::store::{self, Connection};
use tunebench_core::Error;

use crate::commands::blocking;
use crate::commands::files::FileFilter;
use crate::error::{CommandError, CommandResult};
use crate::finetune_poller::Watchers;

/// A file dialog to show: a file to open, or where to save one (`file_name` suggested).
pub enum FileDialog {
    Open {
        filters: Vec<FileFilter>,
    },
    Save {
        file_name: String,
        filters: Vec<FileFilter>,
    },
}

/// Shows a file dialog and waits for the person's answer (`None`: cancelled).
pub type Dialogs = Arc<dyn Fn(FileDialog) -> Option<PathBuf> + Send + Sync>;

/// Puts an image (8-bit RGBA pixels, width, height) on the system clipboard.
pub type Clipboard = Arc<dyn Fn(Vec<u8>, u32, u32) -> CommandResult<()> + Send + Sync>;

pub struct AppState {
    pub db_path: PathBuf,
    /// Built on first use (loading the system's root certificates takes a moment).
    client: OnceLock<reqwest::Client>,
    /// Set while an import runs; `cancel_import` raises the flag.
    import_cancel: Mutex<Option<Arc<AtomicBool>>>,
    /// Set while a run executes; `cancel_run` cancels it.
    run_cancel: Mutex<Option<CancellationToken>>,
    /// The paths a native dialog or a drop on the window gave since the app started: the
    /// only paths a command reads or writes.
    granted: Mutex<HashSet<PathBuf>>,
    /// The native dialogs (none until the app sets them: an answer is then "cancelled").
    dialogs: Dialogs,
    /// The system clipboard (none until the app sets it: copying is then refused).
    clipboard: Clipboard,
    /// The Fine-tune screens listening for job changes, and the background poller's bell.
    pub watchers: Watchers,
}

impl AppState {
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            db_path,
            client: OnceLock::new(),
            import_cancel: Mutex::new(None),
            run_cancel: Mutex::new(None),
            granted: Mutex::new(HashSet::new()),
            dialogs: Arc::new(|_| None),
            clipboard: Arc::new(|_, _, _| {
                Err(CommandError::invalid(
                    "this window has no clipboard to copy to",
                ))
            }),
            watchers: Watchers::default(),
        }
    }

    /// The state with `clipboard` taking copied images.
    pub fn with_clipboard(self, clipboard: Clipboard) -> Self {
        Self { clipboard, ..self }
    }

    /// What puts an image on the clipboard.
    pub fn clipboard(&self) -> Clipboard {
        self.clipboard.clone()
    }

    /// The state with `dialogs` showing the file dialogs.
    pub fn with_dialogs(self, dialogs: Dialogs) -> Self {
        Self { dialogs, ..self }
    }

    /// What shows the file dialogs.
    pub fn dialogs(&self) -> Dialogs {
        self.dialogs.clone()
    }

    /// Runs `work` on a blocking thread with a fresh connection to the store.
    pub async fn with_store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection, &Path) -> tunebench_core::Result<T> + Send + 'static,
    ) -> CommandResult<T> {
        let db = self.db_path.clone();
        blocking(move || Ok(work(&store::open(&db)?, &db)?)).await
    }

    /// The app's one HTTP client for provider calls.
    pub fn client(&self) -> CommandResult<reqwest::Client> {
        if let Some(c) = self.client.get() {
            return Ok(c.clone());
        }
        let built = tunebench_core::provider::http_client()?;
        Ok(self.client.get_or_init(|| built).clone())
    }

    /// Remembers paths the person gave through a native dialog or a drop on the window.
    pub fn grant(&self, paths: impl IntoIterator<Item = PathBuf>) {
        if let Ok(mut granted) = self.granted.lock() {
            granted.extend(paths);
        }
    }

    /// Remembers the paths of a drop on the window.
    pub fn on_drag_drop(&self, event: &tauri::DragDropEvent) {
        if let tauri::DragDropEvent::Drop { paths, .. } = event {
            self.grant(paths.iter().cloned());
        }
    }

    /// Remembers `path` (when there is one) and returns it as text for the UI.
    pub fn grant_one(&self, path: Option<PathBuf>) -> Option<String> {
        let path = path?;
        self.grant([path.clone()]);
        Some(path.display().to_string())
    }

    /// `path`, if the person gave it through a dialog or a drop; refused otherwise.
    pub fn granted(&self, path: &str) -> CommandResult<PathBuf> {
        let path = PathBuf::from(path);
        let granted = self.granted.lock().map_err(CommandError::poisoned)?;
        if granted.contains(&path) {
            Ok(path)
        } else {
            Err(Error::Invalid(format!(
                "{}: choose the file in a dialog or drop it on the window first",
                path.display()
            ))
            .into())
        }
    }

    /// Claims the single import slot, returning its fresh cancel flag.
    pub fn begin_import(&self) -> CommandResult<Arc<AtomicBool>> {
        let mut slot = self.import_cancel.lock().map_err(CommandError::poisoned)?;
        if slot.is_some() {
            return Err(Error::InUse(
                "an import is already running; wait for it or cancel it first".into(),
            )
            .into());
        }
        let flag = Arc::new(AtomicBool::new(false));
        *slot = Some(flag.clone());
        Ok(flag)
    }

    /// Claims the single run slot, returning its cancellation token.
    pub fn begin_run(&self) -> CommandResult<CancellationToken> {
        let mut slot = self.run_cancel.lock().map_err(CommandError::poisoned)?;
        if slot.is_some() {
            return Err(Error::InUse(
                "a run is already going; wait for it or cancel it first".into(),
            )
            .into());
        }
        let token = CancellationToken::new();
        *slot = Some(token.clone());
        Ok(token)
    }

    /// Runs `work` in the single run slot (refused while another run holds it) with the
    /// app's HTTP client and the slot's cancellation token; the slot is freed at the end.
    pub async fn in_run_slot<T, F>(
        &self,
        work: impl FnOnce(reqwest::Client, CancellationToken) -> F,
    ) -> CommandResult<T>
    where
        F: std::future::Future<Output = tunebench_core::Result<T>>,
    {
        let cancel = self.begin_run()?;
        let outcome = match self.client() {
            Ok(client) => work(client, cancel).await.map_err(Into::into),
            Err(e) => Err(e),
        };
        self.end_run();
        outcome
    }

    pub fn end_run(&self) {
        if let Ok(mut slot) = self.run_cancel.lock() {
            *slot = None;
        }
    }

    pub fn end_import(&self) {
        if let Ok(mut slot) = self.import_cancel.lock() {
            *slot = None;
        }
    }

    /// Cancels the run under way; false when there is none.
    pub fn cancel_run(&self) -> bool {
        let token = self.run_cancel.lock().ok().and_then(|s| s.clone());
        token.map(|t| t.cancel()).is_some()
    }

    /// Cancels the import under way; false when there is none.
    pub fn cancel_import(&self) -> bool {
        let flag = self.import_cancel.lock().ok().and_then(|s| s.clone());
        flag.map(|f| f.store(true, Ordering::Relaxed)).is_some()
    }
}

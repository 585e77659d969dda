//! What every command can reach: where the store lives, and the cancel flag of the import
//! under way. Each command opens its own connection on a blocking thread (WAL lets readers
//! and one writer work side by side).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use crate::commands::runs::RunCancel;
use crate::error::{CommandError, CommandResult};

pub struct AppState {
    pub db_path: PathBuf,
    /// Set while an import runs; `cancel_import` raises the flag.
    pub import_cancel: Mutex<Option<Arc<AtomicBool>>>,
    /// Set while a run executes; `cancel_run` cancels it.
    pub run_cancel: Mutex<Option<RunCancel>>,
}

impl AppState {
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            db_path,
            import_cancel: Mutex::new(None),
            run_cancel: Mutex::new(None),
        }
    }

    /// Claims the single import slot, returning its fresh cancel flag.
    pub fn begin_import(&self) -> CommandResult<Arc<AtomicBool>> {
        let mut slot = self.import_cancel.lock().map_err(CommandError::poisoned)?;
        if slot.is_some() {
            return Err(CommandError::invalid(
                "an import is already running; wait for it or cancel it first",
            ));
        }
        let flag = Arc::new(AtomicBool::new(false));
        *slot = Some(flag.clone());
        Ok(flag)
    }

    /// Claims the single run slot, returning its cancellation token.
    pub fn begin_run(&self) -> CommandResult<RunCancel> {
        let mut slot = self.run_cancel.lock().map_err(CommandError::poisoned)?;
        if slot.is_some() {
            return Err(CommandError::invalid(
                "a run is already going; wait for it or cancel it first",
            ));
        }
        let token = RunCancel::new();
        *slot = Some(token.clone());
        Ok(token)
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
}

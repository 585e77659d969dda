//! Whether a run's process is alive: the process executing a run holds an OS file lock on
//! `<database>.run-<id>.lock`, which the OS releases when the process dies (even by
//! SIGKILL). A run whose status says running but whose lock is free was interrupted.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::{RunRecord, RunStatus};
use crate::{Error, Result};

/// The lock file of `run_id` next to the database at `db_path`.
pub fn lock_path(db_path: &Path, run_id: i32) -> PathBuf {
    let mut name = db_path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".run-{run_id}.lock"));
    db_path.with_file_name(name)
}

/// Held while a process executes a run; dropping it releases the lock and removes the file.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
        let _ = std::fs::remove_file(&self.path);
    }
}

fn open(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

/// Takes the run's lock, or fails if another live process holds it.
pub fn acquire(db_path: &Path, run_id: i32) -> Result<RunLock> {
    let path = lock_path(db_path, run_id);
    let file = open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(RunLock { file, path }),
        Err(TryLockError::WouldBlock) => Err(Error::InUse(format!(
            "run {run_id} is being executed by another live process; wait for it or cancel it"
        ))),
        Err(TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// Whether some live process holds the run's lock.
pub fn is_live(db_path: &Path, run_id: i32) -> bool {
    let path = lock_path(db_path, run_id);
    if !path.exists() {
        return false;
    }
    match open(&path) {
        Ok(f) => match f.try_lock() {
            Ok(()) => {
                let _ = f.unlock();
                false
            }
            Err(TryLockError::WouldBlock) => true,
            Err(TryLockError::Error(_)) => false,
        },
        Err(_) => false,
    }
}

/// The status to show: `running` with no live process becomes `interrupted`.
pub fn effective_status(db_path: &Path, run: &RunRecord) -> RunStatus {
    match run.status {
        RunStatus::Running | RunStatus::Pending if !is_live(db_path, run.id) => {
            if run.status == RunStatus::Running {
                RunStatus::Interrupted
            } else {
                RunStatus::Pending
            }
        }
        s => s,
    }
}

//! The shell's one error type: what a command returns to the UI, `{ code, message }`,
//! with `code` a closed enum shared with TypeScript through the generated bindings.

use serde::Serialize;
use tunebench_core::ErrorCode;

#[derive(Debug, Clone, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<tunebench_core::Error> for CommandError {
    fn from(err: tunebench_core::Error) -> Self {
        Self {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

impl From<tauri::Error> for CommandError {
    fn from(err: tauri::Error) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: err.to_string(),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

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

impl CommandError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::InvalidInput,
            message: message.into(),
        }
    }

    pub fn poisoned<T>(_: std::sync::PoisonError<T>) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: "an earlier command failed while holding shared state; restart Tunebench"
                .into(),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

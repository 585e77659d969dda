//! The shell's one error type: what a command returns to the UI, `{ code, message }`,
//! with `code` a closed enum shared with TypeScript through the generated bindings.

use serde::Serialize;
use tunebench_core::{ErrorCode, MissingPrice};

#[derive(Debug, Clone, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
    /// What the UI can act on besides the code, as data it never reads from the message.
    pub detail: ErrorDetail,
}

/// What an error carries for the UI to act on.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorDetail {
    /// Nothing beyond the code and the message.
    None,
    /// With `no_price`: the price wanted (model, provider kind, base or fine-tuned); the
    /// UI opens the price form filled with it.
    MissingPrice { price: MissingPrice },
}

impl From<tunebench_core::Error> for CommandError {
    fn from(err: tunebench_core::Error) -> Self {
        Self {
            code: err.code(),
            detail: match err.missing_price() {
                Some(price) => ErrorDetail::MissingPrice {
                    price: price.clone(),
                },
                None => ErrorDetail::None,
            },
            message: err.to_string(),
        }
    }
}

impl From<tauri::Error> for CommandError {
    fn from(err: tauri::Error) -> Self {
        Self::new(ErrorCode::Internal, err.to_string())
    }
}

impl CommandError {
    pub fn new(code: ErrorCode, message: String) -> Self {
        Self {
            code,
            message,
            detail: ErrorDetail::None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message.into())
    }

    pub fn poisoned<T>(_: std::sync::PoisonError<T>) -> Self {
        Self::new(
            ErrorCode::Internal,
            "an earlier command failed while holding shared state; restart Tunebench".into(),
        )
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

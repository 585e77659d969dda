//! What every command can reach: where the store lives. Each command opens its own
//! connection on a blocking thread (WAL lets readers and one writer work side by side).

use std::path::PathBuf;

use tunebench_core::store::{self, Connection};

use crate::error::CommandResult;

pub struct AppState {
    pub db_path: PathBuf,
}

impl AppState {
    pub fn connect(&self) -> CommandResult<Connection> {
        Ok(store::open(&self.db_path)?)
    }
}

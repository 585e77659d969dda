//! Tunebench's whole domain, with no window and no command line: the desktop shell
//! (`src-tauri/`) and the `tunebench` binary (`crates/tunebench-cli`) are thin adapters
//! over these modules.

pub mod arm;
pub mod chart;
pub mod cost;
pub mod dataset;
pub mod decision;
pub mod error;
pub mod experiment;
pub mod finetune;
pub mod money;
pub mod offline;
pub mod price;
pub mod provider;
pub mod remove;
pub mod report;
pub mod retrieval;
pub mod run;
pub mod score;
pub mod search;
pub mod stats;
pub mod store;

pub use error::{Error, ErrorCode, MissingPrice, Result};

//! One module per subcommand; each opens the store, calls the core and prints.

pub mod batch;
pub mod chart;
pub mod datasets;
pub mod export;
pub mod finetune;
pub mod finetune_local;
pub mod history;
pub mod import;
pub mod judge;
pub mod leakage;
pub mod offline;
pub mod prices;
pub mod provider;
pub mod report;
pub mod report_arms;
pub mod report_cost;
pub mod rerun;
pub mod resume;
pub mod run;
pub mod search;
pub mod split;

use std::path::{Path, PathBuf};

use tunebench_core::store::{self, Connection};

/// Opens the store named by `--db`, else `TUNEBENCH_DB`, else the OS data directory.
pub fn open_store(db: Option<&Path>) -> tunebench_core::Result<Connection> {
    let env = std::env::var(store::DB_ENV).ok();
    let path = store::resolve_path(db, env.as_deref())?;
    store::open(&path)
}

/// The database path named by `--db`, else `TUNEBENCH_DB`, else the OS data directory.
pub fn store_path(db: Option<&Path>) -> tunebench_core::Result<PathBuf> {
    let env = std::env::var(store::DB_ENV).ok();
    store::resolve_path(db, env.as_deref())
}

/// Today's date (UTC, YYYY-MM-DD): the CLI reads the clock so the core never has to.
pub fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// Runs `work` to its end on a fresh runtime; Ctrl-C cancels its token, and the work then
/// stops as it does when cancelled (results already received are kept).
pub fn until_ctrl_c<T, F>(
    work: impl FnOnce(tokio_util::sync::CancellationToken) -> F,
) -> anyhow::Result<T>
where
    F: std::future::Future<Output = tunebench_core::Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cancel = tokio_util::sync::CancellationToken::new();
    Ok(runtime.block_on(async {
        let on_signal = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling: waiting for the results already received to be saved");
                on_signal.cancel();
            }
        });
        work(cancel).await
    })?)
}

//! Starting a run as the app and the CLI do: its context built ([`super::launch`]), the
//! warnings about its setup reported once before the first call, then its progress as it
//! executes. One call, so neither face assembles it.

use std::path::Path;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{Plan, Progress, RunOutcome};
use crate::{store, Result};

/// Where a run reports: its progress, and once before the first call the warnings about
/// its setup (a provider that expects an API key and has none).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunEvent {
    Warnings { warnings: Vec<String> },
    Progress { progress: Progress },
}

/// Where a run's events go.
pub type OnEvent<'a> = &'a mut (dyn FnMut(RunEvent) + Send);

/// Sends `warnings` to `on_event` when there are any.
pub fn warn(warnings: &[String], on_event: OnEvent<'_>) {
    if !warnings.is_empty() {
        on_event(RunEvent::Warnings {
            warnings: warnings.to_vec(),
        });
    }
}

/// Adapts `on_event` to the engine's progress callback.
pub fn progress(on_event: OnEvent<'_>) -> impl FnMut(&Progress) + Send + '_ {
    move |p: &Progress| {
        on_event(RunEvent::Progress {
            progress: p.clone(),
        })
    }
}

/// Executes `plan` (new, pending or stopped) in the store at `db_path`: keys from `env`,
/// else the OS keychain; the catalog's prices; its warnings, then its progress, to
/// `on_event`.
pub async fn start(
    db_path: &Path,
    plan: Plan,
    client: reqwest::Client,
    cancel: CancellationToken,
    env: impl Fn(&str) -> Option<String> + Send,
    on_event: OnEvent<'_>,
) -> Result<RunOutcome> {
    let launch = super::launch(&store::open(db_path)?, db_path, &plan, client, cancel, env)?;
    warn(&launch.warnings, on_event);
    super::execute(&launch.ctx, plan, &mut progress(on_event)).await
}

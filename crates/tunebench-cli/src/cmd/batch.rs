//! A batch run from the command line (`run --batch`, `rerun --batch`, `resume` of a batch
//! run): the estimate live and batched, then submit, poll and ingest with progress on
//! stderr until every batch is in (Ctrl-C cancels the provider batches). The poll interval
//! is 30 s, or `TUNEBENCH_BATCH_POLL_SECONDS`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;
use tunebench_core::run::batch::{self, BatchSettings, PollTiming};
use tunebench_core::run::{self, Plan, Progress};
use tunebench_core::store;

use crate::output::Output;

/// The environment variable that sets the seconds between polls.
pub const POLL_ENV: &str = "TUNEBENCH_BATCH_POLL_SECONDS";

pub fn execute(
    db_path: &Path,
    plan: Plan,
    settings: BatchSettings,
    client: std::thread::JoinHandle<tunebench_core::Result<reqwest::Client>>,
    out: &Output,
    verb: &str,
) -> anyhow::Result<()> {
    let run_id = plan.run.id;
    let conn = store::open(db_path)?;
    let prices = Arc::new(run::CatalogPrices::load(&conn)?);
    let estimate = batch::estimate(&plan, prices.as_ref(), &settings)?;
    eprintln!(
        "{verb} {run_id} as a batch run: {}",
        crate::output::printable(&estimate.sentence())
    );
    let (keys, warnings) = run::keys::for_plan(&plan, |v| std::env::var(v).ok());
    for w in warnings {
        eprintln!("warning: {}", crate::output::printable(&w));
    }
    let mut timing = PollTiming::default();
    if let Some(s) = std::env::var(POLL_ENV)
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        anyhow::ensure!(s > 0.0, "{POLL_ENV} must be a positive number of seconds");
        timing.every = Duration::from_secs_f64(s);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cancel = CancellationToken::new();
    let client = client
        .join()
        .map_err(|_| anyhow::anyhow!("building the HTTP client failed"))??;
    let ctx = run::prepare::context(db_path, &plan, client, keys, prices, cancel.clone());
    let mut printer = super::run::ProgressPrinter::new();
    let outcome = runtime.block_on(async {
        let on_signal = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling: cancelling the provider batches");
                on_signal.cancel();
            }
        });
        batch::execute_with(&ctx, plan, timing, &mut |p: &Progress| printer.print(p)).await
    })?;
    let summary = run::summarize(&conn, db_path, run_id)?;
    let arms = batch::progress(&conn, run_id)?;
    let note = batch::latency_note(&conn, run_id)?;
    if out.json {
        let mut v = super::run::summary_json(&summary, &estimate.live, outcome.spend_usd);
        v["batch"] = json!({
            "estimate": estimate,
            "arms": arms,
            "latency_note": note,
        });
        return out.print_json(&v);
    }
    super::run::print_summary(&summary, outcome.spend_usd)?;
    for a in &arms {
        say!(
            "batch, arm {}: {} requests in {} batch(es), {} answered, {} failed, {} in progress ({})",
            a.arm_id,
            a.submitted,
            a.parts,
            a.completed,
            a.failed,
            a.in_progress,
            a.provider_status.as_deref().unwrap_or(a.state.as_str())
        )?;
    }
    if let Some(n) = note {
        say!("{n}")?;
    }
    Ok(())
}

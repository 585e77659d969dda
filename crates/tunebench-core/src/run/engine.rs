//! The run engine: sends every pending (arm, case) call with per-provider bounded
//! concurrency and rate limits, retries transient failures with backoff (honouring
//! `Retry-After`), answers from the response cache when allowed, and hands each result to
//! the single writer as it lands. Stops cleanly on cancellation or when the budget is
//! spent; a run killed outright is resumed by calling [`execute`] again. One call is
//! in `call`; the progress it reports, in `progress`.

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

pub use super::call::cache_key;
use super::call::{call_one, Shared};
use super::estimate::PriceLookup;
use super::plan::Plan;
use super::progress::Tracker;
use super::writer::{Write, Writer};
use super::{liveness, Progress, RunOutcome, RunStatus};
use crate::provider::{ApiKey, Provider};
use crate::{store, Error, Result};

/// Resolves a provider's API key (environment variable or keychain); `None` = no key.
pub type KeyLookup = Arc<dyn Fn(&Provider) -> Option<ApiKey> + Send + Sync>;

/// What the engine needs from outside: the database file, an HTTP client, the keys, the
/// prices, a cancellation token and a seed for retry jitter.
#[derive(Clone)]
pub struct RunContext {
    pub db_path: PathBuf,
    pub client: reqwest::Client,
    pub keys: KeyLookup,
    pub prices: Arc<dyn PriceLookup>,
    pub cancel: CancellationToken,
    pub seed: u64,
}

/// Runs (or resumes) `plan` to the end, cancellation, or budget. Calls `on_progress` at
/// most every 100 ms and once at the end. A batch run goes through its providers' batch
/// APIs ([`super::batch::execute`]).
pub async fn execute(
    ctx: &RunContext,
    plan: Plan,
    on_progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<RunOutcome> {
    let run_id = plan.run.id;
    if store::batch::settings(&store::open(&ctx.db_path)?, run_id)?.is_some() {
        return super::batch::execute(ctx, plan, on_progress).await;
    }
    if plan.run.status == RunStatus::Completed {
        return Ok(RunOutcome {
            run_id,
            status: RunStatus::Completed,
            written: 0,
            spend_usd: 0.0,
        });
    }
    let _lock = liveness::acquire(&ctx.db_path, run_id)?;
    // Local models are served for the length of the run (stopped when this is dropped).
    let mut plan = plan;
    let _servers = super::local::serve(&mut plan, &ctx.client).await?;
    let reader = store::open(&ctx.db_path)?;
    store::run::set_status(&reader, run_id, RunStatus::Running)?;
    let writer = Writer::start(ctx.db_path.clone())?;

    let pending = plan.pending();
    let mut tracker = Tracker::resume(&plan, pending.len());
    tracker.send(on_progress);
    let shared = Arc::new(Shared::new(ctx, &plan, reader, writer.tx.clone())?);
    let in_flight: usize = shared
        .lanes
        .iter()
        .map(|l| l.semaphore.available_permits())
        .sum::<usize>()
        .max(1);
    let budget = plan.options.budget_usd;
    // A run resumed under a ceiling it already reached sends nothing.
    let exhausted = budget.is_some_and(|b| tracker.progress.spend_usd >= b);
    let (pending, status) = if exhausted {
        (Vec::new(), RunStatus::BudgetStopped)
    } else {
        (pending, RunStatus::Completed)
    };
    let session = Session {
        ctx,
        shared: &shared,
        writes: &writer.tx,
        budget,
        in_flight,
    };
    let (status, write_failed) = session
        .send_all(pending, status, &mut tracker, on_progress)
        .await;
    drop(shared);
    let stopped = if write_failed {
        Err(Error::Internal(format!(
            "run {run_id}: the result writer stopped early"
        )))
    } else {
        Ok(status)
    };
    close(ctx, run_id, stopped, writer, tracker, on_progress).await
}

/// Ends a session of run `run_id` that stopped with `stopped` (every sender of `writer`
/// dropped): waits for the writer's last commit, sets the run's status (failed when the
/// writer or the session failed) and reports the final progress.
pub(super) async fn close(
    ctx: &RunContext,
    run_id: i32,
    stopped: Result<RunStatus>,
    writer: Writer,
    mut tracker: Tracker,
    on_progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<RunOutcome> {
    let written = writer.finish().await;
    let conn = store::open(&ctx.db_path)?;
    let (status, written) = match (written, stopped) {
        (Ok(n), Ok(s)) => (s, n),
        (Err(e), _) | (_, Err(e)) => {
            store::run::set_status(&conn, run_id, RunStatus::Failed)?;
            return Err(e);
        }
    };
    store::run::set_status(&conn, run_id, status)?;
    tracker.report(on_progress);
    Ok(RunOutcome {
        run_id,
        status,
        written,
        spend_usd: tracker.progress.spend_usd,
    })
}

/// This session's sending: at most `in_flight` calls at once, each result handed to the
/// writer as it lands.
struct Session<'a> {
    ctx: &'a RunContext,
    shared: &'a Arc<Shared>,
    writes: &'a tokio::sync::mpsc::UnboundedSender<Write>,
    budget: Option<f64>,
    in_flight: usize,
}

impl Session<'_> {
    /// Sends the `pending` (arm, case) calls until all are done (the run then ends with
    /// `status`), the run is cancelled or the budget is spent; returns how the run stopped
    /// and whether the writer failed.
    async fn send_all(
        &self,
        pending: Vec<(usize, usize)>,
        status: RunStatus,
        tracker: &mut Tracker,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> (RunStatus, bool) {
        let mut calls = futures_util::stream::iter(pending.into_iter().enumerate())
            .map(|(job, (a, c))| {
                let sh = Arc::clone(self.shared);
                async move { call_one(&sh, job, a, c).await }
            })
            .buffer_unordered(self.in_flight);

        loop {
            let done = tokio::select! {
                biased;
                _ = self.ctx.cancel.cancelled() => return (RunStatus::Cancelled, false),
                next = calls.next() => match next {
                    Some(d) => d,
                    None => return (status, false),
                },
            };
            let expected = &self.shared.cases[done.case].expected;
            tracker.add(done.arm, &done.record, expected, done.spent);
            if self.writes.send(Write::Result(done.record)).is_err() {
                return (status, true);
            }
            tracker.report_now_and_then(on_progress);
            if self.budget.is_some_and(|b| tracker.progress.spend_usd >= b) {
                return (RunStatus::BudgetStopped, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles only if the run future is `Send`: the desktop shell spawns runs on tokio's
    /// thread pool.
    #[allow(dead_code)]
    fn run_future_is_send(ctx: &RunContext, plan: Plan, sink: &mut (dyn FnMut(&Progress) + Send)) {
        fn assert_send<T: Send>(_: T) {}
        assert_send(execute(ctx, plan, sink));
    }
}

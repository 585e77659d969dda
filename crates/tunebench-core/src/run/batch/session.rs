//! One session of a batch run: submit each arm's pending cases as provider batches (split
//! by the provider's limits; cases the response cache answers are not sent), send the live
//! latency sample, poll every batch until it ends, ingest its results through the run's
//! single writer, and ask errored or expired cases again live when the run says so. The
//! batches' ids and states are written as they change, so a later session (`resume`) polls
//! the same batches instead of submitting them again; cancelling cancels them at the
//! provider.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use super::ingest::Ingest;
use super::{latency_sample, BatchJob, BatchSettings, BatchState};
use crate::arm::Price;
use crate::provider::batch::{self, BatchClient};
use crate::provider::CallError;
use crate::run::call::{call_one, Shared};
use crate::run::engine::close;
use crate::run::plan::Plan;
use crate::run::progress::Tracker;
use crate::run::writer::{Handled, Write, Writer};
use crate::run::{liveness, Progress, ResultRecord, RunContext, RunOutcome, RunStatus};
use crate::{store, Error, Result};

/// How often batches are polled, and how many failed status checks in a row end the
/// session (the run is then interrupted; `resume` polls again).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollTiming {
    pub every: Duration,
    /// The longest wait between polls while status checks keep failing (the wait doubles
    /// per failure).
    pub max: Duration,
    pub max_failures: u32,
}

impl Default for PollTiming {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(30),
            max: Duration::from_secs(600),
            max_failures: 12,
        }
    }
}

/// Runs (or resumes) batch run `plan` with the default poll timing.
pub async fn execute(
    ctx: &RunContext,
    plan: Plan,
    on_progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<RunOutcome> {
    execute_with(ctx, plan, PollTiming::default(), on_progress).await
}

/// Runs (or resumes) batch run `plan` to its end, cancellation, or too many failed status
/// checks in a row.
pub async fn execute_with(
    ctx: &RunContext,
    plan: Plan,
    timing: PollTiming,
    on_progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<RunOutcome> {
    let run_id = plan.run.id;
    if plan.run.status == RunStatus::Completed {
        return Ok(RunOutcome {
            run_id,
            status: RunStatus::Completed,
            written: 0,
            spend_usd: 0.0,
        });
    }
    let _lock = liveness::acquire(&ctx.db_path, run_id)?;
    let reader = store::open(&ctx.db_path)?;
    let settings = store::batch::settings(&reader, run_id)?
        .ok_or_else(|| Error::Invalid(format!("run {run_id} is not a batch run")))?;
    let jobs = store::batch::jobs(&reader, run_id)?;
    store::run::set_status(&reader, run_id, RunStatus::Running)?;
    let writer = Writer::start(ctx.db_path.clone())?;
    let pending = plan.pending();
    let mut tracker = Tracker::resume(&plan, pending.len());
    tracker.send(on_progress);
    let shared = Arc::new(Shared::new(ctx, &plan, reader, writer.tx.clone())?);
    let clients = shared
        .arms
        .iter()
        .map(|a| {
            let lane = &shared.lanes[a.lane];
            BatchClient::new(ctx.client.clone(), &lane.provider, lane.key.clone()).map(Arc::new)
        })
        .collect();
    let prices = plan
        .arms
        .iter()
        .zip(&shared.arms)
        .map(|(p, a)| batch_price(ctx, p, a.price))
        .collect();
    let mut session = Session {
        ctx,
        shared: Arc::clone(&shared),
        tracker,
        jobs,
        settings,
        clients,
        prices,
        case_index: plan
            .cases
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect(),
        timing,
        jobs_started: 0,
        resubmit: vec![Vec::new(); plan.arms.len()],
        recorded: plan
            .existing
            .iter()
            .map(|(r, _)| (r.arm_id, r.example_id))
            .collect(),
        handled: Arc::clone(&writer.handled),
        sent: 0,
    };
    let status = session.run(&plan, pending, on_progress).await;
    let tracker = session.tracker;
    drop(session.shared);
    drop(shared);
    close(ctx, run_id, status, writer, tracker, on_progress).await
}

/// The arm's price for batch traffic: the live price times the catalog's batch multiplier
/// (the live price when the catalog gives none).
fn batch_price(
    ctx: &RunContext,
    p: &crate::run::plan::PlannedArm,
    live: Option<Price>,
) -> Option<Price> {
    let m = ctx
        .prices
        .batch_multiplier(&p.provider, &p.prepared.arm)
        .unwrap_or(1.0);
    live.map(|l| Price {
        input: l.input.map(|v| v * m),
        cached_input: l.cached_input.map(|v| v * m),
        cache_write: l.cache_write.map(|v| v * m),
        output: l.output.map(|v| v * m),
        ..l
    })
}

pub(super) struct Session<'a> {
    pub(super) ctx: &'a RunContext,
    pub(super) shared: Arc<Shared>,
    pub(super) tracker: Tracker,
    pub(super) jobs: Vec<BatchJob>,
    pub(super) settings: BatchSettings,
    pub(super) clients: Vec<Option<Arc<BatchClient>>>,
    pub(super) prices: Vec<Option<Price>>,
    pub(super) case_index: HashMap<i32, usize>,
    pub(super) timing: PollTiming,
    /// Live calls made in this session (numbers their retry jitter).
    pub(super) jobs_started: usize,
    /// Per arm, cases a cancelled batch left unanswered, to submit again.
    pub(super) resubmit: Vec<Vec<usize>>,
    /// (arm id, example id) of every result in the store or handed to the writer: a
    /// batch's results ingested again after a kill are not counted twice.
    pub(super) recorded: HashSet<(i32, i32)>,
    /// How far the writer has got, and the results this session sent it.
    pub(super) handled: Arc<Handled>,
    pub(super) sent: usize,
}

/// The most results of a batch's download queued for the writer: the download waits while
/// more are (a few of the writer's transactions), so memory stays bounded whatever the
/// size of the file.
const MAX_QUEUED: usize = 4096;

impl Session<'_> {
    async fn run(
        &mut self,
        plan: &Plan,
        pending: Vec<(usize, usize)>,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<RunStatus> {
        if self.ctx.cancel.is_cancelled() {
            return self.cancel_all().await;
        }
        let sample = latency_sample(
            plan.cases.len(),
            self.settings.latency_sample,
            self.ctx.seed,
        );
        // Cases a batch of an earlier session already holds are polled, not sent again.
        let held: HashSet<(i32, i32)> = self
            .jobs
            .iter()
            .filter(|j| j.state != BatchState::Ingested)
            .flat_map(|j| j.case_ids.iter().map(move |c| (j.arm_id, *c)))
            .collect();
        let mut live = Vec::new();
        let mut to_batch: Vec<Vec<usize>> = vec![Vec::new(); plan.arms.len()];
        for (a, c) in pending {
            let key = (self.shared.arms[a].prepared.arm.id, plan.cases[c].id);
            if sample.contains(&c) {
                live.push((a, c));
            } else if !held.contains(&key) {
                to_batch[a].push(c);
            }
        }
        for (a, cases) in to_batch.into_iter().enumerate() {
            self.submit_new(a, cases, on_progress).await?;
        }
        // Parts recorded but never accepted (the process stopped while submitting).
        for i in 0..self.jobs.len() {
            if self.jobs[i].state == BatchState::Preparing {
                self.submit(i, on_progress).await?;
            }
        }
        if !self.send_live(live, on_progress).await? {
            return self.cancel_all().await;
        }
        self.poll_until_done(on_progress).await
    }

    /// Reads every result of ended batch `obs` (of arm `a`) into `ingest` as it downloads,
    /// handing each row to the writer as soon as its line is read.
    pub(super) async fn read_results(
        &mut self,
        client: &BatchClient,
        obs: &batch::Observation,
        a: usize,
        ingest: &mut Ingest,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> std::result::Result<(), CallError> {
        for source in client.result_sources(obs) {
            let mut lines = client.open(&source).await?;
            while let Some(items) = lines.next().await? {
                for (c, r) in ingest.add(items, &self.case_index) {
                    self.record_batched(a, c, r, on_progress);
                }
                self.handled.wait_for(self.sent, MAX_QUEUED).await;
            }
        }
        Ok(())
    }

    /// Once job `i`'s results are all read into `ingest`: writes the rows of the cases no
    /// line named, marks the job ingested, then asks live what the run says to.
    pub(super) async fn finish(
        &mut self,
        i: usize,
        ingest: Ingest,
        rejected: Option<&str>,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<()> {
        let a = self.arm_index(self.jobs[i].arm_id);
        let done = ingest.end(&self.jobs[i], &self.case_index, rejected);
        for (c, r) in done.records {
            self.record_batched(a, c, r, on_progress);
        }
        self.jobs[i].state = BatchState::Ingested;
        self.save(i);
        self.resubmit[a].extend(done.cancelled);
        let retry: Vec<(usize, usize)> = done.retry_live.into_iter().map(|c| (a, c)).collect();
        self.send_live(retry, on_progress).await?;
        Ok(())
    }

    /// [`Session::record`] of a batch's row: an answer costs what its usage does.
    fn record_batched(
        &mut self,
        a: usize,
        c: usize,
        r: ResultRecord,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) {
        let spent = if r.error_class.is_none() {
            r.cost.unwrap_or(0.0)
        } else {
            0.0
        };
        self.record(a, c, r, spent, on_progress);
    }

    /// Sends `calls` live (the latency sample, or cases a batch failed); `false` when the
    /// run was cancelled meanwhile.
    pub(super) async fn send_live(
        &mut self,
        calls: Vec<(usize, usize)>,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<bool> {
        let in_flight: usize = self
            .shared
            .lanes
            .iter()
            .map(|l| l.semaphore.available_permits())
            .sum::<usize>()
            .max(1);
        let first = self.jobs_started;
        self.jobs_started += calls.len();
        let shared = Arc::clone(&self.shared);
        let mut stream = futures_util::stream::iter(calls.into_iter().enumerate())
            .map(|(n, (a, c))| {
                let sh = Arc::clone(&shared);
                async move { call_one(&sh, first + n, a, c).await }
            })
            .buffer_unordered(in_flight);
        loop {
            let done = tokio::select! {
                biased;
                _ = self.ctx.cancel.cancelled() => return Ok(false),
                next = stream.next() => match next {
                    Some(d) => d,
                    None => return Ok(true),
                },
            };
            self.record(done.arm, done.case, done.record, done.spent, on_progress);
        }
    }

    /// Hands one result to the writer and counts it.
    pub(super) fn record(
        &mut self,
        a: usize,
        c: usize,
        record: ResultRecord,
        spent: f64,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) {
        if !self.recorded.insert((record.arm_id, record.example_id)) {
            return;
        }
        let expected = &self.shared.cases[c].expected;
        self.tracker.add(a, &record, expected, spent);
        let _ = self.shared.writes.send(Write::Result(record));
        self.sent += 1;
        self.tracker.report_now_and_then(on_progress);
    }

    pub(super) fn save(&self, i: usize) {
        let _ = self
            .shared
            .writes
            .send(Write::Batch(Box::new(self.jobs[i].clone())));
    }

    pub(super) fn arm_index(&self, arm_id: i32) -> usize {
        self.shared
            .arms
            .iter()
            .position(|a| a.prepared.arm.id == arm_id)
            .unwrap_or(0)
    }
}

/// Cancels batch run `plan`'s batches at their providers from a session of its own (the
/// window or the command line after a restart): with its token cancelled, a session
/// submits and sends nothing, cancels every batch still going and ends the run cancelled.
pub async fn cancel(ctx: &RunContext, plan: Plan) -> Result<RunOutcome> {
    ctx.cancel.cancel();
    execute(ctx, plan, &mut |_| {}).await
}

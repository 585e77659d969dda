//! One session of a batch run: submit each arm's pending cases as provider batches (split
//! by the provider's limits; cases the response cache answers are not sent), send the live
//! latency sample, poll every batch until it ends, ingest its results through the run's
//! single writer, and ask errored or expired cases again live when the run says so. The
//! batches' ids and states are written as they change, so a later session (`resume`) polls
//! the same batches instead of submitting them again; cancelling cancels them at the
//! provider.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;

use super::ingest::ingest;
use super::{latency_sample, BatchJob, BatchSettings, BatchState};
use crate::arm::Price;
use crate::provider::batch::{self, BatchClient, Observation};
use crate::provider::ChatRequest;
use crate::run::call::{cache_key, call_one, fill_usage, Shared};
use crate::run::engine::lanes_and_arms;
use crate::run::plan::Plan;
use crate::run::progress::Tracker;
use crate::run::writer::{Write, Writer};
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
    let (lanes, arms) = lanes_and_arms(ctx, &plan);
    let clients = arms
        .iter()
        .map(|a| {
            let lane = &lanes[a.lane];
            BatchClient::new(ctx.client.clone(), &lane.provider, lane.key.clone())
        })
        .collect();
    let prices = plan
        .arms
        .iter()
        .zip(&arms)
        .map(|(p, a)| batch_price(ctx, p, a.price))
        .collect();
    let mut tracker = Tracker::resume(&plan, pending.len());
    tracker.send(on_progress);
    let shared = Arc::new(Shared {
        run_id,
        client: ctx.client.clone(),
        arms,
        lanes,
        cases: plan.cases.clone(),
        reader: Mutex::new(reader),
        use_cache: plan.options.use_cache,
        writes: writer.tx.clone(),
        seed: ctx.seed,
    });
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
    };
    let status = session.run(&plan, pending, on_progress).await;
    let mut tracker = session.tracker;
    drop(session.shared);
    drop(shared);
    let written = writer.finish().await;
    let conn = store::open(&ctx.db_path)?;
    let (status, written) = match (status, written) {
        (Ok(s), Ok(n)) => (s, n),
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

struct Session<'a> {
    ctx: &'a RunContext,
    shared: Arc<Shared>,
    tracker: Tracker,
    jobs: Vec<BatchJob>,
    settings: BatchSettings,
    clients: Vec<Option<BatchClient>>,
    prices: Vec<Option<Price>>,
    case_index: HashMap<i32, usize>,
    timing: PollTiming,
    /// Live calls made in this session (numbers their retry jitter).
    jobs_started: usize,
    /// Per arm, cases a cancelled batch left unanswered, to submit again.
    resubmit: Vec<Vec<usize>>,
    /// (arm id, example id) of every result in the store or handed to the writer: a
    /// batch's results ingested again after a kill are not counted twice.
    recorded: HashSet<(i32, i32)>,
}

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

    /// Splits arm `a`'s `cases` into parts within its provider's limits and submits each;
    /// cases the response cache answers are recorded instead.
    async fn submit_new(
        &mut self,
        a: usize,
        cases: Vec<usize>,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<()> {
        let Some(api) = self.clients[a].as_ref().map(BatchClient::api) else {
            return Ok(());
        };
        let mut lines = Vec::new();
        let mut ids = Vec::new();
        for c in cases {
            let Some((custom_id, body)) = self.request(a, c, on_progress) else {
                continue;
            };
            lines.push(batch::line(api, &custom_id, body));
            ids.push(self.shared.cases[c].id);
        }
        let arm_id = self.shared.arms[a].prepared.arm.id;
        let mut part = self
            .jobs
            .iter()
            .filter(|j| j.arm_id == arm_id)
            .map(|j| j.part + 1)
            .max()
            .unwrap_or(0);
        for range in batch::split(&lines, api.limits()) {
            self.jobs.push(BatchJob {
                run_id: self.shared.run_id,
                arm_id,
                part,
                case_ids: ids[range].to_vec(),
                input_file_id: None,
                provider_batch_id: None,
                state: BatchState::Preparing,
                provider_status: None,
                total: 0,
                succeeded: 0,
                failed: 0,
                error_message: None,
                poll_failures: 0,
            });
            let i = self.jobs.len() - 1;
            self.save(i);
            self.submit(i, on_progress).await?;
            part += 1;
        }
        Ok(())
    }

    /// The custom id and body of arm `a` on case `c`, or `None` when it needs no sending:
    /// the prompt does not render (recorded as an error) or the cache answers it.
    fn request(
        &mut self,
        a: usize,
        c: usize,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Option<(String, serde_json::Value)> {
        let arm = &self.shared.arms[a];
        let case = &self.shared.cases[c];
        let mut record = ResultRecord {
            run_id: self.shared.run_id,
            arm_id: arm.prepared.arm.id,
            example_id: case.id,
            attempts: 0,
            ..ResultRecord::default()
        };
        let messages = match arm.prepared.render(case) {
            Ok(m) => m,
            Err(e) => {
                record.error_class = Some("prompt".into());
                record.error_message = Some(e.to_string());
                self.record(a, c, record, 0.0, on_progress);
                return None;
            }
        };
        let request = ChatRequest {
            model: arm.prepared.arm.model.clone(),
            messages,
            params: arm.prepared.arm.params.generation.clone(),
        };
        let provider = &self.shared.lanes[arm.lane].provider;
        if self.shared.use_cache {
            let key = cache_key(provider, &request);
            let hit = {
                let conn = self.shared.reader.lock().unwrap_or_else(|p| p.into_inner());
                store::response_cache::get(&conn, &key).ok().flatten()
            };
            if let Some(hit) = hit {
                record.output = Some(hit.output);
                fill_usage(&mut record, hit.usage, self.prices[a]);
                record.latency_ms = Some(hit.latency_ms);
                record.ttft_ms = hit.ttft_ms;
                record.finish_reason = hit.finish.map(|f| f.as_str().into());
                record.from_cache = true;
                self.record(a, c, record, 0.0, on_progress);
                return None;
            }
        }
        let body = batch::body(provider, &request);
        Some((batch::custom_id(arm.prepared.arm.id, case.id), body))
    }

    /// Submits job `i` (its cases rendered again, as they were when it was recorded).
    async fn submit(
        &mut self,
        i: usize,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<()> {
        let a = self.arm_index(self.jobs[i].arm_id);
        let Some(client) = self.clients[a].as_ref() else {
            return Ok(());
        };
        let api = client.api();
        let mut lines = Vec::with_capacity(self.jobs[i].case_ids.len());
        for id in &self.jobs[i].case_ids {
            let c = self.case_index[id];
            let arm = &self.shared.arms[a];
            let messages = arm.prepared.render(&self.shared.cases[c])?;
            let request = ChatRequest {
                model: arm.prepared.arm.model.clone(),
                messages,
                params: arm.prepared.arm.params.generation.clone(),
            };
            let body = batch::body(&self.shared.lanes[arm.lane].provider, &request);
            lines.push(batch::line(
                api,
                &batch::custom_id(arm.prepared.arm.id, *id),
                body,
            ));
        }
        let name = format!(
            "tunebench-run-{}-arm-{}-part-{}.jsonl",
            self.jobs[i].run_id, self.jobs[i].arm_id, self.jobs[i].part
        );
        match client.submit(&lines, &name).await {
            Ok(s) => {
                let job = &mut self.jobs[i];
                job.input_file_id = s.input_file_id;
                job.provider_batch_id = Some(s.batch_id);
                observe(job, &s.observation);
                job.state = s.observation.state.unwrap_or(BatchState::Validating);
                self.save(i);
            }
            Err(e) => {
                // A refused file or submission: the part ends here, its cases are asked
                // live or kept as errors.
                let job = &mut self.jobs[i];
                job.state = BatchState::Failed;
                job.error_message = Some(e.message.clone());
                self.save(i);
                self.finish(i, Vec::new(), Some(&e.message), on_progress)
                    .await?;
            }
        }
        Ok(())
    }

    /// Polls every batch until each is ingested; `Interrupted` after too many failed
    /// status checks in a row, `Cancelled` when the run is cancelled.
    async fn poll_until_done(
        &mut self,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<RunStatus> {
        loop {
            for i in 0..self.jobs.len() {
                if self.ctx.cancel.is_cancelled() {
                    return self.cancel_all().await;
                }
                self.look(i, on_progress).await?;
            }
            for a in 0..self.resubmit.len() {
                let cases = std::mem::take(&mut self.resubmit[a]);
                if !cases.is_empty() {
                    self.submit_new(a, cases, on_progress).await?;
                }
            }
            self.tracker.report(on_progress);
            let open: Vec<&BatchJob> = self
                .jobs
                .iter()
                .filter(|j| j.state != BatchState::Ingested)
                .collect();
            if open.is_empty() {
                return Ok(RunStatus::Completed);
            }
            let failures = open.iter().map(|j| j.poll_failures).max().unwrap_or(0);
            if failures >= self.timing.max_failures {
                return Ok(RunStatus::Interrupted);
            }
            let wait = self
                .timing
                .every
                .saturating_mul(1 << failures.min(6))
                .min(self.timing.max.max(self.timing.every));
            tokio::select! {
                _ = self.ctx.cancel.cancelled() => return self.cancel_all().await,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Looks at job `i` once: polls it, and ingests it once it has ended.
    async fn look(
        &mut self,
        i: usize,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<()> {
        let job = &self.jobs[i];
        let (Some(id), false) = (
            job.provider_batch_id.clone(),
            job.state == BatchState::Ingested,
        ) else {
            return Ok(());
        };
        let a = self.arm_index(job.arm_id);
        let Some(client) = self.clients[a].as_ref() else {
            return Ok(());
        };
        let obs = match client.poll(&id).await {
            Ok(o) => o,
            Err(e) => return Ok(self.poll_failed(i, &e.message)),
        };
        observe(&mut self.jobs[i], &obs);
        if let Some(s) = obs.state {
            self.jobs[i].state = s;
        }
        if !self.jobs[i].state.has_ended() {
            self.jobs[i].poll_failures = 0;
            self.save(i);
            return Ok(());
        }
        let results = match client.results(&obs).await {
            Ok(r) => r,
            Err(e) => {
                return Ok(self.poll_failed(i, &format!("downloading results: {}", e.message)))
            }
        };
        self.jobs[i].poll_failures = 0;
        self.save(i);
        let rejected = (self.jobs[i].state == BatchState::Failed).then(|| {
            obs.error
                .clone()
                .unwrap_or_else(|| "the provider marked it failed".into())
        });
        self.finish(i, results, rejected.as_deref(), on_progress)
            .await
    }

    fn poll_failed(&mut self, i: usize, why: &str) {
        let job = &mut self.jobs[i];
        job.poll_failures += 1;
        job.error_message = Some(format!("status check failed: {why}"));
        self.save(i);
    }

    /// Writes job `i`'s results, marks it ingested, then asks live what the run says to.
    async fn finish(
        &mut self,
        i: usize,
        results: Vec<batch::ItemResult>,
        rejected: Option<&str>,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<()> {
        let a = self.arm_index(self.jobs[i].arm_id);
        let done = ingest(
            &self.jobs[i],
            results,
            &self.case_index,
            self.prices[a],
            self.settings.on_failure,
            rejected,
        );
        for (c, r) in done.records {
            let spent = if r.error_class.is_none() {
                r.cost.unwrap_or(0.0)
            } else {
                0.0
            };
            self.record(a, c, r, spent, on_progress);
        }
        self.jobs[i].state = BatchState::Ingested;
        self.save(i);
        self.resubmit[a].extend(done.cancelled);
        let retry: Vec<(usize, usize)> = done.retry_live.into_iter().map(|c| (a, c)).collect();
        self.send_live(retry, on_progress).await?;
        Ok(())
    }

    /// Sends `calls` live (the latency sample, or cases a batch failed); `false` when the
    /// run was cancelled meanwhile.
    async fn send_live(
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
    fn record(
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
        self.tracker.report_now_and_then(on_progress);
    }

    fn save(&self, i: usize) {
        let _ = self
            .shared
            .writes
            .send(Write::Batch(Box::new(self.jobs[i].clone())));
    }

    fn arm_index(&self, arm_id: i32) -> usize {
        self.shared
            .arms
            .iter()
            .position(|a| a.prepared.arm.id == arm_id)
            .unwrap_or(0)
    }

    /// Cancels every batch still going at its provider; the run ends cancelled (a resume
    /// ingests what the batches answered before they stopped, and asks the rest again).
    async fn cancel_all(&mut self) -> Result<RunStatus> {
        for i in 0..self.jobs.len() {
            let job = &self.jobs[i];
            if job.state.has_ended() || job.state == BatchState::Ingested {
                continue;
            }
            let Some(id) = job.provider_batch_id.clone() else {
                continue;
            };
            let a = self.arm_index(job.arm_id);
            let Some(client) = self.clients[a].as_ref() else {
                continue;
            };
            match client.cancel(&id).await {
                Ok(obs) => {
                    observe(&mut self.jobs[i], &obs);
                    self.jobs[i].state = obs.state.unwrap_or(BatchState::Cancelling);
                }
                Err(e) => {
                    self.jobs[i].error_message = Some(format!("cancelling failed: {}", e.message));
                }
            }
            self.save(i);
        }
        Ok(RunStatus::Cancelled)
    }
}

/// Copies what a look at the batch said into `job` (not its state).
fn observe(job: &mut BatchJob, obs: &Observation) {
    job.provider_status = Some(obs.provider_status.clone());
    job.total = obs.total;
    job.succeeded = obs.succeeded;
    job.failed = obs.failed;
    if let Some(e) = &obs.error {
        job.error_message = Some(e.clone());
    }
}

/// Cancels batch run `plan`'s batches at their providers from a session of its own (the
/// window or the command line after a restart): with its token cancelled, a session
/// submits and sends nothing, cancels every batch still going and ends the run cancelled.
pub async fn cancel(ctx: &RunContext, plan: Plan) -> Result<RunOutcome> {
    ctx.cancel.cancel();
    execute(ctx, plan, &mut |_| {}).await
}

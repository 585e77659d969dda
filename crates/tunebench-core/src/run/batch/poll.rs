//! Following a batch run's parts at their providers: poll each until it ends, download and
//! ingest its results, back off while status checks fail, and cancel them all when the run
//! is cancelled.

use super::ingest::Ingest;
use super::session::Session;
use super::{BatchJob, BatchState};
use crate::provider::batch::Observation;
use crate::run::{Progress, RunStatus};
use crate::Result;

impl Session<'_> {
    /// Polls every batch until each is ingested; `Interrupted` after too many failed
    /// status checks in a row, `Cancelled` when the run is cancelled.
    pub(super) async fn poll_until_done(
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
    pub(super) async fn look(
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
        let Some(client) = self.clients[a].clone() else {
            return Ok(());
        };
        let obs = match client.poll(&id).await {
            Ok(o) => o,
            Err(e) => {
                self.poll_failed(i, &e.message);
                return Ok(());
            }
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
        let mut ingest = Ingest::new(&self.jobs[i], self.prices[a], self.settings.on_failure);
        if let Err(e) = self
            .read_results(&client, &obs, a, &mut ingest, on_progress)
            .await
        {
            // The rows already handed over stay; the next look reads the results again and
            // skips them.
            self.poll_failed(i, &format!("downloading results: {}", e.message));
            return Ok(());
        }
        self.jobs[i].poll_failures = 0;
        let rejected = (self.jobs[i].state == BatchState::Failed).then(|| {
            obs.error
                .clone()
                .unwrap_or_else(|| "the provider marked it failed".into())
        });
        self.finish(i, ingest, rejected.as_deref(), on_progress)
            .await
    }

    pub(super) fn poll_failed(&mut self, i: usize, why: &str) {
        let job = &mut self.jobs[i];
        job.poll_failures += 1;
        job.error_message = Some(format!("status check failed: {why}"));
        self.save(i);
    }

    /// Cancels every batch still going at its provider; the run ends cancelled (a resume
    /// ingests what the batches answered before they stopped, and asks the rest again).
    pub(super) async fn cancel_all(&mut self) -> Result<RunStatus> {
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
pub(super) fn observe(job: &mut BatchJob, obs: &Observation) {
    job.provider_status = Some(obs.provider_status.clone());
    job.total = obs.total;
    job.succeeded = obs.succeeded;
    job.failed = obs.failed;
    if let Some(e) = &obs.error {
        job.error_message = Some(e.clone());
    }
}

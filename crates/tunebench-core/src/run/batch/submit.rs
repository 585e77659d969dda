//! Submitting a batch run's parts: each arm's cases rendered as its live calls are, split
//! within the provider's limits, recorded before they are sent (so a later session finds
//! them), and sent; the response cache answers what it can without sending.

use super::ingest::Ingest;
use super::poll::observe;
use super::session::Session;
use super::{BatchJob, BatchState};
use crate::provider::batch::{self, BatchClient};
use crate::provider::ChatRequest;
use crate::run::call::{cache_key, fill_usage};
use crate::run::{Progress, ResultRecord};
use crate::{store, Result};

impl Session<'_> {
    /// Splits arm `a`'s `cases` into parts within its provider's limits and submits each;
    /// cases the response cache answers are recorded instead.
    pub(super) async fn submit_new(
        &mut self,
        a: usize,
        cases: Vec<usize>,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<()> {
        let Some(api) = self.clients[a].as_deref().map(BatchClient::api) else {
            return Ok(());
        };
        // Only each line's size is kept to split the parts: a part's lines are rendered
        // again into the one buffer that submits it.
        let mut sizes = Vec::new();
        let mut ids = Vec::new();
        for c in cases {
            let Some((custom_id, body)) = self.request(a, c, on_progress) else {
                continue;
            };
            sizes.push(batch::line(api, &custom_id, body).len());
            ids.push(self.shared.cases[c].id);
        }
        let arm_id = self.shared.arms[a].prepared.arm.id;
        let first = self
            .jobs
            .iter()
            .filter(|j| j.arm_id == arm_id)
            .map(|j| j.part + 1)
            .max()
            .unwrap_or(0);
        for (part, range) in (first..).zip(batch::split(&sizes, api.limits())) {
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
        }
        Ok(())
    }

    /// The custom id and body of arm `a` on case `c`, or `None` when it needs no sending:
    /// the prompt does not render (recorded as an error) or the cache answers it.
    pub(super) fn request(
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
    pub(super) async fn submit(
        &mut self,
        i: usize,
        on_progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<()> {
        let a = self.arm_index(self.jobs[i].arm_id);
        let Some(client) = self.clients[a].as_ref() else {
            return Ok(());
        };
        let api = client.api();
        let name = format!(
            "tunebench-run-{}-arm-{}-part-{}.jsonl",
            self.jobs[i].run_id, self.jobs[i].arm_id, self.jobs[i].part
        );
        let mut file = client.file(&name);
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
            file.push(&batch::line(
                api,
                &batch::custom_id(arm.prepared.arm.id, *id),
                body,
            ));
        }
        match client.submit(file).await {
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
                let a = self.arm_index(self.jobs[i].arm_id);
                let nothing = Ingest::new(&self.jobs[i], self.prices[a], self.settings.on_failure);
                self.finish(i, nothing, Some(&e.message), on_progress)
                    .await?;
            }
        }
        Ok(())
    }
}

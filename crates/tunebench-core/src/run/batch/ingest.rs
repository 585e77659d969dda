//! A provider batch's results as result rows: answers priced at the batch price, refusals
//! kept as they are, errored and expired cases asked again live or kept as errors (by the
//! run's setting), cancelled cases left without a result so that a resume asks them again.
//! Only lines that name one of the part's own cases count, each once.

use std::collections::{HashMap, HashSet};

use super::{BatchJob, OnFailure};
use crate::arm::Price;
use crate::provider::batch::{parse_custom_id, ItemResult, Outcome};
use crate::provider::{CallError, ErrorClass};
use crate::run::call::fill_usage;
use crate::run::ResultRecord;

/// What a part's results leave once all are read.
#[derive(Debug, Default)]
pub(super) struct Ingested {
    /// (case index, its result) of the cases no line named.
    pub records: Vec<(usize, ResultRecord)>,
    /// Case indices to ask again live.
    pub retry_live: Vec<usize>,
    /// Case indices the batch did not answer because it was cancelled (no result: a
    /// resume asks them again).
    pub cancelled: Vec<usize>,
}

/// A part's results as they download: each line that names one of the part's own cases
/// counts once; [`Ingest::end`] then accounts for the cases no line named.
pub(super) struct Ingest {
    run_id: i32,
    arm_id: i32,
    price: Option<Price>,
    on_failure: OnFailure,
    own: HashSet<i32>,
    seen: HashSet<i32>,
    retry_live: Vec<usize>,
    cancelled: Vec<usize>,
}

impl Ingest {
    pub fn new(job: &BatchJob, price: Option<Price>, on_failure: OnFailure) -> Self {
        Self {
            run_id: job.run_id,
            arm_id: job.arm_id,
            price,
            on_failure,
            own: job.case_ids.iter().copied().collect(),
            seen: HashSet::new(),
            retry_live: Vec::new(),
            cancelled: Vec::new(),
        }
    }

    fn record(&self, example_id: i32) -> ResultRecord {
        ResultRecord {
            run_id: self.run_id,
            arm_id: self.arm_id,
            example_id,
            attempts: 1,
            ..ResultRecord::default()
        }
    }

    /// The rows of `results` to write now (`cases` maps an example id to its case index);
    /// failures to ask again live and cancelled cases wait for [`Ingest::end`].
    pub fn add(
        &mut self,
        results: Vec<ItemResult>,
        cases: &HashMap<i32, usize>,
    ) -> Vec<(usize, ResultRecord)> {
        let mut rows = Vec::with_capacity(results.len());
        for item in results {
            let Some((arm_id, example_id)) = parse_custom_id(&item.custom_id) else {
                continue;
            };
            if arm_id != self.arm_id
                || !self.own.contains(&example_id)
                || !self.seen.insert(example_id)
            {
                continue;
            }
            let Some(&ci) = cases.get(&example_id) else {
                continue;
            };
            match item.outcome {
                Outcome::Answered(resp) => {
                    let mut r = self.record(example_id);
                    fill_usage(&mut r, resp.usage, self.price);
                    r.finish_reason = resp.finish.map(|f| f.as_str().into());
                    r.output = Some(resp.output);
                    rows.push((ci, r));
                }
                Outcome::Failed(e) => self.fail(&mut rows, ci, example_id, e),
                Outcome::Expired => self.fail(&mut rows, ci, example_id, expired()),
                Outcome::Cancelled => self.cancelled.push(ci),
            }
        }
        rows
    }

    /// A failed case: asked again live, or kept as an error row, by the run's setting.
    fn fail(
        &mut self,
        rows: &mut Vec<(usize, ResultRecord)>,
        ci: usize,
        example_id: i32,
        e: CallError,
    ) {
        if self.on_failure == OnFailure::Live && e.class != ErrorClass::Refused {
            self.retry_live.push(ci);
            return;
        }
        let mut r = self.record(example_id);
        r.error_class = Some(e.class.as_str().into());
        r.http_status = e.http_status.map(u32::from);
        r.finish_reason = e.finish_reason.map(|f| f.as_str().into());
        r.error_message = Some(e.message);
        rows.push((ci, r));
    }

    /// Once every result was read: the rows of the cases of `job` no line named (`rejected`
    /// is why the provider refused the whole batch, when it did), and the cases to ask
    /// again live or to submit again.
    pub fn end(
        mut self,
        job: &BatchJob,
        cases: &HashMap<i32, usize>,
        rejected: Option<&str>,
    ) -> Ingested {
        let mut records = Vec::new();
        for &example_id in &job.case_ids {
            if self.seen.contains(&example_id) {
                continue;
            }
            let Some(&ci) = cases.get(&example_id) else {
                continue;
            };
            let e = match rejected {
                Some(why) => CallError::new(
                    ErrorClass::BadRequest,
                    format!("the provider rejected the batch: {why}"),
                ),
                None if job.state == super::BatchState::Cancelled => {
                    self.cancelled.push(ci);
                    continue;
                }
                // The batch ended without a line for this case: it was not processed.
                None => expired(),
            };
            self.fail(&mut records, ci, example_id, e);
        }
        Ingested {
            records,
            retry_live: self.retry_live,
            cancelled: self.cancelled,
        }
    }
}

fn expired() -> CallError {
    CallError::new(
        ErrorClass::Timeout,
        "the batch ended (its 24-hour window passed) before this case was processed",
    )
}

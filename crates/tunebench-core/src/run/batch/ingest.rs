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

/// What a part's results come to.
#[derive(Debug, Default)]
pub(super) struct Ingested {
    /// (case index, its result).
    pub records: Vec<(usize, ResultRecord)>,
    /// Case indices to ask again live.
    pub retry_live: Vec<usize>,
    /// Case indices the batch did not answer because it was cancelled (no result: a
    /// resume asks them again).
    pub cancelled: Vec<usize>,
}

/// Turns `results` of `job` into result rows. `cases` maps an example id to its case index;
/// `rejected` is why the provider refused the whole batch, when it did.
pub(super) fn ingest(
    job: &BatchJob,
    results: Vec<ItemResult>,
    cases: &HashMap<i32, usize>,
    price: Option<Price>,
    on_failure: OnFailure,
    rejected: Option<&str>,
) -> Ingested {
    let own: HashSet<i32> = job.case_ids.iter().copied().collect();
    let mut seen: HashSet<i32> = HashSet::new();
    let mut out = Ingested::default();
    let record = |example_id: i32| ResultRecord {
        run_id: job.run_id,
        arm_id: job.arm_id,
        example_id,
        attempts: 1,
        ..ResultRecord::default()
    };
    let fail = |out: &mut Ingested, example_id: i32, e: CallError| {
        let Some(&ci) = cases.get(&example_id) else {
            return;
        };
        if on_failure == OnFailure::Live && e.class != ErrorClass::Refused {
            out.retry_live.push(ci);
            return;
        }
        let mut r = record(example_id);
        r.error_class = Some(e.class.as_str().into());
        r.http_status = e.http_status.map(u32::from);
        r.finish_reason = e.finish_reason.map(|f| f.as_str().into());
        r.error_message = Some(e.message);
        out.records.push((ci, r));
    };
    for item in results {
        let Some((arm_id, example_id)) = parse_custom_id(&item.custom_id) else {
            continue;
        };
        if arm_id != job.arm_id || !own.contains(&example_id) || !seen.insert(example_id) {
            continue;
        }
        match item.outcome {
            Outcome::Answered(resp) => {
                let Some(&ci) = cases.get(&example_id) else {
                    continue;
                };
                let mut r = record(example_id);
                fill_usage(&mut r, resp.usage, price);
                r.finish_reason = resp.finish.map(|f| f.as_str().into());
                r.output = Some(resp.output);
                out.records.push((ci, r));
            }
            Outcome::Failed(e) => fail(&mut out, example_id, e),
            Outcome::Expired => fail(&mut out, example_id, expired()),
            Outcome::Cancelled => out.cancelled.extend(cases.get(&example_id)),
        }
    }
    for &example_id in &job.case_ids {
        if seen.contains(&example_id) {
            continue;
        }
        let e = match rejected {
            Some(why) => CallError::new(
                ErrorClass::BadRequest,
                format!("the provider rejected the batch: {why}"),
            ),
            None if job.state == super::BatchState::Cancelled => {
                out.cancelled.extend(cases.get(&example_id));
                continue;
            }
            // The batch ended without a line for this case: it was not processed.
            None => expired(),
        };
        fail(&mut out, example_id, e);
    }
    out
}

fn expired() -> CallError {
    CallError::new(
        ErrorClass::Timeout,
        "the batch ended (its 24-hour window passed) before this case was processed",
    )
}

//! SQL for the `batch_run` and `batch_job` tables: which runs go through a batch API, and
//! each of their provider batches with its ids and state.

use rusqlite::{params, Connection, OptionalExtension};

use crate::run::batch::{BatchJob, BatchSettings, BatchState, OnFailure};
use crate::{Error, Result};

// --- writes ---

/// Marks run `run_id` a batch run with `settings`.
pub fn create_run(conn: &Connection, run_id: i32, settings: &BatchSettings) -> Result<()> {
    conn.execute(
        "INSERT INTO batch_run (run_id, on_failure, latency_sample, created_at)
         VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        params![
            run_id,
            settings.on_failure.as_str(),
            settings.latency_sample
        ],
    )?;
    Ok(())
}

/// Inserts or updates `job` (keyed by run, arm and part). A job already ingested is left
/// as it is: its results are in, nothing may move it back.
pub fn save_job(conn: &Connection, job: &BatchJob) -> Result<()> {
    let case_ids = serde_json::to_string(&job.case_ids)
        .map_err(|e| Error::Internal(format!("batch job: cannot write its case ids: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO batch_job (run_id, arm_id, part, case_ids, input_file_id, provider_batch_id,
                                state, provider_status, total, succeeded, failed, error_message,
                                poll_failures, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (run_id, arm_id, part) DO UPDATE SET
                input_file_id = excluded.input_file_id,
                provider_batch_id = excluded.provider_batch_id,
                state = excluded.state, provider_status = excluded.provider_status,
                total = excluded.total, succeeded = excluded.succeeded, failed = excluded.failed,
                error_message = excluded.error_message, poll_failures = excluded.poll_failures,
                updated_at = excluded.updated_at
          WHERE batch_job.state <> 'ingested'",
    )?
    .execute(params![
        job.run_id,
        job.arm_id,
        job.part,
        case_ids,
        job.input_file_id,
        job.provider_batch_id,
        job.state.as_str(),
        job.provider_status,
        job.total,
        job.succeeded,
        job.failed,
        job.error_message,
        job.poll_failures,
    ])?;
    Ok(())
}

// --- reads ---

/// The batch settings of run `run_id`; `None` for a live run.
pub fn settings(conn: &Connection, run_id: i32) -> Result<Option<BatchSettings>> {
    let row = conn
        .query_row(
            "SELECT on_failure, latency_sample FROM batch_run WHERE run_id = ?1",
            [run_id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)),
        )
        .optional()?;
    row.map(|(on_failure, latency_sample)| {
        Ok(BatchSettings {
            on_failure: OnFailure::parse(&on_failure).ok_or_else(|| {
                Error::Invalid(format!(
                    "run {run_id}: unknown batch on_failure {on_failure:?} in the store"
                ))
            })?,
            latency_sample,
        })
    })
    .transpose()
}

/// Every provider batch of run `run_id`, by arm and part.
pub fn jobs(conn: &Connection, run_id: i32) -> Result<Vec<BatchJob>> {
    let mut stmt = conn.prepare(
        "SELECT run_id, arm_id, part, case_ids, input_file_id, provider_batch_id, state,
                provider_status, total, succeeded, failed, error_message, poll_failures
           FROM batch_job WHERE run_id = ?1 ORDER BY arm_id, part",
    )?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok((
                (
                    r.get::<_, i32>(0)?,
                    r.get::<_, i32>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                ),
                (
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, u32>(8)?,
                    r.get::<_, u32>(9)?,
                    r.get::<_, u32>(10)?,
                    r.get::<_, Option<String>>(11)?,
                    r.get::<_, u32>(12)?,
                ),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(
            |(
                (run_id, arm_id, part, case_ids, input_file_id, provider_batch_id, state),
                (provider_status, total, succeeded, failed, error_message, poll_failures),
            )| {
                let bad = |what: &str| {
                    Error::Invalid(format!(
                        "run {run_id}, arm {arm_id}, batch part {part}: {what} in the store"
                    ))
                };
                Ok(BatchJob {
                    run_id,
                    arm_id,
                    part,
                    case_ids: serde_json::from_str(&case_ids)
                        .map_err(|e| bad(&format!("case_ids are not a JSON list ({e})")))?,
                    input_file_id,
                    provider_batch_id,
                    state: BatchState::parse(&state)
                        .ok_or_else(|| bad(&format!("unknown state {state:?}")))?,
                    provider_status,
                    total,
                    succeeded,
                    failed,
                    error_message,
                    poll_failures,
                })
            },
        )
        .collect()
}

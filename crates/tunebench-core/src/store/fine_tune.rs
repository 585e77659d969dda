//! SQL for the `fine_tune_job` table: a fine-tune job, remote or local, and its progress.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::finetune::job::{
    CostSource, FineTuneJob, Hyperparameters, JobEvent, JobStatus, NewJob, Trainer,
};
use crate::{Error, Result};

const COLUMNS: &str = "id, trainer, provider_id, dataset_id, split, source_arm_id, base_model,
    hyperparameters, training_file, provider_job_id, status, provider_status, error_message,
    events, log_tail, example_count, trained_tokens, estimated_cost, spend_ceiling,
    training_cost, training_cost_source, wall_seconds, result_model, deployment,
    hosting_per_hour, result_arm_id, next_poll_at, poll_failures, created_at, updated_at,
    started_at, finished_at";

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v)
        .map_err(|e| Error::Internal(format!("fine-tune job: cannot write JSON: {e}")))
}

// --- writes ---

/// Inserts a job for `trainer` in state `validating`, stamped `now`; returns its id.
pub fn insert(conn: &Connection, trainer: Trainer, job: &NewJob, now: &str) -> Result<i32> {
    Ok(conn.query_row(
        "INSERT INTO fine_tune_job (trainer, provider_id, dataset_id, source_arm_id, base_model,
                hyperparameters, status, example_count, estimated_cost, spend_ceiling,
                created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'validating', ?7, ?8, ?9, ?10, ?10)
         RETURNING id",
        params![
            trainer.as_str(),
            job.provider_id,
            job.dataset_id,
            job.source_arm_id,
            job.base_model,
            json(&job.hyperparameters)?,
            job.example_count,
            job.estimated_cost,
            job.spend_ceiling,
            now,
        ],
        |r| r.get(0),
    )?)
}

/// Writes every mutable field of `job` (everything but its id, trainer, inputs and
/// creation time). A job already in a terminal state in the store is not moved to another
/// state: the write is refused, so two pollers cannot undo each other.
pub fn save(conn: &Connection, job: &FineTuneJob) -> Result<()> {
    let stored = get(conn, job.id)?;
    if !stored.status.may_become(job.status) {
        return Err(Error::Invalid(format!(
            "fine-tune job {}: it is {} in the store and cannot become {}",
            job.id,
            stored.status.as_str(),
            job.status.as_str()
        )));
    }
    conn.execute(
        "UPDATE fine_tune_job SET provider_id = ?2, training_file = ?3, provider_job_id = ?4,
                status = ?5, provider_status = ?6, error_message = ?7, events = ?8,
                log_tail = ?9, trained_tokens = ?10, training_cost = ?11,
                training_cost_source = ?12, wall_seconds = ?13, result_model = ?14,
                deployment = ?15, hosting_per_hour = ?16, next_poll_at = ?17,
                poll_failures = ?18, updated_at = ?19, started_at = ?20, finished_at = ?21,
                example_count = ?22
          WHERE id = ?1",
        params![
            job.id,
            job.provider_id,
            job.training_file,
            job.provider_job_id,
            job.status.as_str(),
            job.provider_status,
            job.error_message,
            json(&job.events)?,
            job.log_tail,
            job.trained_tokens.map(|t| t.round() as i64),
            job.training_cost,
            job.training_cost_source.map(CostSource::as_str),
            job.wall_seconds,
            job.result_model,
            job.deployment,
            job.hosting_per_hour,
            job.next_poll_at,
            job.poll_failures,
            job.updated_at,
            job.started_at,
            job.finished_at,
            job.example_count,
        ],
    )?;
    Ok(())
}

/// Links job `id` to the fine-tuned arm made from its result, unless another process did
/// first; returns whether this call set it.
pub fn set_result_arm(conn: &Connection, id: i32, arm_id: i32) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE fine_tune_job SET result_arm_id = ?2 WHERE id = ?1 AND result_arm_id IS NULL",
        params![id, arm_id],
    )? == 1)
}

/// Deletes job `id` (its arm, if any, stays). Returns whether a row went.
pub fn delete(conn: &Connection, id: i32) -> Result<bool> {
    Ok(conn.execute("DELETE FROM fine_tune_job WHERE id = ?1", [id])? == 1)
}

// --- reads ---

pub fn get(conn: &Connection, id: i32) -> Result<FineTuneJob> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM fine_tune_job WHERE id = ?1"),
        [id],
        |r| Ok(from_row(r)),
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        entity: "fine-tune job",
        key: "id",
        value: id.to_string(),
    })?
}

/// Every job, newest first.
pub fn list(conn: &Connection) -> Result<Vec<FineTuneJob>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM fine_tune_job ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([], |r| Ok(from_row(r)))?;
    rows.map(|r| r?).collect()
}

/// Jobs not yet in a terminal state, oldest first: what a poller picks up after a restart.
pub fn live(conn: &Connection) -> Result<Vec<FineTuneJob>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM fine_tune_job
          WHERE status IN ('validating', 'queued', 'running') ORDER BY id"
    ))?;
    let rows = stmt.query_map([], |r| Ok(from_row(r)))?;
    rows.map(|r| r?).collect()
}

/// The succeeded job that made arm `arm_id`, if any: where its measured training cost lives.
pub fn for_result_arm(conn: &Connection, arm_id: i32) -> Result<Option<FineTuneJob>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM fine_tune_job WHERE result_arm_id = ?1
              ORDER BY id DESC LIMIT 1"
        ),
        [arm_id],
        |r| Ok(from_row(r)),
    )
    .optional()?
    .transpose()
}

fn from_row(r: &Row<'_>) -> Result<FineTuneJob> {
    let id: i32 = r.get(0)?;
    let bad = |field: &str, why: String| {
        Error::Invalid(format!(
            "fine-tune job {id}: `{field}` in the store is not valid: {why}"
        ))
    };
    let trainer: String = r.get(1)?;
    let status: String = r.get(10)?;
    let hyper: String = r.get(7)?;
    let events: String = r.get(13)?;
    let cost_source: Option<String> = r.get(20)?;
    Ok(FineTuneJob {
        id,
        trainer: Trainer::parse(&trainer).ok_or_else(|| bad("trainer", trainer.clone()))?,
        provider_id: r.get(2)?,
        dataset_id: r.get(3)?,
        split: r.get(4)?,
        source_arm_id: r.get(5)?,
        base_model: r.get(6)?,
        hyperparameters: serde_json::from_str::<Hyperparameters>(&hyper)
            .map_err(|e| bad("hyperparameters", e.to_string()))?,
        training_file: r.get(8)?,
        provider_job_id: r.get(9)?,
        status: JobStatus::parse(&status).ok_or_else(|| bad("status", status.clone()))?,
        provider_status: r.get(11)?,
        error_message: r.get(12)?,
        events: serde_json::from_str::<Vec<JobEvent>>(&events)
            .map_err(|e| bad("events", e.to_string()))?,
        log_tail: r.get(14)?,
        example_count: r.get(15)?,
        trained_tokens: r.get::<_, Option<i64>>(16)?.map(|t| t as f64),
        estimated_cost: r.get(17)?,
        spend_ceiling: r.get(18)?,
        training_cost: r.get(19)?,
        training_cost_source: match cost_source {
            None => None,
            Some(s) => Some(CostSource::parse(&s).ok_or_else(|| bad("training_cost_source", s))?),
        },
        wall_seconds: r.get(21)?,
        result_model: r.get(22)?,
        deployment: r.get(23)?,
        hosting_per_hour: r.get(24)?,
        result_arm_id: r.get(25)?,
        next_poll_at: r.get(26)?,
        poll_failures: r.get(27)?,
        created_at: r.get(28)?,
        updated_at: r.get(29)?,
        started_at: r.get(30)?,
        finished_at: r.get(31)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finetune::job::Observation;
    use crate::provider::{ProviderKind, ProviderSettings};
    use crate::store;

    fn setup() -> (Connection, i32) {
        let conn = store::open_in_memory().unwrap();
        let p = store::provider::insert(
            &conn,
            "openai",
            ProviderKind::OpenAi,
            "https://api.openai.com/v1",
            Some("OPENAI_API_KEY"),
            &ProviderSettings::default(),
        )
        .unwrap();
        (conn, p)
    }

    #[test]
    fn a_job_round_trips_through_the_store_with_its_progress() {
        let (conn, p) = setup();
        let id = insert(
            &conn,
            Trainer::OpenAi,
            &NewJob {
                provider_id: Some(p),
                base_model: "gpt-4.1-mini-2025-04-14".into(),
                hyperparameters: Hyperparameters {
                    epochs: Some(3),
                    ..Hyperparameters::default()
                },
                example_count: Some(600),
                estimated_cost: Some(4.5),
                ..NewJob::default()
            },
            "2026-11-30T10:00:00Z",
        )
        .unwrap();
        let mut job = get(&conn, id).unwrap();
        assert_eq!(job.status, JobStatus::Validating);
        assert_eq!(job.hyperparameters.epochs, Some(3));
        assert_eq!(live(&conn).unwrap().len(), 1);
        job.provider_job_id = Some("ftjob-abc".into());
        let mut o = Observation::status(JobStatus::Succeeded);
        o.trained_tokens = Some(1_500_000.0);
        o.result_model = Some("ft:gpt-4.1-mini:acme::x".into());
        o.events = vec![JobEvent {
            at: "2026-11-30T10:20:00Z".into(),
            level: "info".into(),
            message: "Step 10/100: training loss=1.20".into(),
            step: Some(10),
            loss: Some(1.2),
        }];
        job.observe(o, "2026-11-30T10:30:00Z").unwrap();
        job.price_trained_tokens(3.0);
        save(&conn, &job).unwrap();
        let back = get(&conn, id).unwrap();
        assert_eq!(back, job);
        assert_eq!(back.training_cost, Some(4.5));
        assert!(live(&conn).unwrap().is_empty());
        assert_eq!(list(&conn).unwrap().len(), 1);
    }

    #[test]
    fn a_finished_job_in_the_store_is_not_moved_by_a_stale_copy() {
        let (conn, p) = setup();
        let id = insert(
            &conn,
            Trainer::Together,
            &NewJob {
                provider_id: Some(p),
                base_model: "m".into(),
                ..NewJob::default()
            },
            "2026-11-30T10:00:00Z",
        )
        .unwrap();
        let stale = get(&conn, id).unwrap();
        let mut done = stale.clone();
        done.observe(
            Observation::status(JobStatus::Cancelled),
            "2026-11-30T10:01:00Z",
        )
        .unwrap();
        save(&conn, &done).unwrap();
        let err = save(&conn, &stale).unwrap_err();
        assert!(err.to_string().contains("cancelled"), "{err}");
        assert_eq!(get(&conn, id).unwrap().status, JobStatus::Cancelled);
    }

    #[test]
    fn a_local_job_needs_no_provider_and_only_one_arm_is_linked() {
        let (conn, _) = setup();
        let id = insert(
            &conn,
            Trainer::LlamaCpp,
            &NewJob {
                base_model: "SmolLM2-135M-Instruct".into(),
                ..NewJob::default()
            },
            "2026-11-30T10:00:00Z",
        )
        .unwrap();
        assert_eq!(get(&conn, id).unwrap().provider_id, None);
        assert!(matches!(
            get(&conn, id + 1).unwrap_err(),
            Error::NotFound { .. }
        ));
        assert!(for_result_arm(&conn, 1).unwrap().is_none());
    }
}

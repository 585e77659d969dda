//! Following remote fine-tune jobs without anyone pressing Refresh: the app's background
//! task calls [`tick`] over and over, `tunebench finetune status JOB --watch` calls
//! [`follow`]. Both poll through [`flow::poll`], so the backoff each job stores (its
//! `next_poll_at`) decides when a provider is asked again, and a restart picks up where
//! the store says the job is.

use super::flow::{self, Context};
use super::job::{seconds_between, FineTuneJob, JobStatus};
use crate::{store, Result};

/// The longest a poller waits between looks, seconds.
pub const MAX_WAIT: u64 = 600;

/// What one tick did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tick {
    /// Jobs a poll changed, as stored after it.
    pub changed: Vec<FineTuneJob>,
    /// Seconds until the next job is due; `None` when no job needs polling.
    pub next_in: Option<u64>,
    /// Jobs that could not be polled, with why (the others were polled regardless).
    pub errors: Vec<(i32, String)>,
}

/// Whether a job still needs a poller: a remote job not yet finished, or one that
/// succeeded but has no arm yet (its deployment or arm is still to be made).
pub fn needs_polling(job: &FineTuneJob) -> bool {
    !job.trainer.is_local()
        && job.provider_job_id.is_some()
        && (!job.status.is_terminal()
            || (job.status == JobStatus::Succeeded && job.result_arm_id.is_none()))
}

/// Seconds from `now` until `job` is due (0 when it already is).
fn due_in(job: &FineTuneJob, now: &str) -> u64 {
    job.next_poll_at
        .as_deref()
        .and_then(|at| seconds_between(now, at))
        .map_or(0, |s| (s.ceil() as u64).min(MAX_WAIT))
}

/// Polls, once, every job that needs polling and whose backoff has passed; says how long
/// until the next one is due.
pub async fn tick(ctx: &Context) -> Result<Tick> {
    let jobs = store::fine_tune::list(&store::open(&ctx.db_path)?)?;
    let mut tick = Tick::default();
    for before in jobs.into_iter().filter(needs_polling) {
        if due_in(&before, &(ctx.clock)()) > 0 {
            continue;
        }
        match flow::poll(ctx, before.id).await {
            Ok(after) if after != before => tick.changed.push(after),
            Ok(_) => {}
            Err(e) => tick.errors.push((before.id, e.to_string())),
        }
    }
    let now = (ctx.clock)();
    let waiting = store::fine_tune::list(&store::open(&ctx.db_path)?)?;
    tick.next_in = waiting
        .iter()
        .filter(|j| needs_polling(j) && !tick.errors.iter().any(|(id, _)| *id == j.id))
        .map(|j| due_in(j, &now))
        .min();
    Ok(tick)
}

/// Polls job `id` until it ends (a success until its arm is made), waiting out each
/// stored backoff; calls `on_change` with the job whenever its status, events or failed
/// polls changed. Returns the finished job.
pub async fn follow(
    ctx: &Context,
    id: i32,
    mut on_change: impl FnMut(&FineTuneJob),
) -> Result<FineTuneJob> {
    let mut last: Option<FineTuneJob> = None;
    loop {
        let job = flow::poll(ctx, id).await?;
        let moved = last.as_ref().is_none_or(|l| {
            (l.status, l.events.len(), l.poll_failures, l.result_arm_id)
                != (
                    job.status,
                    job.events.len(),
                    job.poll_failures,
                    job.result_arm_id,
                )
        });
        if moved {
            on_change(&job);
        }
        if !needs_polling(&job) {
            return Ok(job);
        }
        let wait = due_in(&job, &(ctx.clock)());
        last = Some(job);
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    }
}

//! A local fine-tune as a job of the store: the train split rendered with the source arm
//! (held-out rows refused), the job row followed step by step with its live loss, and —
//! only when every step succeeded — the fine-tuned arm registered on the local provider in
//! one transaction with the job's result. A failed or cancelled job keeps its step, its
//! message and the trainer's last lines; no arm is made for it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::job::{CostSource, FineTuneJob, Hyperparameters, JobEvent, JobStatus, NewJob};
use super::local::{fine_tune, Example, LocalEvent, LocalOptions, LocalOutcome, Step};
use super::{examples, now, Trainer};
use crate::arm::{Arm, ArmKind};
use crate::provider::{ProviderKind, ProviderSettings, LOCAL_BASE_URL};
use crate::{store, Error, Result};

/// The name of the provider that local fine-tunes register their arms on.
pub const LOCAL_PROVIDER: &str = "local";

/// What to fine-tune locally.
#[derive(Debug, Clone)]
pub struct LocalJobRequest {
    pub dataset_id: i32,
    /// The arm whose system prompt and template render the examples (its few-shot
    /// examples dropped); the fine-tuned arm prompts the same way.
    pub source_arm_id: i32,
    pub options: LocalOptions,
    /// Train on at most this many rows of the train split (a seeded sample), all if `None`.
    pub max_examples: Option<u32>,
    pub seed: u64,
}

/// A finished local job.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LocalJobResult {
    pub job_id: i32,
    pub arm_id: i32,
    pub arm_name: String,
    pub outcome: LocalOutcome,
}

/// Where a job's files go: `<folder of the store>/local-models/job-<id>`.
pub fn work_dir(db_path: &Path, job_id: i32) -> PathBuf {
    db_path
        .parent()
        .unwrap_or(Path::new("."))
        .join("local-models")
        .join(format!("job-{job_id}"))
}

/// Creates the job row for `request` (state `validating`); the examples are rendered and
/// checked first, so a refused train split creates no job.
pub fn create(
    conn: &rusqlite::Connection,
    request: &LocalJobRequest,
) -> Result<(i32, Vec<Example>)> {
    let arm = store::arm::get(conn, request.source_arm_id)?;
    let mut rendered = examples::training_examples(conn, request.dataset_id, &arm)?;
    if let Some(n) = request.max_examples {
        if (n as usize) < rendered.len() {
            fastrand::Rng::with_seed(request.seed).shuffle(&mut rendered);
            rendered.truncate(n as usize);
            rendered.sort_by_key(|e| e.row);
        }
    }
    let examples: Vec<Example> = rendered
        .into_iter()
        .map(|mut e| {
            let answer = e.messages.pop().map(|m| m.content).unwrap_or_default();
            Example {
                prompt: e.messages,
                answer,
            }
        })
        .collect();
    let o = &request.options;
    let hyperparameters = Hyperparameters {
        epochs: Some(o.epochs),
        learning_rate: Some(o.learning_rate),
        full: true,
        seed: Some(request.seed as u32),
        optimizer: Some("adamw".into()),
        context_length: Some(o.context),
        ..Hyperparameters::default()
    };
    hyperparameters.check()?;
    let id = store::fine_tune::insert(
        conn,
        Trainer::LlamaCpp,
        &NewJob {
            provider_id: None,
            dataset_id: Some(request.dataset_id),
            source_arm_id: Some(request.source_arm_id),
            base_model: o.base_model.display().to_string(),
            hyperparameters,
            example_count: Some(examples.len() as u32),
            estimated_cost: None,
            spend_ceiling: None,
        },
        &now(),
    )?;
    Ok((id, examples))
}

/// The local provider, created when the store has none.
pub fn local_provider(conn: &rusqlite::Connection) -> Result<i32> {
    match store::provider::get_by_name(conn, LOCAL_PROVIDER) {
        Ok(p) if p.kind == ProviderKind::Local => Ok(p.id),
        Ok(_) => {
            let name = format!("{LOCAL_PROVIDER} (llama.cpp)");
            match store::provider::get_by_name(conn, &name) {
                Ok(p) if p.kind == ProviderKind::Local => Ok(p.id),
                _ => store::provider::insert(
                    conn,
                    &name,
                    ProviderKind::Local,
                    LOCAL_BASE_URL,
                    None,
                    &ProviderSettings::default(),
                ),
            }
        }
        Err(_) => store::provider::insert(
            conn,
            LOCAL_PROVIDER,
            ProviderKind::Local,
            LOCAL_BASE_URL,
            None,
            &ProviderSettings::default(),
        ),
    }
}

/// A job's event for a step or a progress line.
fn event(e: &LocalEvent, windows_per_epoch: u32) -> JobEvent {
    match e {
        LocalEvent::Step { step, detail } => {
            JobEvent::info(now(), format!("{}: {detail}", step.as_str()))
        }
        LocalEvent::Progress { epoch, progress: p } => JobEvent {
            at: now(),
            level: "info".into(),
            message: format!(
                "{} epoch {} window {}/{}: loss {:.4}, ETA {:.0} s",
                if p.train { "train" } else { "validation" },
                epoch + 1,
                p.done,
                p.total,
                p.loss,
                p.eta_s
            ),
            step: p
                .train
                .then(|| epoch * windows_per_epoch.max(p.total) + p.done),
            loss: p.train.then_some(p.loss),
        },
    }
}

/// Runs job `job_id` (made by [`create`]) to its end in the store at `db_path`: the job is
/// saved as it goes (at most every 2 s, and at each step), `on_event` hears every step and
/// progress line. On success the fine-tuned arm is registered with the job's result in one
/// transaction; on failure or cancel the job keeps its step, message and log tail.
pub async fn execute(
    db_path: &Path,
    client: &reqwest::Client,
    job_id: i32,
    request: &LocalJobRequest,
    examples: &[Example],
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(&LocalEvent) + Send),
) -> Result<LocalJobResult> {
    let conn = store::open(db_path)?;
    let mut job = store::fine_tune::get(&conn, job_id)?;
    let mut running = super::Observation::status(JobStatus::Running);
    running
        .events
        .push(JobEvent::info(now(), "started on this machine"));
    job.observe(running, &now())?;
    job.training_file = Some(
        work_dir(db_path, job_id)
            .join("train.txt")
            .display()
            .to_string(),
    );
    store::fine_tune::save(&conn, &job)?;
    let state = Arc::new(Mutex::new((conn, job, Instant::now(), 0u32)));
    let shared = state.clone();
    let mut record = move |e: &LocalEvent| {
        on_event(e);
        let mut guard = shared.lock().unwrap_or_else(|p| p.into_inner());
        let (conn, job, saved, windows) = &mut *guard;
        if let LocalEvent::Progress { progress, .. } = e {
            *windows = (*windows).max(progress.total);
        }
        job.events.push(event(e, *windows));
        if job.events.len() > super::job::MAX_EVENTS {
            job.events.remove(0);
        }
        if matches!(e, LocalEvent::Step { .. }) || saved.elapsed() > Duration::from_secs(2) {
            job.updated_at = now();
            let _ = store::fine_tune::save(conn, job);
            *saved = Instant::now();
        }
    };
    let mut options = request.options.clone();
    options.work_dir = work_dir(db_path, job_id);
    let result = fine_tune(client, &options, examples, cancel, &mut record).await;
    drop(record);
    let (conn, mut job, _, _) = Arc::try_unwrap(state)
        .map_err(|_| Error::Internal("the job's recorder outlived the job".into()))?
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    match result {
        Err(failure) => {
            let status = if failure.cancelled {
                JobStatus::Cancelled
            } else {
                JobStatus::Failed
            };
            let mut obs = super::Observation::status(status);
            obs.error_message = Some(if failure.cancelled {
                format!("cancelled during step `{}`", failure.step.as_str())
            } else {
                format!("step `{}`: {}", failure.step.as_str(), failure.message)
            });
            obs.provider_status = Some(failure.step.as_str().to_string());
            job.observe(obs, &now())?;
            job.log_tail = failure.log_tail.clone();
            store::fine_tune::save(&conn, &job)?;
            let message = format!("fine-tune job {job_id}: {failure}");
            Err(if failure.cancelled {
                Error::Cancelled("the local fine-tune")
            } else if failure.step == Step::Check {
                // The model file, the tools or the memory: what the person handed over.
                Error::Invalid(message)
            } else {
                Error::Internal(message)
            })
        }
        Ok(outcome) => {
            let (arm_id, arm_name) =
                store::atomically(&conn, || register(&conn, &mut job, request, &outcome))?;
            Ok(LocalJobResult {
                job_id,
                arm_id,
                arm_name,
                outcome,
            })
        }
    }
}

/// The fine-tuned arm and the job's success, written together.
fn register(
    conn: &rusqlite::Connection,
    job: &mut FineTuneJob,
    request: &LocalJobRequest,
    outcome: &LocalOutcome,
) -> Result<(i32, String)> {
    let source = store::arm::get(conn, request.source_arm_id)?;
    let provider_id = local_provider(conn)?;
    let name = format!("{} fine-tuned locally (job {})", source.name, job.id);
    let arm = Arm {
        id: 0,
        name: name.clone(),
        kind: ArmKind::FineTuned,
        provider_id,
        model: outcome.model.clone(),
        ..examples::training_arm(&source)
    };
    let arm_id = store::arm::insert(conn, &arm)?;
    let mut obs = super::Observation::status(JobStatus::Succeeded);
    obs.result_model = Some(outcome.model.clone());
    obs.trained_tokens = Some(f64::from(outcome.tokens) * f64::from(request.options.epochs));
    obs.events.push(JobEvent::info(
        now(),
        format!(
            "trained in {:.0} s of {:.0} s; cost {:.0} s × ${}/h = {}",
            outcome.train_seconds,
            outcome.wall_seconds,
            outcome.wall_seconds,
            outcome.machine_cost_per_hour,
            crate::money::usd(outcome.training_cost_usd)
        ),
    ));
    job.observe(obs, &now())?;
    // The job's own clock, not the rows' timestamps: seconds of this machine.
    job.wall_seconds = Some(outcome.wall_seconds);
    job.training_cost = Some(outcome.training_cost_usd);
    job.training_cost_source = Some(CostSource::ComputeTime);
    job.hosting_per_hour = Some(outcome.machine_cost_per_hour);
    job.result_arm_id = Some(arm_id);
    job.provider_id = Some(provider_id);
    store::fine_tune::save(conn, job)?;
    store::fine_tune::set_result_arm(conn, job.id, arm_id)?;
    Ok((arm_id, name))
}

/// Creates the job for `request` and runs it to its end ([`create`], then [`execute`]):
/// what the window calls. The machine's cost per hour it names becomes the stored setting
/// that local arms are priced at too.
pub async fn run(
    db_path: &Path,
    client: &reqwest::Client,
    request: &LocalJobRequest,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(&LocalEvent) + Send),
) -> Result<LocalJobResult> {
    let (job_id, examples) = {
        let conn = store::open(db_path)?;
        store::setting::set_machine_cost_per_hour(&conn, request.options.machine_cost_per_hour)?;
        create(&conn, request)?
    };
    execute(
        db_path, client, job_id, request, &examples, cancel, on_event,
    )
    .await
}

/// Hours, minutes and seconds.
fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// The local fine-tune job that made `arm`'s model: the arm the job registered, or another
/// arm (an experiment file's) serving the model it produced.
pub fn job_for_arm(conn: &rusqlite::Connection, arm: &Arm) -> Result<Option<FineTuneJob>> {
    if let Some(job) = store::fine_tune::for_result_arm(conn, arm.id)? {
        return Ok(Some(job));
    }
    Ok(store::fine_tune::list(conn)?.into_iter().find(|j| {
        j.trainer == Trainer::LlamaCpp && j.result_model.as_deref() == Some(arm.model.as_str())
    }))
}

/// One sentence for each arm of `arm_ids` that a local fine-tune made: how long training
/// took on this machine and what that time cost at the machine's rate.
pub fn training_notes(conn: &rusqlite::Connection, arm_ids: &[i32]) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for &arm_id in arm_ids {
        let arm = store::arm::get(conn, arm_id)?;
        let Some(job) = job_for_arm(conn, &arm)? else {
            continue;
        };
        if job.trainer != Trainer::LlamaCpp {
            continue;
        }
        let (Some(wall), Some(cost)) = (job.wall_seconds, job.training_cost) else {
            continue;
        };
        let rate = job.hosting_per_hour.unwrap_or(0.0);
        notes.push(format!(
            "training of `{}`: fine-tuned on this machine with llama.cpp (job {}, {} examples, \
             {} epoch(s)) in {}; at ${rate} per hour of this machine that is {}",
            arm.name,
            job.id,
            job.example_count.unwrap_or(0),
            job.hyperparameters.epochs.unwrap_or(1),
            clock(wall),
            crate::money::usd(cost),
        ));
    }
    Ok(notes)
}

/// A local fine-tune as the window asks for it.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LocalFineTuneSpec {
    pub dataset_id: i32,
    /// The arm whose prompt renders the examples.
    pub arm_id: i32,
    pub epochs: u32,
    pub learning_rate: f64,
    pub context: u32,
    pub quantisation: String,
    pub max_examples: Option<u32>,
    pub machine_cost_per_hour: f64,
}

impl LocalFineTuneSpec {
    /// The request for `model` (work files go next to the store, by job).
    pub fn request(&self, model: PathBuf) -> LocalJobRequest {
        let mut options = LocalOptions::new(model, PathBuf::new());
        options.epochs = self.epochs;
        options.learning_rate = self.learning_rate;
        options.context = self.context;
        options.quantisation = self.quantisation.clone();
        options.machine_cost_per_hour = self.machine_cost_per_hour;
        LocalJobRequest {
            dataset_id: self.dataset_id,
            source_arm_id: self.arm_id,
            options,
            max_examples: self.max_examples,
            seed: 7,
        }
    }
}

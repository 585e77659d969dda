//! Starting, following and cancelling a remote fine-tune job. Every step opens the store
//! afresh and writes what it learnt before the next request, so a job survives an app
//! restart or a CLI exit: whoever polls next reads where it was from the store.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::examples::training_arm;
use super::job::{backoff_seconds, FineTuneJob, JobEvent, JobStatus, NewJob, Trainer};
use super::preflight::{self, PreflightRequest, Severity};
use super::remote::Remote;
use crate::arm::{Arm, ArmKind};
use crate::provider::{ApiKey, CallError, ErrorClass, Provider};
use crate::run::engine::KeyLookup;
use crate::{money, store, Error, Result};

/// What `start` needs beyond the preflight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StartRequest {
    pub preflight: PreflightRequest,
    /// The provider whose key the job uses and that serves the result.
    pub provider_id: i32,
    /// Fireworks: the account id the dataset and job live under.
    #[serde(default)]
    pub fireworks_account: Option<String>,
    /// Azure OpenAI: the deployment the fine-tuned model will be served under: the name of
    /// one made in the Azure portal, or its full resource ID for Tunebench to create it
    /// with the management API (`finetune::azure`).
    #[serde(default)]
    pub azure_deployment: Option<String>,
}

/// What the job functions need from outside.
#[derive(Clone)]
pub struct Context {
    pub db_path: PathBuf,
    pub client: reqwest::Client,
    pub keys: KeyLookup,
    /// How long to wait between looks at an uploaded Fireworks dataset.
    pub upload_poll: Duration,
    /// Now, as RFC 3339 UTC (tests pass a fixed clock).
    pub clock: std::sync::Arc<dyn Fn() -> String + Send + Sync>,
    /// Azure Resource Manager's root, where an Azure deployment is made.
    pub azure_management: String,
    /// The Entra token for it, read when needed and never stored.
    pub azure_token: std::sync::Arc<dyn Fn() -> Option<ApiKey> + Send + Sync>,
}

impl Context {
    /// The real clock, keys from the environment or keychain, the app's HTTP client.
    pub fn new(db_path: &Path, client: reqwest::Client) -> Self {
        Self {
            db_path: db_path.to_path_buf(),
            client,
            keys: std::sync::Arc::new(|p: &Provider| {
                crate::provider::secrets::resolve(&p.name, p.api_key_env.as_deref(), |v| {
                    std::env::var(v).ok()
                })
                .0
            }),
            upload_poll: Duration::from_secs(2),
            clock: std::sync::Arc::new(super::now),
            azure_management: super::azure::MANAGEMENT.into(),
            azure_token: std::sync::Arc::new(super::azure::token_from_env),
        }
    }

    fn open(&self) -> Result<Connection> {
        store::open(&self.db_path)
    }
}

fn remote(ctx: &Context, conn: &Connection, job: &FineTuneJob) -> Result<Remote> {
    let provider_id = job
        .provider_id
        .ok_or_else(|| Error::Invalid(format!("fine-tune job {}: it has no provider", job.id)))?;
    let provider = store::provider::get(conn, provider_id)?;
    // Fireworks ids are `accounts/<a>/…`: the account is in them.
    let account = [&job.provider_job_id, &job.training_file]
        .into_iter()
        .flatten()
        .find_map(|id| {
            id.strip_prefix("accounts/")?
                .split('/')
                .next()
                .map(str::to_string)
        });
    Ok(Remote::new(
        ctx.client.clone(),
        job.trainer,
        &provider.base_url,
        (ctx.keys)(&provider),
        account,
    ))
}

/// A provider's refusal as the core's error: bad input for what the person can fix.
fn refused(job_id: i32, step: &str, e: &CallError) -> Error {
    let msg = format!("fine-tune job {job_id}: {step} failed: {}", e.message);
    match e.class {
        ErrorClass::BadRequest | ErrorClass::BadKey | ErrorClass::UnknownModel => {
            Error::Invalid(msg)
        }
        _ => Error::Internal(msg),
    }
}

/// Marks job `job` failed with the provider's message and returns the error to show.
fn fail(ctx: &Context, mut job: FineTuneJob, step: &str, e: &CallError) -> Error {
    let now = (ctx.clock)();
    job.error_message = Some(e.message.clone());
    let mut o = super::job::Observation::status(JobStatus::Failed);
    o.events = vec![JobEvent {
        at: now.clone(),
        level: "error".into(),
        message: format!("{step} failed: {}", e.message),
        step: None,
        loss: None,
    }];
    let _ = job.observe(o, &now);
    if let Ok(conn) = ctx.open() {
        let _ = store::fine_tune::save(&conn, &job);
    }
    refused(job.id, step, e)
}

/// Preflights `req`, uploads the training file, creates the job at the provider and
/// returns the stored job (polling follows with [`poll`]). A preflight that refuses stops
/// before any upload; a provider's refusal leaves the job `failed` with its message.
pub async fn start(ctx: &Context, req: &StartRequest) -> Result<FineTuneJob> {
    let trainer = req.preflight.trainer;
    if trainer.is_local() {
        return Err(Error::Invalid(
            "a llama.cpp job runs on this machine; start it as a local fine-tune".into(),
        ));
    }
    let (mut job, prepared, provider) = {
        let conn = ctx.open()?;
        let provider = store::provider::get(&conn, req.provider_id)?;
        let prepared = preflight::prepare(&conn, &req.preflight)?;
        if !prepared.report.ok {
            let why: Vec<&str> = prepared
                .report
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.message.as_str())
                .collect();
            return Err(Error::Invalid(format!(
                "preflight refuses this training file: {}",
                why.join("; ")
            )));
        }
        if trainer == Trainer::AzureOpenAi && req.azure_deployment.is_none() {
            return Err(Error::Invalid(
                "Azure OpenAI serves a fine-tune under a deployment: name one you made, or give \
                 its full resource ID for Tunebench to create it (`azure_deployment`)"
                    .into(),
            ));
        }
        let now = (ctx.clock)();
        let id = store::fine_tune::insert(
            &conn,
            trainer,
            &NewJob {
                provider_id: Some(provider.id),
                dataset_id: Some(req.preflight.dataset_id),
                source_arm_id: Some(req.preflight.arm_id),
                base_model: req.preflight.base_model.clone(),
                hyperparameters: req.preflight.hyperparameters.clone(),
                example_count: Some(prepared.report.examples),
                estimated_cost: prepared.report.estimate.training_cost,
                spend_ceiling: req.preflight.spend_ceiling,
            },
            &now,
        )?;
        let mut job = store::fine_tune::get(&conn, id)?;
        job.deployment = req.azure_deployment.clone();
        job.hosting_per_hour = prepared.report.estimate.hosting_per_hour;
        job.events.push(JobEvent::info(
            now,
            format!(
                "uploading {} examples ({} bytes); estimate: {}",
                prepared.report.examples,
                money::count(prepared.report.file_bytes),
                prepared.report.estimate.sentence()
            ),
        ));
        store::fine_tune::save(&conn, &job)?;
        (job, prepared, provider)
    };
    let client = Remote::new(
        ctx.client.clone(),
        trainer,
        &provider.base_url,
        (ctx.keys)(&provider),
        req.fireworks_account.clone(),
    );
    let file_name = format!("tunebench-job-{}.jsonl", job.id);
    let file = match client
        .upload(&prepared.jsonl, &file_name, prepared.report.examples)
        .await
    {
        Ok(f) => f,
        Err(e) => return Err(fail(ctx, job, "uploading the training file", &e)),
    };
    job.training_file = Some(file.clone());
    ctx.open().and_then(|c| store::fine_tune::save(&c, &job))?;
    if trainer == Trainer::Fireworks {
        let mut ready = false;
        for _ in 0..60 {
            match client.dataset_ready(&file).await {
                Ok(true) => {
                    ready = true;
                    break;
                }
                Ok(false) => tokio::time::sleep(ctx.upload_poll).await,
                Err(e) if e.retryable() => tokio::time::sleep(ctx.upload_poll).await,
                Err(e) => return Err(fail(ctx, job, "checking the uploaded dataset", &e)),
            }
        }
        if !ready {
            let e = CallError::new(
                ErrorClass::Timeout,
                "Fireworks did not make the dataset READY within 60 looks",
            );
            return Err(fail(ctx, job, "checking the uploaded dataset", &e));
        }
    }
    if trainer == Trainer::Together {
        let h = &req.preflight.hyperparameters;
        match client.estimate_price(&file, &job.base_model, h).await {
            Ok((price, allowed)) => {
                let now = (ctx.clock)();
                job.events.push(JobEvent::info(
                    now,
                    format!("Together estimates {}", money::usd(price)),
                ));
                let over = job.spend_ceiling.is_some_and(|c| price > c);
                if !allowed || over {
                    let why = if over {
                        format!(
                            "Together's estimate ({}) is above the spend ceiling of {}",
                            money::usd(price),
                            money::usd(job.spend_ceiling.unwrap_or_default())
                        )
                    } else {
                        format!(
                            "Together does not allow this job to proceed (estimate {}; check the account's balance)",
                            money::usd(price)
                        )
                    };
                    let e = CallError::new(ErrorClass::BadRequest, why);
                    return Err(fail(ctx, job, "the price check", &e));
                }
            }
            Err(e) => return Err(fail(ctx, job, "asking Together for its estimate", &e)),
        }
    }
    let h = &req.preflight.hyperparameters;
    let provider_job = match client.create(&file, &job.base_model, h).await {
        Ok(id) => id,
        Err(e) => return Err(fail(ctx, job, "creating the job", &e)),
    };
    let now = (ctx.clock)();
    job.provider_job_id = Some(provider_job.clone());
    job.events.push(JobEvent::info(
        now.clone(),
        format!("{} job {provider_job} created", trainer.label()),
    ));
    job.next_poll_at = Some(now.clone());
    job.updated_at = now;
    let conn = ctx.open()?;
    store::fine_tune::save(&conn, &job)?;
    Ok(job)
}

/// Looks at job `id` once: a live job is polled (a 429, 5xx or network failure is recorded
/// and backed off, never ends the job); a job that succeeded becomes a fine-tuned arm with
/// its measured training cost. A finished job is returned as stored.
pub async fn poll(ctx: &Context, id: i32) -> Result<FineTuneJob> {
    let (mut job, client) = {
        let conn = ctx.open()?;
        let job = store::fine_tune::get(&conn, id)?;
        if job.status.is_terminal() {
            if job.status == JobStatus::Succeeded && job.result_arm_id.is_none() {
                return finish(ctx, job).await;
            }
            return Ok(job);
        }
        let client = remote(ctx, &conn, &job)?;
        (job, client)
    };
    let Some(provider_job) = job.provider_job_id.clone() else {
        return Ok(job);
    };
    let result = client.poll(&provider_job).await;
    let now = (ctx.clock)();
    match result {
        Err(e) => {
            job.poll_failed(&now, &e.message);
            job.next_poll_at = Some(later(&now, backoff_seconds(job.poll_failures)));
        }
        Ok(obs) => {
            job.observe(obs, &now)?;
            if !job.status.is_terminal() {
                job.next_poll_at = Some(later(&now, backoff_seconds(0)));
            }
        }
    }
    {
        let conn = ctx.open()?;
        store::fine_tune::save(&conn, &job)?;
    }
    if job.status == JobStatus::Succeeded {
        return finish(ctx, job).await;
    }
    Ok(job)
}

/// `now` plus `secs` seconds.
pub(super) fn later(now: &str, secs: u64) -> String {
    match chrono::DateTime::parse_from_rfc3339(now) {
        Ok(t) => super::at(t.timestamp() + secs as i64),
        Err(_) => now.to_string(),
    }
}

/// A succeeded job's last steps: serve the result where it needs it (Fireworks: a
/// serverless LoRA deployment), price the training, make the fine-tuned arm.
async fn finish(ctx: &Context, mut job: FineTuneJob) -> Result<FineTuneJob> {
    if job.trainer == Trainer::Fireworks && job.deployment.is_none() {
        if let Some(model) = job.result_model.clone() {
            let conn = ctx.open()?;
            let client = remote(ctx, &conn, &job)?;
            drop(conn);
            match client.deploy_serverless(&model).await {
                Ok(name) => {
                    job.events.push(JobEvent::info(
                        (ctx.clock)(),
                        format!("deployed serverless as {name}"),
                    ));
                    job.deployment = Some(name);
                }
                Err(e) => {
                    // The job succeeded; the deployment is retried at the next look.
                    job.poll_failed(&(ctx.clock)(), &format!("deploying: {}", e.message));
                    let conn = ctx.open()?;
                    store::fine_tune::save(&conn, &job)?;
                    return Ok(job);
                }
            }
        }
    }
    if job.trainer == Trainer::AzureOpenAi && !super::azure::serve(ctx, &mut job).await? {
        return Ok(job);
    }
    let conn = ctx.open()?;
    store::atomically(&conn, || {
        if job.training_cost.is_none() {
            if let Ok((price, _)) = preflight::training_price(&conn, job.trainer, &job.base_model)?
            {
                job.price_trained_tokens(price);
            }
        }
        let arm_id = make_arm(&conn, &job)?;
        if store::fine_tune::set_result_arm(&conn, job.id, arm_id)? {
            job.result_arm_id = Some(arm_id);
            job.events.push(JobEvent::info(
                (ctx.clock)(),
                format!(
                    "made arm {arm_id} from {}",
                    job.result_model.as_deref().unwrap_or("")
                ),
            ));
            store::fine_tune::save(&conn, &job)?;
            Ok(())
        } else {
            // Another process made the arm first: undo ours.
            Err(Error::InUse(format!(
                "fine-tune job {}: its arm was made elsewhere",
                job.id
            )))
        }
    })
    .or_else(|e| match e {
        Error::InUse(_) => Ok(()),
        other => Err(other),
    })?;
    store::fine_tune::get(&conn, job.id)
}

/// The fine-tuned arm a succeeded job becomes: the source arm's system prompt, template
/// and generation settings (without few-shot examples), the trained model at the job's
/// provider.
fn make_arm(conn: &Connection, job: &FineTuneJob) -> Result<i32> {
    let source_id = job.source_arm_id.ok_or_else(|| {
        Error::Invalid(format!(
            "fine-tune job {}: its source arm was deleted",
            job.id
        ))
    })?;
    let source = store::arm::get(conn, source_id)?;
    // Azure serves a fine-tune under the deployment the person named; the others under the
    // model name the provider returned (Fireworks' serverless LoRA included).
    let model = match job.trainer {
        Trainer::AzureOpenAi => job
            .deployment
            .as_deref()
            .map(|d| super::azure::deployment_name(d).to_string()),
        _ => job.result_model.clone(),
    }
    .ok_or_else(|| {
        Error::Internal(format!(
            "fine-tune job {}: the provider reported success without a model",
            job.id
        ))
    })?;
    let base = training_arm(&source);
    let arm = Arm {
        id: 0,
        name: format!("{} fine-tuned (job {})", source.name, job.id),
        kind: ArmKind::FineTuned,
        provider_id: job.provider_id.unwrap_or(source.provider_id),
        model,
        ..base
    };
    store::arm::insert(conn, &arm)
}

/// Asks the provider to cancel job `id` and records it; a finished job is left as it is.
pub async fn cancel(ctx: &Context, id: i32) -> Result<FineTuneJob> {
    let (job, client) = {
        let conn = ctx.open()?;
        let job = store::fine_tune::get(&conn, id)?;
        if job.status.is_terminal() {
            return Err(Error::Invalid(format!(
                "fine-tune job {id} is already {}",
                job.status.as_str()
            )));
        }
        let client = remote(ctx, &conn, &job)?;
        (job, client)
    };
    if let Some(pj) = &job.provider_job_id {
        client
            .cancel(pj)
            .await
            .map_err(|e| refused(id, "cancelling", &e))?;
    }
    let mut job = job;
    let now = (ctx.clock)();
    job.events
        .push(JobEvent::info(now.clone(), "cancel requested"));
    // OpenAI and Fireworks cancel at once; Together says `cancelled` at the next poll.
    if job.trainer != Trainer::Together || job.provider_job_id.is_none() {
        job.observe(super::job::Observation::status(JobStatus::Cancelled), &now)?;
    }
    let conn = ctx.open()?;
    store::fine_tune::save(&conn, &job)?;
    Ok(job)
}

/// Polls every live job once (what `tunebench finetune status` and the app do after a
/// restart); returns every job, newest first.
pub async fn poll_live(ctx: &Context) -> Result<Vec<FineTuneJob>> {
    let live = store::fine_tune::live(&ctx.open()?)?;
    for job in live {
        poll(ctx, job.id).await?;
    }
    store::fine_tune::list(&ctx.open()?)
}

//! The run engine: sends every pending (arm, case) call with per-provider bounded
//! concurrency and rate limits, retries transient failures with backoff (honouring
//! `Retry-After`), answers from the response cache when allowed, and hands each result to
//! the single writer as it lands. Stops cleanly on cancellation or when the budget is
//! spent; a run killed outright is resumed by calling [`execute`] again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::estimate::PriceLookup;
use super::limiter::RateLimiter;
use super::metric::{RunningMetric, Tally};
use super::plan::Plan;
use super::writer::{Write, Writer};
use super::{liveness, retry, ArmProgress, Progress, ResultRecord, RunOutcome, RunStatus};
use crate::arm::{Case, PreparedArm, Price};
use crate::provider::{self, ApiKey, ChatRequest, Provider};
use crate::store::response_cache::CachedResponse;
use crate::{store, Error, Result};

/// How often progress is reported at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Resolves a provider's API key (environment variable or keychain); `None` = no key.
pub type KeyLookup = Arc<dyn Fn(&Provider) -> Option<ApiKey> + Send + Sync>;

/// What the engine needs from outside: the database file, an HTTP client, the keys, the
/// prices, a cancellation token and a seed for retry jitter.
#[derive(Clone)]
pub struct RunContext {
    pub db_path: PathBuf,
    pub client: reqwest::Client,
    pub keys: KeyLookup,
    pub prices: Arc<dyn PriceLookup>,
    pub cancel: CancellationToken,
    pub seed: u64,
}

struct Lane {
    provider: Provider,
    key: Option<ApiKey>,
    semaphore: Semaphore,
    limiter: RateLimiter,
}

struct ArmRuntime {
    prepared: PreparedArm,
    lane: usize,
    price: Option<Price>,
}

struct Shared {
    run_id: i32,
    client: reqwest::Client,
    arms: Vec<ArmRuntime>,
    lanes: Vec<Lane>,
    cases: Vec<Case>,
    reader: Mutex<Connection>,
    use_cache: bool,
    writes: tokio::sync::mpsc::UnboundedSender<Write>,
    seed: u64,
}

/// One finished call.
struct Done {
    arm: usize,
    case: usize,
    record: ResultRecord,
    /// USD actually spent (0 for cached answers and errors).
    spent: f64,
}

/// The cache key of a request to `provider`: SHA-256 of (kind, base URL, model,
/// messages, parameters).
pub fn cache_key(provider: &Provider, request: &ChatRequest) -> String {
    let text = serde_json::json!([
        provider.kind.as_str(),
        provider.base_url,
        request.model,
        request.messages,
        request.params
    ])
    .to_string();
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs (or resumes) `plan` to the end, cancellation, or budget. Calls `on_progress` at
/// most every 100 ms and once at the end.
pub async fn execute(
    ctx: &RunContext,
    plan: Plan,
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
    // Local models are served for the length of the run (stopped when this is dropped).
    let mut plan = plan;
    let _servers = super::local::serve(&mut plan, &ctx.client).await?;
    let reader = store::open(&ctx.db_path)?;
    store::run::set_status(&reader, run_id, RunStatus::Running)?;
    let writer = Writer::start(ctx.db_path.clone())?;

    let pending = plan.pending();
    let mut lanes: Vec<Lane> = Vec::new();
    let mut arms = Vec::new();
    for planned in &plan.arms {
        let lane = match lanes.iter().position(|l| {
            // Each local model has its own server: a lane per (provider, address).
            l.provider.id == planned.provider.id && l.provider.base_url == planned.provider.base_url
        }) {
            Some(i) => i,
            None => {
                let p = planned.provider.clone();
                let concurrency = plan
                    .options
                    .concurrency
                    .unwrap_or(p.settings.max_concurrency)
                    .max(1);
                lanes.push(Lane {
                    key: (ctx.keys)(&p),
                    semaphore: Semaphore::new(concurrency as usize),
                    limiter: RateLimiter::new(
                        p.settings.requests_per_minute,
                        p.settings.tokens_per_minute,
                    ),
                    provider: p,
                });
                lanes.len() - 1
            }
        };
        arms.push(ArmRuntime {
            price: ctx.prices.price(&planned.provider, &planned.prepared.arm),
            prepared: planned.prepared.clone(),
            lane,
        });
    }
    let in_flight: usize = lanes
        .iter()
        .map(|l| l.semaphore.available_permits())
        .sum::<usize>()
        .max(1);

    let mut progress = Progress {
        run_id,
        arms: plan
            .arms
            .iter()
            .map(|a| ArmProgress {
                arm_id: a.prepared.arm.id,
                name: a.prepared.arm.name.clone(),
                done: 0,
                total: plan.cases.len() as u32,
                errors: 0,
                from_cache: 0,
                metric: None,
            })
            .collect(),
        elapsed_s: 0.0,
        eta_s: None,
        spend_usd: 0.0,
        metric_name: plan.experiment.primary_metric.clone(),
    };
    let running = RunningMetric::new(&plan.experiment.primary_metric, &plan.experiment.labels);
    let mut tallies = vec![Tally::default(); plan.arms.len()];
    for (r, expected) in &plan.existing {
        if !r.from_cache && r.error_class.is_none() {
            progress.spend_usd += r.cost.unwrap_or(0.0);
        }
        if let Some(ai) = plan.arms.iter().position(|a| a.prepared.arm.id == r.arm_id) {
            tally(
                &mut progress.arms[ai],
                &running,
                &mut tallies[ai],
                r,
                expected,
            );
        }
    }
    refresh_metrics(&mut progress, &running, &tallies);
    on_progress(&progress);

    let shared = Arc::new(Shared {
        run_id,
        client: ctx.client.clone(),
        arms,
        lanes,
        cases: plan.cases,
        reader: Mutex::new(reader),
        use_cache: plan.options.use_cache,
        writes: writer.tx.clone(),
        seed: ctx.seed,
    });
    let budget = plan.options.budget_usd;
    let session_total = pending.len();
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut session_done = 0usize;
    let mut status = RunStatus::Completed;
    let mut write_failed = false;
    // A run resumed under a ceiling it already reached sends nothing.
    let exhausted = budget.is_some_and(|b| progress.spend_usd >= b);
    let pending = if exhausted {
        status = RunStatus::BudgetStopped;
        Vec::new()
    } else {
        pending
    };

    let mut calls = futures_util::stream::iter(pending.into_iter().enumerate())
        .map(|(job, (a, c))| {
            let sh = Arc::clone(&shared);
            async move { call_one(&sh, job, a, c).await }
        })
        .buffer_unordered(in_flight);

    loop {
        let done = tokio::select! {
            biased;
            _ = ctx.cancel.cancelled() => {
                status = RunStatus::Cancelled;
                break;
            }
            next = calls.next() => match next {
                Some(d) => d,
                None => break,
            },
        };
        session_done += 1;
        progress.spend_usd += done.spent;
        let expected = &shared.cases[done.case].expected;
        tally(
            &mut progress.arms[done.arm],
            &running,
            &mut tallies[done.arm],
            &done.record,
            expected,
        );
        if writer.tx.send(Write::Result(done.record)).is_err() {
            write_failed = true;
            break;
        }
        if last_report.elapsed() >= PROGRESS_EVERY {
            last_report = Instant::now();
            report(&mut progress, started, session_done, session_total);
            refresh_metrics(&mut progress, &running, &tallies);
            on_progress(&progress);
        }
        if budget.is_some_and(|b| progress.spend_usd >= b) {
            status = RunStatus::BudgetStopped;
            break;
        }
    }
    drop(calls);
    drop(shared);
    let written = writer.finish().await;
    let conn = store::open(&ctx.db_path)?;
    let written = match written {
        Ok(n) if !write_failed => n,
        Ok(_) => {
            store::run::set_status(&conn, run_id, RunStatus::Failed)?;
            return Err(Error::Internal(format!(
                "run {run_id}: the result writer stopped early"
            )));
        }
        Err(e) => {
            store::run::set_status(&conn, run_id, RunStatus::Failed)?;
            return Err(e);
        }
    };
    store::run::set_status(&conn, run_id, status)?;
    report(&mut progress, started, session_done, session_total);
    refresh_metrics(&mut progress, &running, &tallies);
    on_progress(&progress);
    Ok(RunOutcome {
        run_id,
        status,
        written,
        spend_usd: progress.spend_usd,
    })
}

fn report(progress: &mut Progress, started: Instant, done: usize, total: usize) {
    let elapsed = started.elapsed().as_secs_f64();
    progress.elapsed_s = elapsed;
    progress.eta_s = (done > 0).then(|| elapsed / done as f64 * (total - done) as f64);
}

fn tally(
    arm: &mut ArmProgress,
    running: &RunningMetric,
    t: &mut Tally,
    r: &ResultRecord,
    expected: &str,
) {
    arm.done += 1;
    if r.error_class.is_some() {
        arm.errors += 1;
        return;
    }
    arm.from_cache += u32::from(r.from_cache);
    running.add(t, r.output.as_deref().unwrap_or(""), expected, None);
}

/// Each arm's running metric, computed when progress is sent (a label F1 is a figure over
/// the whole set so far, not a sum that grows case by case).
fn refresh_metrics(progress: &mut Progress, running: &RunningMetric, tallies: &[Tally]) {
    for (arm, t) in progress.arms.iter_mut().zip(tallies) {
        arm.metric = running.value(t);
    }
}

async fn call_one(sh: &Shared, job: usize, a: usize, c: usize) -> Done {
    let arm = &sh.arms[a];
    let case = &sh.cases[c];
    let lane = &sh.lanes[arm.lane];
    let mut record = ResultRecord {
        run_id: sh.run_id,
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
            return Done {
                arm: a,
                case: c,
                record,
                spent: 0.0,
            };
        }
    };
    let request = ChatRequest {
        model: arm.prepared.arm.model.clone(),
        messages,
        params: arm.prepared.arm.params.generation.clone(),
    };
    let key = sh.use_cache.then(|| cache_key(&lane.provider, &request));
    if let Some(k) = &key {
        let hit = {
            let conn = sh.reader.lock().unwrap_or_else(|p| p.into_inner());
            store::response_cache::get(&conn, k).ok().flatten()
        };
        if let Some(hit) = hit {
            record.output = Some(hit.output);
            fill_usage(&mut record, hit.usage, arm.price);
            record.latency_ms = Some(hit.latency_ms);
            record.ttft_ms = hit.ttft_ms;
            record.finish_reason = hit.finish.map(|f| f.as_str().into());
            record.from_cache = true;
            return Done {
                arm: a,
                case: c,
                record,
                spent: 0.0,
            };
        }
    }

    let Ok(_permit) = lane.semaphore.acquire().await else {
        record.error_class = Some("network".into());
        record.error_message = Some("the run stopped before this call was sent".into());
        return Done {
            arm: a,
            case: c,
            record,
            spent: 0.0,
        };
    };
    let settings = &lane.provider.settings;
    let est_tokens = if lane.limiter.is_unlimited() {
        0
    } else {
        let chars: usize = request.messages.iter().map(|m| m.content.len()).sum();
        (chars / 4) as u32 + request.params.max_tokens.unwrap_or(256)
    };
    let mut rng =
        fastrand::Rng::with_seed(sh.seed ^ (job as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        lane.limiter.acquire(est_tokens).await;
        match provider::send(&sh.client, &lane.provider, lane.key.as_ref(), &request).await {
            Ok(resp) => {
                record.attempts = attempt;
                fill_usage(&mut record, resp.usage, arm.price);
                record.latency_ms = Some(resp.latency_ms);
                record.ttft_ms = resp.ttft_ms;
                record.finish_reason = resp.finish.map(|f| f.as_str().into());
                if let Some(k) = key {
                    let _ = sh.writes.send(Write::Cache(
                        k,
                        CachedResponse {
                            output: resp.output.clone(),
                            usage: resp.usage,
                            latency_ms: resp.latency_ms,
                            ttft_ms: resp.ttft_ms,
                            finish: resp.finish,
                        },
                    ));
                }
                record.output = Some(resp.output);
                let spent = record.cost.unwrap_or(0.0);
                return Done {
                    arm: a,
                    case: c,
                    record,
                    spent,
                };
            }
            Err(e) if e.retryable() && attempt < settings.max_attempts => {
                tokio::time::sleep(retry::delay(settings, attempt, e.retry_after, rng.f64())).await;
            }
            Err(e) => {
                record.attempts = attempt;
                record.error_class = Some(e.class.as_str().into());
                record.http_status = e.http_status.map(u32::from);
                record.finish_reason = e.finish_reason.map(|f| f.as_str().into());
                record.error_message = Some(e.message);
                return Done {
                    arm: a,
                    case: c,
                    record,
                    spent: 0.0,
                };
            }
        }
    }
}

fn fill_usage(record: &mut ResultRecord, usage: Option<provider::Usage>, price: Option<Price>) {
    if let Some(u) = usage {
        record.prompt_tokens = Some(u.prompt_tokens);
        record.completion_tokens = Some(u.completion_tokens);
        record.cached_tokens = u.cached_tokens;
        record.cache_write_tokens = u.cache_write_tokens;
        record.cost = price.and_then(|p| {
            p.cost(
                u.prompt_tokens,
                u.cached_tokens.unwrap_or(0),
                u.cache_write_tokens.unwrap_or(0),
                u.completion_tokens,
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{GenParams, Message, ProviderKind, Role};

    /// Compiles only if the run future is `Send`: the desktop shell spawns runs on tokio's
    /// thread pool.
    #[allow(dead_code)]
    fn run_future_is_send(ctx: &RunContext, plan: Plan, sink: &mut (dyn FnMut(&Progress) + Send)) {
        fn assert_send<T: Send>(_: T) {}
        assert_send(execute(ctx, plan, sink));
    }

    #[test]
    fn the_cache_key_changes_with_the_messages_and_parameters_only() {
        let p = Provider {
            id: 1,
            name: "p".into(),
            kind: ProviderKind::OpenAi,
            base_url: "http://x".into(),
            api_key_env: None,
            settings: Default::default(),
        };
        let r = ChatRequest {
            model: "m".into(),
            messages: vec![Message::new(Role::User, "hi")],
            params: GenParams::default(),
        };
        let k = cache_key(&p, &r);
        assert_eq!(k.len(), 64);
        let renamed = Provider {
            id: 9,
            name: "q".into(),
            ..p.clone()
        };
        assert_eq!(
            cache_key(&renamed, &r),
            k,
            "the provider's name is not part of the answer"
        );
        let hotter = ChatRequest {
            params: GenParams {
                temperature: Some(1.0),
                ..GenParams::default()
            },
            ..r.clone()
        };
        assert_ne!(cache_key(&p, &hotter), k);
        let other = ChatRequest {
            messages: vec![Message::new(Role::User, "hi!")],
            ..r.clone()
        };
        assert_ne!(cache_key(&p, &other), k);
    }
}

//! One (arm, case) call of a run: render the prompt, answer from the response cache when
//! allowed, otherwise wait for the provider's lane (concurrency and rate limit) and send,
//! retrying transient failures with backoff that honours `Retry-After`.

use std::sync::Mutex;

use rusqlite::Connection;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::limiter::RateLimiter;
use super::local::Meter;
use super::plan::Plan;
use super::writer::Write;
use super::RunContext;
use super::{retry, ResultRecord};
use crate::arm::{Case, PreparedArm, Price};
use crate::provider::{self, ApiKey, ChatRequest, Provider, ProviderKind};
use crate::store;
use crate::store::response_cache::CachedResponse;

/// One provider's share of a run: its key, its concurrency and its rate limit.
pub(super) struct Lane {
    pub provider: Provider,
    pub key: Option<ApiKey>,
    pub semaphore: Semaphore,
    pub limiter: RateLimiter,
}

pub(super) struct ArmRuntime {
    pub prepared: PreparedArm,
    pub lane: usize,
    pub price: Option<Price>,
}

/// What every call of a run reads.
pub(super) struct Shared {
    pub run_id: i32,
    pub client: reqwest::Client,
    pub arms: Vec<ArmRuntime>,
    pub lanes: Vec<Lane>,
    pub cases: Vec<Case>,
    pub reader: Mutex<Connection>,
    pub use_cache: bool,
    pub writes: tokio::sync::mpsc::UnboundedSender<Write>,
    pub seed: u64,
    /// This machine's time among the local calls, and what an hour of it costs (USD).
    pub meter: Meter,
    pub machine_per_hour: f64,
}

impl Shared {
    /// What every call of run `plan` reads: its lanes and arms ([`lanes_and_arms`]), its
    /// cases, `reader` (shared by the calls for the response cache) and what an hour of this
    /// machine costs; results go to the writer through `writes`.
    pub(super) fn new(
        ctx: &RunContext,
        plan: &Plan,
        reader: Connection,
        writes: tokio::sync::mpsc::UnboundedSender<Write>,
    ) -> crate::Result<Self> {
        let machine_per_hour = store::setting::machine_cost_per_hour(&reader)?;
        let (lanes, arms) = lanes_and_arms(ctx, plan);
        Ok(Self {
            run_id: plan.run.id,
            client: ctx.client.clone(),
            arms,
            lanes,
            cases: plan.cases.clone(),
            reader: Mutex::new(reader),
            use_cache: plan.options.use_cache,
            writes,
            seed: ctx.seed,
            meter: Meter::new(std::time::Instant::now()),
            machine_per_hour,
        })
    }
}

/// One lane per provider (the first arm on a provider opens it), and each arm with its
/// lane and price.
fn lanes_and_arms(ctx: &RunContext, plan: &Plan) -> (Vec<Lane>, Vec<ArmRuntime>) {
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
    (lanes, arms)
}

/// One finished call.
pub(super) struct Done {
    pub arm: usize,
    pub case: usize,
    pub record: ResultRecord,
    /// USD actually spent (0 for cached answers and errors).
    pub spent: f64,
}

/// The cache key of a request to `provider`: SHA-256 of (kind, base URL, model,
/// messages, parameters). A local model is named by its file ([`model_identity`]) instead
/// of its URL: each run serves it on a new port.
///
/// [`model_identity`]: provider::local::model_identity
pub fn cache_key(provider: &Provider, request: &ChatRequest) -> String {
    let server = match provider.kind {
        ProviderKind::Local => {
            provider::local::model_identity(std::path::Path::new(&request.model))
        }
        _ => provider.base_url.clone(),
    };
    let text = serde_json::json!([
        provider.kind.as_str(),
        server,
        request.model,
        request.messages,
        request.params
    ])
    .to_string();
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes call number `job` of the session: arm `a` on case `c`.
pub(super) async fn call_one(sh: &Shared, job: usize, a: usize, c: usize) -> Done {
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
    let done = |record, spent| Done {
        arm: a,
        case: c,
        record,
        spent,
    };
    let messages = match arm.prepared.render(case) {
        Ok(m) => m,
        Err(e) => {
            record.error_class = Some("prompt".into());
            record.error_message = Some(e.to_string());
            return done(record, 0.0);
        }
    };
    let request = ChatRequest {
        model: arm.prepared.arm.model.clone(),
        messages,
        params: arm.prepared.arm.params.generation.clone(),
    };
    let key = sh.use_cache.then(|| cache_key(&lane.provider, &request));
    if let Some(k) = &key {
        if answer_from_cache(sh, k, &mut record, arm.price) {
            return done(record, 0.0);
        }
    }

    let Ok(_permit) = lane.semaphore.acquire().await else {
        record.error_class = Some("network".into());
        record.error_message = Some("the run stopped before this call was sent".into());
        return done(record, 0.0);
    };
    let spent = send_with_retries(sh, lane, arm, job, &request, key, &mut record).await;
    done(record, spent)
}

/// Fills `record` from the response cache entry `key`, if there is one.
fn answer_from_cache(
    sh: &Shared,
    key: &str,
    record: &mut ResultRecord,
    price: Option<Price>,
) -> bool {
    let hit = {
        let conn = sh.reader.lock().unwrap_or_else(|p| p.into_inner());
        store::response_cache::get(&conn, key).ok().flatten()
    };
    let Some(hit) = hit else {
        return false;
    };
    record.output = Some(hit.output);
    fill_usage(record, hit.usage, price);
    record.latency_ms = Some(hit.latency_ms);
    record.ttft_ms = hit.ttft_ms;
    record.finish_reason = hit.finish.map(|f| f.as_str().into());
    record.from_cache = true;
    if let Some(ms) = hit.machine_ms {
        price_machine_time(record, ms, sh.machine_per_hour);
    }
    true
}

/// A local answer's cost: its share of this machine's time at the machine's hourly cost.
fn price_machine_time(record: &mut ResultRecord, ms: f64, per_hour: f64) {
    record.machine_ms = Some(ms);
    record.cost = Some(ms / 3_600_000.0 * per_hour);
}

/// Sends `request` until it succeeds, fails for good, or runs out of attempts; fills
/// `record` with the answer or the error and returns the USD spent.
async fn send_with_retries(
    sh: &Shared,
    lane: &Lane,
    arm: &ArmRuntime,
    job: usize,
    request: &ChatRequest,
    key: Option<String>,
    record: &mut ResultRecord,
) -> f64 {
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
    let local = lane.provider.kind == ProviderKind::Local;
    let mut machine_s = 0.0;
    loop {
        attempt += 1;
        lane.limiter.acquire(est_tokens).await;
        let ticket = local.then(|| sh.meter.start(std::time::Instant::now()));
        let sent = provider::send(&sh.client, &lane.provider, lane.key.as_ref(), request).await;
        if let Some(t) = ticket {
            machine_s += sh.meter.finish(t, std::time::Instant::now());
        }
        match sent {
            Ok(resp) => {
                record.attempts = attempt;
                fill_usage(record, resp.usage, arm.price);
                let machine_ms = local.then_some(machine_s * 1000.0);
                if let Some(ms) = machine_ms {
                    price_machine_time(record, ms, sh.machine_per_hour);
                }
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
                            machine_ms,
                        },
                    ));
                }
                record.output = Some(resp.output);
                return record.cost.unwrap_or(0.0);
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
                return 0.0;
            }
        }
    }
}

pub(super) fn fill_usage(
    record: &mut ResultRecord,
    usage: Option<provider::Usage>,
    price: Option<Price>,
) {
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
    use crate::provider::{GenParams, Message, Role};

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

    #[test]
    fn a_local_models_cache_key_names_its_file_not_the_port_it_was_served_on() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("m.gguf");
        std::fs::write(&model, b"GGUF one").unwrap();
        let served_on = |port: u16| Provider {
            id: 1,
            name: "laptop".into(),
            kind: ProviderKind::Local,
            base_url: format!("http://127.0.0.1:{port}/v1"),
            api_key_env: None,
            settings: Default::default(),
        };
        let r = ChatRequest {
            model: model.display().to_string(),
            messages: vec![Message::new(Role::User, "hi")],
            params: GenParams::default(),
        };
        let k = cache_key(&served_on(40001), &r);
        assert_eq!(
            cache_key(&served_on(40002), &r),
            k,
            "a second run serves the same file on another port"
        );
        // The file rewritten (a new fine-tune or export in its place): another model.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&model, b"GGUF two, longer").unwrap();
        assert_ne!(cache_key(&served_on(40001), &r), k);
    }
}

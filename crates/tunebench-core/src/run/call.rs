//! One (arm, case) call of a run: render the prompt, answer from the response cache when
//! allowed, otherwise wait for the provider's lane (concurrency and rate limit) and send,
//! retrying transient failures with backoff that honours `Retry-After`.

use std::sync::Mutex;

use rusqlite::Connection;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::limiter::RateLimiter;
use super::writer::Write;
use super::{retry, ResultRecord};
use crate::arm::{Case, PreparedArm, Price};
use crate::provider::{self, ApiKey, ChatRequest, Provider};
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
    true
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
    loop {
        attempt += 1;
        lane.limiter.acquire(est_tokens).await;
        match provider::send(&sh.client, &lane.provider, lane.key.as_ref(), request).await {
            Ok(resp) => {
                record.attempts = attempt;
                fill_usage(record, resp.usage, arm.price);
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
    use crate::provider::{GenParams, Message, ProviderKind, Role};

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

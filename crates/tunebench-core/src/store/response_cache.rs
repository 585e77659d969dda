//! SQL for the `response_cache` table: answers keyed by a hash of (provider, model,
//! messages, parameters).

use rusqlite::{params, Connection, OptionalExtension};

use crate::provider::Usage;
use crate::Result;

/// A cached answer.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedResponse {
    pub output: String,
    pub usage: Option<Usage>,
    pub latency_ms: f64,
    pub ttft_ms: Option<f64>,
    pub finish: Option<crate::provider::FinishReason>,
    /// A local model's answer: its share of the machine's serving wall time, ms.
    pub machine_ms: Option<f64>,
}

// --- writes ---

/// Stores `resp` under `key`; an existing entry is kept.
pub fn put(conn: &Connection, key: &str, resp: &CachedResponse) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO response_cache (key, output, prompt_tokens, completion_tokens, cached_tokens,
                                     latency_ms, ttft_ms, cache_write_tokens, finish_reason,
                                     machine_ms, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         ON CONFLICT (key) DO NOTHING",
    )?
    .execute(params![
        key,
        resp.output,
        resp.usage.map(|u| u.prompt_tokens),
        resp.usage.map(|u| u.completion_tokens),
        resp.usage.and_then(|u| u.cached_tokens),
        resp.latency_ms,
        resp.ttft_ms,
        resp.usage.and_then(|u| u.cache_write_tokens),
        resp.finish.map(|f| f.as_str()),
        resp.machine_ms,
    ])?;
    Ok(())
}

// --- reads ---

pub fn get(conn: &Connection, key: &str) -> Result<Option<CachedResponse>> {
    Ok(conn
        .prepare_cached(
            "SELECT output, prompt_tokens, completion_tokens, cached_tokens, latency_ms, ttft_ms,
                    cache_write_tokens, finish_reason, machine_ms
               FROM response_cache WHERE key = ?1",
        )?
        .query_row([key], |r| {
            let prompt: Option<u32> = r.get(1)?;
            let completion: Option<u32> = r.get(2)?;
            Ok(CachedResponse {
                output: r.get(0)?,
                usage: prompt.map(|p| Usage {
                    prompt_tokens: p,
                    completion_tokens: completion.unwrap_or(0),
                    cached_tokens: r.get(3).ok().flatten(),
                    cache_write_tokens: r.get(6).ok().flatten(),
                }),
                latency_ms: r.get::<_, Option<f64>>(4)?.unwrap_or(0.0),
                ttft_ms: r.get(5)?,
                finish: r
                    .get::<_, Option<String>>(7)?
                    .and_then(|f| crate::provider::FinishReason::parse(&f)),
                machine_ms: r.get(8)?,
            })
        })
        .optional()?)
}

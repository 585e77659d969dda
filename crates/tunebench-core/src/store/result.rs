//! SQL for the `result` table: one row per (run, arm, case), inserted once and never
//! duplicated (`ON CONFLICT DO NOTHING` on the primary key).

use rusqlite::{params, Connection};

use crate::run::ResultRecord;
use crate::Result;

// --- writes ---

/// Inserts `rows` in one transaction; rows whose (run, arm, case) already has a result
/// are skipped. Returns how many were inserted.
pub fn insert_batch(conn: &Connection, rows: &[ResultRecord]) -> Result<usize> {
    let tx = conn.unchecked_transaction()?;
    let mut inserted = 0;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO result (run_id, arm_id, example_id, output, error_class, http_status,
                                 error_message, prompt_tokens, completion_tokens, cached_tokens,
                                 latency_ms, ttft_ms, attempts, cost, from_cache, finish_reason,
                                 cache_write_tokens, machine_ms, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     ?18, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
             ON CONFLICT (run_id, arm_id, example_id) DO NOTHING",
        )?;
        for r in rows {
            inserted += stmt.execute(params![
                r.run_id,
                r.arm_id,
                r.example_id,
                r.output,
                r.error_class,
                r.http_status,
                r.error_message,
                r.prompt_tokens,
                r.completion_tokens,
                r.cached_tokens,
                r.latency_ms,
                r.ttft_ms,
                r.attempts,
                r.cost,
                r.from_cache,
                r.finish_reason,
                r.cache_write_tokens,
                r.machine_ms,
            ])?;
        }
    }
    tx.commit()?;
    Ok(inserted)
}

/// Deletes the results of `run_id` that ended as errors, so a resume sends those cases
/// again; returns how many. Refusals are an outcome, not a failure, and are kept.
pub fn delete_errors(conn: &Connection, run_id: i32) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM result WHERE run_id = ?1 AND error_class IS NOT NULL
                                AND error_class <> 'refused'",
        [run_id],
    )?)
}

// --- reads ---

/// Every result of `run_id`, with the case's expected answer, in (arm, case) order.
pub fn for_run(conn: &Connection, run_id: i32) -> Result<Vec<(ResultRecord, String)>> {
    let mut stmt = conn.prepare(
        "SELECT r.run_id, r.arm_id, r.example_id, r.output, r.error_class, r.http_status,
                r.error_message, r.prompt_tokens, r.completion_tokens, r.cached_tokens,
                r.latency_ms, r.ttft_ms, r.attempts, r.cost, r.from_cache, e.expected,
                r.finish_reason, r.cache_write_tokens, r.machine_ms
           FROM result r JOIN example e ON e.id = r.example_id
          WHERE r.run_id = ?1
          ORDER BY r.arm_id, e.ordinal",
    )?;
    let rows = stmt.query_map([run_id], |r| {
        Ok((
            ResultRecord {
                run_id: r.get(0)?,
                arm_id: r.get(1)?,
                example_id: r.get(2)?,
                output: r.get(3)?,
                error_class: r.get(4)?,
                http_status: r.get(5)?,
                error_message: r.get(6)?,
                prompt_tokens: r.get(7)?,
                completion_tokens: r.get(8)?,
                cached_tokens: r.get(9)?,
                latency_ms: r.get(10)?,
                ttft_ms: r.get(11)?,
                attempts: r.get(12)?,
                cost: r.get(13)?,
                from_cache: r.get(14)?,
                finish_reason: r.get(16)?,
                cache_write_tokens: r.get(17)?,
                machine_ms: r.get(18)?,
            },
            r.get(15)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces the stored scores (a JSON object) of one result; `false` when there is none.
pub fn set_scores(
    conn: &Connection,
    run_id: i32,
    arm_id: i32,
    example_id: i32,
    scores: &str,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE result SET scores = ?4 WHERE run_id = ?1 AND arm_id = ?2 AND example_id = ?3",
        params![run_id, arm_id, example_id, scores],
    )?;
    Ok(n == 1)
}

/// An answered result stored without a cost, with the token counts that price it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unpriced {
    pub run_id: i32,
    pub example_id: i32,
    pub prompt: u32,
    pub cached: u32,
    pub cache_write: u32,
    pub completion: u32,
}

/// The answered results of arm `arm_id` stored without a cost but with token counts.
pub fn unpriced(conn: &Connection, arm_id: i32) -> Result<Vec<Unpriced>> {
    let mut stmt = conn.prepare(
        "SELECT run_id, example_id, prompt_tokens, COALESCE(cached_tokens, 0),
                COALESCE(cache_write_tokens, 0), completion_tokens
           FROM result
          WHERE arm_id = ?1 AND cost IS NULL AND output IS NOT NULL AND from_cache = 0
            AND prompt_tokens IS NOT NULL AND completion_tokens IS NOT NULL",
    )?;
    let rows = stmt.query_map([arm_id], |r| {
        Ok(Unpriced {
            run_id: r.get(0)?,
            example_id: r.get(1)?,
            prompt: r.get(2)?,
            cached: r.get(3)?,
            cache_write: r.get(4)?,
            completion: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sets the cost of one result.
pub fn set_cost(
    conn: &Connection,
    run_id: i32,
    arm_id: i32,
    example_id: i32,
    cost: f64,
) -> Result<()> {
    conn.execute(
        "UPDATE result SET cost = ?4 WHERE run_id = ?1 AND arm_id = ?2 AND example_id = ?3",
        params![run_id, arm_id, example_id, cost],
    )?;
    Ok(())
}

//! Reads of the `result` table as the report needs them: every answer of a run with its
//! case's input and expected answer, in case order. Writes stay in [`super::result`].

use rusqlite::Connection;

use crate::Result;

/// One stored answer (or error) of one arm on one case, with the case it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub arm_id: i32,
    pub example_id: i32,
    pub ordinal: i32,
    pub input: String,
    pub expected: String,
    /// `None` when the case errored.
    pub output: Option<String>,
    pub error_class: Option<String>,
    pub error_message: Option<String>,
    pub prompt_tokens: Option<u32>,
    /// Of `prompt_tokens`, those the provider served from its prompt cache.
    pub cached_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
    /// The stored scores (a JSON object), e.g. the judge's grade with its prompt.
    pub scores: String,
    pub latency_ms: Option<f64>,
    pub ttft_ms: Option<f64>,
    /// USD; `None` when the arm's model had no price.
    pub cost: Option<f64>,
    /// `length` (answer cut at the token limit), `content_filter` or `refusal`; `None`
    /// when the answer finished normally.
    pub finish_reason: Option<String>,
    /// A local model's answer: its share of the machine's serving wall time, ms.
    pub machine_ms: Option<f64>,
}

/// Every result of `run_id`, ordered by case (file order), then arm.
pub fn for_report(conn: &Connection, run_id: i32) -> Result<Vec<ResultRow>> {
    let mut stmt = conn.prepare(
        "SELECT r.arm_id, r.example_id, e.ordinal, e.input, e.expected, r.output, r.error_class,
                r.error_message, r.completion_tokens, r.latency_ms, r.ttft_ms, r.cost,
                r.prompt_tokens, r.cached_tokens, r.scores, r.finish_reason,
                r.machine_ms
           FROM result r JOIN example e ON e.id = r.example_id
          WHERE r.run_id = ?1
          ORDER BY e.ordinal, r.arm_id",
    )?;
    let rows = stmt.query_map([run_id], |r| {
        Ok(ResultRow {
            arm_id: r.get(0)?,
            example_id: r.get(1)?,
            ordinal: r.get(2)?,
            input: r.get(3)?,
            expected: r.get(4)?,
            output: r.get(5)?,
            error_class: r.get(6)?,
            error_message: r.get(7)?,
            completion_tokens: r.get(8)?,
            latency_ms: r.get(9)?,
            ttft_ms: r.get(10)?,
            cost: r.get(11)?,
            prompt_tokens: r.get(12)?,
            cached_tokens: r.get(13)?,
            scores: r.get(14)?,
            finish_reason: r.get(15)?,
            machine_ms: r.get(16)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

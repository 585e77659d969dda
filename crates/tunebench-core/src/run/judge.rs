//! LLM-as-judge over a finished run: a configured provider grades every answered case of
//! both arms against a rubric, and each grade is stored in the result's `scores` with the
//! judge prompt that produced it, so the report can use `judge` as the primary metric and a
//! reader can see exactly what the judge was asked.

use std::path::Path;

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use crate::provider::{self, ApiKey, CallError, ChatRequest, GenParams, Message, Provider, Role};
use crate::score::judge::{judge_case, JudgeClient, JudgePrompt, JudgeRubric};
use crate::{store, Error, Result};

/// The judge model behind a provider.
pub struct ProviderJudge {
    pub client: reqwest::Client,
    pub provider: Provider,
    pub key: Option<ApiKey>,
    pub model: String,
    /// Sent only when set: current reasoning models refuse any temperature but the default.
    pub temperature: Option<f64>,
}

impl JudgeClient for ProviderJudge {
    type Error = CallError;

    async fn complete(&self, prompt: &JudgePrompt) -> std::result::Result<String, CallError> {
        let request = ChatRequest {
            model: self.model.clone(),
            messages: vec![
                Message::new(Role::System, prompt.system.clone()),
                Message::new(Role::User, prompt.user.clone()),
            ],
            params: GenParams {
                max_tokens: Some(200),
                temperature: self.temperature,
                ..GenParams::default()
            },
        };
        Ok(
            provider::send(&self.client, &self.provider, self.key.as_ref(), &request)
                .await?
                .output,
        )
    }
}

/// How a judging pass ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JudgeOutcome {
    pub run_id: i32,
    pub judged: u32,
    /// Cases the judge could not grade (no answer, or no grade in its reply); the first
    /// few messages are kept.
    pub failed: u32,
    pub failures: Vec<String>,
}

/// Grades every answered case of run `run_id` (at most `concurrency` calls at once) and
/// stores each grade, replacing earlier ones.
pub async fn judge_run(
    db_path: &Path,
    judge: &ProviderJudge,
    run_id: i32,
    rubric: &JudgeRubric,
    concurrency: usize,
) -> Result<JudgeOutcome> {
    let rows = {
        let conn = store::open(db_path)?;
        store::run::get(&conn, run_id)?;
        store::result_read::for_report(&conn, run_id)?
    };
    let answered: Vec<_> = rows.into_iter().filter(|r| r.output.is_some()).collect();
    if answered.is_empty() {
        return Err(Error::Invalid(format!(
            "run {run_id} has no answered case to judge"
        )));
    }
    let graded: Vec<_> = stream::iter(answered)
        .map(|row| async move {
            let output = row.output.clone().unwrap_or_default();
            let verdict = judge_case(judge, rubric, &row.input, &row.expected, &output).await;
            (row, verdict)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let conn = store::open(db_path)?;
    let mut outcome = JudgeOutcome {
        run_id,
        judged: 0,
        failed: 0,
        failures: Vec::new(),
    };
    store::atomically(&conn, || {
        for (row, verdict) in graded {
            match verdict {
                Ok(v) => {
                    let mut scores: serde_json::Map<String, serde_json::Value> =
                        serde_json::from_str(&row.scores).unwrap_or_default();
                    scores.insert(
                        "judge".into(),
                        serde_json::json!({
                            "value": v.value,
                            "grade": v.grade,
                            "reason": v.reason,
                            "scale": rubric.scale,
                            "rubric": rubric.rubric,
                            "model": judge.model,
                            "prompt": v.prompt,
                        }),
                    );
                    let json = serde_json::Value::Object(scores).to_string();
                    store::result::set_scores(&conn, run_id, row.arm_id, row.example_id, &json)?;
                    outcome.judged += 1;
                }
                Err(e) => {
                    outcome.failed += 1;
                    if outcome.failures.len() < 5 {
                        outcome
                            .failures
                            .push(format!("case {}: {e}", row.ordinal + 1));
                    }
                }
            }
        }
        Ok(())
    })?;
    Ok(outcome)
}

/// The judge's grade stored in a result's `scores`, in [0, 1].
pub fn stored_grade(scores: &str) -> Option<f64> {
    serde_json::from_str::<serde_json::Value>(scores)
        .ok()?
        .get("judge")?
        .get("value")?
        .as_f64()
}

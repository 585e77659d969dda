//! Reading providers' answers and writing their bodies: status words into
//! observations, event arrays into job events, Together's job body.

use serde_json::{json, Value};

use crate::finetune::job::{Hyperparameters, JobEvent, JobStatus, Observation};
use crate::provider::{CallError, ErrorClass};

pub(super) fn local() -> CallError {
    CallError::new(ErrorClass::BadRequest, "a local job has no remote API")
}

/// A provider's job object read into an observation: its status word (kept as the
/// provider's own, and mapped to ours) and the resulting model, when there is one.
pub(super) fn observed(
    v: &Value,
    status_field: &str,
    map: fn(&str) -> Option<JobStatus>,
    model_field: &str,
) -> Result<Observation, CallError> {
    let word = str_field(v, status_field)?;
    let mut o = Observation::status(known(map(&word), &word)?);
    o.provider_status = Some(word);
    o.result_model = v
        .get(model_field)
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(o)
}

pub(super) fn known(status: Option<JobStatus>, word: &str) -> Result<JobStatus, CallError> {
    status.ok_or_else(|| CallError::malformed(format!("unknown job status {word:?}")))
}

pub(super) fn str_field(v: &Value, field: &str) -> Result<String, CallError> {
    v.get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| CallError::malformed(format!("no `{field}` in the answer")))
}

pub(super) fn together_body(file: &str, base_model: &str, h: &Hyperparameters) -> Value {
    let mut body = json!({
        "training_file": file,
        "model": base_model,
        "n_epochs": h.epochs.unwrap_or(1),
        "training_method": {"method": "sft"},
        "training_type": if h.full {
            json!({"type": "Full"})
        } else {
            let mut t = json!({"type": "Lora", "lora_r": h.lora_rank.unwrap_or(8)});
            t["lora_alpha"] = json!(h.lora_alpha.unwrap_or(2 * h.lora_rank.unwrap_or(8)));
            t
        },
    });
    if let Some(b) = h.batch_size {
        body["batch_size"] = json!(b);
    }
    if let Some(l) = h.learning_rate {
        body["learning_rate"] = json!(l);
    }
    if let Some(s) = &h.suffix {
        body["suffix"] = json!(s);
    }
    body
}

fn at_unix(v: &Value) -> String {
    match v.as_i64() {
        Some(secs) => crate::finetune::at(secs),
        None => v.as_str().unwrap_or_default().to_string(),
    }
}

/// The events array `field` of a provider's answer `v` (none when it is absent): each
/// event's time, level and message read alike, its step and training loss by `metrics`.
pub(super) fn events(
    v: &Value,
    field: &str,
    metrics: fn(&Value) -> (Option<u64>, Option<f64>),
) -> Vec<JobEvent> {
    let Some(list) = v.get(field).and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|e| {
            let (step, loss) = metrics(e);
            JobEvent {
                at: at_unix(&e["created_at"]),
                level: e["level"].as_str().unwrap_or("info").to_string(),
                message: e["message"].as_str().unwrap_or_default().to_string(),
                step: step.map(|s| s as u32),
                loss,
            }
        })
        .collect()
}

/// OpenAI and Azure put an event's metrics under `data`.
pub(super) fn openai_metrics(e: &Value) -> (Option<u64>, Option<f64>) {
    (
        e.pointer("/data/step").and_then(Value::as_u64),
        e.pointer("/data/train_loss").and_then(Value::as_f64),
    )
}

/// Together puts an event's step at the top; its events carry no loss (the metrics do:
/// [`together_losses`]).
pub(super) fn together_metrics(e: &Value) -> (Option<u64>, Option<f64>) {
    (e.get("step").and_then(Value::as_u64), None)
}

/// The training rows of Together's `{"metrics": [...]}` (those with `train/loss` and
/// `train/global_step`; eval rows have `eval/*` keys) as events, timed by their
/// `timestamp` (nanoseconds) when they have one.
pub(super) fn together_losses(v: &Value) -> Vec<JobEvent> {
    let Some(rows) = v.get("metrics").and_then(Value::as_array) else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|m| {
            let step = m.get("train/global_step").and_then(Value::as_f64)?;
            let loss = m.get("train/loss").and_then(Value::as_f64)?;
            let step = step.max(0.0) as u32;
            Some(JobEvent {
                at: m
                    .get("timestamp")
                    .and_then(Value::as_f64)
                    .map(|ns| crate::finetune::at((ns / 1e9) as i64))
                    .unwrap_or_default(),
                level: "info".into(),
                message: format!("step {step}: training loss {loss}"),
                step: Some(step),
                loss: Some(loss),
            })
        })
        .collect()
}

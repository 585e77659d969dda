//! The report's inputs: the dataset's statistics with its leakage check, and each arm's
//! full configuration.

use rusqlite::Connection;
use serde::Serialize;

use super::Block;
use crate::arm::Arm;
use crate::{dataset, store, Error, Result};

/// The dataset's statistics and its leakage check. A dataset without a stored validation
/// report (written straight into the store) still gets its leakage check.
pub(super) fn dataset_blocks(
    conn: &Connection,
    experiment_id: i32,
    b: &mut Vec<Block>,
) -> Result<()> {
    let exp = store::experiment::get(conn, experiment_id)?;
    let name = store::dataset::name(conn, exp.dataset_id)?;
    let leak = dataset::leakage(conn, exp.dataset_id)?;
    b.push(Block::Heading(format!("Dataset {name}")));
    let mut rows = Vec::new();
    let validation = dataset::report(conn, exp.dataset_id);
    if let Ok(v) = &validation {
        rows.extend([
            vec!["rows".into(), v.rows.to_string()],
            vec![
                "train / test / unassigned".into(),
                format!("{} / {} / {}", v.train_rows, v.test_rows, v.unassigned_rows),
            ],
            vec![
                "empty inputs / expected".into(),
                format!("{} / {}", v.empty_inputs, v.empty_expected),
            ],
            vec![
                "duplicate rows / inputs".into(),
                format!("{} / {}", v.duplicate_rows, v.duplicate_inputs),
            ],
            vec!["encoding".into(), v.encoding.clone()],
            vec![
                format!("input tokens ({})", v.token_estimate),
                format!(
                    "p50 {} · p95 {} · max {}",
                    v.input_tokens.p50, v.input_tokens.p95, v.input_tokens.max
                ),
            ],
        ]);
        for l in &v.labels {
            rows.push(vec![format!("label {}", l.label), l.count.to_string()]);
        }
    } else {
        rows.push(vec![
            "train / test rows".into(),
            format!("{} / {}", leak.train_rows, leak.test_rows),
        ]);
    }
    rows.push(vec![
        "leakage (test inputs found in train)".into(),
        format!(
            "{} exact, {} after folding case and punctuation ({} train rows duplicate a test input)",
            leak.exact_test_rows, leak.normalised_test_rows, leak.leaked_train_rows
        ),
    ]);
    if !exp.labels.is_empty() {
        rows.push(vec!["taxonomy".into(), exp.labels.join(", ")]);
    }
    b.push(Block::Table {
        head: vec!["statistic".into(), "value".into()],
        rows,
    });
    match validation {
        Ok(v) if !v.warnings.is_empty() => {
            b.push(Block::List(
                v.warnings.iter().map(|w| w.message.clone()).collect(),
            ));
        }
        Ok(_) => {}
        Err(e) => b.push(Block::Para(format!("No validation report: {e}"))),
    }
    Ok(())
}

/// One arm's full configuration. Keys live in the OS keychain, never in an arm.
pub(super) fn arm_blocks(arm: &Arm, b: &mut Vec<Block>) -> Result<()> {
    b.push(Block::Para(format!(
        "{} · {} · model {} · provider #{}",
        arm.name,
        arm.kind.as_str(),
        arm.model,
        arm.provider_id
    )));
    b.push(Block::Pre(
        "system prompt".into(),
        arm.system_prompt.clone(),
    ));
    b.push(Block::Pre("template".into(), arm.template.clone()));
    if let Some(f) = &arm.few_shot {
        b.push(Block::Pre("few-shot".into(), json(f)?));
    }
    if let Some(r) = &arm.retrieval {
        b.push(Block::Pre("retrieval".into(), json(r)?));
    }
    b.push(Block::Pre("parameters".into(), json(&arm.params)?));
    Ok(())
}

/// Pretty JSON of a configuration value.
fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Invalid(format!("arm configuration: {e}")))
}

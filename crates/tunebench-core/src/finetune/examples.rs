//! The training examples of a train split, rendered as chat messages exactly as the arm
//! renders a case at evaluation (same system prompt, same template, same retrieved
//! context), followed by the expected answer as the assistant's message.
//!
//! Held-out rows are never trained on: only train rows are read, and the whole set is
//! refused when any of them is a leaked near-duplicate of a test row.

use rusqlite::Connection;
use serde::Serialize;

use crate::arm::{Arm, PreparedArm};
use crate::provider::{Message, Role};
use crate::{dataset, store, Error, Result};

/// How many refused rows an error names (the count covers all of them).
const NAMED_ROWS: usize = 5;

/// One training example: the messages the arm sends for the row, then its answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrainingExample {
    pub example_id: i32,
    /// 1-based row number in the source file.
    pub row: i32,
    pub messages: Vec<Message>,
}

impl TrainingExample {
    /// The answer trained on (the last, assistant message).
    pub fn answer(&self) -> &str {
        self.messages.last().map_or("", |m| m.content.as_str())
    }
}

/// The arm as it renders training examples and as the fine-tuned arm made from it renders
/// cases: its few-shot examples dropped (fine-tuning replaces them; keeping them would
/// also show a row its own answer).
pub fn training_arm(arm: &Arm) -> Arm {
    Arm {
        few_shot: None,
        ..arm.clone()
    }
}

/// The train split of `dataset_id` rendered with `arm`, in file order. Refused when the
/// split is empty, or when a train row repeats a test input (exactly or once case,
/// spaces and punctuation are folded): held-out rows are never uploaded.
pub fn training_examples(
    conn: &Connection,
    dataset_id: i32,
    arm: &Arm,
) -> Result<Vec<TrainingExample>> {
    let name = store::dataset::name(conn, dataset_id)?;
    let leaked = dataset::leaked_train_ids(conn, dataset_id)?;
    let cases = store::case::for_split(conn, dataset_id, "train")?;
    if !leaked.is_empty() {
        let rows: Vec<String> = cases
            .iter()
            .filter(|c| leaked.contains(&i64::from(c.id)))
            .take(NAMED_ROWS)
            .map(|c| (c.ordinal + 1).to_string())
            .collect();
        return Err(Error::Invalid(format!(
            "dataset {name:?}: {} train rows repeat a test input (rows {}{}); training on them \
             would leak the test set into the model. Remove them from train first: \
             \"Remove … from train\" under Leakage on the dataset's screen, or \
             `tunebench leakage {name:?} --remove`",
            leaked.len(),
            rows.join(", "),
            if leaked.len() > rows.len() {
                ", …"
            } else {
                ""
            }
        )));
    }
    if cases.is_empty() {
        return Err(Error::Invalid(format!(
            "dataset {name:?} has no train rows; split it first (Split on its dataset screen, \
             or `tunebench split` on the command line)"
        )));
    }
    let prepared = PreparedArm::prepare(training_arm(arm), Vec::new())?;
    cases
        .iter()
        .map(|case| {
            let mut messages = prepared.render(case)?;
            messages.push(Message::new(Role::Assistant, case.expected.clone()));
            Ok(TrainingExample {
                example_id: case.id,
                row: case.ordinal + 1,
                messages,
            })
        })
        .collect()
}

/// The examples as chat-format JSONL (`{"messages": [{"role", "content"}, …]}` a line), the
/// training file OpenAI, Azure OpenAI, Together and Fireworks all accept.
pub fn to_jsonl(examples: &[TrainingExample]) -> String {
    let mut out = String::new();
    for e in examples {
        let messages: Vec<serde_json::Value> = e
            .messages
            .iter()
            .map(|m| serde_json::json!({"role": m.role.as_str(), "content": m.content}))
            .collect();
        out.push_str(&serde_json::json!({ "messages": messages }).to_string());
        out.push('\n');
    }
    out
}

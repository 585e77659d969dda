//! Preflight of a train split for one trainer and base model, before any upload: the
//! training file it becomes, the trainer's rules (roles, empty or over-long examples,
//! minimum count, file size), duplicates, label balance, the framework's < 500 warning,
//! tokens, and what training will cost.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::examples::{to_jsonl, training_examples, TrainingExample};
use super::job::{Hyperparameters, Trainer, OPENAI_CLOSES};
use crate::arm::tokens::{self, Encoding};
use crate::dataset::normalise;
use crate::provider::Role;
use crate::{money, store, Error, Result};

mod cost;
mod rules;

pub use cost::{estimate, training_price, TrainingEstimate};
pub use rules::{openai_auto_epochs, Rules, TokenMethod};

/// Fewer examples than this draws the framework's warning: fine-tuning rarely beats a good
/// prompt on a few hundred examples.
pub const FEW_EXAMPLES: u32 = 500;

/// What to check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreflightRequest {
    pub dataset_id: i32,
    /// The arm whose system prompt and template render the examples.
    pub arm_id: i32,
    pub trainer: Trainer,
    pub base_model: String,
    #[serde(default)]
    pub hyperparameters: Hyperparameters,
    /// The most to spend on training, USD; above it, Start is refused.
    #[serde(default)]
    pub spend_ceiling: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Start is refused until it is fixed.
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    pub severity: Severity,
    /// A stable word: `too_few`, `few_examples`, `empty_answer`, `empty_input`, `too_long`,
    /// `file_too_big`, `duplicates`, `conflicting_answers`, `label_imbalance`, `no_price`,
    /// `over_ceiling`, `closing`, `few_shot_dropped`.
    pub code: String,
    pub message: String,
    /// The 1-based rows concerned (the first 20).
    pub rows: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LabelShare {
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreflightReport {
    pub trainer: Trainer,
    pub base_model: String,
    pub examples: u32,
    pub token_method: TokenMethod,
    /// The largest example, in tokens.
    pub max_example_tokens: u32,
    pub file_bytes: f64,
    pub rules: Rules,
    pub labels: Vec<LabelShare>,
    pub findings: Vec<Finding>,
    pub estimate: TrainingEstimate,
    /// False when any finding is an error: Start is refused.
    pub ok: bool,
}

/// A preflight together with the file it checked.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub report: PreflightReport,
    pub examples: Vec<TrainingExample>,
    pub jsonl: String,
}

const LISTED_ROWS: usize = 20;

/// Builds the training file for `req` and checks it. Bad input (an unknown dataset or arm,
/// a leaked test row, bad hyperparameters) is an error; a file that breaks a trainer's
/// rule is a report with `ok = false`.
pub fn prepare(conn: &Connection, req: &PreflightRequest) -> Result<Prepared> {
    req.hyperparameters.check()?;
    if req.base_model.trim().is_empty() {
        return Err(Error::Invalid("`base_model` is empty".into()));
    }
    let arm = store::arm::get(conn, req.arm_id)?;
    let examples = training_examples(conn, req.dataset_id, &arm)?;
    let jsonl = to_jsonl(&examples);
    let rules = Rules::of(req.trainer, &req.base_model);
    let method = match req.trainer {
        Trainer::OpenAi | Trainer::AzureOpenAi => match Encoding::for_model(&req.base_model) {
            Encoding::O200kBase => TokenMethod::O200kBase,
            Encoding::Cl100kBase => TokenMethod::Cl100kBase,
        },
        _ => TokenMethod::CharsOver4,
    };
    let count = |text: &str| -> u32 {
        match method {
            TokenMethod::O200kBase => tokens::count(Encoding::O200kBase, text),
            TokenMethod::Cl100kBase => tokens::count(Encoding::Cl100kBase, text),
            TokenMethod::CharsOver4 => (text.chars().count() as u32).div_ceil(4),
        }
    };
    let mut findings = Vec::new();
    let mut row_finding = |severity, code: &str, rows: Vec<i32>, what: String| {
        if !rows.is_empty() {
            findings.push(Finding {
                severity,
                code: code.into(),
                message: format!("{} rows {what}", rows.len()),
                rows: rows.into_iter().take(LISTED_ROWS).collect(),
            });
        }
    };

    // Roles and content: [system], user, assistant — each example non-empty.
    let mut empty_answer = Vec::new();
    let mut empty_input = Vec::new();
    let mut too_long = Vec::new();
    let mut total_tokens = 0f64;
    let mut max_tokens = 0u32;
    for e in &examples {
        let n: u32 = e
            .messages
            .iter()
            .map(|m| count(&m.content) + 3)
            .sum::<u32>()
            + 3;
        total_tokens += f64::from(n);
        max_tokens = max_tokens.max(n);
        if e.answer().trim().is_empty() {
            empty_answer.push(e.row);
        }
        if e.messages
            .iter()
            .any(|m| m.role == Role::User && m.content.trim().is_empty())
        {
            empty_input.push(e.row);
        }
        if rules.max_example_tokens.is_some_and(|max| n > max) {
            too_long.push(e.row);
        }
    }
    row_finding(
        Severity::Error,
        "empty_answer",
        empty_answer,
        "have an empty answer (the assistant message would be empty)".into(),
    );
    row_finding(
        Severity::Error,
        "empty_input",
        empty_input,
        "render to an empty user message".into(),
    );
    if let Some(max) = rules.max_example_tokens {
        row_finding(
            Severity::Error,
            "too_long",
            too_long,
            format!(
                "are longer than the {} tokens an example may hold for {}",
                money::count(f64::from(max)),
                req.base_model
            ),
        );
    }

    // Duplicates (same folded input and answer) and conflicts (same input, other answer).
    let mut seen: HashMap<String, (i32, String)> = HashMap::new();
    let mut dupes = Vec::new();
    let mut conflicts = Vec::new();
    for e in &examples {
        let user = e
            .messages
            .iter()
            .rev()
            .find(|m| m.role == Role::User)
            .map_or(String::new(), |m| normalise(&m.content));
        match seen.get(&user) {
            Some((_, answer)) if *answer == normalise(e.answer()) => dupes.push(e.row),
            Some(_) => conflicts.push(e.row),
            None => {
                seen.insert(user, (e.row, normalise(e.answer())));
            }
        }
    }
    row_finding(
        Severity::Warning,
        "duplicates",
        dupes,
        "repeat an earlier example (same input and answer once folded); they weigh double".into(),
    );
    row_finding(
        Severity::Warning,
        "conflicting_answers",
        conflicts,
        "repeat an earlier input with a different answer".into(),
    );

    let n = examples.len() as u32;
    if n < rules.min_examples {
        findings.push(Finding {
            severity: Severity::Error,
            code: "too_few".into(),
            message: format!(
                "{} needs at least {} examples; the train split has {n}",
                req.trainer.label(),
                rules.min_examples
            ),
            rows: vec![],
        });
    } else if n < FEW_EXAMPLES {
        findings.push(Finding {
            severity: Severity::Warning,
            code: "few_examples".into(),
            message: format!(
                "{n} examples is fewer than {FEW_EXAMPLES}: a fine-tune this small rarely \
                 beats a good prompt; the comparison will tell"
            ),
            rows: vec![],
        });
    }
    let file_bytes = jsonl.len() as f64;
    if file_bytes > rules.max_file_bytes {
        findings.push(Finding {
            severity: Severity::Error,
            code: "file_too_big".into(),
            message: format!(
                "the training file is {} MB; {} accepts at most {} MB",
                money::short(file_bytes / 1e6),
                req.trainer.label(),
                money::short(rules.max_file_bytes / 1e6)
            ),
            rows: vec![],
        });
    }

    // Label balance, when the answers look like labels (few distinct values).
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for e in &examples {
        *counts.entry(e.answer().trim().to_string()).or_default() += 1;
    }
    let labels: Vec<LabelShare> = if counts.len() <= 50 && (counts.len() as u32) * 2 <= n {
        let mut v: Vec<LabelShare> = counts
            .into_iter()
            .map(|(label, count)| LabelShare { label, count })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        v
    } else {
        Vec::new()
    };
    if let (Some(most), Some(least)) = (labels.first(), labels.last()) {
        if labels.len() > 1 && most.count >= least.count * 10 {
            findings.push(Finding {
                severity: Severity::Warning,
                code: "label_imbalance".into(),
                message: format!(
                    "labels are unbalanced: {:?} has {} examples, {:?} only {}; the model may \
                     learn to favour {:?}",
                    most.label, most.count, least.label, least.count, most.label
                ),
                rows: vec![],
            });
        }
    }
    if arm
        .few_shot
        .as_ref()
        .is_some_and(|f| f.k > 0 || !f.ids.is_empty())
    {
        findings.push(Finding {
            severity: Severity::Warning,
            code: "few_shot_dropped".into(),
            message: format!(
                "arm {:?} shows few-shot examples; the training file and the fine-tuned arm \
                 leave them out (the training replaces them)",
                arm.name
            ),
            rows: vec![],
        });
    }
    if req.trainer == Trainer::OpenAi {
        findings.push(Finding {
            severity: Severity::Warning,
            code: "closing".into(),
            message: format!(
                "OpenAI closes self-serve fine-tuning to new jobs on {OPENAI_CLOSES}; its \
                 gpt-4o and gpt-4.1 fine-tunes stop serving on 2027-01-14"
            ),
            rows: vec![],
        });
    }

    let epochs = req
        .hyperparameters
        .epochs
        .or(rules.default_epochs)
        .unwrap_or_else(|| openai_auto_epochs(n));
    let estimate = estimate(
        conn,
        req.trainer,
        &req.base_model,
        total_tokens,
        epochs,
        req.spend_ceiling,
    )?;
    if let Some(why) = &estimate.missing {
        findings.push(Finding {
            severity: Severity::Warning,
            code: "no_price".into(),
            message: why.clone(),
            rows: vec![],
        });
    }
    if estimate.over_ceiling() {
        findings.push(Finding {
            severity: Severity::Error,
            code: "over_ceiling".into(),
            message: format!(
                "the estimate ({}) is above the spend ceiling of {}",
                money::usd(estimate.training_cost.unwrap_or_default()),
                money::usd(estimate.spend_ceiling.unwrap_or_default())
            ),
            rows: vec![],
        });
    }
    let ok = findings.iter().all(|f| f.severity != Severity::Error);
    Ok(Prepared {
        report: PreflightReport {
            trainer: req.trainer,
            base_model: req.base_model.clone(),
            examples: n,
            token_method: method,
            max_example_tokens: max_tokens,
            file_bytes,
            rules,
            labels,
            findings,
            estimate,
            ok,
        },
        examples,
        jsonl,
    })
}

/// The preflight report of `req` (the file itself is not kept).
pub fn preflight(conn: &Connection, req: &PreflightRequest) -> Result<PreflightReport> {
    Ok(prepare(conn, req)?.report)
}

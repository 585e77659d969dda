//! The case browser of the results screen: the cases of a run side by side (input,
//! expected, both outputs, both primary scores, error class), filtered to where the arms
//! disagree, both failed or errored, searched, and paged.
//!
//! The filters partition the cases, so their counts add up: a case is either an error
//! (either arm errored), or both arms answered and it is A-only-right, B-only-right,
//! both-wrong or both-right. "Right" is a binary primary score of 1, or a continuous one
//! of at least the experiment's stated `[scenario] correct_at` (else half the metric's
//! scale, [`RIGHT_THRESHOLD`] of it); the page states which in `right_means`.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::RunData;
#[cfg(doc)]
use super::RIGHT_THRESHOLD;
use crate::store::result_read::ResultRow;
use crate::Result;

/// Arm A's and arm B's result on one case, when they have one.
type Pair<'a> = (Option<&'a ResultRow>, Option<&'a ResultRow>);

/// The largest page the browser is given at once.
pub const MAX_PAGE: u32 = 500;

/// Which cases to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CaseFilter {
    All,
    /// Both answered; only arm A (prompting) is right.
    AOnlyRight,
    /// Both answered; only arm B (fine-tuned) is right.
    BOnlyRight,
    /// Both answered and both are wrong.
    BothWrong,
    /// At least one arm failed after its retries.
    Errors,
}

/// One arm's answer on one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmAnswer {
    /// `None` when the case errored or has no result yet.
    pub output: Option<String>,
    /// The primary score; `None` for an error or a missing result.
    pub score: Option<f64>,
    pub right: bool,
    pub error_class: Option<String>,
    pub error_message: Option<String>,
    /// The answer was cut at the output token limit.
    pub truncated: bool,
}

/// One case with both arms' answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseView {
    pub example_id: i32,
    /// 0-based position in the source file.
    pub ordinal: i32,
    pub input: String,
    pub expected: String,
    pub a: ArmAnswer,
    pub b: ArmAnswer,
}

/// How many cases each filter holds (before search), for the browser's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseCounts {
    pub all: u32,
    pub a_only_right: u32,
    pub b_only_right: u32,
    pub both_wrong: u32,
    pub both_right: u32,
    pub errors: u32,
}

/// One page of the browser.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CasePage {
    pub run_id: i32,
    pub filter: CaseFilter,
    pub search: Option<String>,
    /// Cases matching the filter and search (all pages).
    pub total: u32,
    pub offset: u32,
    pub counts: CaseCounts,
    /// Names of arm A and arm B, for the column heads.
    pub arm_a: String,
    pub arm_b: String,
    pub cases: Vec<CaseView>,
    /// What makes a case right, stated wherever the counts of right and wrong cases are
    /// shown: "Right: a case's bleu score is at least 30 (the experiment's [scenario]
    /// correct_at)".
    pub right_means: String,
}

/// The cases of run `run_id` matching `filter` and `search` (case-insensitive, in the
/// input, expected answer or either output), `limit` (at most [`MAX_PAGE`]) from `offset`,
/// in file order.
pub fn cases(
    conn: &Connection,
    run_id: i32,
    filter: CaseFilter,
    search: Option<String>,
    offset: u32,
    limit: u32,
) -> Result<CasePage> {
    let data = RunData::load(conn, run_id)?;
    let (right_at, right_means) = data.right_rule()?;
    // (ordinal, example id) -> (A's result, B's result), in file order.
    let mut by_case: BTreeMap<(i32, i32), Pair<'_>> = BTreeMap::new();
    for row in &data.rows {
        let slot = by_case.entry((row.ordinal, row.example_id)).or_default();
        if row.arm_id == data.arm_a.id {
            slot.0 = Some(row);
        } else if row.arm_id == data.arm_b.id {
            slot.1 = Some(row);
        }
    }
    let needle = search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let mut counts = CaseCounts::default();
    let mut matching = Vec::new();
    for ((_, example_id), (a, b)) in by_case {
        let Some(first) = a.or(b) else { continue };
        let view = CaseView {
            example_id,
            ordinal: first.ordinal,
            input: first.input.clone(),
            expected: first.expected.clone(),
            a: answer(&data, a, right_at),
            b: answer(&data, b, right_at),
        };
        let class = classify(&view);
        counts.all += 1;
        match class {
            Some(CaseFilter::AOnlyRight) => counts.a_only_right += 1,
            Some(CaseFilter::BOnlyRight) => counts.b_only_right += 1,
            Some(CaseFilter::BothWrong) => counts.both_wrong += 1,
            Some(CaseFilter::Errors) => counts.errors += 1,
            Some(CaseFilter::All) => {}
            None if view.a.right && view.b.right => counts.both_right += 1,
            None => {}
        }
        let wanted = filter == CaseFilter::All || class == Some(filter);
        if wanted && needle.as_deref().is_none_or(|n| mentions(&view, n)) {
            matching.push(view);
        }
    }
    let total = matching.len() as u32;
    let cases = matching
        .into_iter()
        .skip(offset as usize)
        .take(limit.min(MAX_PAGE) as usize)
        .collect();
    Ok(CasePage {
        run_id,
        filter,
        search,
        total,
        offset,
        counts,
        arm_a: data.arm_a.name.clone(),
        arm_b: data.arm_b.name.clone(),
        cases,
        right_means,
    })
}

fn answer(data: &RunData, row: Option<&ResultRow>, right_at: f64) -> ArmAnswer {
    let score = row.and_then(|r| data.primary_score(r));
    ArmAnswer {
        output: row.and_then(|r| r.output.clone()),
        score,
        right: score.is_some_and(|s| s >= right_at),
        error_class: row.and_then(|r| r.error_class.clone()),
        error_message: row.and_then(|r| r.error_message.clone()),
        truncated: row
            .is_some_and(|r| r.output.is_some() && r.finish_reason.as_deref() == Some("length")),
    }
}

/// The filter a case belongs to; `None` when both arms are right, or a result is missing.
fn classify(view: &CaseView) -> Option<CaseFilter> {
    let (a, b) = (&view.a, &view.b);
    if a.error_class.is_some() || b.error_class.is_some() {
        return Some(CaseFilter::Errors);
    }
    if a.output.is_none() || b.output.is_none() {
        return None;
    }
    match (a.right, b.right) {
        (true, false) => Some(CaseFilter::AOnlyRight),
        (false, true) => Some(CaseFilter::BOnlyRight),
        (false, false) => Some(CaseFilter::BothWrong),
        (true, true) => None,
    }
}

/// Whether `needle` (lowercase) occurs in the case's input, expected answer or outputs.
fn mentions(view: &CaseView, needle: &str) -> bool {
    [
        Some(&view.input),
        Some(&view.expected),
        view.a.output.as_ref(),
        view.b.output.as_ref(),
    ]
    .into_iter()
    .flatten()
    .any(|text| text.to_lowercase().contains(needle))
}

//! An experiment composed in the window from stored arms, as an alternative to the
//! experiment file: validated, then stored like an imported one.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{Experiment, Margin};
use crate::{store, Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExperimentDraft {
    pub name: String,
    pub dataset_id: i32,
    /// `test` (the held-out split) or `all`.
    pub split: String,
    pub primary_metric: String,
    pub margin: Margin,
    /// The taxonomy, for format compliance and per-class tables. Empty: the dataset's
    /// expected values when its report found them to be labels.
    pub labels: Vec<String>,
    /// Arm A, the prompting arm.
    pub arm_a: i32,
    /// Arm B, the fine-tuned (or hybrid) arm.
    pub arm_b: i32,
}

/// Stores `draft` as a new experiment and returns its id; the error names the field.
pub fn create(conn: &Connection, draft: &ExperimentDraft) -> Result<i32> {
    let bad = |field: &str, why: String| {
        Err(Error::Invalid(format!(
            "experiment, field `{field}`: {why}"
        )))
    };
    if draft.name.trim().is_empty() {
        return bad("name", "give the experiment a name".into());
    }
    if !matches!(draft.split.as_str(), "test" | "all") {
        return bad(
            "split",
            format!("`{}` is neither `test` nor `all`", draft.split),
        );
    }
    if draft.arm_a == draft.arm_b {
        return bad("arm_b", "the two arms must differ".into());
    }
    if !(draft.margin.value.is_finite() && draft.margin.value > 0.0) {
        return bad(
            "margin",
            format!("{} is not a positive number", draft.margin.value),
        );
    }
    crate::score::Scorer::by_name(&draft.primary_metric, &draft.labels)
        .map_err(|e| Error::Invalid(format!("experiment, field `primary_metric`: {e}")))?;
    let cases = store::case::for_split(conn, draft.dataset_id, &draft.split)?.len();
    if cases == 0 {
        return bad(
            "split",
            format!(
                "dataset {} has no `{}` rows; split it first",
                draft.dataset_id, draft.split
            ),
        );
    }
    for id in [draft.arm_a, draft.arm_b] {
        store::arm::get(conn, id)?;
    }
    let labels = if draft.labels.is_empty() {
        taxonomy(conn, draft.dataset_id)
    } else {
        draft.labels.clone()
    };
    store::experiment::insert(
        conn,
        &Experiment {
            id: 0,
            name: draft.name.trim().to_string(),
            dataset_id: draft.dataset_id,
            split: draft.split.clone(),
            primary_metric: draft.primary_metric.clone(),
            margin: draft.margin,
            labels,
            arm_ids: vec![draft.arm_a, draft.arm_b],
        },
    )
}

/// The labels of dataset `id` (sorted) when its report found its expected values to be a
/// label set, else none.
fn taxonomy(conn: &Connection, id: i32) -> Vec<String> {
    match crate::dataset::report(conn, id) {
        Ok(r) if r.labelled => {
            let mut labels: Vec<String> = r.labels.into_iter().map(|l| l.label).collect();
            labels.sort();
            labels
        }
        _ => Vec::new(),
    }
}

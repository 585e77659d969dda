//! An experiment composed in the window from stored arms, as an alternative to the
//! experiment file: validated, then stored like an imported one. It holds two arms, or up
//! to [`MAX_ARMS`] with arm A the prompting baseline every other arm is compared with, as
//! an experiment file does.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{Experiment, Margin, MAX_ARMS};
use crate::arm::ArmKind;
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
    /// Arms C, D, …: each compared with arm A (and a hybrid with its fine-tuned arm) under
    /// Holm's correction. Empty for a two-arm experiment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_arms: Vec<i32>,
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
    let ids = arm_ids(draft)?;
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
    let mut kinds = Vec::with_capacity(ids.len());
    for &id in &ids {
        let arm = store::arm::get(conn, id)?;
        kinds.push((arm.name, arm.kind));
    }
    baseline_prompts(&kinds)?;
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
            arm_ids: ids,
        },
    )
}

/// The letter of the arm at `position` (A, B, C, …).
fn letter(position: usize) -> char {
    char::from(b'A' + position.min(25) as u8)
}

/// The draft's arms in order, A first: at most [`MAX_ARMS`], none twice.
fn arm_ids(draft: &ExperimentDraft) -> Result<Vec<i32>> {
    let ids: Vec<i32> = [draft.arm_a, draft.arm_b]
        .into_iter()
        .chain(draft.more_arms.iter().copied())
        .collect();
    if ids.len() > MAX_ARMS {
        return Err(Error::Invalid(format!(
            "experiment, field `more_arms`: {} arms; an experiment compares at most {MAX_ARMS}",
            ids.len()
        )));
    }
    if draft.arm_a == draft.arm_b {
        return Err(Error::Invalid(
            "experiment, field `arm_b`: the two arms must differ".into(),
        ));
    }
    for (i, id) in ids.iter().enumerate().skip(2) {
        if let Some(first) = ids[..i].iter().position(|x| x == id) {
            return Err(Error::Invalid(format!(
                "experiment, field `more_arms[{}]`: arm {} is arm {} again (arm id {id}); \
                 each arm takes part once",
                i - 2,
                letter(i),
                letter(first)
            )));
        }
    }
    Ok(ids)
}

/// With three or more arms, arm A (`kinds[0]`, name and kind) is the prompting baseline
/// every other arm is compared with, as in an experiment file.
fn baseline_prompts(kinds: &[(String, ArmKind)]) -> Result<()> {
    match kinds.first() {
        Some((name, kind)) if kinds.len() >= 3 && *kind != ArmKind::Prompt => {
            Err(Error::Invalid(format!(
                "experiment, field `arm_a`: with {} arms, arm A is the prompting baseline every \
                 other arm is compared with, so it must be a prompting arm; `{name}` is {}",
                kinds.len(),
                kind.as_str()
            )))
        }
        _ => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::MarginKind;

    fn draft(arm_a: i32, arm_b: i32, more_arms: Vec<i32>) -> ExperimentDraft {
        ExperimentDraft {
            name: "n".into(),
            dataset_id: 1,
            split: "test".into(),
            primary_metric: "accuracy".into(),
            margin: Margin {
                kind: MarginKind::Relative,
                value: 0.05,
            },
            labels: vec![],
            arm_a,
            arm_b,
            more_arms,
        }
    }

    fn refusal(r: Result<impl std::fmt::Debug>) -> String {
        r.expect_err("refused").to_string()
    }

    #[test]
    fn arms_c_to_f_follow_a_and_b_in_order() {
        assert_eq!(arm_ids(&draft(4, 2, vec![])).unwrap(), [4, 2]);
        assert_eq!(
            arm_ids(&draft(4, 2, vec![9, 1, 3, 5])).unwrap(),
            [4, 2, 9, 1, 3, 5]
        );
    }

    #[test]
    fn a_seventh_arm_or_an_arm_named_twice_is_refused_by_its_field() {
        let e = refusal(arm_ids(&draft(1, 2, vec![3, 4, 5, 6, 7])));
        assert!(
            e.contains("field `more_arms`: 7 arms; an experiment compares at most 6"),
            "{e}"
        );
        let e = refusal(arm_ids(&draft(1, 1, vec![])));
        assert!(e.contains("field `arm_b`: the two arms must differ"), "{e}");
        let e = refusal(arm_ids(&draft(1, 2, vec![3, 2])));
        assert!(
            e.contains("field `more_arms[1]`: arm D is arm B again (arm id 2)"),
            "{e}"
        );
    }

    #[test]
    fn with_three_arms_arm_a_must_be_a_prompting_arm() {
        let kinds = |a: ArmKind, n: usize| -> Vec<(String, ArmKind)> {
            std::iter::once(("tuned".to_string(), a))
                .chain((1..n).map(|i| (format!("arm{i}"), ArmKind::Hybrid)))
                .collect()
        };
        assert!(
            baseline_prompts(&kinds(ArmKind::FineTuned, 2)).is_ok(),
            "two arms read as before"
        );
        assert!(baseline_prompts(&kinds(ArmKind::Prompt, 3)).is_ok());
        let e = refusal(baseline_prompts(&kinds(ArmKind::FineTuned, 3)));
        assert!(
            e.contains("field `arm_a`: with 3 arms, arm A is the prompting baseline")
                && e.contains("`tuned` is fine_tuned"),
            "{e}"
        );
    }
}

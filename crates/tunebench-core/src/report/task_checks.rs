//! Whether the arms answer in the format and do the task: the paired format checks
//! (valid JSON, a label of the taxonomy, the JSON Schema an arm asks for) and the warning
//! that neither arm does the task, with each arm's most common answers.

use std::collections::{BTreeMap, HashMap};

use super::run_report::ArmReport;
use crate::arm::Arm;
use crate::decision::{FormatCheck, FormatCounts, FormatNeed};
use crate::experiment;
use crate::provider::ResponseFormat;
use crate::score::{MetricScale, Scorer};
use crate::stats::mcnemar::mcnemar_exact;
use crate::store::result_read::ResultRow;

/// Below this share of its scale (0.05 of 1, 5 of 100) an arm's primary metric is near
/// zero: the arm does not do the task.
pub const NEAR_ZERO: f64 = 0.05;

/// Answers outside the taxonomy above this share mean the arm does not answer the task's
/// question.
pub const MOSTLY_OUTSIDE: f64 = 0.5;

/// The JSON Schema an arm asks its model to answer in (`response_format` of type
/// `json_schema`), as JSON text.
pub(super) fn response_schema(arm: &Arm) -> Option<&str> {
    match &arm.params.generation.response_format {
        Some(ResponseFormat::JsonSchema { schema, .. }) => Some(schema),
        _ => None,
    }
}

/// The paired pass/fail outcomes of both arms against every format check the run can
/// measure: valid JSON, a label of the taxonomy when there is one, and compliance with
/// the JSON Schema an arm asks for structured output in (each arm against its own schema,
/// else the other arm's; not measured when the schema does not compile).
pub(super) fn format_checks(
    exp: &experiment::Experiment,
    schemas: [Option<&str>; 2],
    rows_a: &[&ResultRow],
    rows_b: &[&ResultRow],
) -> Vec<FormatCheck> {
    let both = |s: Scorer| (s.clone(), s);
    let mut scorers: Vec<(FormatNeed, (Scorer, Scorer))> =
        vec![(FormatNeed::Json, both(Scorer::JsonValid))];
    if !exp.labels.is_empty() {
        scorers.push((
            FormatNeed::Taxonomy,
            both(Scorer::LabelInTaxonomy {
                labels: exp.labels.clone(),
                normalization: Default::default(),
            }),
        ));
    }
    let [schema_a, schema_b] = schemas;
    if let (Some(a), Some(b)) = (schema_a.or(schema_b), schema_b.or(schema_a)) {
        let schema = |s: &str| Scorer::JsonSchema {
            schema: s.to_owned(),
        };
        scorers.push((FormatNeed::JsonSchema, (schema(a), schema(b))));
    }
    let by_id: HashMap<i32, &ResultRow> = rows_b.iter().map(|r| (r.example_id, *r)).collect();
    scorers
        .into_iter()
        .filter_map(|(need, (scorer_a, scorer_b))| {
            let origin = format!("experiment `{}`", exp.name);
            let prepared_a = scorer_a.prepare(&origin).ok()?;
            let prepared_b = scorer_b.prepare(&origin).ok()?;
            let pass_with =
                |prepared: &crate::score::PreparedScorer, r: &ResultRow| -> Option<bool> {
                    let out = r.output.as_deref()?;
                    Some(prepared.score(out, &r.expected) == Some(1.0))
                };
            let pass_a = |r: &ResultRow| pass_with(&prepared_a, r);
            let pass_b = |r: &ResultRow| pass_with(&prepared_b, r);
            let tally = |c: &mut FormatCounts, outcome: Option<bool>| match outcome {
                Some(true) => c.compliant += 1,
                Some(false) => c.non_compliant += 1,
                None => c.errors += 1,
            };
            let (mut pa, mut pb) = (FormatCounts::default(), FormatCounts::default());
            let (mut a_only, mut b_only) = (0u32, 0u32);
            for a in rows_a {
                let Some(b) = by_id.get(&a.example_id) else {
                    continue;
                };
                let (oa, ob) = (pass_a(a), pass_b(b));
                tally(&mut pa, oa);
                tally(&mut pb, ob);
                // An errored call fails the check.
                match (oa == Some(true), ob == Some(true)) {
                    (true, false) => a_only += 1,
                    (false, true) => b_only += 1,
                    _ => {}
                }
            }
            Some(FormatCheck {
                need,
                prompting: pa,
                fine_tuned: pb,
                p_value: mcnemar_exact(a_only, b_only).p_value,
            })
        })
        .collect()
}

/// The most common answers of an arm, most frequent first (ties in text order), each
/// cut to 40 characters.
fn common_answers(rows: &[&ResultRow], top: usize) -> Vec<(String, u32)> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for out in rows.iter().filter_map(|r| r.output.as_deref()) {
        let t = out.trim();
        let cut: String = t.chars().take(40).collect();
        let shown = if cut.len() < t.len() {
            format!("{cut}…")
        } else {
            cut
        };
        *counts.entry(shown).or_default() += 1;
    }
    let mut v: Vec<(String, u32)> = counts.into_iter().collect();
    v.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    v.truncate(top);
    v
}

/// That neither arm does the task, with its figures: each arm is near zero on the
/// primary metric ([`NEAR_ZERO`] of its scale) or has most answers outside the taxonomy
/// ([`MOSTLY_OUTSIDE`]).
pub(super) fn task_warning(
    metric: &str,
    arms: [&ArmReport; 2],
    rows: [&[&ResultRow]; 2],
) -> Option<String> {
    let max = MetricScale::of(metric).max();
    let outside = |a: &ArmReport| a.format_compliance.map(|inside| 1.0 - inside);
    let fails = |a: &ArmReport| {
        a.primary.value < NEAR_ZERO * max || outside(a).is_some_and(|o| o > MOSTLY_OUTSIDE)
    };
    if !(fails(arms[0]) && fails(arms[1])) {
        return None;
    }
    let value = |x: f64| {
        if max > 1.0 {
            format!("{x:.1}")
        } else {
            format!("{x:.3}")
        }
    };
    let mut text = format!(
        "Neither arm does the task: {metric} is {} for {} and {} for {}",
        value(arms[0].primary.value),
        arms[0].name,
        value(arms[1].primary.value),
        arms[1].name
    );
    if let (Some(oa), Some(ob)) = (outside(arms[0]), outside(arms[1])) {
        text.push_str(&format!(
            "; {} of {}'s answers and {} of {}'s fall outside the taxonomy",
            crate::decision::number::percent_1(oa),
            arms[0].name,
            crate::decision::number::percent_1(ob),
            arms[1].name
        ));
    }
    for (arm, rows) in arms.iter().zip(rows) {
        let common: Vec<String> = common_answers(rows, 3)
            .into_iter()
            .map(|(answer, n)| format!("{answer:?} ({n})"))
            .collect();
        if !common.is_empty() {
            text.push_str(&format!(
                "; {}'s most common answers: {}",
                arm.name,
                common.join(", ")
            ));
        }
    }
    Some(text)
}

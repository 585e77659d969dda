//! The decision: the framework's questions plus a run's evidence give a recommendation
//! (keep prompting, fine-tune, hybrid, or not yet) whose every reason cites its number.
//! Pure: no I/O, no clock (`today` is part of the evidence), the same answer every time.
//!
//! Prompting is the default; fine-tuning must earn its keep: on quality by the margin,
//! or, when the team says matching prompting's quality is enough, on format, latency or
//! cost at the stated volume; and then still clear the reasons not to fine-tune
//! regardless.
//!
//! # What fine-tuning can earn (a "win")
//!
//! | evidence | fine-tuning wins when | weighs the other way when |
//! |---|---|---|
//! | quality verdict | verdict is *justified* (beats prompting by the margin, CI clear of 0, McNemar's exact test significant for rates) | CI entirely below 0: a **regression**; *not justified*: no gain; *inconclusive*: a caveat citing the cases needed |
//! | format compliance (only if format matters; the check matching the need: valid JSON, schema-valid JSON or a label of the taxonomy) | fine-tuned ≥ prompting + 2 points and McNemar's p < 0.05 on the paired outcomes (a failed call fails the check and is counted apart) | fine-tuned ≤ prompting − 2 points with p < 0.05: a **regression** |
//! | p95 latency (only with a budget) | only the fine-tuned arm meets the budget | only prompting meets it: a **regression**; both pass: neutral; neither: a caveat. An arm meets it when the p95 of its answered calls is within it and at most 5 % of its calls failed |
//! | cost | the fine-tuned arm is cheaper at the team's queries/day, or becomes cheaper within 12 months of the stated monthly growth (the cost model's ranges of volume where each arm is cheaper; with no ranges, a lower monthly cost at the volume) | prompting is cheaper there and stays so for 12 months of growth |
//!
//! A cost win is **void** when the base model retires before the payback of the training
//! run (or, with no payback figure, within 182 days), or has already retired.
//!
//! # The rules, first match wins
//!
//! | # | when | choice |
//! |---|---|---|
//! | 0 | neither arm does the task (primary metric near zero in both, or most answers outside the taxonomy) | not yet |
//! | 1 | model portability is needed | keep prompting |
//! | 2 | fewer than 500 training examples and prompting does not already suffice | not yet |
//! | 3 | fewer than 500 training examples, prompting suffices | keep prompting |
//! | 4 | the fine-tuned arm regresses (quality CI below 0, misses the latency budget prompting meets, or is significantly 2+ points less format-compliant) | keep prompting |
//! | 5 | fine-tuning wins on nothing (after voiding a cost win) | keep prompting |
//! | 5b | fine-tuning wins only on format, latency or cost, quality is not a gain, and the team has not said quality parity is enough | keep prompting |
//! | 6 | knowledge changes weekly or monthly, or the task reasons over new information, and fine-tuning wins on format, latency or cost | hybrid, when a measured hybrid arm wins; not yet (retrieval need not measured) without one; keep prompting when the measured one does not win |
//! | 7 | as 6 but fine-tuning wins on quality only, and domain language matters | as 6 |
//! | 8 | as 6 but fine-tuning wins on quality only | keep prompting, or hybrid when a measured hybrid arm wins |
//! | 9 | otherwise (fine-tuning won and nothing above stopped it) | fine-tune, or hybrid when a measured hybrid arm wins |
//!
//! A measured hybrid arm *wins* when it clears the margin against prompting and, where the
//! run has its fine-tuned arm (same provider and model), against that arm too (after Holm's
//! correction with three or more arms); its finding cites both comparisons.
//!
//! *Prompting suffices* when the verdict is settled against fine-tuning (not justified),
//! prompting meets the latency budget (if both are known) and, where format matters,
//! prompting's compliance is at least 99 % (if measured).
//! *Training examples* are the smaller of the team's count of high-quality labelled
//! examples and the train split.
//!
//! # Reasons and conflicts
//!
//! Every question and measurement that applies yields one [`Reason`], in the order of the
//! first table then retraining, new information, portability, retirement, examples and
//! domain language; its `supports` says which choice it argues for ([`Supports::Against`]
//! for a weight against fine-tuning that favours no single alternative). The share of the
//! fine-tuned arm's monthly cost that retraining takes is cited with the knowledge
//! cadence. A conflict is written "A, but B": each thing fine-tuning won against the
//! finding that overrode it (rules 1-4, 6-8, and a cost win voided by retirement), and,
//! when fine-tuning or hybrid is chosen, its first win against each finding that still
//! weighs on the other side (no crossover at the volume, a retiring base model,
//! inconclusive quality or quality that is not a gain, a budget neither arm meets).
//! Under rule 5b each win is stated against the quality result that overrode it.

pub mod evidence;
mod finding;
pub mod from_cost;
pub mod number;
pub mod question;
pub mod recommendation;
mod rule;

pub use evidence::{
    ArmCallFailures, ArmFigures, CallFailures, Evidence, FormatCheck, FormatCounts,
    HybridAgainstFineTuned, HybridEvidence, MarginKind, QualityEvidence, Verdict, WeighedArm,
};
pub use finding::{
    EXAMPLE_GUIDELINE, FORMAT_ALPHA, FORMAT_GAP, FORMAT_SUFFICES, GROWTH_HORIZON_MONTHS,
    MAX_FAILED_CALLS, RETIREMENT_SOON_DAYS,
};
pub use from_cost::{default_questions, scenario_for, with_cost};
pub use question::{FormatNeed, KnowledgeCadence, Questions};
pub use recommendation::{Choice, Reason, ReasonKind, Recommendation, Supports};

use finding::Effect;

/// The recommendation for these answers and this evidence. Infallible: evidence a run
/// lacks is skipped, and an unreadable date is reported as a neutral reason.
pub fn recommend(questions: &Questions, evidence: &Evidence) -> Recommendation {
    // One volume in a decision, the team's: cost figures worked out at another volume are
    // not cited (the ranges of volume where each arm is cheaper hold at every volume).
    let at_other_volume = evidence
        .cost_queries_per_day
        .is_some_and(|v| v != questions.queries_per_day);
    let cleared;
    let evidence = if at_other_volume {
        cleared = Evidence {
            monthly_cost: ArmFigures::default(),
            retraining_monthly_cost: None,
            payback_months: None,
            ..evidence.clone()
        };
        &cleared
    } else {
        evidence
    };
    let quality = finding::quality(evidence);
    let domain_language = finding::domain_language(questions, evidence, &quality);
    let retirement = finding::retirement(evidence);
    let retirement_voids_cost = retirement.as_ref().is_some_and(|(_, voids)| *voids);
    let facts = rule::Facts {
        prompting_suffices: prompting_suffices(questions, evidence, &quality),
        domain_language: questions.domain_language,
        retirement_voids_cost,
        examples: finding::example_count(questions, evidence),
        quality_parity_enough: questions.quality_parity_enough,
        hybrid: match &evidence.hybrid {
            None => rule::HybridArm::NotMeasured,
            Some(h) if h.wins() => rule::HybridArm::Wins,
            Some(_) => rule::HybridArm::DoesNotWin,
        },
        // Two arms: B is the weighed arm, a hybrid exactly when the hybrid evidence is B's.
        weighed_is_hybrid: match &evidence.weighed_arm {
            Some(w) => w.kind == "hybrid",
            None => evidence.hybrid.is_some(),
        },
    };
    let findings: Vec<finding::Finding> = [
        finding::task(evidence),
        Some(quality),
        finding::hybrid(evidence),
        finding::format(questions, evidence),
        finding::latency(questions, evidence),
        finding::cost(questions, evidence),
        finding::retraining(questions, evidence),
        finding::new_information(questions),
        finding::portability(questions),
        retirement.map(|(f, _)| f),
        Some(finding::examples(questions, evidence)),
        domain_language,
    ]
    .into_iter()
    .flatten()
    .collect();
    rule::decide(findings, &facts)
}

fn prompting_suffices(q: &Questions, e: &Evidence, quality: &finding::Finding) -> bool {
    let settled = matches!(quality.effect, Effect::NoGain | Effect::Regression);
    let latency_ok = match (q.latency_budget_p95_ms, e.latency_p95_ms.prompting) {
        (Some(budget), Some(p)) => finding::meets_budget(p, e.call_failures.prompting, budget),
        _ => true,
    };
    let prompting_format = finding::format_check(q, e).and_then(|c| c.prompting.rate());
    let format_ok = match (q.format, prompting_format) {
        (FormatNeed::None, _) | (_, None) => true,
        (_, Some(rate)) => rate >= FORMAT_SUFFICES,
    };
    settled && latency_ok && format_ok
}

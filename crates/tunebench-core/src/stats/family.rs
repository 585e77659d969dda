//! An experiment with three or more arms tests several comparisons at once: each arm
//! against the prompting baseline A, and each hybrid against its fine-tuned arm. Each
//! [`Comparison`] is made as for two arms (paired interval, McNemar's exact test for binary
//! scores); [`correct`] then adjusts their p-values with Holm's step-down correction,
//! applies the margin rule to each comparison with the adjusted p-value, and names the
//! best arm that clears the margin against A, or says that none does. Pure.

use serde::{Deserialize, Serialize};

use crate::stats::holm::{holm, normal_p_value};
use crate::stats::verdict::{num, signed};
use crate::stats::{Comparison, Interval, VerdictKind};

/// One comparison to correct: `comparison.arm_b` is the challenger, `comparison.arm_a` the
/// arm it is measured against.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// The challenger's kind: `prompt`, `fine_tuned` or `hybrid`.
    pub kind: String,
    /// Against the baseline A (else: a hybrid against its fine-tuned arm).
    pub against_baseline: bool,
    pub comparison: Comparison,
}

/// One comparison of a several-arm experiment, after Holm's correction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmComparison {
    /// The challenger.
    pub arm: String,
    /// `prompt`, `fine_tuned` or `hybrid`.
    pub kind: String,
    /// The arm it is measured against: the baseline A, or a hybrid's fine-tuned arm.
    pub against: String,
    pub against_baseline: bool,
    /// Paired cases compared.
    pub n: u32,
    pub value: f64,
    pub against_value: f64,
    /// `arm` − `against` on the primary metric.
    pub difference: f64,
    pub interval: Interval,
    /// "newcombe" or "paired bootstrap".
    pub interval_method: String,
    /// McNemar's exact p-value, when the scores are binary.
    pub mcnemar_p: Option<f64>,
    /// The p-value the correction adjusts: McNemar's exact one, else the normal
    /// approximation from the paired bootstrap's standard error.
    pub p_value: f64,
    /// "McNemar exact" or "normal approximation".
    pub p_method: String,
    /// Holm's adjusted p-value over every comparison of the run.
    pub holm_p: f64,
    /// The margin in the metric's units (relative margins are taken of `against_value`).
    pub margin_absolute: f64,
    /// The margin rule with the adjusted p-value.
    pub verdict_kind: VerdictKind,
    /// For an inconclusive verdict: paired cases that would settle it, when known.
    pub cases_to_settle: Option<u32>,
    /// The comparison the run's verdict rests on: the best arm's against A, or when no arm
    /// clears the margin, the closest one's.
    pub leading: bool,
    /// One sentence with the numbers.
    pub sentence: String,
}

/// The corrected comparisons and the run's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub comparisons: Vec<ArmComparison>,
    /// The best arm that clears the margin against A, if any.
    pub best_arm: Option<String>,
    pub verdict_kind: VerdictKind,
    pub verdict: String,
    /// Holm's correction in words.
    pub note: String,
}

/// A p-value for a sentence: three decimals, or "< 0.001".
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_owned()
    } else {
        num(p)
    }
}

/// Corrects `challenges` (at least one against the baseline) for testing them together.
pub fn correct(challenges: &[Challenge]) -> Family {
    let raw: Vec<(f64, Option<f64>)> = challenges
        .iter()
        .map(|c| {
            let k = &c.comparison;
            match k.mcnemar {
                Some(m) => (m.p_value, Some(m.p_value)),
                None => (normal_p_value(k.difference, k.power.standard_error), None),
            }
        })
        .collect();
    let adjusted = holm(&raw.iter().map(|r| r.0).collect::<Vec<_>>());
    let m = challenges.len();
    let mut comparisons: Vec<ArmComparison> = challenges
        .iter()
        .zip(&raw)
        .zip(&adjusted)
        .map(|((c, &(p, mcnemar_p)), &holm_p)| one(c, p, mcnemar_p, holm_p, m))
        .collect();

    let baseline = challenges
        .iter()
        .find(|c| c.against_baseline)
        .map(|c| c.comparison.arm_a.arm.clone())
        .unwrap_or_default();
    let metric = challenges
        .first()
        .map(|c| c.comparison.metric.clone())
        .unwrap_or_default();
    let confidence = challenges
        .first()
        .map_or(0.95, |c| c.comparison.interval.confidence);
    let alpha = 1.0 - confidence;
    let best = best_arm(&comparisons);
    let leading = best.or_else(|| {
        comparisons
            .iter()
            .enumerate()
            .filter(|(_, c)| c.against_baseline)
            .rev() // a tie goes to the earlier arm
            .max_by(|(_, x), (_, y)| x.difference.total_cmp(&y.difference))
            .map(|(i, _)| i)
    });
    if let Some(i) = leading {
        comparisons[i].leading = true;
    }
    let cites = |c: &ArmComparison| {
        format!(
            "{} − {} on {metric} is {} ({} vs {}; {:.0} % CI {} to {}; Holm-adjusted p {})",
            c.arm,
            c.against,
            signed(c.difference),
            num(c.value),
            num(c.against_value),
            c.interval.confidence * 100.0,
            signed(c.interval.low),
            signed(c.interval.high),
            p_is(c.holm_p)
        )
    };
    let (verdict_kind, verdict) = match best {
        Some(i) => {
            let b = &comparisons[i];
            let mut s = format!(
                "{} is the best arm that clears the margin of {} against {baseline}: {}",
                b.arm,
                num(b.margin_absolute),
                cites(b)
            );
            if let Some(h) = comparisons
                .iter()
                .find(|h| !h.against_baseline && (h.arm == b.arm || h.against == b.arm))
            {
                s.push_str(&format!("; {}, {}", cites(h), outcome_words(h)));
            }
            (VerdictKind::Justified, s)
        }
        None => {
            let all_below = comparisons
                .iter()
                .filter(|c| c.against_baseline)
                .all(|c| c.verdict_kind == VerdictKind::NotJustified);
            let closest = leading.map(|i| &comparisons[i]);
            let s = match closest {
                Some(c) => format!(
                    "No arm clears the margin against {baseline} on {metric}; the closest is {}",
                    cites(c)
                ),
                None => format!("No arm clears the margin against {baseline} on {metric}"),
            };
            let kind = if all_below {
                VerdictKind::NotJustified
            } else {
                VerdictKind::Inconclusive
            };
            (kind, s)
        }
    };
    let note = format!(
        "Holm's correction over {m} comparisons ({}): each p-value is adjusted so that the \
         chance of any false win stays at {} %, and a comparison clears the margin only when \
         its adjusted p-value is below {}.",
        comparisons
            .iter()
            .map(|c| format!("{} vs {}", c.arm, c.against))
            .collect::<Vec<_>>()
            .join(", "),
        num(alpha * 100.0),
        num(alpha)
    );
    Family {
        comparisons,
        best_arm: best.map(|i| challenges[i].comparison.arm_b.arm.clone()),
        verdict_kind,
        verdict: format!("{verdict}; {note}"),
        note,
    }
}

/// "= 0.012" or "< 0.001".
fn p_is(p: f64) -> String {
    let t = p_text(p);
    if t.starts_with('<') {
        t
    } else {
        format!("= {t}")
    }
}

/// The margin rule for one comparison, with its adjusted p-value.
fn one(c: &Challenge, p: f64, mcnemar_p: Option<f64>, holm_p: f64, m: usize) -> ArmComparison {
    let k = &c.comparison;
    let alpha = 1.0 - k.interval.confidence;
    // The two-arm rule already asks for the unadjusted test; the family asks for Holm's.
    let held_back = k.verdict.kind == VerdictKind::Justified && holm_p >= alpha;
    let verdict_kind = if held_back {
        VerdictKind::Inconclusive
    } else {
        k.verdict.kind
    };
    let p_method = if mcnemar_p.is_some() {
        "McNemar exact"
    } else {
        "normal approximation"
    };
    let mut out = ArmComparison {
        arm: k.arm_b.arm.clone(),
        kind: c.kind.clone(),
        against: k.arm_a.arm.clone(),
        against_baseline: c.against_baseline,
        n: k.n,
        value: k.arm_b.value,
        against_value: k.arm_a.value,
        difference: k.difference,
        interval: k.interval,
        interval_method: k.interval_method.clone(),
        mcnemar_p,
        p_value: p,
        p_method: p_method.to_owned(),
        holm_p,
        margin_absolute: k.margin_absolute,
        verdict_kind,
        cases_to_settle: if held_back {
            None
        } else {
            k.verdict.cases_to_settle
        },
        leading: false,
        sentence: String::new(),
    };
    let outcome = if held_back {
        format!(
            "inconclusive: significant on its own (p {}) but not after Holm's correction over \
             {m} comparisons (adjusted p {} ≥ {})",
            p_is(p),
            p_is(holm_p),
            num(alpha)
        )
    } else {
        outcome_words(&out)
    };
    out.sentence = format!(
        "{} − {} on {} is {} ({} vs {}; {:.0} % CI {} to {}; n = {}); {p_method} p {}, \
         Holm-adjusted p {}; margin {}: {outcome}.",
        out.arm,
        out.against,
        k.metric,
        signed(out.difference),
        num(out.value),
        num(out.against_value),
        out.interval.confidence * 100.0,
        signed(out.interval.low),
        signed(out.interval.high),
        out.n,
        p_is(p),
        p_is(holm_p),
        num(out.margin_absolute)
    );
    out
}

/// What the margin rule found, in words.
fn outcome_words(c: &ArmComparison) -> String {
    match c.verdict_kind {
        VerdictKind::Justified => "clears the margin".to_owned(),
        VerdictKind::NotJustified => {
            "does not clear the margin (the interval's upper bound is below it)".to_owned()
        }
        VerdictKind::Inconclusive => match c.cases_to_settle {
            Some(n) => format!("inconclusive; about {n} paired cases would settle it"),
            None => "inconclusive".to_owned(),
        },
    }
}

/// The comparison of the best arm that clears the margin against A: the highest value
/// among those that do (the earlier arm on a tie), except that a hybrid that does not
/// clear the margin against its own fine-tuned arm yields to that arm when it clears the
/// margin against A too (the retrieval then shows no measured gain).
fn best_arm(comparisons: &[ArmComparison]) -> Option<usize> {
    let clears = |i: &usize| {
        comparisons[*i].against_baseline && comparisons[*i].verdict_kind == VerdictKind::Justified
    };
    let top = (0..comparisons.len())
        .filter(clears)
        .rev() // a tie goes to the earlier arm
        .max_by(|&x, &y| comparisons[x].value.total_cmp(&comparisons[y].value))?;
    let fine_tuned = comparisons
        .iter()
        .find(|h| {
            !h.against_baseline
                && h.arm == comparisons[top].arm
                && h.verdict_kind != VerdictKind::Justified
        })
        .and_then(|h| {
            (0..comparisons.len())
                .filter(clears)
                .find(|&i| comparisons[i].arm == h.against)
        });
    Some(fine_tuned.unwrap_or(top))
}

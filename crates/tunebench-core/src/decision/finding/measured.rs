//! The findings on what the run measured: whether either arm does the task, the quality
//! verdict, format compliance, latency against the budget, the example count and domain
//! language.

use super::super::evidence::{
    CallFailures, Evidence, FormatCheck, FormatCounts, MarginKind, QualityEvidence, Verdict,
};
use super::super::number::{count, millis, percent_1, points, rate, thousands};
use super::super::question::{FormatNeed, Questions};
use super::super::recommendation::ReasonKind;
use super::{
    finding, Effect, Finding, EXAMPLE_GUIDELINE, FORMAT_ALPHA, FORMAT_GAP, MAX_FAILED_CALLS,
};
use crate::score::MetricScale;

fn margin_text(q: &QualityEvidence) -> String {
    match (q.margin_kind, MetricScale::of(&q.metric)) {
        (MarginKind::Relative, _) => format!("the {} margin", rate(q.margin)),
        (MarginKind::Absolute, MetricScale::Fraction) => {
            format!("the {}-point margin", points(q.margin))
        }
        (MarginKind::Absolute, scale @ MetricScale::Hundred { unit }) => {
            format!("the {} {unit} margin", scale.figure(q.margin))
        }
    }
}

fn interval(q: &QualityEvidence) -> String {
    let scale = MetricScale::of(&q.metric);
    format!(
        "95 % CI {} to {}",
        scale.figure(q.ci_low),
        scale.figure(q.ci_high)
    )
}

/// A difference on the metric's scale with its unit: "7.2 points of accuracy",
/// "3.5 BLEU".
pub fn amount(q: &QualityEvidence, difference: f64) -> String {
    MetricScale::of(&q.metric).amount(difference, &q.metric)
}

/// Like [`amount`] with an explicit sign on a positive difference: "+3.5 BLEU".
pub fn signed_amount(q: &QualityEvidence, difference: f64) -> String {
    let a = amount(q, difference);
    if a.starts_with('-') || a.starts_with("0.0 ") {
        a
    } else {
        format!("+{a}")
    }
}

/// That neither arm does the task, when the run found so.
pub fn task(e: &Evidence) -> Option<Finding> {
    e.task_failure
        .as_ref()
        .map(|text| finding(ReasonKind::Quality, Effect::NoTask, text.clone()))
}

/// The margin rule's verdict with its difference and interval.
pub fn quality(e: &Evidence) -> Finding {
    let Some(q) = &e.quality else {
        return finding(
            ReasonKind::Quality,
            Effect::Info,
            "No quality comparison yet: the arms have not been scored on the held-out set"
                .to_string(),
        );
    };
    let (ci, margin) = (interval(q), margin_text(q));
    // With three or more arms the weighed arm is named: "Hybrid arm rag", "Prompting arm c".
    let who = match &e.weighed_arm {
        Some(w) if w.kind == "hybrid" => format!("Hybrid arm {}", w.name),
        Some(w) if w.kind == "prompt" => format!("Prompting arm {}", w.name),
        Some(w) => format!("Fine-tuned arm {}", w.name),
        None => "Fine-tuned arm".to_owned(),
    };
    if q.verdict == Verdict::Justified {
        let text = format!(
            "{who} is better by {} ({ci}), above {margin}",
            amount(q, q.difference)
        );
        return finding(ReasonKind::Quality, Effect::Win, text);
    }
    if q.ci_high < 0.0 {
        let text = format!("{who} is worse by {} ({ci})", amount(q, -q.difference));
        return finding(ReasonKind::Quality, Effect::Regression, text);
    }
    let diff = signed_amount(q, q.difference);
    match q.verdict {
        Verdict::NotJustified => finding(
            ReasonKind::Quality,
            Effect::NoGain,
            format!("{who} differs by {diff} ({ci}): not above {margin}"),
        ),
        _ => {
            let settle = match q.cases_needed {
                Some(n) => format!(
                    "; about {} held-out cases would settle it",
                    thousands(n.into())
                ),
                None => String::new(),
            };
            finding(
                ReasonKind::Quality,
                Effect::Caveat,
                format!(
                    "Quality is inconclusive: {} differs by {diff} ({ci}) against \
                     {margin}{settle}",
                    lower_first(&who)
                ),
            )
        }
    }
}

/// The format check matching the team's need, with each arm's counts.
pub fn format_check<'a>(q: &Questions, e: &'a Evidence) -> Option<&'a FormatCheck> {
    e.format_checks.iter().find(|c| c.need == q.format)
}

fn format_arm(c: &FormatCounts) -> String {
    let n = c.compliant + c.non_compliant + c.errors;
    format!(
        "{} ({} of {} cases; {})",
        c.rate().map_or("n/a".to_string(), percent_1),
        thousands(c.compliant.into()),
        thousands(n.into()),
        count(c.errors.into(), "failed call")
    )
}

/// Format compliance per arm on the check that matches the team's need, when format
/// matters. A gap counts only when it is at least [`FORMAT_GAP`] and McNemar's exact
/// test on the paired outcomes is below [`FORMAT_ALPHA`].
pub fn format(q: &Questions, e: &Evidence) -> Option<Finding> {
    if q.format == FormatNeed::None {
        return None;
    }
    let label = q.format.compliance_label();
    let rates =
        format_check(q, e).and_then(|c| Some((c, c.prompting.rate()?, c.fine_tuned.rate()?)));
    let Some((c, p, f)) = rates else {
        return Some(finding(
            ReasonKind::Format,
            Effect::Info,
            format!("Format compliance ({label}) was not measured for both arms"),
        ));
    };
    let base = format!(
        "Format compliance ({label}): fine-tuned {} vs prompting {}, McNemar {}",
        format_arm(&c.fine_tuned),
        format_arm(&c.prompting),
        p_value(c.p_value)
    );
    // Rates are ratios of counts, so a gap of exactly two points may land a hair below
    // 0.02 in floating point; the tolerance keeps the boundary where it reads.
    let gap = f - p;
    let counts = |g: f64| g >= FORMAT_GAP - 1e-9;
    let significant = c.p_value < FORMAT_ALPHA;
    Some(if counts(gap) && significant {
        let text = format!("{base}: {} points more consistent", points(gap));
        finding(ReasonKind::Format, Effect::Win, text)
    } else if counts(-gap) && significant {
        let text = format!("{base}: the fine-tuned arm is less consistent");
        finding(ReasonKind::Format, Effect::Regression, text)
    } else if counts(gap.abs()) {
        let text = format!(
            "{base}: a {}-point gap that is not significant",
            points(gap.abs())
        );
        finding(ReasonKind::Format, Effect::Info, text)
    } else {
        let text = format!("{base}: within {} points", points(FORMAT_GAP));
        finding(ReasonKind::Format, Effect::Info, text)
    })
}

/// A p-value for a sentence: "p = 0.063", or "p < 0.001".
fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

/// Whether an arm's p95 and failed calls meet the budget (see [`MAX_FAILED_CALLS`]).
pub fn meets_budget(p95: f64, failures: Option<CallFailures>, budget: f64) -> bool {
    let failed_ok = failures.is_none_or(|c| {
        c.calls == 0 || f64::from(c.failed) <= MAX_FAILED_CALLS * f64::from(c.calls)
    });
    p95 <= budget && failed_ok
}

/// p95 latency per arm against the budget, when there is one.
pub fn latency(q: &Questions, e: &Evidence) -> Option<Finding> {
    let budget = q.latency_budget_p95_ms?;
    let Some((p, f)) = e.latency_p95_ms.both() else {
        return Some(finding(
            ReasonKind::Latency,
            Effect::Info,
            format!(
                "p95 latency was not measured for both arms (budget {})",
                millis(budget)
            ),
        ));
    };
    let fails = e.call_failures;
    let failed = |c: Option<CallFailures>| {
        c.map(|c| {
            format!(
                "{} of {}",
                thousands(c.failed.into()),
                count(c.calls.into(), "call")
            )
        })
    };
    let failures = match (failed(fails.fine_tuned), failed(fails.prompting)) {
        (Some(f), Some(p)) => {
            format!("; failed calls (timeouts, errors): fine-tuned {f}, prompting {p}")
        }
        _ => String::new(),
    };
    let base = format!(
        "p95 latency of answered calls: fine-tuned {}, prompting {} vs budget {}{failures}",
        millis(f),
        millis(p),
        millis(budget)
    );
    let (effect, verdict) = match (
        meets_budget(p, fails.prompting, budget),
        meets_budget(f, fails.fine_tuned, budget),
    ) {
        (true, true) => (Effect::Info, "both pass"),
        (false, true) => (Effect::Win, "only the fine-tuned arm passes"),
        (true, false) => (Effect::Regression, "only prompting passes"),
        (false, false) => (Effect::Caveat, "neither passes"),
    };
    Some(finding(
        ReasonKind::Latency,
        effect,
        format!("{base}: {verdict}"),
    ))
}

/// Examples available for training: the smaller of the team's count of high-quality
/// labelled examples and the train split, when both are known.
pub fn example_count(q: &Questions, e: &Evidence) -> u32 {
    e.train_examples
        .map_or(q.labelled_examples, |t| t.min(q.labelled_examples))
}

pub fn examples(q: &Questions, e: &Evidence) -> Finding {
    let n = example_count(q, e);
    let detail = match e.train_examples {
        Some(t) if t != q.labelled_examples => format!(
            " ({} labelled, {} in the train split)",
            thousands(q.labelled_examples.into()),
            thousands(t.into())
        ),
        _ => String::new(),
    };
    let counted = count(n.into(), "training example");
    if n >= EXAMPLE_GUIDELINE {
        let text = format!("{counted}{detail}, above the {EXAMPLE_GUIDELINE} guideline");
        finding(ReasonKind::Examples, Effect::Info, text)
    } else {
        let text = format!("Only {counted}{detail}: below the ~{EXAMPLE_GUIDELINE} guideline");
        finding(ReasonKind::Examples, Effect::FewExamples, text)
    }
}

/// Whether domain language matters, read against the quality finding.
pub fn domain_language(q: &Questions, e: &Evidence, quality: &Finding) -> Option<Finding> {
    if !q.domain_language {
        return None;
    }
    let kind = ReasonKind::DomainLanguage;
    Some(match (&e.quality, quality.effect) {
        (Some(qe), Effect::Win) => finding(
            kind,
            Effect::Backing,
            format!(
                "Domain language matters, and the fine-tuned arm gains {}",
                amount(qe, qe.difference)
            ),
        ),
        (Some(qe), _) => finding(
            kind,
            Effect::Info,
            format!(
                "Domain language matters, but the fine-tuned arm is not shown better by the margin ({})",
                signed_amount(qe, qe.difference)
            ),
        ),
        (None, _) => finding(
            kind,
            Effect::Info,
            "Domain language matters, but there is no quality comparison yet".to_string(),
        ),
    })
}

/// "fine-tuned arm" from "Fine-tuned arm".
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_lowercase().collect::<String>() + chars.as_str()
    })
}

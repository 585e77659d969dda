//! One finding per question or measurement: the sentence that cites its number, and the
//! effect it has on the choice. The rules in `rule.rs` weigh these effects; nothing here
//! picks an answer.

use super::evidence::{CallFailures, Evidence, FormatCounts, MarginKind, QualityEvidence, Verdict};
use super::number::{
    count, days_until, dollars, millis, one_decimal, percent, percent_1, points, rate, thousands,
};
use super::question::{FormatNeed, Questions};
use super::recommendation::ReasonKind;
use crate::cost::Side;
use crate::score::MetricScale;

/// The example count below which a fine-tune is too thin to trust.
pub const EXAMPLE_GUIDELINE: u32 = 500;
/// Format compliance the fine-tuned arm must gain (or lose) to count: 2 points.
pub const FORMAT_GAP: f64 = 0.02;
/// A format gap counts only when McNemar's exact test on the paired pass/fail outcomes
/// is below this level.
pub const FORMAT_ALPHA: f64 = 0.05;
/// An arm whose failed calls (timeouts, errors) exceed this share of its calls does not
/// meet a p95 budget, whatever the p95 of its answered calls: a call that never
/// answered is slower than any budget, so more than 5 % of them put the p95 of all
/// calls beyond it.
pub const MAX_FAILED_CALLS: f64 = 0.05;
/// Prompting's format compliance that already meets a format need.
pub const FORMAT_SUFFICES: f64 = 0.99;
/// How far ahead a growing volume may reach the break-even and still count, in months.
pub const GROWTH_HORIZON_MONTHS: u32 = 12;
/// With no payback figure, a base model retiring within this many days weighs against.
pub const RETIREMENT_SOON_DAYS: i64 = 182;
/// Days per month, the cost model's 365 / 12 rounded as in its formulas.
pub const DAYS_PER_MONTH: f64 = 30.4;

/// How a finding bears on the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Fine-tuning earns its keep here.
    Win,
    /// Backs fine-tuning without earning its keep alone (domain language with a gain).
    Backing,
    /// The fine-tuned arm is worse than prompting on a requirement.
    Regression,
    /// Fine-tuning does not earn its keep here.
    NoGain,
    /// Weighs against fine-tuning (no crossover at the volume, a retiring base model).
    Against,
    /// Leaves the outcome open (inconclusive quality, neither arm meets the budget).
    Caveat,
    /// Knowledge belongs in retrieval (frequent changes, new information).
    RetrievalNeed,
    /// Neither arm does the task: no recommendation between them stands.
    NoTask,
    Portability,
    FewExamples,
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: ReasonKind,
    pub text: String,
    pub effect: Effect,
}

fn finding(kind: ReasonKind, effect: Effect, text: String) -> Finding {
    Finding { kind, text, effect }
}

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
    if q.verdict == Verdict::Justified {
        let text = format!(
            "Fine-tuned arm is better by {} ({ci}), above {margin}",
            amount(q, q.difference)
        );
        return finding(ReasonKind::Quality, Effect::Win, text);
    }
    if q.ci_high < 0.0 {
        let text = format!(
            "Fine-tuned arm is worse by {} ({ci})",
            amount(q, -q.difference)
        );
        return finding(ReasonKind::Quality, Effect::Regression, text);
    }
    let diff = signed_amount(q, q.difference);
    match q.verdict {
        Verdict::NotJustified => finding(
            ReasonKind::Quality,
            Effect::NoGain,
            format!("Fine-tuned arm differs by {diff} ({ci}): not above {margin}"),
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
                    "Quality is inconclusive: fine-tuned arm differs by {diff} ({ci}) against \
                     {margin}{settle}"
                ),
            )
        }
    }
}

/// The format check matching the team's need, with each arm's counts.
pub fn format_check<'a>(q: &Questions, e: &'a Evidence) -> Option<&'a super::FormatCheck> {
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

/// What an arm is called in a cost sentence.
fn arm_name(side: Option<Side>) -> &'static str {
    match side {
        Some(Side::A) => "prompting",
        Some(Side::B) => "the fine-tuned arm",
        None => "neither arm",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// Which arm is cheaper at the team's volume, over which range of volumes, and where that
/// flips, from the cost model's ranges (every crossing, not only the first). A win when the
/// fine-tuned arm is cheaper there, or becomes cheaper within [`GROWTH_HORIZON_MONTHS`] of
/// the stated growth; against when prompting is and stays cheaper; neither when both cost
/// the same.
pub fn cost(q: &Questions, e: &Evidence) -> Option<Finding> {
    if let Some(why) = &e.cost_missing {
        return Some(finding(
            ReasonKind::Cost,
            Effect::Info,
            format!("Cost is not weighed: {why}"),
        ));
    }
    let v = q.queries_per_day;
    if !(v.is_finite() && v >= 0.0) {
        return Some(finding(
            ReasonKind::Cost,
            Effect::Info,
            format!(
                "Cost is not weighed: the expected volume {} is not a number of queries a day",
                thousands(v)
            ),
        ));
    }
    let yours = format!("your {} queries/day", thousands(v));
    let monthly = e.monthly_cost.both().map(|(p, f)| {
        format!(
            "fine-tuned {} vs prompting {} a month",
            dollars(f),
            dollars(p)
        )
    });
    let Some(ranges) = e.cheaper.as_deref().filter(|r| !r.is_empty()) else {
        let (p, f) = e.monthly_cost.both()?;
        let effect = if f < p {
            Effect::Win
        } else if f > p {
            Effect::Against
        } else {
            Effect::Info
        };
        let text = format!(
            "At {} queries/day the fine-tuned arm costs {} a month vs {} for prompting",
            thousands(v),
            dollars(f),
            dollars(p)
        );
        return Some(finding(ReasonKind::Cost, effect, text));
    };
    let at = |volume: f64| ranges.iter().position(|r| r.contains(volume));
    let i = at(v)?;
    let here = ranges[i];
    let (before, after) = (
        i.checked_sub(1).map(|j| ranges[j].cheaper),
        ranges.get(i + 1).map(|r| r.cheaper),
    );
    let side = arm_name(here.cheaper);
    let span = match (before, after) {
        (None, None) => None,
        (None, Some(up)) => Some(format!(
            "up to {} queries/day, {} above",
            thousands(here.to.unwrap_or(v)),
            arm_name(up)
        )),
        (Some(down), None) => Some(format!(
            "from {} queries/day, {} below",
            thousands(here.from),
            arm_name(down)
        )),
        (Some(down), Some(up)) => Some(format!(
            "from {} to {} queries/day, {}",
            thousands(here.from),
            thousands(here.to.unwrap_or(v)),
            if down == up {
                format!("{} below and above", arm_name(down))
            } else {
                format!("{} below, {} above", arm_name(down), arm_name(up))
            }
        )),
    };
    let mut text = match (here.cheaper, &span) {
        (None, None) => format!(
            "Both arms cost the same at every volume{}",
            monthly
                .map(|m| format!(" ({m} at {yours})"))
                .unwrap_or_default()
        ),
        (None, Some(span)) => format!(
            "Both arms cost the same at {yours}{}: they do {span}",
            monthly.map(|m| format!(" ({m})")).unwrap_or_default()
        ),
        (Some(_), None) => format!(
            "{} is cheaper at every volume{}",
            capitalised(side),
            monthly
                .map(|m| format!(" (at {yours}: {m})"))
                .unwrap_or_default()
        ),
        (Some(_), Some(span)) => format!(
            "{} is cheaper at {yours}{}: it is cheaper {span}",
            capitalised(side),
            monthly.map(|m| format!(" ({m})")).unwrap_or_default()
        ),
    };
    // Growth moves the team's volume: the first month (within the horizon) at which the
    // fine-tuned arm becomes cheaper, when it is not already.
    let grown = |m: u32| v * (1.0 + q.monthly_growth).powi(m as i32);
    let growing = q.monthly_growth.is_finite() && q.monthly_growth > 0.0 && v > 0.0;
    let effect = if here.cheaper == Some(Side::B) {
        Effect::Win
    } else {
        let reached = (1..=GROWTH_HORIZON_MONTHS)
            .filter(|_| growing)
            .find(|&m| at(grown(m)).is_some_and(|j| ranges[j].cheaper == Some(Side::B)));
        match reached {
            Some(m) => {
                text.push_str(&format!(
                    "; at {} monthly growth the fine-tuned arm is cheaper in month {m} ({} queries/day)",
                    rate(q.monthly_growth),
                    thousands(grown(m))
                ));
                Effect::Win
            }
            None if here.cheaper == Some(Side::A) => {
                if growing {
                    text.push_str(&format!(
                        "; {} months of {} monthly growth do not change that",
                        GROWTH_HORIZON_MONTHS,
                        rate(q.monthly_growth)
                    ));
                }
                Effect::Against
            }
            None => Effect::Info,
        }
    };
    Some(finding(ReasonKind::Cost, effect, text))
}

/// How often knowledge changes, with the share of the fine-tuned arm's monthly cost that
/// retraining at that cadence takes.
pub fn retraining(q: &Questions, e: &Evidence) -> Option<Finding> {
    let cadence = q.knowledge_change;
    let share = match (e.retraining_monthly_cost, e.monthly_cost.fine_tuned) {
        (Some(r), Some(total)) if total > 0.0 && r.is_finite() => Some(format!(
            "retraining {} is {} of the fine-tuned arm's monthly cost ({} of {})",
            cadence.every(),
            percent(r / total),
            dollars(r),
            dollars(total)
        )),
        _ => None,
    };
    let word = cadence.word();
    if cadence.changes_often() {
        let tail = share.unwrap_or_else(|| {
            format!("a fine-tune would be retrained {word}, while retrieval picks up new documents at once")
        });
        Some(finding(
            ReasonKind::Retraining,
            Effect::RetrievalNeed,
            format!("Knowledge changes {word}: {tail}"),
        ))
    } else {
        share.map(|s| {
            finding(
                ReasonKind::Retraining,
                Effect::Info,
                format!("Knowledge changes {word}: {s}"),
            )
        })
    }
}

pub fn new_information(q: &Questions) -> Option<Finding> {
    q.new_information.then(|| {
        finding(
            ReasonKind::NewInformation,
            Effect::RetrievalNeed,
            "The task reasons over new, unseen information: retrieval supplies it at query \
             time, a fine-tune knows only its training data"
                .to_string(),
        )
    })
}

pub fn portability(q: &Questions) -> Option<Finding> {
    q.portability_needed.then(|| {
        finding(
            ReasonKind::Portability,
            Effect::Portability,
            "Model portability is needed: a fine-tune is tied to one provider's base model \
             and must be redone to switch or upgrade"
                .to_string(),
        )
    })
}

/// The base model's retirement date against today and the payback time. The flag says
/// whether it comes before payback (or, with no payback figure, within
/// [`RETIREMENT_SOON_DAYS`]), which voids a cost advantage.
pub fn retirement(e: &Evidence) -> Option<(Finding, bool)> {
    let date = e.base_model_retirement.as_deref()?.trim();
    let Some(days) = days_until(&e.today, date) else {
        let text = format!(
            "Base model retirement date `{date}` or today's date `{}` is not a YYYY-MM-DD date: not weighed",
            e.today
        );
        return Some((finding(ReasonKind::Retirement, Effect::Info, text), false));
    };
    let redo = "a fine-tune would have to be redone";
    if days < 0 {
        let text = format!(
            "Base model retired on {date}, {} ago: {redo}",
            count(-days, "day")
        );
        return Some((finding(ReasonKind::Retirement, Effect::Against, text), true));
    }
    let when = if days == 0 {
        format!("Base model retires {date}, today")
    } else {
        format!("Base model retires {date}, in {}", count(days, "day"))
    };
    let (text, soon) = match e.payback_months.filter(|m| m.is_finite() && *m >= 0.0) {
        Some(m) if (days as f64) < m * DAYS_PER_MONTH => (
            format!(
                "{when}, before the {}-month payback: {redo}",
                one_decimal(m)
            ),
            true,
        ),
        Some(m) => (
            format!("{when}, after the {}-month payback", one_decimal(m)),
            false,
        ),
        None if days <= RETIREMENT_SOON_DAYS => (format!("{when}: {redo}"), true),
        None => (when, false),
    };
    let effect = if soon { Effect::Against } else { Effect::Info };
    Some((finding(ReasonKind::Retirement, effect, text), soon))
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

//! The findings on owning the choice over time: cost at the team's volume and its
//! crossover, retraining cadence, new information, portability and the base model's
//! retirement.

use super::super::evidence::Evidence;
use super::super::number::{count, days_until, dollars, one_decimal, percent, rate, thousands};
use super::super::question::Questions;
use super::super::recommendation::ReasonKind;
use super::{
    finding, Effect, Finding, DAYS_PER_MONTH, GROWTH_HORIZON_MONTHS, RETIREMENT_SOON_DAYS,
};
use crate::cost::{named_ranges, Side};

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
    // The words name no range narrower than a query a day; the effect reads the exact ones.
    let named = named_ranges(ranges, v);
    let j = named.iter().position(|r| r.contains(v))?;
    let shown = named[j];
    let (before, after) = (
        j.checked_sub(1).map(|k| named[k].cheaper),
        named.get(j + 1).map(|r| r.cheaper),
    );
    let side = arm_name(here.cheaper);
    let span = match (before, after) {
        (None, None) => None,
        (None, Some(up)) => Some(format!(
            "up to {} queries/day, {} above",
            thousands(shown.to.unwrap_or(v)),
            arm_name(up)
        )),
        (Some(down), None) => Some(format!(
            "from {} queries/day, {} below",
            thousands(shown.from),
            arm_name(down)
        )),
        (Some(down), Some(up)) => Some(format!(
            "from {} to {} queries/day, {}",
            thousands(shown.from),
            thousands(shown.to.unwrap_or(v)),
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

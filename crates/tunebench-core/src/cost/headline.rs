//! Cost at scale in one sentence: where each arm is cheaper (every range, not only the
//! first crossing) and which arm is cheaper at the scenario's volume, with the two monthly
//! totals the cost table shows.

use super::break_even::{named_ranges, BreakEven, CheaperRange};
use super::model::{CostReport, Side};
use crate::money::{count, usd};

/// Up to this many ranges are each named; past it, only the first and last are, with the
/// number of changes in between.
const NAMED_RANGES: usize = 4;

/// What an arm is called in the sentence.
fn word(side: Option<Side>) -> &'static str {
    match side {
        Some(Side::A) => "prompting",
        Some(Side::B) => "fine-tuning",
        None => "neither arm",
    }
}

/// "fine-tuning is cheaper", "both arms cost the same".
fn cheaper(side: Option<Side>) -> String {
    match side {
        Some(_) => format!("{} is cheaper", word(side)),
        None => "both arms cost the same".to_string(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// One range as volumes: "up to 5,164", "from 5,164 to 11,000", "from 82,626".
fn span(r: &CheaperRange) -> String {
    match (r.from, r.to) {
        (0.0, Some(to)) => format!("up to {}", count(to)),
        (from, Some(to)) => format!("from {} to {}", count(from), count(to)),
        (from, None) => format!("from {}", count(from)),
    }
}

/// How far the one crossing moves with the token-count intervals, when it moves at all.
fn interval(be: &BreakEven) -> String {
    let BreakEven::Crosses {
        queries_per_day,
        low,
        high,
        ..
    } = be
    else {
        return String::new();
    };
    let at = count(*queries_per_day);
    match (low, high) {
        (Some(l), Some(h)) if count(*l) == at && count(*h) == at => String::new(),
        (Some(l), Some(h)) => format!(
            " ({} to {} with the token-count intervals)",
            count(*l),
            count(*h)
        ),
        (Some(x), None) | (None, Some(x)) => format!(
            " ({} or no crossing at all with the token-count intervals)",
            count(*x)
        ),
        (None, None) => String::new(),
    }
}

/// Where each arm is cheaper, over every range of volumes.
fn layout(ranges: &[CheaperRange], be: &BreakEven) -> String {
    match ranges {
        [] => String::new(),
        [only] => format!("No break-even: {} at every volume", cheaper(only.cheaper)),
        [low, high] => {
            let at = count(low.to.unwrap_or(high.from));
            // The intervals move the first crossing: said only when that is the one named.
            let first = be.queries_per_day().map(count);
            let moves = if first.as_deref() == Some(at.as_str()) {
                interval(be)
            } else {
                String::new()
            };
            if high.cheaper == Some(Side::B) {
                format!(
                    "Fine-tuning is cheaper from {at} queries/day{moves}, {} below it",
                    word(low.cheaper)
                )
            } else {
                format!(
                    "{} up to {at} queries/day{moves}, {} above it",
                    capitalised(&cheaper(low.cheaper)),
                    word(high.cheaper)
                )
            }
        }
        _ if ranges.len() <= NAMED_RANGES => {
            let of = |side: Option<Side>| {
                ranges
                    .iter()
                    .filter(|r| r.cheaper == side)
                    .map(span)
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            let mut parts = Vec::new();
            for side in [Some(Side::B), Some(Side::A), None] {
                let spans = of(side);
                if !spans.is_empty() {
                    parts.push(format!("{} {spans} queries/day", cheaper(side)));
                }
            }
            capitalised(&parts.join("; "))
        }
        [first, .., last] => format!(
            "{} below {} queries/day and {} from {} up; in between the cheaper arm changes {} \
             more times as provisioned units are added",
            capitalised(&cheaper(first.cheaper)),
            count(first.to.unwrap_or(last.from)),
            word(last.cheaper),
            count(last.from),
            ranges.len() - 3
        ),
    }
}

/// The headline of cost at scale: where each arm is cheaper, then which one is at the
/// report's volume (and over which range, when there are several) with both monthly totals.
/// A range narrower than a query a day is not named ([`named_ranges`]).
pub fn headline(c: &CostReport) -> String {
    let retired = c.arm_a.retired_on.is_some() || c.arm_b.retired_on.is_some();
    if let (true, BreakEven::Never { reason, .. }) = (retired, &c.break_even) {
        return format!("No break-even: {reason}");
    }
    let v = c.queries_per_day;
    let monthly = format!(
        "fine-tuned {} vs prompting {} a month",
        usd(c.arm_b.monthly_at_volume.mean),
        usd(c.arm_a.monthly_at_volume.mean)
    );
    let ranges = named_ranges(&c.cheaper, v);
    let here = match ranges.iter().find(|r| r.contains(v)) {
        Some(r) if ranges.len() > 2 => {
            let range = match (r.from, r.to) {
                (0.0, Some(to)) => format!("up to {} queries/day", count(to)),
                (from, Some(to)) => format!("from {} to {} queries/day", count(from), count(to)),
                (from, None) => format!("from {} queries/day up", count(from)),
            };
            format!("{}, {range}", cheaper(r.cheaper))
        }
        Some(r) => cheaper(r.cheaper),
        None => "the cost model found no range holding it".to_string(),
    };
    let layout = layout(&ranges, &c.break_even);
    let at = format!("At {} queries/day {here}: {monthly}", count(v));
    if layout.is_empty() {
        at
    } else {
        format!("{layout}. {at}")
    }
}

//! One takeaway line per chart of the slide pack, each built from numbers the report (and
//! the chart beside it) shows. Pure.

use crate::chart::{ConfusionData, QualityData, TrendData};
use crate::cost::{BreakEven, CostReport, Side};
use crate::money::{count, usd};

use super::RunReport;

fn arm(c: &CostReport, side: Side) -> &str {
    match side {
        Side::A => &c.arm_a.name,
        Side::B => &c.arm_b.name,
    }
}

/// Where the costs cross and what the cheaper arm saves at the team's volume.
pub fn crossover(c: &CostReport) -> String {
    let (a, b) = (
        c.arm_a.monthly_at_volume.mean,
        c.arm_b.monthly_at_volume.mean,
    );
    let cheaper = if b < a { Side::B } else { Side::A };
    let at_volume = format!(
        "at {}/day {} saves {} a month ({} vs {})",
        count(c.queries_per_day),
        arm(c, cheaper),
        usd((a - b).abs()),
        usd(a.min(b)),
        usd(a.max(b)),
    );
    match &c.break_even {
        BreakEven::Crosses {
            queries_per_day,
            low,
            high,
            cheaper_above,
        } => {
            let range = match (low, high) {
                (Some(l), Some(h)) => format!(
                    " ({}–{}/day with the token intervals)",
                    count(*l),
                    count(*h)
                ),
                _ => String::new(),
            };
            format!(
                "Break-even at {}/day{range}, above it {} is cheaper; {at_volume}.",
                count(*queries_per_day),
                arm(c, *cheaper_above),
            )
        }
        BreakEven::Never {
            cheaper: Some(side),
            ..
        } => format!("{} is cheaper at every volume: {at_volume}.", arm(c, *side)),
        BreakEven::Never { reason, .. } => format!("No break-even: {reason}."),
    }
}

/// When the first training run is paid back.
pub fn cumulative(c: &CostReport) -> String {
    match (c.payback.month, c.payback.months, &c.payback.note) {
        (Some(m), Some(months), _) if months >= 0.1 => format!(
            "At {}/day the first training run is paid back in month {m} ({months:.1} months).",
            count(c.queries_per_day)
        ),
        (Some(m), Some(_), _) => format!(
            "At {}/day the first training run is paid back in month {m}, in under 0.1 months.",
            count(c.queries_per_day)
        ),
        // A note that already names the volume stands alone.
        (_, _, Some(note)) if note.starts_with("At ") => format!("{note}."),
        (_, _, Some(note)) => format!("At {}/day: {note}.", count(c.queries_per_day)),
        _ => format!(
            "At {}/day no training run is paid back.",
            count(c.queries_per_day)
        ),
    }
}

/// The assumption that moves the break-even most.
pub fn tornado(c: &CostReport) -> Option<String> {
    let swing = |r: &crate::cost::SensitivityRow| match (r.break_even_low, r.break_even_high) {
        (Some(l), Some(h)) => (h - l).abs(),
        _ => f64::INFINITY,
    };
    let top = c
        .sensitivity
        .iter()
        .max_by(|x, y| swing(x).total_cmp(&swing(y)))?;
    let end = |v: Option<f64>| v.map_or("no crossing".to_string(), |v| format!("{}/day", count(v)));
    Some(format!(
        "{} moves the break-even most: {} at −25 %, {} at +25 %.",
        top.assumption,
        end(top.break_even_low),
        end(top.break_even_high)
    ))
}

/// Both arms on the primary metric and the paired difference with its interval.
pub fn metric(r: &RunReport) -> String {
    let c = &r.comparison;
    let value = |i: usize| {
        r.arms.get(i).map_or(String::new(), |a| {
            format!("{} {:.3}", a.name, a.primary.value)
        })
    };
    format!(
        "{}: {} vs {}, B − A = {:+.3} (95 % CI {:+.3} to {:+.3}) on {} paired cases.",
        r.primary_metric,
        value(1),
        value(0),
        c.difference,
        c.interval.low,
        c.interval.high,
        c.n
    )
}

/// Each arm's 95th-percentile latency.
pub fn latency(r: &RunReport) -> String {
    let arms: Vec<String> = r
        .arms
        .iter()
        .map(|a| match a.latency_ms_p95 {
            Some(p) => format!("{} {} ms", a.name, count(p)),
            None => format!("{} not measured", a.name),
        })
        .collect();
    format!("95th-percentile latency: {}.", arms.join(", "))
}

/// How many of an arm's labelled cases sit on the diagonal.
pub fn confusion(name: &str, d: &ConfusionData) -> String {
    let total: u64 = d.counts.iter().flatten().map(|&c| u64::from(c)).sum();
    let right: u64 = d
        .counts
        .iter()
        .enumerate()
        .filter_map(|(i, row)| row.get(i).map(|&c| u64::from(c)))
        .sum();
    let share = if total > 0 {
        100.0 * right as f64 / total as f64
    } else {
        0.0
    };
    format!(
        "{name}: {right} of {total} cases get the right label ({share:.1} %) across {} labels.",
        d.labels.len()
    )
}

/// Each arm's quality and cost per query.
pub fn quality(d: &QualityData) -> String {
    let points: Vec<String> = d
        .points
        .iter()
        .map(|p| {
            format!(
                "{} {:.3} at {} a query",
                p.name,
                p.quality,
                usd(p.cost_per_query)
            )
        })
        .collect();
    format!("{}: {}.", d.metric, points.join("; "))
}

/// The metric of each series in the first and the latest run.
pub fn trend(d: &TrendData) -> String {
    let (Some(first), Some(last)) = (d.runs.first(), d.runs.last()) else {
        return "No run to compare.".into();
    };
    let moves: Vec<String> = d
        .series
        .iter()
        .enumerate()
        .filter_map(|(i, name)| {
            let (a, b) = (first.points.get(i)?, last.points.get(i)?);
            Some(if d.runs.len() > 1 {
                format!("{name} {:.3} → {:.3}", a.value, b.value)
            } else {
                format!("{name} {:.3}", b.value)
            })
        })
        .collect();
    if d.runs.len() == 1 {
        format!("{} in {}: {}.", d.metric, last.label, moves.join(", "))
    } else {
        format!(
            "{} over {} runs ({} to {}): {}.",
            d.metric,
            d.runs.len(),
            first.label,
            last.label,
            moves.join(", ")
        )
    }
}

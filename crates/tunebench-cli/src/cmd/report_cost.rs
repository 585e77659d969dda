//! Cost at scale in `tunebench report` for a run of three or more arms: where each arm is
//! cheapest, the break-even of each arm with the baseline A, and the tornado of the pair the
//! recommendation weighs (A against the verdict's best arm, else B), named.

use tunebench_core::cost::{ArmsCostReport, ArmsScenario, BreakEven, SensitivityRow};
use tunebench_core::money::count;
use tunebench_core::report::decision::NoCost;
use tunebench_core::report::RunReport;
use tunebench_core::stats::VerdictKind;

const LETTERS: [char; 6] = ['A', 'B', 'C', 'D', 'E', 'F'];

type ArmsCost = Result<(ArmsScenario, ArmsCostReport), NoCost>;

/// Why the pair was chosen, in words.
fn why(report: &RunReport, leading: usize) -> &'static str {
    if leading == 1 && report.verdict_kind != VerdictKind::Justified {
        "B, as no arm clears the margin"
    } else {
        "the verdict's best arm"
    }
}

/// "C (hybrid)".
fn arm(report: &RunReport, i: usize) -> String {
    let name = report.arms.get(i).map_or("?", |a| a.name.as_str());
    format!("{} ({name})", LETTERS.get(i).copied().unwrap_or('?'))
}

/// The fields `report --json` adds for three or more arms: `cost_arms` (every arm priced,
/// the pairs with A, the ranges where each arm is cheapest) or `cost_arms_note`, and
/// `cost_tornado` (the sensitivity of the leading pair, named). `break_even_*` keep their
/// meaning, B against A; `cost_headline` becomes where each arm is cheapest.
pub fn json(value: &mut serde_json::Value, cost: &ArmsCost, report: &RunReport, leading: usize) {
    match cost {
        Ok((_, c)) => {
            let ab = &c.pairs[0].report;
            value["break_even_queries_per_day"] =
                serde_json::json!(ab.break_even.queries_per_day());
            value["break_even_note"] = serde_json::json!(never(&ab.break_even));
            value["cost_headline"] = serde_json::json!(c.headline);
            value["cost_arms"] = serde_json::json!(c);
            value["cost_tornado"] = serde_json::json!({
                "arm_a": report.arms[0].name,
                "arm_b": report.arms.get(leading).map(|a| &a.name),
                "why": why(report, leading),
                "sensitivity": c.pairs[leading - 1].report.sensitivity,
            });
        }
        Err(e) => {
            value["cost_arms"] = serde_json::Value::Null;
            value["cost_arms_note"] = serde_json::json!(e.to_string());
        }
    }
}

/// The text: where each arm is cheapest, each arm's break-even with A, the tornado's pair
/// and its largest swing.
pub fn text(cost: &ArmsCost, report: &RunReport, leading: usize) -> String {
    let c = match cost {
        Ok((_, c)) => c,
        Err(e) => return format!("cost at scale: unknown ({e})"),
    };
    let mut s = format!("cost at scale: {}", c.headline);
    for w in &c.warnings {
        s.push_str(&format!("\nwarning: {w}"));
    }
    let pairs: Vec<String> = c
        .pairs
        .iter()
        .map(|p| {
            let at = match &p.report.break_even {
                BreakEven::Crosses {
                    queries_per_day, ..
                } => {
                    format!("at {} queries/day", count(*queries_per_day))
                }
                BreakEven::Never { reason, .. } => format!("never ({reason})"),
            };
            format!("{} {at}", arm(report, p.arm))
        })
        .collect();
    s.push_str(&format!(
        "\nbreak-even with {}: {}",
        arm(report, 0),
        pairs.join("; ")
    ));
    let rows = &c.pairs[leading - 1].report.sensitivity;
    s.push_str(&format!(
        "\ntornado of {} against {}, {}: {}",
        arm(report, 0),
        arm(report, leading),
        why(report, leading),
        largest(rows)
    ));
    s
}

/// The row that moves the break-even most, with both ends.
fn largest(rows: &[SensitivityRow]) -> String {
    let Some(r) = rows.first() else {
        return "no assumption moves the break-even".to_owned();
    };
    let end = |v: Option<f64>| {
        v.map_or("no crossing".to_owned(), |v| {
            format!("{} queries/day", count(v))
        })
    };
    format!(
        "the break-even moves most with {} (−25 %: {}; +25 %: {})",
        r.assumption,
        end(r.break_even_low),
        end(r.break_even_high)
    )
}

fn never(b: &BreakEven) -> Option<String> {
    match b {
        BreakEven::Crosses { .. } => None,
        BreakEven::Never { reason, .. } => Some(format!("never: {reason}")),
    }
}

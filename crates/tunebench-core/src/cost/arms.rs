//! Cost at scale for an experiment of more than two arms: every arm priced, the prompting
//! baseline A against each other arm as a two-arm [`Scenario`] (break-even, payback and
//! sensitivity as for two arms), and the ranges of daily volumes over which each arm is the
//! cheapest of them all: the lower envelope of the arms' monthly cost curves, built from
//! the exact pairwise ranges of [`cheaper_ranges`] so that provisioned (step) hosting is
//! followed as for two arms. Pure.

use serde::{Deserialize, Serialize};

use super::break_even::{cheaper_ranges, CheaperRange};
use super::model::{evaluate, ArmCost, CostReport, Side};
use super::scenario::{ArmAssumptions, Scenario};
use crate::money::{count, usd};
use crate::{Error, Result};

/// The most arms an experiment has (A and up to five others).
pub const MAX_COST_ARMS: usize = 6;

/// The assumptions of a projection over every arm: the settings and arms A and B as a
/// two-arm [`Scenario`] (the one a run saves), and arms C, D, … priced alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmsScenario {
    /// Volume, dates, error cost and calendar, with arm A (the prompting baseline) and arm B.
    pub scenario: Scenario,
    /// Arms C, D, … (empty for a two-arm run).
    #[serde(default)]
    pub more: Vec<ArmAssumptions>,
}

impl ArmsScenario {
    /// Every arm, A first.
    pub fn arms(&self) -> Vec<&ArmAssumptions> {
        [&self.scenario.arm_a, &self.scenario.arm_b]
            .into_iter()
            .chain(&self.more)
            .collect()
    }

    /// The two-arm scenario of arm `a` (as its A) against arm `b` (as its B), indices in
    /// [`Self::arms`], with this scenario's settings.
    pub fn between(&self, a: usize, b: usize) -> Result<Scenario> {
        let arms = self.arms();
        let (Some(x), Some(y)) = (arms.get(a), arms.get(b)) else {
            return Err(Error::Invalid(format!(
                "cost scenario: no arm {} among {}",
                a.max(b),
                arms.len()
            )));
        };
        Ok(Scenario {
            arm_a: (*x).clone(),
            arm_b: (*y).clone(),
            ..self.scenario.clone()
        })
    }

    /// Checks every arm as a two-arm scenario would, and the number of arms.
    pub fn validate(&self) -> Result<()> {
        let n = self.arms().len();
        if n > MAX_COST_ARMS {
            return Err(Error::Invalid(format!(
                "cost scenario: {n} arms; at most {MAX_COST_ARMS} are compared"
            )));
        }
        self.scenario.validate()?;
        for i in 2..n {
            self.between(0, i)?.validate()?;
        }
        Ok(())
    }
}

/// A range of daily volumes over which one arm (or several, costing the same) is the
/// cheapest of every arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheapestRange {
    /// Queries per day where the range starts (exclusive, except 0, which it includes).
    pub from: f64,
    /// Queries per day where it ends (inclusive); `None`: every volume above `from`.
    pub to: Option<f64>,
    /// Indices (A = 0) of the cheapest arm; several when they cost exactly the same.
    // An arm index crosses to TypeScript as a number (specta refuses usize).
    #[cfg_attr(feature = "specta", specta(type = Vec<u32>))]
    pub arms: Vec<usize>,
}

impl CheapestRange {
    /// Whether `queries_per_day` falls in the range.
    pub fn contains(&self, queries_per_day: f64) -> bool {
        (queries_per_day > self.from || (self.from == 0.0 && queries_per_day == 0.0))
            && self.to.is_none_or(|to| queries_per_day <= to)
    }
}

/// Arm A against one other arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PairCost {
    /// The other arm's index (B = 1, C = 2, …) and name.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub arm: usize,
    pub name: String,
    /// The two-arm cost report of A against it: break-even, payback, sensitivity, headline.
    pub report: CostReport,
}

/// Every output of the cost model over every arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmsCostReport {
    pub queries_per_day: f64,
    /// Each arm's costs at the volume, A first.
    pub arms: Vec<ArmCost>,
    /// A against B, C, … in that order.
    pub pairs: Vec<PairCost>,
    /// The ranges of daily volumes where each arm is the cheapest, from 0 upwards.
    pub cheapest: Vec<CheapestRange>,
    /// The arms (indices) cheapest at `queries_per_day`.
    #[cfg_attr(feature = "specta", specta(type = Vec<u32>))]
    pub cheapest_at_volume: Vec<usize>,
    /// Arms cheapest at no volume, by index.
    #[cfg_attr(feature = "specta", specta(type = Vec<u32>))]
    pub never_cheapest: Vec<usize>,
    /// Things the reader should know (where the ranges stop being followed, …).
    pub warnings: Vec<String>,
    /// Where each arm is cheapest and which is at the volume, with every arm's monthly total.
    pub headline: String,
}

/// Runs the cost model over every arm of `s`.
pub fn evaluate_arms(s: &ArmsScenario) -> Result<ArmsCostReport> {
    s.validate()?;
    let n = s.arms().len();
    let mut pairs = Vec::with_capacity(n - 1);
    for i in 1..n {
        let report = evaluate(&s.between(0, i)?)?;
        pairs.push(PairCost {
            arm: i,
            name: s.arms()[i].name.clone(),
            report,
        });
    }
    let mut arms = vec![pairs[0].report.arm_a.clone()];
    arms.extend(pairs.iter().map(|p| p.report.arm_b.clone()));
    let (cheapest, stopped) = cheapest_ranges(s)?;
    let v = s.scenario.queries_per_day;
    let cheapest_at_volume = cheapest
        .iter()
        .find(|r| r.contains(v))
        .map(|r| r.arms.clone())
        .unwrap_or_default();
    let never_cheapest: Vec<usize> = (0..n)
        .filter(|i| !cheapest.iter().any(|r| r.arms.contains(i)))
        .collect();
    let mut warnings = Vec::new();
    if let Some(v) = stopped {
        warnings.push(format!(
            "which arm is cheapest is worked out up to {} queries a day: provisioned hosting \
             steps too finely to follow further",
            count(v)
        ));
    }
    let names: Vec<&str> = arms.iter().map(|a| a.name.as_str()).collect();
    let headline = headline(&names, &arms, &cheapest, &cheapest_at_volume, v);
    Ok(ArmsCostReport {
        queries_per_day: v,
        arms,
        pairs,
        cheapest,
        cheapest_at_volume,
        never_cheapest,
        warnings,
        headline,
    })
}

/// The ranges of daily volumes where each arm of `s` is the cheapest, at the mean token
/// counts, with the volume past which step hosting was not followed (as
/// [`cheaper_ranges`]).
pub fn cheapest_ranges(s: &ArmsScenario) -> Result<(Vec<CheapestRange>, Option<f64>)> {
    let n = s.arms().len();
    let mut pairwise = Vec::new();
    let mut stopped: Option<f64> = None;
    for i in 0..n {
        for j in i + 1..n {
            let (ranges, stop) = cheaper_ranges(&s.between(i, j)?)?;
            stopped = match (stopped, stop) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            pairwise.push(((i, j), ranges));
        }
    }
    Ok((lower_envelope(n, &pairwise), stopped))
}

/// The lower envelope of `n` cost curves from the ranges where each of a pair is cheaper
/// (`((i, j), ranges)` with `Side::A` meaning arm `i`, for every pair `i < j`): between
/// any two consecutive range ends every pair keeps its order, so an arm cheaper than or
/// equal to every other one in the middle of that stretch is cheapest over all of it.
/// Neighbouring stretches with the same cheapest arms merge.
pub fn lower_envelope(
    n: usize,
    pairwise: &[((usize, usize), Vec<CheaperRange>)],
) -> Vec<CheapestRange> {
    let mut ends: Vec<f64> = pairwise
        .iter()
        .flat_map(|(_, ranges)| ranges.iter().filter_map(|r| r.to))
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    ends.sort_by(f64::total_cmp);
    ends.dedup();
    let order = |i: usize, j: usize, v: f64| -> Option<Option<usize>> {
        let ((a, b), ranges) = pairwise
            .iter()
            .find(|((a, b), _)| (*a, *b) == (i.min(j), i.max(j)))?;
        let r = ranges.iter().find(|r| r.contains(v))?;
        Some(r.cheaper.map(|side| if side == Side::A { *a } else { *b }))
    };
    // Arm `i` is no dearer than every other one at `v`.
    let lowest = |i: usize, v: f64| {
        (0..n)
            .filter(|&j| j != i)
            .all(|j| matches!(order(i, j, v), Some(None)) || order(i, j, v) == Some(Some(i)))
    };
    let mut out: Vec<CheapestRange> = Vec::new();
    let mut from = 0.0;
    for k in 0..=ends.len() {
        let to = ends.get(k).copied();
        let probe = match to {
            Some(to) => (from + to) / 2.0,
            None => from + from.abs() + 1.0,
        };
        let arms: Vec<usize> = (0..n).filter(|&i| lowest(i, probe)).collect();
        match out.last_mut() {
            Some(last) if last.arms == arms => last.to = to,
            _ => out.push(CheapestRange { from, to, arms }),
        }
        if let Some(to) = to {
            from = to;
        }
    }
    out
}

/// "A is cheapest up to 2,668 queries/day; B is cheapest from 2,668 to 48,026
/// queries/day; C is cheapest from 48,026 queries/day up. At 10,000 queries/day B is
/// cheapest: B $1,034, C $1,612, A $3,040 a month. D is cheapest at no volume."
fn headline(
    names: &[&str],
    arms: &[ArmCost],
    ranges: &[CheapestRange],
    here: &[usize],
    v: f64,
) -> String {
    let who = |set: &[usize]| match set {
        [] => "no arm".to_string(),
        [one] => names[*one].to_string(),
        many => format!(
            "{} (costing the same)",
            many.iter()
                .map(|&i| names[i])
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    };
    let span = |r: &CheapestRange| match (r.from, r.to) {
        (0.0, Some(to)) => format!("up to {} queries/day", count(to)),
        (from, Some(to)) => format!("from {} to {} queries/day", count(from), count(to)),
        (0.0, None) => "at every volume".to_string(),
        (from, None) => format!("from {} queries/day up", count(from)),
    };
    let verb = |set: &[usize]| if set.len() > 1 { "are" } else { "is" };
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| format!("{} {} cheapest {}", who(&r.arms), verb(&r.arms), span(r)))
        .collect();
    let layout = if parts.len() > 5 {
        format!(
            "{}; … {} ranges in all as provisioned units are added; {}",
            parts[0],
            parts.len(),
            parts[parts.len() - 1]
        )
    } else {
        parts.join("; ")
    };
    let mut order: Vec<usize> = (0..arms.len()).collect();
    order.sort_by(|&x, &y| {
        arms[x]
            .monthly_at_volume
            .mean
            .total_cmp(&arms[y].monthly_at_volume.mean)
    });
    let monthly = order
        .iter()
        .map(|&i| format!("{} {}", names[i], usd(arms[i].monthly_at_volume.mean)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = format!(
        "{}. At {} queries/day {} {} cheapest: {monthly} a month.",
        capitalised(&layout),
        count(v),
        who(here),
        verb(here)
    );
    let never: Vec<&str> = (0..names.len())
        .filter(|i| !ranges.iter().any(|r| r.arms.contains(i)))
        .map(|i| names[i])
        .collect();
    if !never.is_empty() {
        let who = match never.len() {
            1 => format!("{} is", never[0]),
            _ => format!("{} are", never.join(", ")),
        };
        text.push_str(&format!(" {} cheapest at no volume.", capitalised(&who)));
    }
    text
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

#[cfg(test)]
#[path = "arms_tests.rs"]
mod tests;

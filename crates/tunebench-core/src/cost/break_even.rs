//! Where the two arms' monthly costs cross (`V* = (fixed_B − fixed_A) / (30.4·(var_A − var_B))`,
//! walked segment by segment when provisioned hosting makes fixed costs a step function), and
//! when the first training run pays for itself.

use serde::{Deserialize, Serialize};

use super::model::{fixed_monthly, hosting_monthly, months_until, variable_cost, Bound, Side};
use super::scenario::{Hosting, Scenario};
use crate::money::{count, usd};
use crate::Result;

/// The break-even daily volume, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BreakEven {
    /// Both arms cost the same at `queries_per_day`; above it, `cheaper_above` is cheaper.
    /// `low`..`high` is the range the token-count intervals allow (`None`: no crossing at
    /// that end of the interval).
    Crosses {
        queries_per_day: f64,
        low: Option<f64>,
        high: Option<f64>,
        cheaper_above: Side,
    },
    /// The lines never cross; `cheaper` is the arm cheaper at every volume, if any.
    Never {
        cheaper: Option<Side>,
        reason: String,
    },
}

impl BreakEven {
    /// The break-even volume, queries per day; `None` when the arms never cross.
    pub fn queries_per_day(&self) -> Option<f64> {
        match self {
            BreakEven::Crosses {
                queries_per_day, ..
            } => Some(*queries_per_day),
            BreakEven::Never { .. } => None,
        }
    }
}

/// When the candidate's first training run is paid back by its savings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Payback {
    /// Queries arm B must serve, at its lower per-query cost, to recover one training run.
    pub queries: Option<f64>,
    /// Months at the scenario's volume, counting hosting.
    pub months: Option<f64>,
    /// The first whole month (1-based) by whose end the run is paid back.
    pub month: Option<u32>,
    /// Why there is no payback, or why it comes too late.
    pub note: Option<String>,
}

/// A range of daily volumes over which one arm costs less than the other.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheaperRange {
    /// Queries per day where the range starts (exclusive, except 0, which it includes).
    pub from: f64,
    /// Queries per day where it ends (inclusive); `None`: every volume above `from`.
    pub to: Option<f64>,
    /// The arm with the lower monthly cost over the range; `None` when both cost the same.
    pub cheaper: Option<Side>,
}

impl CheaperRange {
    /// Whether `queries_per_day` falls in the range.
    pub fn contains(&self, queries_per_day: f64) -> bool {
        (queries_per_day > self.from || (self.from == 0.0 && queries_per_day == 0.0))
            && self.to.is_none_or(|to| queries_per_day <= to)
    }
}

/// The narrowest range of daily volumes a sentence names, queries per day. Where a
/// provisioned unit is bought a hair before the crossing it would make, an arm is cheaper
/// over a sliver of volumes (a tenth of a query a day): no team runs at such a volume, and
/// naming it as a range of its own ("the fine-tuned arm above") misleads.
pub const NARROWEST_NAMED_RANGE: f64 = 1.0;

/// The ranges a sentence names: each range narrower than [`NARROWEST_NAMED_RANGE`] joins the
/// range before it (the first joins the one after), then neighbours naming the same arm
/// merge. The range holding `keep` (the team's volume) stays as it is, so the arm named
/// cheaper there is the one the cost model finds there. [`cheaper_ranges`] stays exact.
pub fn named_ranges(ranges: &[CheaperRange], keep: f64) -> Vec<CheaperRange> {
    let sliver = |r: &CheaperRange| {
        r.to.is_some_and(|to| to - r.from < NARROWEST_NAMED_RANGE) && !r.contains(keep)
    };
    let mut out: Vec<CheaperRange> = Vec::with_capacity(ranges.len());
    for r in ranges {
        let only = out.len() == 1;
        match out.last_mut() {
            // A first range that is a sliver gives way to the one after it.
            Some(first) if only && sliver(first) => {
                *first = CheaperRange {
                    from: first.from,
                    ..*r
                }
            }
            Some(last) if sliver(r) || last.cheaper == r.cheaper => last.to = r.to,
            _ => out.push(*r),
        }
    }
    out
}

/// The most step segments walked to find where each arm is cheaper.
const MAX_RANGE_SEGMENTS: usize = 100_000;

/// Every range of daily volumes where each arm is cheaper, at the mean token counts, in
/// order from 0 upwards, adjacent ranges with the same cheaper arm merged. The second value
/// is the volume past which the walk stopped when step hosting never settled (`None`: the
/// last range is exact to every volume).
///
/// Between two step boundaries the fixed costs are constant, so the difference
/// `M_B(V) − M_A(V) = F − k·V` is linear and changes sign at most once: each segment is
/// split at its root. Past the volume where the linear trend of provisioned hosting
/// outweighs one unit of either arm and every other fixed cost, the sign cannot change.
pub fn cheaper_ranges(s: &Scenario) -> Result<(Vec<CheaperRange>, Option<f64>)> {
    ranges(s, Bound::Mean, Bound::Mean)
}

/// [`cheaper_ranges`] with A's tokens at `ba` and B's at `bb`.
fn ranges(s: &Scenario, ba: Bound, bb: Bound) -> Result<(Vec<CheaperRange>, Option<f64>)> {
    let k = s.days_per_month * (variable_cost(s, &s.arm_a, ba) - variable_cost(s, &s.arm_b, bb));
    let gap = |v: f64| -> Result<f64> {
        Ok(fixed_monthly(s, Side::B, v)? - fixed_monthly(s, Side::A, v)?)
    };
    // D(V) = M_B − M_A > 0: A is cheaper. Exactly 0 (identical arms): neither.
    let side = |d: f64| {
        if d > 0.0 {
            Some(Side::A)
        } else if d < 0.0 {
            Some(Side::B)
        } else {
            None
        }
    };
    if k == 0.0 && s.arm_a.hosting == s.arm_b.hosting {
        // The same steps on both sides and the same cost per query: the difference is the
        // other fixed costs, the same at every volume.
        let d = gap(1.0)?;
        return Ok((
            vec![CheaperRange {
                from: 0.0,
                to: None,
                cheaper: side(d),
            }],
            None,
        ));
    }
    // The linear trend of D past the steps, and how far the steps can stray from it.
    let (mut slope, mut spread) = (-k, 0.0);
    for (sign, side) in [(1.0, Side::B), (-1.0, Side::A)] {
        if let Hosting::Provisioned {
            per_unit_hour,
            unit_queries_per_day,
            peak_to_mean,
        } = s.arm(side).hosting
        {
            let unit = per_unit_hour * s.hours_per_month;
            slope += sign * unit * peak_to_mean / unit_queries_per_day;
            spread += 2.0 * unit;
        }
    }
    let settled_beyond = if slope != 0.0 {
        let level = gap(0.0)?.abs() + spread;
        level / slope.abs()
    } else {
        f64::INFINITY
    };
    let steps = [step_boundary(s, Side::A), step_boundary(s, Side::B)];
    let mut pieces: Vec<CheaperRange> = Vec::new();
    let mut push = |from: f64, to: Option<f64>, cheaper: Option<Side>| match pieces.last_mut() {
        Some(last) if last.cheaper == cheaper => last.to = to,
        _ => pieces.push(CheaperRange { from, to, cheaper }),
    };
    let mut lo = 0.0_f64;
    let mut stopped = None;
    for segment in 0.. {
        if lo > settled_beyond {
            // Past here the trend outweighs every step: its sign holds for good.
            push(lo, None, side(slope));
            break;
        }
        let hi = steps
            .iter()
            .flatten()
            .map(|b| b(lo))
            .fold(f64::INFINITY, f64::min);
        let to = hi.is_finite().then_some(hi);
        // Fixed costs are constant inside (lo, hi]: probe strictly inside, where no
        // rounding can count the next unit yet.
        let mid = |a: f64, b: f64| {
            if b.is_finite() {
                (a + b) / 2.0
            } else {
                a + a.abs() + 1.0
            }
        };
        let f = gap(mid(lo, hi))?;
        let d = |v: f64| f - k * v;
        let root = if k != 0.0 { f / k } else { f64::NAN };
        if segment + 1 == MAX_RANGE_SEGMENTS && hi.is_finite() {
            stopped = Some(lo);
            push(lo, None, side(d(mid(lo, hi))));
            break;
        }
        if root > lo && root < hi {
            push(lo, Some(root), side(d(mid(lo, root))));
            push(root, to, side(d(mid(root, hi))));
        } else {
            push(lo, to, side(d(mid(lo, hi))));
        }
        if !hi.is_finite() {
            break;
        }
        lo = hi;
    }
    Ok((pieces, stopped))
}

/// The next volume above `lo` at which one more provisioned unit is needed, when the
/// arm's hosting is provisioned: `n · capacity / peak` for the next whole `n`.
fn step_boundary(s: &Scenario, side: Side) -> Option<impl Fn(f64) -> f64> {
    match s.arm(side).hosting {
        Hosting::Provisioned {
            unit_queries_per_day,
            peak_to_mean,
            ..
        } => Some(move |lo: f64| {
            let n = (lo * peak_to_mean / unit_queries_per_day).floor() + 1.0;
            let b = n * unit_queries_per_day / peak_to_mean;
            if b > lo {
                b
            } else {
                (n + 1.0) * unit_queries_per_day / peak_to_mean
            }
        }),
        _ => None,
    }
}

/// The break-even of the scenario at the mean token counts, with the range the intervals allow.
pub fn solve(s: &Scenario) -> Result<BreakEven> {
    for side in [Side::A, Side::B] {
        let arm = s.arm(side);
        if let Some(date) = &arm.retirement_date {
            if months_until(s, date)? <= 0.0 {
                return Ok(BreakEven::Never {
                    cheaper: None,
                    reason: format!(
                        "{}'s model {} is retired on {date}, on or before {}: it cannot serve traffic",
                        arm.name, arm.model, s.today
                    ),
                });
            }
        }
    }
    let mean = crossing(s, Bound::Mean, Bound::Mean)?;
    let Crossing::At { v, cheaper_above } = mean else {
        return Ok(BreakEven::Never {
            cheaper: match mean {
                Crossing::None { cheaper } => cheaper,
                Crossing::At { .. } => None,
            },
            reason: never_reason(s)?,
        });
    };
    // The earliest crossing has the widest gap in per-query cost, the latest the narrowest.
    let (fast, slow) = match cheaper_above {
        Side::B => ((Bound::High, Bound::Low), (Bound::Low, Bound::High)),
        Side::A => ((Bound::Low, Bound::High), (Bound::High, Bound::Low)),
    };
    let at = |c: Crossing| match c {
        Crossing::At { v, .. } => Some(v),
        Crossing::None { .. } => None,
    };
    let a = at(crossing(s, fast.0, fast.1)?);
    let b = at(crossing(s, slow.0, slow.1)?);
    let (low, high) = match (a, b) {
        (Some(x), Some(y)) => (Some(x.min(y)), Some(x.max(y))),
        other => other,
    };
    Ok(BreakEven::Crosses {
        queries_per_day: v,
        low,
        high,
        cheaper_above,
    })
}

/// The break-even volume at the mean token counts, or `None` when the arms never cross.
pub(crate) fn queries_per_day(s: &Scenario) -> Result<Option<f64>> {
    Ok(solve(s)?.queries_per_day())
}

enum Crossing {
    At { v: f64, cheaper_above: Side },
    None { cheaper: Option<Side> },
}

/// The first volume at which the cheaper arm changes, A's tokens at `ba`, B's at `bb`.
fn crossing(s: &Scenario, ba: Bound, bb: Bound) -> Result<Crossing> {
    let (ranges, _) = ranges(s, ba, bb)?;
    let first = ranges.first().and_then(|r| r.cheaper);
    Ok(
        match ranges
            .iter()
            .find(|r| r.cheaper.is_some() && r.cheaper != first)
        {
            Some(r) => Crossing::At {
                v: r.from,
                cheaper_above: r.cheaper.unwrap_or(Side::A),
            },
            None => Crossing::None { cheaper: first },
        },
    )
}

fn never_reason(s: &Scenario) -> Result<String> {
    let (a, b) = (&s.arm_a, &s.arm_b);
    let var_a = variable_cost(s, a, Bound::Mean);
    let var_b = variable_cost(s, b, Bound::Mean);
    let fix_a = fixed_monthly(s, Side::A, 0.0)?;
    let fix_b = fixed_monthly(s, Side::B, 0.0)?;
    Ok(if var_b >= var_a && fix_b >= fix_a {
        format!(
            "{} costs at least as much per query as {} ({} vs {}) and its fixed costs are not lower \
             ({} vs {} a month), so it is never cheaper",
            b.name,
            a.name,
            usd(var_b),
            usd(var_a),
            usd(fix_b),
            usd(fix_a)
        )
    } else if var_b <= var_a && fix_b <= fix_a {
        format!(
            "{} is cheaper at every volume: {} vs {} per query and {} vs {} a month fixed",
            b.name,
            usd(var_b),
            usd(var_a),
            usd(fix_b),
            usd(fix_a)
        )
    } else {
        format!(
            "the monthly costs of {} and {} do not cross below the largest volume considered",
            a.name, b.name
        )
    })
}

/// When arm B's first training run is recovered by what it saves against arm A.
pub fn payback(s: &Scenario) -> Result<Payback> {
    let b = &s.arm_b;
    let Some(training) = &b.training else {
        return Ok(Payback {
            queries: None,
            months: None,
            month: None,
            note: Some(format!(
                "There is no training run of {} to pay back",
                b.name
            )),
        });
    };
    let run = training.cost_per_run();
    let per_query_saving =
        variable_cost(s, &s.arm_a, Bound::Mean) - variable_cost(s, b, Bound::Mean);
    let queries = (per_query_saving > 0.0).then(|| run / per_query_saving);
    let v = s.queries_per_day;
    let a_monthly = fixed_monthly(s, Side::A, v)?
        + s.days_per_month * v * variable_cost(s, &s.arm_a, Bound::Mean);
    let b_running =
        hosting_monthly(s, b, v) + s.days_per_month * v * variable_cost(s, b, Bound::Mean);
    let saving = a_monthly - b_running;
    if saving <= 0.0 {
        // Cite the monthly total and its training share, the figures the cost table shows,
        // not the running cost before training, which no table shows.
        let training_monthly = super::model::training_monthly(s, b)?;
        return Ok(Payback {
            queries,
            months: None,
            month: None,
            note: Some(format!(
                "At {} queries a day {} costs {} a month, {} of it training, against {} for {}: \
                 its queries and hosting alone cost no less, so its training is never paid back",
                count(v),
                b.name,
                usd(b_running + training_monthly),
                usd(training_monthly),
                usd(a_monthly),
                s.arm_a.name,
            )),
        });
    }
    let months = run / saving;
    let month = (months.ceil() as u32).max(1);
    let cadence = training.retrain_every_months;
    let horizon = super::model::amortisation_months(s, b)?.unwrap_or(f64::INFINITY);
    // One sentence, with units: when the run outlives neither the next retraining nor the
    // base model, it never pays back and there is no payback month.
    let note = (months > horizon).then(|| {
        let ends = if horizon < cadence {
            format!("the model retires after {}", months_text(horizon))
        } else {
            format!("the model is retrained every {}", months_text(horizon))
        };
        format!("The first training run would pay back in month {month}, but {ends}: it never pays back")
    });
    Ok(Payback {
        queries,
        months: Some(months),
        month: note.is_none().then_some(month),
        note,
    })
}

/// A number of months as a reader says it: "3 months", "1 month", "0.2 months".
fn months_text(m: f64) -> String {
    let rounded = (m * 10.0).round() / 10.0;
    let figure = if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    };
    if figure == "1" {
        "1 month".to_string()
    } else {
        format!("{figure} months")
    }
}

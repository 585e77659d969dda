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

/// The most step segments walked before giving up on a crossing.
const MAX_SEGMENTS: usize = 10_000;

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

/// The first volume at which `D(V) = M_B(V) − M_A(V)` changes sign, A's tokens at `ba`, B's at `bb`.
fn crossing(s: &Scenario, ba: Bound, bb: Bound) -> Result<Crossing> {
    let k = s.days_per_month * (variable_cost(s, &s.arm_a, ba) - variable_cost(s, &s.arm_b, bb));
    let gap = |v: f64| -> Result<f64> {
        Ok(fixed_monthly(s, Side::B, v)? - fixed_monthly(s, Side::A, v)?)
    };
    let d0 = gap(0.0)?;
    let start = if d0 != 0.0 { d0.signum() } else { -k.signum() };
    if start == 0.0 {
        return Ok(Crossing::None { cheaper: None });
    }
    let found = |v: f64| Crossing::At {
        v,
        cheaper_above: if start > 0.0 { Side::B } else { Side::A },
    };
    let steps = [step_width(s, Side::A), step_width(s, Side::B)];
    let mut lo = 0.0_f64;
    for _ in 0..MAX_SEGMENTS {
        // The segment (lo, hi] has constant fixed costs; hi is the next unit boundary.
        let hi = steps
            .iter()
            .flatten()
            .map(|w| ((lo / w).floor() + 1.0) * w)
            .fold(f64::INFINITY, f64::min);
        // Probe inside the segment: at `hi` itself rounding could already count the next unit.
        let probe = if hi.is_finite() {
            (lo + hi) / 2.0
        } else {
            lo + 1.0
        };
        let f = gap(probe)?;
        if lo > 0.0 && (f - k * lo) * start <= 0.0 {
            return Ok(found(lo)); // the step at lo itself flips the sign
        }
        if k != 0.0 {
            let root = f / k;
            if root > lo && root <= hi && (f - k * hi) * start <= 0.0 {
                return Ok(found(root));
            }
        }
        if !hi.is_finite() {
            break;
        }
        lo = hi;
    }
    Ok(Crossing::None {
        cheaper: Some(if start > 0.0 { Side::A } else { Side::B }),
    })
}

/// The volume one provisioned unit adds, when the arm's hosting is provisioned.
fn step_width(s: &Scenario, side: Side) -> Option<f64> {
    match s.arm(side).hosting {
        Hosting::Provisioned {
            unit_queries_per_day,
            peak_to_mean,
            ..
        } => Some(unit_queries_per_day / peak_to_mean),
        _ => None,
    }
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
            note: Some(format!("{} has no training cost to pay back", b.name)),
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
        return Ok(Payback {
            queries,
            months: None,
            month: None,
            note: Some(format!(
                "at {} queries a day {} runs at {} a month against {} for {}, so its training ({}) is never paid back",
                count(v),
                b.name,
                usd(b_running),
                usd(a_monthly),
                s.arm_a.name,
                usd(run)
            )),
        });
    }
    let months = run / saving;
    let horizon = super::model::amortisation_months(s, b)?.unwrap_or(f64::INFINITY);
    let note = (months > horizon).then(|| {
        format!(
            "the run pays back after {months:.1} months, but the model is retrained or retired after {horizon:.1}"
        )
    });
    Ok(Payback {
        queries,
        months: Some(months),
        month: Some((months.ceil() as u32).max(1)),
        note,
    })
}

//! How far the break-even moves when each assumption is 25 % lower or higher: the table
//! behind the tornado chart.

use serde::{Deserialize, Serialize};

use super::break_even::queries_per_day;
use super::scenario::{ArmAssumptions, Hosting, Scenario};
use crate::Result;

/// How much each assumption is moved either way.
pub const SWING: f64 = 0.25;

/// One assumption moved ±25 % and the break-even volume each end gives (`None`: never crosses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SensitivityRow {
    pub assumption: String,
    pub base_value: f64,
    /// Break-even queries per day with the assumption 25 % lower.
    pub break_even_low: Option<f64>,
    /// Break-even queries per day with the assumption 25 % higher.
    pub break_even_high: Option<f64>,
}

type Get = fn(&ArmAssumptions) -> f64;
type Scale = fn(&mut ArmAssumptions, f64);

/// The per-arm assumptions, as (label, read, scale).
const ARM_ASSUMPTIONS: &[(&str, Get, Scale)] = &[
    ("input price", |a| a.price.input, |a, k| a.price.input *= k),
    (
        "cached-input price",
        |a| a.price.cached_input,
        |a, k| a.price.cached_input *= k,
    ),
    (
        "output price",
        |a| a.price.output,
        |a, k| a.price.output *= k,
    ),
    (
        "prompt tokens",
        |a| a.tokens.input.mean,
        |a, k| {
            a.tokens.input = a.tokens.input.scaled(k);
            a.tokens.cached_input = a.tokens.cached_input.scaled(k);
        },
    ),
    (
        "output tokens",
        |a| a.tokens.output.mean,
        |a, k| a.tokens.output = a.tokens.output.scaled(k),
    ),
    (
        "batch share",
        |a| a.batch_share,
        |a, k| a.batch_share = (a.batch_share * k).min(1.0),
    ),
    (
        "retrieval cost",
        |a| a.retrieval_cost_per_query,
        |a, k| a.retrieval_cost_per_query *= k,
    ),
    (
        "error rate",
        |a| a.accuracy.map_or(0.0, |x| 1.0 - x),
        |a, k| {
            a.accuracy = a.accuracy.map(|x| (1.0 - (1.0 - x) * k).clamp(0.0, 1.0));
        },
    ),
    ("hosting price", hosting_price, |a, k| {
        match &mut a.hosting {
            Hosting::None => {}
            Hosting::Hourly { per_hour } => *per_hour *= k,
            Hosting::Provisioned { per_unit_hour, .. } => *per_unit_hour *= k,
        }
    }),
    (
        "training price",
        |a| a.training.map_or(0.0, |t| t.price),
        |a, k| {
            if let Some(t) = &mut a.training {
                t.price *= k;
            }
        },
    ),
    (
        "training tokens",
        |a| a.training.map_or(0.0, |t| t.tokens),
        |a, k| {
            if let Some(t) = &mut a.training {
                t.tokens *= k;
                t.hours *= k;
            }
        },
    ),
    (
        "epochs",
        |a| a.training.map_or(0.0, |t| t.epochs),
        |a, k| {
            if let Some(t) = &mut a.training {
                t.epochs *= k;
            }
        },
    ),
    (
        "data-prep cost",
        |a| a.training.map_or(0.0, |t| t.data_prep_cost),
        |a, k| {
            if let Some(t) = &mut a.training {
                t.data_prep_cost *= k;
            }
        },
    ),
    (
        "retraining cadence",
        |a| a.training.map_or(0.0, |t| t.retrain_every_months),
        |a, k| {
            if let Some(t) = &mut a.training {
                t.retrain_every_months *= k;
            }
        },
    ),
];

fn hosting_price(a: &ArmAssumptions) -> f64 {
    match a.hosting {
        Hosting::None => 0.0,
        Hosting::Hourly { per_hour } => per_hour,
        Hosting::Provisioned { per_unit_hour, .. } => per_unit_hour,
    }
}

/// Every non-zero assumption moved ±25 %, the rows that move the break-even most first.
pub fn table(s: &Scenario) -> Result<Vec<SensitivityRow>> {
    let mut rows = Vec::new();
    if s.error_cost > 0.0 {
        let mut lo = s.clone();
        lo.error_cost *= 1.0 - SWING;
        let mut hi = s.clone();
        hi.error_cost *= 1.0 + SWING;
        rows.push(SensitivityRow {
            assumption: "cost per wrong answer".into(),
            base_value: s.error_cost,
            break_even_low: queries_per_day(&lo)?,
            break_even_high: queries_per_day(&hi)?,
        });
    }
    for b_side in [false, true] {
        let arm = if b_side { &s.arm_b } else { &s.arm_a };
        for (label, get, scale) in ARM_ASSUMPTIONS {
            let base_value = get(arm);
            if base_value == 0.0 {
                continue;
            }
            let moved = |k: f64| -> Result<Option<f64>> {
                let mut m = s.clone();
                scale(if b_side { &mut m.arm_b } else { &mut m.arm_a }, k);
                queries_per_day(&m)
            };
            rows.push(SensitivityRow {
                assumption: format!("{}: {label}", arm.name),
                base_value,
                break_even_low: moved(1.0 - SWING)?,
                break_even_high: moved(1.0 + SWING)?,
            });
        }
    }
    let swing = |r: &SensitivityRow| match (r.break_even_low, r.break_even_high) {
        (Some(l), Some(h)) => (h - l).abs(),
        (None, None) => 0.0,
        _ => f64::INFINITY,
    };
    rows.sort_by(|x, y| swing(y).total_cmp(&swing(x)));
    Ok(rows)
}

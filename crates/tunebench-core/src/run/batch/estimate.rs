//! A batch run's cost before it starts, beside the same run's cost live: the live estimate
//! ([`crate::run::estimate`]) with each arm's batched share priced at the catalog's batch
//! multiplier, and its live latency sample at the live price.

use serde::Serialize;

use super::{latency_sample, BatchSettings};
use crate::run::estimate::{estimate as live_estimate, Estimate, PriceLookup};
use crate::run::plan::Plan;
use crate::Result;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmBatchEstimate {
    pub arm_id: i32,
    pub name: String,
    /// Calls sent live to measure latency.
    pub sample_calls: u32,
    /// Calls sent through the batch API.
    pub batch_calls: u32,
    /// The catalog's batch multiplier; `None` when it gives none (the batch share is then
    /// priced at the live price).
    pub multiplier: Option<f64>,
    pub live_cost_usd: Option<f64>,
    pub batch_cost_usd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchEstimate {
    /// The whole run sent live.
    pub live: Estimate,
    pub arms: Vec<ArmBatchEstimate>,
    /// The run as a batch run (its live sample included); `None` if no arm is priced.
    pub batch_cost_usd: Option<f64>,
    /// The settings it assumes (the live sample's size, what becomes of failed cases).
    pub settings: BatchSettings,
}

impl BatchEstimate {
    /// The sentence shown before Start, each figure as the estimate holds it.
    pub fn sentence(&self) -> String {
        let usd = |v: Option<f64>| v.map_or("unknown".to_string(), crate::money::usd);
        let sample: u32 = self.arms.iter().map(|a| a.sample_calls).sum();
        let batched: u32 = self.arms.iter().map(|a| a.batch_calls).sum();
        let mut s = format!(
            "live: {} for {} calls; batch: {} ({} calls batched, up to 24 h, and {} sent live \
             to measure latency)",
            usd(self.live.cost_usd),
            self.live.calls,
            usd(self.batch_cost_usd),
            batched,
            sample
        );
        for a in self
            .arms
            .iter()
            .filter(|a| a.multiplier.is_none() && a.batch_calls > 0)
        {
            s.push_str(&format!(
                "; the catalog gives no batch price for arm {:?}: its batched calls are priced live",
                a.name
            ));
        }
        s
    }
}

/// Estimates `plan` live and as a batch run with `settings`.
pub fn estimate(
    plan: &Plan,
    prices: &dyn PriceLookup,
    settings: &BatchSettings,
) -> Result<BatchEstimate> {
    let live = live_estimate(plan, prices)?;
    let sample = latency_sample(plan.cases.len(), settings.latency_sample, seed(plan));
    let pending = plan.pending();
    let mut arms = Vec::new();
    for (ai, (planned, est)) in plan.arms.iter().zip(&live.arms).enumerate() {
        let sample_calls = pending
            .iter()
            .filter(|(a, c)| *a == ai && sample.contains(c))
            .count() as u32;
        let batch_calls = est.calls - sample_calls;
        let multiplier = prices.batch_multiplier(&planned.provider, &planned.prepared.arm);
        let m = multiplier.unwrap_or(1.0);
        let batch_cost_usd = est.cost_usd.map(|cost| {
            if est.calls == 0 {
                return 0.0;
            }
            let per_call = cost / f64::from(est.calls);
            per_call * f64::from(sample_calls) + per_call * m * f64::from(batch_calls)
        });
        arms.push(ArmBatchEstimate {
            arm_id: est.arm_id,
            name: est.name.clone(),
            sample_calls,
            batch_calls,
            multiplier,
            live_cost_usd: est.cost_usd,
            batch_cost_usd,
        });
    }
    let priced: Vec<f64> = arms.iter().filter_map(|a| a.batch_cost_usd).collect();
    Ok(BatchEstimate {
        batch_cost_usd: (!priced.is_empty()).then(|| priced.iter().sum()),
        live,
        arms,
        settings: *settings,
    })
}

/// The run's seed, as its session draws the latency sample with it.
fn seed(plan: &Plan) -> u64 {
    crate::run::prepare::seed(plan)
}

//! The pre-run estimate: how many calls, how many input tokens (counted with tiktoken on
//! an even sample of up to 32 rendered prompts per arm), output bounded by `max_tokens`,
//! and the cost at the arm's prices. Prices come through [`PriceLookup`], so the price
//! catalog plugs in; [`ArmPriceOverride`] uses the arm's own `price = {...}`.

use serde::Serialize;

use super::plan::Plan;
use crate::arm::{tokens, Arm, Price};
use crate::provider::Provider;
use crate::Result;

/// Where prices come from.
pub trait PriceLookup: Send + Sync {
    fn price(&self, provider: &Provider, arm: &Arm) -> Option<Price>;

    /// The multiplier of the arm's price for traffic through a batch API (0.5 = half
    /// price); `None` when the prices say nothing about batches.
    fn batch_multiplier(&self, _provider: &Provider, _arm: &Arm) -> Option<f64> {
        None
    }
}

/// Prices from the arm's own `price` override only.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArmPriceOverride;

impl PriceLookup for ArmPriceOverride {
    fn price(&self, _provider: &Provider, arm: &Arm) -> Option<Price> {
        arm.params.price
    }
}

/// Prices from the arm's own `price` when it has one, else from the price catalog entry
/// that matches its model (a custom entry before the seed, the most specific pattern).
#[derive(Debug, Clone, Default)]
pub struct CatalogPrices {
    catalog: Vec<crate::price::PriceEntry>,
}

impl CatalogPrices {
    /// Loads the catalog (the store seeds this build's prices when it opens).
    pub fn load(conn: &rusqlite::Connection) -> Result<Self> {
        // Only entries with per-token prices can price a call (a hosting-only entry such
        // as Azure's deployment fee must not make an arm look priced).
        let catalog = crate::price::catalog(conn)?
            .into_iter()
            .filter(|e| e.input.is_some() && e.output.is_some())
            .collect();
        Ok(Self { catalog })
    }
}

impl PriceLookup for CatalogPrices {
    fn price(&self, provider: &Provider, arm: &Arm) -> Option<Price> {
        let own = arm
            .params
            .price
            .filter(|p| p.input.is_some() && p.output.is_some());
        own.or_else(|| {
            match crate::price::lookup_for_kind(&self.catalog, provider.kind.as_str(), &arm.model) {
                crate::price::PriceMatch::Found { entry } => Some(Price {
                    input: entry.input,
                    cached_input: entry.cached_input,
                    cache_write: entry.cache_write,
                    output: entry.output,
                    training: entry.training,
                    hosting_per_hour: entry.hosting_per_hour,
                }),
                crate::price::PriceMatch::Missing { .. } => None,
            }
        })
    }

    fn batch_multiplier(&self, provider: &Provider, arm: &Arm) -> Option<f64> {
        match crate::price::lookup_for_kind(&self.catalog, provider.kind.as_str(), &arm.model) {
            crate::price::PriceMatch::Found { entry } => entry.batch_multiplier,
            crate::price::PriceMatch::Missing { .. } => None,
        }
    }
}

/// Assumed output bound when an arm sets no `max_tokens`.
pub const DEFAULT_OUTPUT_BOUND: u32 = 1024;
/// Prompts rendered and tokenized per arm; the mean is scaled to every pending call.
const SAMPLE: usize = 32;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmEstimate {
    pub arm_id: i32,
    pub name: String,
    pub calls: u32,
    pub input_tokens: f64,
    /// `calls × max_tokens`: an upper bound.
    pub max_output_tokens: f64,
    /// `None` when the arm has no price.
    pub cost_usd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename = "RunEstimate")] // a distinct name in the TypeScript bindings
pub struct Estimate {
    pub calls: u32,
    pub arms: Vec<ArmEstimate>,
    /// Sum over the priced arms; `None` if no arm is priced.
    pub cost_usd: Option<f64>,
    /// Names of arms without a price (their cost is unknown).
    pub unpriced_arms: Vec<String>,
}

/// Estimates the calls still pending in `plan`.
pub fn estimate(plan: &Plan, prices: &dyn PriceLookup) -> Result<Estimate> {
    let pending = plan.pending();
    let mut arms = Vec::new();
    let mut unpriced = Vec::new();
    for (ai, planned) in plan.arms.iter().enumerate() {
        let cases: Vec<usize> = pending
            .iter()
            .filter(|(a, _)| *a == ai)
            .map(|(_, c)| *c)
            .collect();
        let calls = cases.len();
        let step = calls.div_ceil(SAMPLE).max(1);
        let mut sampled = 0u64;
        let mut n = 0u64;
        for &ci in cases.iter().step_by(step) {
            let messages = planned.prepared.render(&plan.cases[ci])?;
            sampled += u64::from(tokens::count_messages(
                &planned.prepared.arm.model,
                &messages,
            ));
            n += 1;
        }
        let input_tokens = if n == 0 {
            0.0
        } else {
            sampled as f64 / n as f64 * calls as f64
        };
        let arm = &planned.prepared.arm;
        let max_out = f64::from(
            arm.params
                .generation
                .max_tokens
                .unwrap_or(DEFAULT_OUTPUT_BOUND),
        ) * calls as f64;
        let cost_usd = prices
            .price(&planned.provider, arm)
            .and_then(|p| Some((input_tokens * p.input? + max_out * p.output?) / 1e6));
        if cost_usd.is_none() && calls > 0 {
            unpriced.push(arm.name.clone());
        }
        arms.push(ArmEstimate {
            arm_id: arm.id,
            name: arm.name.clone(),
            calls: calls as u32,
            input_tokens,
            max_output_tokens: max_out,
            cost_usd,
        });
    }
    let priced: Vec<f64> = arms.iter().filter_map(|a| a.cost_usd).collect();
    Ok(Estimate {
        calls: pending.len() as u32,
        cost_usd: (!priced.is_empty()).then(|| priced.iter().sum()),
        arms,
        unpriced_arms: unpriced,
    })
}

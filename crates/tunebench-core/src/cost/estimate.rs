//! A scenario before any run: each arm priced from the catalog, with token counts a person
//! enters (or estimates from the dataset). Pure: the catalog is passed in.

use serde::{Deserialize, Serialize};

use super::{ArmAssumptions, Estimate, Scenario, TokenBasis, TokenUsage, TrainingPlan};
use crate::price::{self, PriceEntry, PriceKind, PriceMatch};
use crate::{Error, MissingPrice, Result};

/// Tokens per query of one arm, as a person expects them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokensPerQuery {
    pub input: f64,
    /// Of `input`, the static prefix a provider can cache (system prompt, few-shot examples).
    pub cached_input: f64,
    pub output: f64,
}

/// What the crossover screen asks before a run exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EstimateRequest {
    pub queries_per_day: f64,
    /// YYYY-MM-DD: the date retirement horizons count from.
    pub today: String,
    pub prompt_model: String,
    pub prompt_tokens: TokensPerQuery,
    pub fine_tuned_model: String,
    pub fine_tuned_tokens: TokensPerQuery,
    /// Training tokens in one epoch of the train split.
    pub training_tokens: f64,
    pub epochs: f64,
    pub retrain_every_months: f64,
}

/// Prices both arms from `catalog`; a model the catalog cannot price is an explicit
/// [`Error::NoPrice`] naming it, never a $0 arm.
pub fn scenario_from_catalog(catalog: &[PriceEntry], req: &EstimateRequest) -> Result<Scenario> {
    let entry = |model: &str, kind: PriceKind| match price::lookup(catalog, None, model) {
        PriceMatch::Found { entry } => Ok(entry),
        PriceMatch::Missing { model, reason } => Err(Error::NoPrice {
            price: MissingPrice::new(model, None, kind),
            reason,
        }),
    };
    let usage = |t: &TokensPerQuery| TokenUsage {
        input: Estimate::exact(t.input),
        cached_input: Estimate::exact(t.cached_input.min(t.input)),
        output: Estimate::exact(t.output),
        basis: TokenBasis::Estimated,
    };
    let arm_a = ArmAssumptions::from_price(
        "prompting",
        &req.prompt_model,
        &entry(&req.prompt_model, PriceKind::Base)?,
        usage(&req.prompt_tokens),
        None,
    )?;
    let plan = TrainingPlan {
        tokens: req.training_tokens,
        epochs: req.epochs,
        hours: 0.0,
        data_prep_cost: 0.0,
        retrain_every_months: req.retrain_every_months,
    };
    let arm_b = ArmAssumptions::from_price(
        "fine-tuned",
        &req.fine_tuned_model,
        &entry(&req.fine_tuned_model, PriceKind::FineTuned)?,
        usage(&req.fine_tuned_tokens),
        Some(plan),
    )?;
    let scenario = Scenario::new(req.queries_per_day, &req.today, arm_a, arm_b);
    scenario.validate()?;
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(prompt: &str, tuned: &str) -> EstimateRequest {
        EstimateRequest {
            queries_per_day: 20_000.0,
            today: "2026-11-29".into(),
            prompt_model: prompt.into(),
            prompt_tokens: TokensPerQuery {
                input: 2300.0,
                cached_input: 1500.0,
                output: 100.0,
            },
            fine_tuned_model: tuned.into(),
            fine_tuned_tokens: TokensPerQuery {
                input: 350.0,
                cached_input: 0.0,
                output: 100.0,
            },
            training_tokens: 1.5e6,
            epochs: 1.0,
            retrain_every_months: 3.0,
        }
    }

    #[test]
    fn both_arms_are_priced_from_the_seed_catalog() {
        let catalog = price::seed_entries().unwrap();
        let s = scenario_from_catalog(
            &catalog,
            &request("gpt-4.1-mini", "ft:gpt-4.1-mini:acme::x"),
        )
        .unwrap();
        assert_eq!(
            s.arm_a.price.input, 0.40,
            "gpt-4.1-mini input per PRICES.md"
        );
        assert_eq!(
            s.arm_b.price.input, 0.80,
            "its fine-tune costs twice as much"
        );
        let training = s.arm_b.training.expect("the fine-tuned arm is trained");
        assert_eq!(
            training.cost_per_run(),
            1.5e6 * 5.0 / 1e6,
            "1.5M tokens at $5 per 1M"
        );
        assert!(s.arm_a.training.is_none());
    }

    #[test]
    fn a_model_without_a_price_is_named_not_priced_at_zero() {
        let catalog = price::seed_entries().unwrap();
        let err = scenario_from_catalog(&catalog, &request("my-own-model", "ft:gpt-4.1-mini:x"))
            .unwrap_err();
        assert!(err.to_string().contains("my-own-model"), "{err}");
        assert_eq!(
            err.missing_price(),
            Some(&MissingPrice::new("my-own-model", None, PriceKind::Base))
        );
        let err =
            scenario_from_catalog(&catalog, &request("gpt-4.1-mini", "ft:my-own:x")).unwrap_err();
        assert_eq!(
            err.missing_price(),
            Some(&MissingPrice::new(
                "ft:my-own:x",
                None,
                PriceKind::FineTuned
            )),
            "the fine-tuned arm's model is asked for as a fine-tuned price"
        );
    }

    #[test]
    fn the_cached_prefix_never_exceeds_the_input() {
        let catalog = price::seed_entries().unwrap();
        let mut req = request("gpt-4.1-mini", "ft:gpt-4.1-mini:x");
        req.prompt_tokens.cached_input = 9_999.0;
        let s = scenario_from_catalog(&catalog, &req).unwrap();
        assert_eq!(s.arm_a.tokens.cached_input.mean, 2300.0);
    }
}

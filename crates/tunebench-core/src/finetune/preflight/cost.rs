//! What training is expected to cost before Start: trained tokens × the catalog's
//! training price, plus the hourly fee of serving the result where there is one.

use rusqlite::Connection;
use serde::Serialize;

use crate::finetune::job::Trainer;
use crate::price::{PriceMatch, TrainingUnit};
use crate::{money, price, Result};

/// What training is expected to cost, before Start.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrainingEstimate {
    /// Tokens of one pass over the file.
    pub tokens_per_epoch: f64,
    pub epochs: u32,
    /// tokens_per_epoch × epochs: what the provider bills.
    pub trained_tokens: f64,
    /// USD per 1M training tokens, from the catalog.
    pub price_per_1m: Option<f64>,
    /// The catalog entry's source and date.
    pub price_source: Option<String>,
    /// trained_tokens × price, USD; `None` when the catalog has no training price.
    pub training_cost: Option<f64>,
    /// The hourly fee of serving the result where the provider charges one, USD.
    pub hosting_per_hour: Option<f64>,
    /// Why there is no cost figure, when there is none.
    pub missing: Option<String>,
    /// The provider's own estimate (Together's `estimate-price`), USD, once asked.
    pub provider_estimate: Option<f64>,
    pub spend_ceiling: Option<f64>,
}

impl TrainingEstimate {
    /// Whether the estimate is above the ceiling (either ours or the provider's).
    pub fn over_ceiling(&self) -> bool {
        let Some(ceiling) = self.spend_ceiling else {
            return false;
        };
        [self.training_cost, self.provider_estimate]
            .into_iter()
            .flatten()
            .any(|c| c > ceiling)
    }

    /// One sentence stating the estimate with its numbers.
    pub fn sentence(&self) -> String {
        let base = format!(
            "{} tokens × {} epochs = {} trained tokens",
            money::count(self.tokens_per_epoch),
            self.epochs,
            money::count(self.trained_tokens)
        );
        let mut s = match (self.training_cost, self.price_per_1m) {
            (Some(c), Some(p)) => format!("{base} × {} per 1M = {}", money::usd(p), money::usd(c)),
            _ => format!(
                "{base}; no training cost: {}",
                self.missing.as_deref().unwrap_or("no price")
            ),
        };
        if let Some(h) = self.hosting_per_hour {
            s.push_str(&format!("; serving it costs {} an hour", money::usd(h)));
        }
        if let Some(p) = self.provider_estimate {
            s.push_str(&format!("; the provider estimates {}", money::usd(p)));
        }
        s
    }
}

/// The catalog's provider name for a trainer's prices.
fn catalog_provider(trainer: Trainer) -> &'static str {
    match trainer {
        Trainer::OpenAi => "openai",
        Trainer::AzureOpenAi => "azure_openai",
        Trainer::Together => "together",
        Trainer::Fireworks => "fireworks",
        Trainer::LlamaCpp => "local",
    }
}

/// The catalog's training price for fine-tuning `base_model` with `trainer`, USD per 1M
/// tokens, with the entry's source; or why there is none. Fine-tune entries are looked up
/// as `ft:<base model>` (OpenAI's naming) and then as the base model itself; Azure falls
/// back to OpenAI's price, which it matches per token.
pub fn training_price(
    conn: &Connection,
    trainer: Trainer,
    base_model: &str,
) -> Result<std::result::Result<(f64, String), String>> {
    let entries = price::catalog(conn)?;
    let mut providers = vec![catalog_provider(trainer)];
    if trainer == Trainer::AzureOpenAi {
        providers.push("openai");
    }
    for p in &providers {
        for model in [format!("ft:{base_model}"), base_model.to_string()] {
            if let PriceMatch::Found { entry } = price::lookup(&entries, Some(p), &model) {
                if let (Some(t), Some(TrainingUnit::PerMillionTokens) | None) =
                    (entry.training, entry.training_unit)
                {
                    return Ok(Ok((t, format!("{}, as of {}", entry.source, entry.as_of))));
                }
            }
        }
    }
    Ok(Err(format!(
        "the price catalog has no per-token training price for {base_model} at {}; add one \
         (provider {:?}, pattern {base_model:?}, kind fine_tuned, training in $ per 1M tokens)",
        trainer.label(),
        catalog_provider(trainer)
    )))
}

/// The hourly fee of serving a fine-tune of `base_model` at `trainer`, from the catalog.
fn hosting(conn: &Connection, trainer: Trainer, base_model: &str) -> Result<Option<f64>> {
    let entries = price::catalog(conn)?;
    Ok(
        match price::lookup(
            &entries,
            Some(catalog_provider(trainer)),
            &format!("ft:{base_model}"),
        ) {
            PriceMatch::Found { entry } if entry.kind == price::PriceKind::FineTuned => {
                entry.hosting_per_hour
            }
            _ => None,
        },
    )
}

/// Training cost = tokens per epoch × epochs × the catalog's training price, plus the
/// hourly hosting fee where the provider charges one.
pub fn estimate(
    conn: &Connection,
    trainer: Trainer,
    base_model: &str,
    tokens_per_epoch: f64,
    epochs: u32,
    spend_ceiling: Option<f64>,
) -> Result<TrainingEstimate> {
    let trained_tokens = tokens_per_epoch * f64::from(epochs);
    let (price_per_1m, price_source, missing) = if trainer.is_local() {
        (
            None,
            None,
            Some("a local job is paid in compute time on this machine, not per token".into()),
        )
    } else {
        match training_price(conn, trainer, base_model)? {
            Ok((p, src)) => (Some(p), Some(src), None),
            Err(why) => (None, None, Some(why)),
        }
    };
    Ok(TrainingEstimate {
        tokens_per_epoch,
        epochs,
        trained_tokens,
        price_per_1m,
        price_source,
        training_cost: price_per_1m.map(|p| trained_tokens * p / 1e6),
        hosting_per_hour: hosting(conn, trainer, base_model)?,
        missing,
        provider_estimate: None,
        spend_ceiling,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_sentence_states_tokens_epochs_price_and_total() {
        let e = TrainingEstimate {
            tokens_per_epoch: 500_000.0,
            epochs: 3,
            trained_tokens: 1_500_000.0,
            price_per_1m: Some(5.0),
            price_source: None,
            training_cost: Some(7.5),
            hosting_per_hour: Some(1.7),
            missing: None,
            provider_estimate: None,
            spend_ceiling: Some(5.0),
        };
        let s = e.sentence();
        assert!(s.contains("× 3 epochs"), "{s}");
        assert!(s.contains("$7.50"), "{s}");
        assert!(s.contains("$1.70 an hour"), "{s}");
        assert!(e.over_ceiling());
    }
}

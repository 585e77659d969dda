//! Pricing answers afterwards: a run whose model had no price records the tokens of each
//! answer but no cost. Once the catalog (or the arm) has a price, those answers get the cost
//! their recorded tokens come to, so results, the runs list and cost at scale show it.

use rusqlite::Connection;

use super::estimate::{CatalogPrices, PriceLookup};
use crate::{store, Result};

/// Gives every answered result stored without a cost the cost of its recorded tokens at the
/// price its arm now has; returns how many results got a cost.
pub fn price_unpriced(conn: &Connection) -> Result<u32> {
    let prices = CatalogPrices::load(conn)?;
    store::atomically(conn, || {
        let mut priced = 0;
        for arm in store::arm::list(conn)? {
            let provider = store::provider::get(conn, arm.provider_id)?;
            let Some(price) = prices.price(&provider, &arm) else {
                continue;
            };
            for r in store::result::unpriced(conn, arm.id)? {
                if let Some(cost) = price.cost(r.prompt, r.cached, r.cache_write, r.completion) {
                    store::result::set_cost(conn, r.run_id, arm.id, r.example_id, cost)?;
                    priced += 1;
                }
            }
        }
        Ok(priced)
    })
}

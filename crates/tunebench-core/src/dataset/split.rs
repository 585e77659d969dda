//! Splitting a dataset into train and held-out test: seeded (ChaCha8, so a seed gives the
//! same split on every machine and version), stratified by label when the expected values
//! are labels. A dataset an experiment evaluates is not re-split without `force`.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::report::report;
use crate::store;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SplitOptions {
    /// The share of rows held out for testing, strictly between 0 and 1.
    pub test_fraction: f64,
    pub seed: u32,
    /// Stratify by label when the expected values are labels.
    pub stratify: bool,
    /// Re-split even though an experiment evaluates this dataset.
    pub force: bool,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            test_fraction: 0.2,
            seed: 42,
            stratify: true,
            force: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SplitOutcome {
    pub train_rows: u32,
    pub test_rows: u32,
    /// Whether the split was stratified by label.
    pub stratified: bool,
    pub report: super::ValidationReport,
}

/// Assigns every row of dataset `id` to train or test and updates its report.
pub fn split(conn: &Connection, id: i32, opts: &SplitOptions) -> Result<SplitOutcome> {
    let f = opts.test_fraction;
    if !(f > 0.0 && f < 1.0) {
        return Err(Error::Invalid(format!(
            "the test fraction must be between 0 and 1 (exclusive), not {f}"
        )));
    }
    let name = store::dataset::name(conn, id)?;
    let users = store::dataset::experiments_using(conn, id)?;
    if !users.is_empty() && !opts.force {
        return Err(Error::InUse(format!(
            "dataset `{name}` is the held-out set of experiment(s) {}; re-splitting would change \
             what they measure. Pass --force (or force) to re-split anyway",
            users.join(", ")
        )));
    }
    let mut rep = report(conn, id)?;
    let rows = store::example::ids_and_expected(conn, id)?;
    let stratified = opts.stratify && rep.labelled;
    let mut groups: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (row_id, expected) in &rows {
        let key = if stratified { expected.trim() } else { "" };
        groups.entry(key).or_default().push(*row_id);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(opts.seed));
    let mut test_ids: Vec<i64> = Vec::new();
    for ids in groups.values_mut() {
        shuffle(ids, &mut rng);
        let n_test = (ids.len() as f64 * f).round() as usize;
        test_ids.extend_from_slice(&ids[..n_test]);
    }
    let tx = conn.unchecked_transaction()?;
    store::example::assign_splits(&tx, id, &test_ids)?;
    let (train, test, unassigned) = store::example::split_counts(&tx, id)?;
    let validation = store::example::validation_count(&tx, id)?;
    rep.refresh(train, validation, test, unassigned);
    let json = serde_json::to_string(&rep).unwrap_or_else(|_| "{}".into());
    store::dataset::set_report(&tx, id, rep.rows, &json)?;
    tx.commit()?;
    Ok(SplitOutcome {
        train_rows: train,
        test_rows: test,
        stratified,
        report: rep,
    })
}

/// Fisher-Yates with an unbiased bounded draw, fixed here so a seed's split never changes.
pub(crate) fn shuffle(ids: &mut [i64], rng: &mut ChaCha8Rng) {
    for i in (1..ids.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        ids.swap(i, j);
    }
}

/// A uniform draw in `0..n` (Lemire's multiply-and-reject).
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    let zone = n.wrapping_neg() % n;
    loop {
        let m = u128::from(rng.next_u64()) * u128::from(n);
        if (m as u64) >= zone {
            return (m >> 64) as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_shuffles_the_same_way() {
        let mut a: Vec<i64> = (0..100).collect();
        let mut b = a.clone();
        shuffle(&mut a, &mut ChaCha8Rng::seed_from_u64(7));
        shuffle(&mut b, &mut ChaCha8Rng::seed_from_u64(7));
        assert_eq!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<_>>(), "a shuffle moves something");
        let mut c: Vec<i64> = (0..100).collect();
        shuffle(&mut c, &mut ChaCha8Rng::seed_from_u64(8));
        assert_ne!(a, c, "another seed gives another order");
    }

    #[test]
    fn draws_stay_below_the_bound() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!((0..1000).all(|_| below(&mut rng, 3) < 3));
    }
}

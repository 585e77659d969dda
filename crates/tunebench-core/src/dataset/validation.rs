//! Carving a validation split out of train: the rows a prompt search chooses the prompting
//! arm on, so the held-out test rows never steer the choice. Seeded (the split's shuffle),
//! stratified by label with the largest-remainder rule so the size is exact, and sized by
//! the user: a share of train capped at a few hundred rows, or an exact count.
//!
//! Validation rows leave the train split: few-shot pools and fine-tuning examples read
//! train only, so a candidate is never shown, as an example, the very case it is scored on,
//! and the fine-tuned arm trains on the same pool the prompting arm draws from. Test rows
//! are never read nor written here. A dataset an experiment uses is not re-carved without
//! `force`, as for a re-split.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::report::report;
use super::split::shuffle;
use crate::store;
use crate::{Error, Result};

/// The validation split's size when the user sets none: 20 % of train...
pub const DEFAULT_VALIDATION_FRACTION: f64 = 0.2;
/// ...capped at this many rows: enough to rank candidates, cheap to answer many times.
pub const DEFAULT_VALIDATION_MAX_ROWS: u32 = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ValidationOptions {
    /// The share of train rows moved to validation, strictly between 0 and 1.
    pub fraction: f64,
    /// The most rows the share may give.
    pub max_rows: u32,
    /// An exact number of rows instead of the share and its cap.
    pub rows: Option<u32>,
    pub seed: u32,
    /// Stratify by label when the expected values are labels.
    pub stratify: bool,
    /// Re-carve even though an experiment uses this dataset.
    pub force: bool,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        ValidationOptions {
            fraction: DEFAULT_VALIDATION_FRACTION,
            max_rows: DEFAULT_VALIDATION_MAX_ROWS,
            rows: None,
            seed: 42,
            stratify: true,
            force: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ValidationOutcome {
    pub train_rows: u32,
    pub validation_rows: u32,
    pub test_rows: u32,
    /// Whether the rows were drawn per label.
    pub stratified: bool,
}

impl ValidationOptions {
    /// How many of `pool` train rows become validation rows.
    pub fn size(&self, pool: u32) -> Result<u32> {
        let n = match self.rows {
            Some(r) => r,
            None => {
                let f = self.fraction;
                if !(f > 0.0 && f < 1.0) {
                    return Err(Error::Invalid(format!(
                        "the validation fraction must be between 0 and 1 (exclusive), not {f}"
                    )));
                }
                ((f64::from(pool) * f).round() as u32).min(self.max_rows)
            }
        };
        if n == 0 {
            return Err(Error::Invalid(format!(
                "a validation split of 0 rows (from {pool} train rows) cannot rank anything; \
                 set a larger fraction or a number of rows"
            )));
        }
        if n >= pool {
            return Err(Error::Invalid(format!(
                "a validation split of {n} rows would leave no train rows (train has {pool}); \
                 split the dataset first or ask for fewer rows"
            )));
        }
        Ok(n)
    }
}

/// Moves a seeded, stratified sample of dataset `id`'s train rows (train and any earlier
/// validation rows, which go back to train first) to its validation split.
pub fn carve_validation(
    conn: &Connection,
    id: i32,
    opts: &ValidationOptions,
) -> Result<ValidationOutcome> {
    let name = store::dataset::name(conn, id)?;
    let users = store::dataset::experiments_using(conn, id)?;
    if !users.is_empty() && !opts.force {
        return Err(Error::InUse(format!(
            "dataset `{name}` is used by experiment(s) {}; carving a new validation split would \
             change their few-shot pools and what their searches measured. Pass --force (or \
             force) to carve anyway",
            users.join(", ")
        )));
    }
    let mut rows = store::example::ids_and_expected_in(conn, id, "train")?;
    rows.extend(store::example::ids_and_expected_in(conn, id, "validation")?);
    rows.sort_unstable_by_key(|(row, _)| *row);
    if rows.is_empty() {
        return Err(Error::Invalid(format!(
            "dataset `{name}` has no train rows to carve a validation split from; split it \
             first (Split on its dataset screen, or `tunebench split`)"
        )));
    }
    let n = opts.size(rows.len() as u32)?;
    let mut rep = report(conn, id)?;
    let stratified = opts.stratify && rep.labelled;
    let picked = draw(&rows, n, stratified, opts.seed);
    let tx = conn.unchecked_transaction()?;
    store::example::assign_validation(&tx, id, &picked)?;
    let (train, test, unassigned) = store::example::split_counts(&tx, id)?;
    let validation = store::example::validation_count(&tx, id)?;
    rep.refresh(train, validation, test, unassigned);
    let json = serde_json::to_string(&rep).unwrap_or_else(|_| "{}".into());
    store::dataset::set_report(&tx, id, rep.rows, &json)?;
    tx.commit()?;
    Ok(ValidationOutcome {
        train_rows: train,
        validation_rows: validation,
        test_rows: test,
        stratified,
    })
}

/// `n` of `rows` (`(id, expected)`, sorted by id), per label in proportion to its size
/// when `stratified` (largest remainders get the rounding, ties to the larger label group,
/// then the label's order), shuffled with `seed`.
pub fn draw(rows: &[(i64, String)], n: u32, stratified: bool, seed: u32) -> Vec<i64> {
    let mut groups: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (row, expected) in rows {
        let key = if stratified { expected.trim() } else { "" };
        groups.entry(key).or_default().push(*row);
    }
    let total = rows.len() as f64;
    let quotas: Vec<f64> = groups
        .values()
        .map(|g| g.len() as f64 * f64::from(n) / total)
        .collect();
    let mut take: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut short = n as usize - take.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    let sizes: Vec<usize> = groups.values().map(Vec::len).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (quotas[a] - quotas[a].floor(), quotas[b] - quotas[b].floor());
        rb.total_cmp(&ra)
            .then(sizes[b].cmp(&sizes[a]))
            .then(a.cmp(&b))
    });
    for i in order {
        if short == 0 {
            break;
        }
        if take[i] < sizes[i] {
            take[i] += 1;
            short -= 1;
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(seed));
    let mut picked = Vec::with_capacity(n as usize);
    for (ids, k) in groups.values_mut().zip(take) {
        shuffle(ids, &mut rng);
        picked.extend_from_slice(&ids[..k]);
    }
    picked.sort_unstable();
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(labels: &[(&str, usize)]) -> Vec<(i64, String)> {
        let mut out = Vec::new();
        for (label, count) in labels {
            for _ in 0..*count {
                out.push((out.len() as i64, label.to_string()));
            }
        }
        out
    }

    #[test]
    fn the_default_size_is_a_fifth_of_train_capped_at_three_hundred() {
        let o = ValidationOptions::default();
        assert_eq!(o.size(100).unwrap(), 20);
        assert_eq!(o.size(10_000).unwrap(), 300);
        let exact = ValidationOptions {
            rows: Some(7),
            ..o.clone()
        };
        assert_eq!(exact.size(10_000).unwrap(), 7);
        assert!(exact.size(7).is_err(), "no train row would be left");
        assert!(o.size(2).is_err(), "0 rows ranks nothing");
    }

    #[test]
    fn a_stratified_draw_keeps_each_label_s_share_and_the_exact_size() {
        // 70 / 20 / 10 rows, 25 drawn: quotas 17.5, 5, 2.5 → 18, 5, 2 (the larger group
        // takes the tied remainder).
        let r = rows(&[("a", 70), ("b", 20), ("c", 10)]);
        let picked = draw(&r, 25, true, 7);
        assert_eq!(picked.len(), 25);
        let count = |l: &str| picked.iter().filter(|id| r[**id as usize].1 == l).count();
        assert_eq!((count("a"), count("b"), count("c")), (18, 5, 2));
        assert_eq!(
            picked,
            draw(&r, 25, true, 7),
            "the same seed draws the same rows"
        );
        assert_ne!(picked, draw(&r, 25, true, 8), "another seed draws others");
    }
}

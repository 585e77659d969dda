//! Leakage between train and test: test inputs that also appear in train, exactly or once
//! case, whitespace and punctuation are folded; and removing those rows from train.

use std::collections::HashMap;
use std::hash::BuildHasher;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::report::{report, ReportBuilder};
use super::Split;
use crate::store;
use crate::{Error, Result};

/// How many leaked pairs a report lists (the counts cover all of them).
const LISTED_PAIRS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LeakKind {
    /// The inputs are identical.
    Exact,
    /// The inputs are identical once case, whitespace and punctuation are folded.
    Normalised,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeakedPair {
    pub test_id: i32,
    pub train_id: i32,
    pub kind: LeakKind,
    /// The test row's input, cut to 200 characters.
    pub input: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeakageReport {
    pub train_rows: u32,
    pub test_rows: u32,
    /// Test rows whose input appears exactly in train.
    pub exact_test_rows: u32,
    /// Test rows whose input appears in train only after folding.
    pub normalised_test_rows: u32,
    /// Train rows that duplicate some test input (exactly or folded): what removal deletes.
    pub leaked_train_rows: u32,
    /// The first leaked pairs, in test-row order.
    pub pairs: Vec<LeakedPair>,
}

/// Folds case, whitespace and punctuation: "Hello,  World!" and "hello world" match.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            pending_space = true;
        }
    }
    out
}

struct Scan {
    report: LeakageReport,
    leaked_train: Vec<i64>,
}

fn scan(conn: &Connection, id: i32) -> Result<Scan> {
    store::dataset::name(conn, id)?;
    // Train inputs by 64-bit hash (a million inputs cost megabytes, not their text):
    // exact text -> first id, folded text -> every id.
    let hasher = foldhash::fast::FixedState::with_seed(0x6c65_616b);
    let mut exact: HashMap<u64, i64> = HashMap::new();
    let mut folded: HashMap<u64, Vec<i64>> = HashMap::new();
    let mut train_rows = 0u32;
    store::example::for_each(conn, id, Some("train"), |e| {
        train_rows += 1;
        folded
            .entry(hasher.hash_one(normalise(&e.input)))
            .or_default()
            .push(e.id);
        exact.entry(hasher.hash_one(&e.input)).or_insert(e.id);
        Ok(())
    })?;
    let mut r = LeakageReport {
        train_rows,
        test_rows: 0,
        exact_test_rows: 0,
        normalised_test_rows: 0,
        leaked_train_rows: 0,
        pairs: Vec::new(),
    };
    let mut leaked: Vec<i64> = Vec::new();
    store::example::for_each(conn, id, Some("test"), |e| {
        r.test_rows += 1;
        let key = hasher.hash_one(normalise(&e.input));
        let hit = match exact.get(&hasher.hash_one(&e.input)) {
            Some(&train) => Some((train, LeakKind::Exact)),
            None => folded
                .get(&key)
                .and_then(|v| v.first())
                .map(|&t| (t, LeakKind::Normalised)),
        };
        if let Some((train, kind)) = hit {
            match kind {
                LeakKind::Exact => r.exact_test_rows += 1,
                LeakKind::Normalised => r.normalised_test_rows += 1,
            }
            if let Some(ids) = folded.remove(&key) {
                leaked.extend(ids);
            }
            if r.pairs.len() < LISTED_PAIRS {
                r.pairs.push(LeakedPair {
                    test_id: i32::try_from(e.id).unwrap_or(i32::MAX),
                    train_id: i32::try_from(train).unwrap_or(i32::MAX),
                    kind,
                    input: e.input.chars().take(200).collect(),
                });
            }
        }
        Ok(())
    })?;
    leaked.sort_unstable();
    r.leaked_train_rows = leaked.len() as u32;
    Ok(Scan {
        report: r,
        leaked_train: leaked,
    })
}

/// Test rows of dataset `id` whose input also appears in its train split.
pub fn leakage(conn: &Connection, id: i32) -> Result<LeakageReport> {
    Ok(scan(conn, id)?.report)
}

/// The ids of train rows of dataset `id` whose input (folded) appears in its test split:
/// rows that must never be trained on.
pub fn leaked_train_ids(conn: &Connection, id: i32) -> Result<Vec<i64>> {
    Ok(scan(conn, id)?.leaked_train)
}

/// Deletes from train every row whose input (folded) appears in test, and returns how many.
/// Refused if a run has results on train rows (deleting would delete those results).
pub fn remove_leaked_from_train(conn: &Connection, id: i32) -> Result<u32> {
    let found = scan(conn, id)?;
    if found.leaked_train.is_empty() {
        return Ok(0);
    }
    if store::example::results_referring(conn, id, "train")? > 0 {
        return Err(Error::Invalid(format!(
            "dataset {id}: runs have results on its train rows, which removing rows would delete"
        )));
    }
    let tx = conn.unchecked_transaction()?;
    store::example::delete_ids(&tx, &found.leaked_train)?;
    // The report describes the rows that remain: labels, duplicates and lengths are counted
    // again, not only the split sizes.
    let encoding = report(&tx, id)?.encoding;
    let mut builder = ReportBuilder::new();
    store::example::for_each(&tx, id, None, |e| {
        builder.add(&e.input, &e.expected, Split::from_stored(&e.split));
        Ok(())
    })?;
    let rep = builder.finish(&encoding);
    let json = serde_json::to_string(&rep).unwrap_or_else(|_| "{}".into());
    store::dataset::set_report(&tx, id, rep.rows, &json)?;
    tx.commit()?;
    Ok(found.leaked_train.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_spacing_and_punctuation() {
        assert_eq!(normalise("  Hello,\tWORLD!! "), "hello world");
        assert_eq!(normalise("hello world"), normalise("Hello -- world."));
        assert_ne!(normalise("hello world"), normalise("helloworld"));
    }
}

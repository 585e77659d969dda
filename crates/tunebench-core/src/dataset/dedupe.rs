//! Removing the rows that repeat an earlier row exactly (same input and expected output), the
//! ones the validation report counts as duplicates. The first of each is kept.

use std::collections::HashSet;

use rusqlite::Connection;

use crate::store;
use crate::{Error, Result};

/// Deletes the exact repeats of dataset `id` and writes its report again; returns how many
/// rows went. Refused when a run has results on any of them (removing would delete those).
pub fn remove_exact_duplicates(conn: &Connection, id: i32) -> Result<u32> {
    let mut seen = HashSet::new();
    let mut repeats = Vec::new();
    store::example::for_each(conn, id, None, |e| {
        if !seen.insert((e.input, e.expected)) {
            repeats.push(e.id);
        }
        Ok(())
    })?;
    if repeats.is_empty() {
        return Ok(0);
    }
    let answered = store::example::results_for_ids(conn, &repeats)?;
    if answered > 0 {
        return Err(Error::InUse(format!(
            "dataset {id}: runs have {answered} results on its repeated rows, which removing \
             them would delete; delete those runs first"
        )));
    }
    let tx = conn.unchecked_transaction()?;
    store::example::delete_ids(&tx, &repeats)?;
    super::leakage::recount(&tx, id)?;
    tx.commit()?;
    Ok(repeats.len() as u32)
}

//! SQL for the `setting` table: one stored value per name, such as the machine's cost per
//! hour that local fine-tunes and local arms are priced at.

use rusqlite::{params, Connection, OptionalExtension};

use crate::{Error, Result};

/// USD per hour of this machine: a local fine-tune's training and a local arm's answers
/// are priced at it.
pub const MACHINE_COST_PER_HOUR: &str = "machine_cost_per_hour";

pub fn get(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM setting WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn set(conn: &Connection, name: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO setting (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![name, value],
    )?;
    Ok(())
}

/// The machine's cost per hour, USD; 0 until one is set.
pub fn machine_cost_per_hour(conn: &Connection) -> Result<f64> {
    let Some(text) = get(conn, MACHINE_COST_PER_HOUR)? else {
        return Ok(0.0);
    };
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| {
            Error::Internal(format!(
                "the stored setting {MACHINE_COST_PER_HOUR} is {text:?}, not a number ≥ 0"
            ))
        })
}

/// Stores the machine's cost per hour, USD (a number ≥ 0).
pub fn set_machine_cost_per_hour(conn: &Connection, usd: f64) -> Result<()> {
    if !(usd.is_finite() && usd >= 0.0) {
        return Err(Error::Invalid(format!(
            "the machine's cost per hour must be a number ≥ 0, not {usd}"
        )));
    }
    set(conn, MACHINE_COST_PER_HOUR, &usd.to_string())
}

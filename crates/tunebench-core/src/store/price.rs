//! SQL for the `price` table: the price catalog (seed rows and the user's custom rows).

use rusqlite::{params, Connection, Row};

use crate::price::{Origin, PriceEntry, PriceKind, TrainingUnit};
use crate::{Error, Result};

const COLUMNS: &str = "provider, model_pattern, kind, input, cached_input, cache_write, output, \
     batch_multiplier, training, training_unit, hosting_per_hour, retirement_date, source, as_of, origin";

// ---- reads ----

/// Every entry, seed and custom, ordered by provider, pattern, kind, then custom first.
pub fn list(conn: &Connection) -> Result<Vec<PriceEntry>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM price ORDER BY provider, model_pattern, kind, origin = 'seed'"
    ))?;
    let rows = stmt.query_map([], |r| Ok(from_row(r)))?;
    rows.map(|r| r?).collect()
}

fn from_row(r: &Row<'_>) -> Result<PriceEntry> {
    let kind: String = r.get(2)?;
    let unit: Option<String> = r.get(9)?;
    let origin: String = r.get(14)?;
    let bad = |field: &str, v: &str| {
        Error::Invalid(format!(
            "price table, column `{field}`: unknown value {v:?}"
        ))
    };
    Ok(PriceEntry {
        provider: r.get(0)?,
        model_pattern: r.get(1)?,
        kind: match kind.as_str() {
            "base" => PriceKind::Base,
            "fine_tuned" => PriceKind::FineTuned,
            other => return Err(bad("kind", other)),
        },
        input: r.get(3)?,
        cached_input: r.get(4)?,
        cache_write: r.get(5)?,
        output: r.get(6)?,
        batch_multiplier: r.get(7)?,
        training: r.get(8)?,
        training_unit: match unit.as_deref() {
            None => None,
            Some("per_1m_tokens") => Some(TrainingUnit::PerMillionTokens),
            Some("per_hour") => Some(TrainingUnit::PerHour),
            Some(other) => return Err(bad("training_unit", other)),
        },
        hosting_per_hour: r.get(10)?,
        retirement_date: r.get(11)?,
        source: r.get(12)?,
        as_of: r.get(13)?,
        origin: match origin.as_str() {
            "seed" => Origin::Seed,
            "custom" => Origin::Custom,
            other => return Err(bad("origin", other)),
        },
    })
}

// ---- writes ----

/// Replaces every seed row with `entries` in one transaction; custom rows are untouched.
pub fn replace_seed(conn: &Connection, entries: &[PriceEntry]) -> Result<()> {
    let tx = conn.unchecked_transaction()?;
    tx.execute("DELETE FROM price WHERE origin = 'seed'", [])?;
    for e in entries {
        insert(&tx, e, Origin::Seed)?;
    }
    tx.commit()?;
    Ok(())
}

/// Writes `entries` as custom rows in one transaction, replacing a custom row with the same
/// provider, pattern and kind. Nothing is written if any row fails.
pub fn upsert_custom(conn: &Connection, entries: &[PriceEntry]) -> Result<()> {
    let tx = conn.unchecked_transaction()?;
    for e in entries {
        tx.execute(
            "DELETE FROM price WHERE provider = ?1 AND model_pattern = ?2 AND kind = ?3 AND origin = 'custom'",
            params![e.provider, e.model_pattern, kind_text(e.kind)],
        )?;
        insert(&tx, e, Origin::Custom)?;
    }
    tx.commit()?;
    Ok(())
}

/// Deletes one custom row; returns whether it existed. Seed rows cannot be deleted.
pub fn delete_custom(
    conn: &Connection,
    provider: &str,
    model_pattern: &str,
    kind: PriceKind,
) -> Result<bool> {
    let n = conn.execute(
        "DELETE FROM price WHERE provider = ?1 AND model_pattern = ?2 AND kind = ?3 AND origin = 'custom'",
        params![provider, model_pattern, kind_text(kind)],
    )?;
    Ok(n > 0)
}

fn insert(conn: &Connection, e: &PriceEntry, origin: Origin) -> Result<()> {
    conn.execute(
        &format!("INSERT INTO price ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
        params![
            e.provider,
            e.model_pattern,
            kind_text(e.kind),
            e.input,
            e.cached_input,
            e.cache_write,
            e.output,
            e.batch_multiplier,
            e.training,
            e.training_unit.map(|u| match u {
                TrainingUnit::PerMillionTokens => "per_1m_tokens",
                TrainingUnit::PerHour => "per_hour",
            }),
            e.hosting_per_hour,
            e.retirement_date,
            e.source,
            e.as_of,
            match origin {
                Origin::Seed => "seed",
                Origin::Custom => "custom",
            },
        ],
    )?;
    Ok(())
}

fn kind_text(kind: PriceKind) -> &'static str {
    match kind {
        PriceKind::Base => "base",
        PriceKind::FineTuned => "fine_tuned",
    }
}

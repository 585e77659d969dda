//! SQL for the `dataset` table.

use rusqlite::{Connection, OptionalExtension};

use crate::dataset::DatasetSummary;
use crate::{Error, Result};

// ---- list ----

/// Every dataset, newest first, with its split counts.
pub fn list(conn: &Connection) -> Result<Vec<DatasetSummary>> {
    let mut stmt = conn.prepare(
        "SELECT d.id, d.name, d.source_file, d.source_format, d.imported_at, d.row_count,
                (SELECT COUNT(*) FROM example e WHERE e.dataset_id = d.id AND e.split = 'train'),
                (SELECT COUNT(*) FROM example e WHERE e.dataset_id = d.id AND e.split = 'test')
           FROM dataset d
          ORDER BY d.imported_at DESC, d.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(DatasetSummary {
            id: r.get(0)?,
            name: r.get(1)?,
            source_file: r.get(2)?,
            source_format: r.get(3)?,
            imported_at: r.get(4)?,
            rows: r.get(5)?,
            train_rows: r.get(6)?,
            test_rows: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A dataset row to create; the import fills in counts, mapping and report at the end.
pub struct NewDataset<'a> {
    pub name: &'a str,
    pub source_file: &'a str,
    pub source_format: &'a str,
}

// ---- writes ----

/// Creates the dataset row (stamped now, UTC) and returns its id.
pub fn insert(conn: &Connection, d: &NewDataset) -> Result<i32> {
    conn.execute(
        "INSERT INTO dataset (name, source_file, source_format, imported_at)
         VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        (d.name, d.source_file, d.source_format),
    )?;
    Ok(i32::try_from(conn.last_insert_rowid()).unwrap_or(i32::MAX))
}

/// Records the row count, column mapping (JSON) and report (JSON) of dataset `id`.
pub fn set_contents(
    conn: &Connection,
    id: i32,
    rows: u32,
    column_map: &str,
    report: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE dataset SET row_count = ?2, column_map = ?3, report = ?4 WHERE id = ?1",
        (id, rows, column_map, report),
    )?;
    Ok(())
}

/// Replaces the row count and report of dataset `id`.
pub fn set_report(conn: &Connection, id: i32, rows: u32, report: &str) -> Result<()> {
    conn.execute(
        "UPDATE dataset SET row_count = ?2, report = ?3 WHERE id = ?1",
        (id, rows, report),
    )?;
    Ok(())
}

/// Deletes dataset `id` and (by cascade) its examples. Returns whether it existed.
pub fn delete(conn: &Connection, id: i32) -> Result<bool> {
    Ok(conn.execute("DELETE FROM dataset WHERE id = ?1", [id])? > 0)
}

// ---- reads ----

pub fn name_taken(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM dataset WHERE name = ?1", [name], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The id of the dataset named `key`, else of the dataset whose id is `key`.
pub fn find(conn: &Connection, key: &str) -> Result<Option<i32>> {
    let by_name = conn
        .query_row("SELECT id FROM dataset WHERE name = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    if by_name.is_some() {
        return Ok(by_name);
    }
    let Ok(id) = key.trim().parse::<i32>() else {
        return Ok(None);
    };
    Ok(conn
        .query_row("SELECT id FROM dataset WHERE id = ?1", [id], |r| r.get(0))
        .optional()?)
}

fn not_found(id: i32) -> Error {
    Error::NotFound {
        entity: "dataset",
        key: "id",
        value: id.to_string(),
    }
}

/// The stored report JSON of dataset `id`.
pub fn report(conn: &Connection, id: i32) -> Result<String> {
    conn.query_row("SELECT report FROM dataset WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| not_found(id))
}

/// The stored row count of dataset `id`.
pub fn row_count(conn: &Connection, id: i32) -> Result<u32> {
    conn.query_row("SELECT row_count FROM dataset WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| not_found(id))
}

/// The name of dataset `id`.
pub fn name(conn: &Connection, id: i32) -> Result<String> {
    conn.query_row("SELECT name FROM dataset WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// The names of the experiments that evaluate dataset `id`.
pub fn experiments_using(conn: &Connection, id: i32) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM experiment WHERE dataset_id = ?1 ORDER BY id")?;
    let names = stmt.query_map([id], |r| r.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

//! Reads of the `example` table as the run engine needs them: the cases of a split.

use rusqlite::Connection;

use crate::arm::Case;
use crate::{Error, Result};

/// One case by id, with its dataset id.
pub fn get(conn: &Connection, example_id: i32) -> Result<(i32, Case)> {
    let dataset_id: i32 = conn
        .query_row(
            "SELECT dataset_id FROM example WHERE id = ?1",
            [example_id],
            |r| r.get(0),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
                entity: "case",
                key: "id",
                value: example_id.to_string(),
            },
            other => Error::Sqlite(other),
        })?;
    let case = for_split(conn, dataset_id, "all")?
        .into_iter()
        .find(|c| c.id == example_id)
        .ok_or_else(|| Error::NotFound {
            entity: "case",
            key: "id",
            value: example_id.to_string(),
        })?;
    Ok((dataset_id, case))
}

/// The cases of `dataset_id` in `split` (`train`, `test`, or `all`), in file order.
pub fn for_split(conn: &Connection, dataset_id: i32, split: &str) -> Result<Vec<Case>> {
    let mut stmt = conn.prepare(
        "SELECT id, ordinal, external_id, input, expected, metadata
           FROM example
          WHERE dataset_id = ?1 AND (?2 = 'all' OR split = ?2)
          ORDER BY ordinal",
    )?;
    let rows = stmt.query_map(rusqlite::params![dataset_id, split], |r| {
        Ok((
            r.get::<_, i32>(0)?,
            r.get::<_, i32>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, ordinal, external_id, input, expected, metadata) = row?;
        let metadata = match serde_json::from_str::<serde_json::Value>(&metadata) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => {
                return Err(Error::Invalid(format!(
                    "example {id}: its metadata in the store is not a JSON object"
                )))
            }
        };
        out.push(Case {
            id,
            ordinal,
            external_id,
            input,
            expected,
            metadata,
        });
    }
    Ok(out)
}

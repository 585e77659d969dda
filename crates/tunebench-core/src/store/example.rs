//! SQL for the `example` table: the rows of a dataset.

use rusqlite::{params_from_iter, Connection, Statement, ToSql};

use crate::dataset::mapping::NewExample;
use crate::Result;

/// One stored row, as reads return it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredExample {
    pub id: i64,
    pub ordinal: i64,
    pub external_id: Option<String>,
    pub input: String,
    pub expected: String,
    pub metadata: String,
    pub split: String,
}

const COLUMNS: &str = "id, ordinal, external_id, input, expected, metadata, split";

fn stored(r: &rusqlite::Row) -> rusqlite::Result<StoredExample> {
    Ok(StoredExample {
        id: r.get(0)?,
        ordinal: r.get(1)?,
        external_id: r.get(2)?,
        input: r.get(3)?,
        expected: r.get(4)?,
        metadata: r.get(5)?,
        split: r.get(6)?,
    })
}

// ---- writes ----

/// Inserts rows of one dataset with a single prepared statement (the caller holds the
/// transaction).
pub(crate) struct Inserter<'c> {
    stmt: Statement<'c>,
    dataset_id: i32,
}

impl<'c> Inserter<'c> {
    pub fn new(conn: &'c Connection, dataset_id: i32) -> Result<Self> {
        let stmt = conn.prepare(
            "INSERT INTO example (dataset_id, ordinal, external_id, input, expected, metadata, split)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        Ok(Inserter { stmt, dataset_id })
    }

    pub fn insert(&mut self, ordinal: i64, e: &NewExample) -> Result<()> {
        self.stmt.execute((
            self.dataset_id,
            ordinal,
            e.external_id.as_deref(),
            e.input.as_str(),
            e.expected.as_str(),
            e.metadata.as_str(),
            e.split.as_str(),
        ))?;
        Ok(())
    }
}

/// Puts the rows `test_ids` of dataset `id` in test and every other row in train, with
/// one set-based UPDATE (a million single-row updates would take minutes).
pub fn assign_splits(conn: &Connection, dataset_id: i32, test_ids: &[i64]) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS split_test (id INTEGER PRIMARY KEY);
         DELETE FROM temp.split_test;",
    )?;
    let mut sorted = test_ids.to_vec();
    sorted.sort_unstable();
    {
        let mut ins = conn.prepare("INSERT OR IGNORE INTO temp.split_test (id) VALUES (?1)")?;
        for id in &sorted {
            ins.execute([id])?;
        }
    }
    conn.execute(
        "UPDATE example
            SET split = CASE WHEN id IN (SELECT id FROM temp.split_test) THEN 'test' ELSE 'train' END
          WHERE dataset_id = ?1",
        [dataset_id],
    )?;
    conn.execute_batch("DELETE FROM temp.split_test;")?;
    Ok(())
}

/// Makes the rows `validation_ids` of dataset `id` its validation split, every other row
/// of train or validation going (back) to train; test and unassigned rows are not touched.
pub fn assign_validation(conn: &Connection, dataset_id: i32, validation_ids: &[i64]) -> Result<()> {
    conn.execute(
        "UPDATE example SET split = 'train' WHERE dataset_id = ?1 AND split = 'validation'",
        [dataset_id],
    )?;
    let mut stmt = conn.prepare(
        "UPDATE example SET split = 'validation'
          WHERE id = ?1 AND dataset_id = ?2 AND split = 'train'",
    )?;
    for id in validation_ids {
        stmt.execute((id, dataset_id))?;
    }
    Ok(())
}

/// `(id, expected)` of the rows of dataset `id` in `split`, in file order.
pub fn ids_and_expected_in(
    conn: &Connection,
    dataset_id: i32,
    split: &str,
) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare(
        "SELECT id, expected FROM example WHERE dataset_id = ?1 AND split = ?2 ORDER BY ordinal",
    )?;
    let rows = stmt.query_map((dataset_id, split), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Deletes the examples with these ids.
pub fn delete_ids(conn: &Connection, ids: &[i64]) -> Result<()> {
    let mut stmt = conn.prepare("DELETE FROM example WHERE id = ?1")?;
    for id in ids {
        stmt.execute([id])?;
    }
    Ok(())
}

// ---- reads ----

/// Row counts of dataset `id` per split: (train, test, unassigned); validation rows are in
/// none of them ([`validation_count`]).
pub fn split_counts(conn: &Connection, dataset_id: i32) -> Result<(u32, u32, u32)> {
    let mut stmt =
        conn.prepare("SELECT split, COUNT(*) FROM example WHERE dataset_id = ?1 GROUP BY split")?;
    let mut counts = (0, 0, 0);
    let rows = stmt.query_map([dataset_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
    })?;
    for row in rows {
        let (split, n) = row?;
        match split.as_str() {
            "train" => counts.0 = n,
            "test" => counts.1 = n,
            "validation" => {}
            _ => counts.2 += n,
        }
    }
    Ok(counts)
}

/// Rows of dataset `id` in the validation split.
pub fn validation_count(conn: &Connection, dataset_id: i32) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM example WHERE dataset_id = ?1 AND split = 'validation'",
        [dataset_id],
        |r| r.get(0),
    )?)
}

/// `(id, expected)` of every row of dataset `id`, in file order.
pub fn ids_and_expected(conn: &Connection, dataset_id: i32) -> Result<Vec<(i64, String)>> {
    let mut stmt =
        conn.prepare("SELECT id, expected FROM example WHERE dataset_id = ?1 ORDER BY ordinal")?;
    let rows = stmt.query_map([dataset_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Calls `f` on every row of dataset `id` (of one split, if given), in file order,
/// holding one row in memory at a time.
pub fn for_each(
    conn: &Connection,
    dataset_id: i32,
    split: Option<&str>,
    mut f: impl FnMut(StoredExample) -> Result<()>,
) -> Result<()> {
    let sql = format!(
        "SELECT {COLUMNS} FROM example WHERE dataset_id = ?1 AND (?2 IS NULL OR split = ?2)
          ORDER BY ordinal"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query((dataset_id, split))?;
    while let Some(r) = rows.next()? {
        f(stored(r)?)?;
    }
    Ok(())
}

/// Whether any row of dataset `id` (of one split, if given) has its own id.
pub fn any_external_id(conn: &Connection, dataset_id: i32, split: Option<&str>) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM example WHERE dataset_id = ?1 AND (?2 IS NULL OR split = ?2)
                          AND external_id IS NOT NULL)",
        (dataset_id, split),
        |r| r.get(0),
    )?)
}

/// Calls `f` on the metadata JSON of every row of dataset `id` (of one split, if given).
pub fn for_each_metadata(
    conn: &Connection,
    dataset_id: i32,
    split: Option<&str>,
    mut f: impl FnMut(&str),
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT metadata FROM example WHERE dataset_id = ?1 AND (?2 IS NULL OR split = ?2)",
    )?;
    let mut rows = stmt.query((dataset_id, split))?;
    while let Some(r) = rows.next()? {
        f(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?);
    }
    Ok(())
}

/// A filter for the row browser.
pub struct Filter<'a> {
    pub split: Option<&'a str>,
    /// A LIKE pattern (already escaped with `\`) matched against input and expected.
    pub like: Option<&'a str>,
}

fn where_clause<'f>(f: &'f Filter) -> (String, Vec<&'f dyn ToSql>) {
    let mut sql = String::from("dataset_id = ?1");
    let mut args: Vec<&dyn ToSql> = Vec::new();
    if let Some(s) = &f.split {
        args.push(s);
        sql.push_str(&format!(" AND split = ?{}", args.len() + 1));
    }
    if let Some(p) = &f.like {
        args.push(p);
        let n = args.len() + 1;
        sql.push_str(&format!(
            " AND (input LIKE ?{n} ESCAPE '\\' OR expected LIKE ?{n} ESCAPE '\\')"
        ));
    }
    (sql, args)
}

/// A page of rows in file order.
pub fn page(
    conn: &Connection,
    dataset_id: i32,
    filter: &Filter,
    offset: u32,
    limit: u32,
) -> Result<Vec<StoredExample>> {
    let (clause, args) = where_clause(filter);
    let sql = format!(
        "SELECT {COLUMNS} FROM example WHERE {clause} ORDER BY ordinal LIMIT {limit} OFFSET {offset}"
    );
    let mut stmt = conn.prepare(&sql)?;
    let all: Vec<&dyn ToSql> = std::iter::once(&dataset_id as &dyn ToSql)
        .chain(args)
        .collect();
    let rows = stmt.query_map(params_from_iter(all), stored)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many rows match, counting no further than `cap` (a search over a million rows
/// stops early instead of scanning them all).
pub fn count(conn: &Connection, dataset_id: i32, filter: &Filter, cap: u32) -> Result<u32> {
    let (clause, args) = where_clause(filter);
    let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM example WHERE {clause} LIMIT {cap})");
    let all: Vec<&dyn ToSql> = std::iter::once(&dataset_id as &dyn ToSql)
        .chain(args)
        .collect();
    Ok(conn.query_row(&sql, params_from_iter(all), |r| r.get(0))?)
}

/// How many results (of any run) refer to rows of one split of dataset `id`.
pub fn results_referring(conn: &Connection, dataset_id: i32, split: &str) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM result r JOIN example e ON e.id = r.example_id
          WHERE e.dataset_id = ?1 AND e.split = ?2",
        (dataset_id, split),
        |r| r.get(0),
    )?)
}

/// How many results refer to any of the examples `ids`.
pub fn results_for_ids(conn: &Connection, ids: &[i64]) -> Result<u32> {
    let mut stmt = conn.prepare("SELECT COUNT(*) FROM result WHERE example_id = ?1")?;
    let mut n = 0u32;
    for id in ids {
        n += stmt.query_row([id], |r| r.get::<_, u32>(0))?;
    }
    Ok(n)
}

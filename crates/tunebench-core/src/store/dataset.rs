//! SQL for the `dataset` table.

use rusqlite::Connection;

use crate::dataset::DatasetSummary;
use crate::Result;

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

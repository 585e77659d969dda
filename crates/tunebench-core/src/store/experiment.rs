//! SQL for the `experiment` and `experiment_arm` tables (and the dataset lookup by name
//! or id that an experiment file needs).

use rusqlite::{params, Connection, OptionalExtension};

use crate::experiment::{Experiment, Margin, MarginKind};
use crate::{Error, Result};

// --- writes ---

/// Inserts `exp` (its `id` ignored) with its arms in order; returns the new id.
pub fn insert(conn: &Connection, exp: &Experiment) -> Result<i32> {
    let labels = serde_json::to_string(&exp.labels).map_err(|e| Error::Invalid(e.to_string()))?;
    let id: i32 = conn.query_row(
        "INSERT INTO experiment (name, dataset_id, split, primary_metric, margin_kind, margin_value,
                                 labels, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         RETURNING id",
        params![
            exp.name,
            exp.dataset_id,
            exp.split,
            exp.primary_metric,
            exp.margin.kind.as_str(),
            exp.margin.value,
            labels
        ],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(
        "INSERT INTO experiment_arm (experiment_id, arm_id, position) VALUES (?1, ?2, ?3)",
    )?;
    for (pos, arm_id) in exp.arm_ids.iter().enumerate() {
        stmt.execute(params![id, arm_id, pos as i32])?;
    }
    Ok(id)
}

// --- reads ---

pub fn get(conn: &Connection, id: i32) -> Result<Experiment> {
    let mut exp = conn
        .query_row(
            "SELECT id, name, dataset_id, split, primary_metric, margin_kind, margin_value, labels
               FROM experiment WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    Experiment {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        dataset_id: r.get(2)?,
                        split: r.get(3)?,
                        primary_metric: r.get(4)?,
                        margin: Margin {
                            kind: MarginKind::Relative,
                            value: r.get(6)?,
                        },
                        labels: Vec::new(),
                        arm_ids: Vec::new(),
                    },
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "experiment",
            key: "id",
            value: id.to_string(),
        })
        .map(|(mut e, kind, labels)| {
            e.margin.kind = if kind == "absolute" {
                MarginKind::Absolute
            } else {
                MarginKind::Relative
            };
            e.labels = serde_json::from_str(&labels).unwrap_or_default();
            e
        })?;
    let mut stmt = conn
        .prepare("SELECT arm_id FROM experiment_arm WHERE experiment_id = ?1 ORDER BY position")?;
    exp.arm_ids = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(exp)
}

/// The experiments whose runs form one history with experiment `id`: the same name,
/// dataset, split and primary metric (a re-run on another model is such a copy), oldest
/// first. Includes `id` itself.
pub fn family(conn: &Connection, id: i32) -> Result<Vec<i32>> {
    let mut stmt = conn.prepare(
        "SELECT e.id FROM experiment e JOIN experiment x ON x.id = ?1
          WHERE e.name = x.name AND e.dataset_id = x.dataset_id AND e.split = x.split
            AND e.primary_metric = x.primary_metric
          ORDER BY e.id",
    )?;
    let ids = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i32>>>()?;
    Ok(ids)
}

/// The id of the dataset named `name_or_id` (a name, or a numeric id).
pub fn dataset_id(conn: &Connection, name_or_id: &str) -> Result<Option<i32>> {
    let by_name: Option<i32> = conn
        .query_row(
            "SELECT id FROM dataset WHERE name = ?1",
            [name_or_id],
            |r| r.get(0),
        )
        .optional()?;
    if by_name.is_some() {
        return Ok(by_name);
    }
    let Ok(id) = name_or_id.parse::<i32>() else {
        return Ok(None);
    };
    Ok(conn
        .query_row("SELECT id FROM dataset WHERE id = ?1", [id], |r| r.get(0))
        .optional()?)
}

/// The decision framework's answers saved with experiment `id` (a JSON object), if any.
pub fn questions(conn: &Connection, id: i32) -> Result<Option<String>> {
    let json: String = conn.query_row(
        "SELECT questions FROM experiment WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok((json.trim() != "{}" && !json.trim().is_empty()).then_some(json))
}

/// Saves the decision framework's answers (a JSON object) with experiment `id`.
pub fn set_questions(conn: &Connection, id: i32, json: &str) -> Result<()> {
    conn.execute(
        "UPDATE experiment SET questions = ?2 WHERE id = ?1",
        rusqlite::params![id, json],
    )?;
    Ok(())
}

/// Deletes experiment `id` (its arm links and runs go by cascade).
pub fn delete(conn: &Connection, id: i32) -> Result<()> {
    conn.execute("DELETE FROM experiment WHERE id = ?1", [id])?;
    Ok(())
}

/// The experiments that compare arm `arm_id`: id, name and their run ids (oldest first).
pub fn using_arm(conn: &Connection, arm_id: i32) -> Result<Vec<(i32, String, Vec<i32>)>> {
    let mut stmt = conn.prepare(
        "SELECT e.id, e.name, (SELECT group_concat(r.id) FROM
             (SELECT id FROM run WHERE experiment_id = e.id ORDER BY id) r)
         FROM experiment e JOIN experiment_arm ea ON ea.experiment_id = e.id
         WHERE ea.arm_id = ?1 GROUP BY e.id ORDER BY e.id",
    )?;
    let rows = stmt.query_map([arm_id], |r| {
        let runs: Option<String> = r.get(2)?;
        Ok((r.get(0)?, r.get(1)?, runs))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, runs) = row?;
        let runs = runs
            .unwrap_or_default()
            .split(',')
            .filter_map(|x| x.parse().ok())
            .collect();
        out.push((id, name, runs));
    }
    Ok(out)
}

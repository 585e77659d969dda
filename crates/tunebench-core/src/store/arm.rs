//! SQL for the `arm` table.

use rusqlite::{params, Connection, OptionalExtension};

use crate::arm::{Arm, ArmKind};
use crate::{Error, Result};

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Invalid(e.to_string()))
}

// --- writes ---

/// Inserts `arm` (its `id` is ignored) and returns the new id.
pub fn insert(conn: &Connection, arm: &Arm) -> Result<i32> {
    Ok(conn.query_row(
        "INSERT INTO arm (name, kind, provider_id, model, system_prompt, template, few_shot,
                          retrieval, params, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         RETURNING id",
        params![
            arm.name,
            arm.kind.as_str(),
            arm.provider_id,
            arm.model,
            arm.system_prompt,
            arm.template,
            json(&arm.few_shot)?,
            json(&arm.retrieval)?,
            json(&arm.params)?,
        ],
        |r| r.get(0),
    )?)
}

// --- reads ---

pub fn get(conn: &Connection, id: i32) -> Result<Arm> {
    let row = conn
        .query_row(
            "SELECT id, name, kind, provider_id, model, system_prompt, template, few_shot,
                    retrieval, params
               FROM arm WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, i32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i32>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "arm",
            key: "id",
            value: id.to_string(),
        })?;
    let (id, name, kind, provider_id, model, system_prompt, template, few_shot, retrieval, params) =
        row;
    let bad = |field: &str, e: serde_json::Error| {
        Error::Invalid(format!(
            "arm {name:?}: `{field}` in the store is not valid: {e}"
        ))
    };
    Ok(Arm {
        id,
        kind: ArmKind::parse(&kind)
            .ok_or_else(|| Error::Invalid(format!("arm {name:?}: unknown kind {kind:?}")))?,
        provider_id,
        model,
        system_prompt,
        template,
        // Older rows hold `{}` for "none".
        few_shot: parse_optional(&few_shot).map_err(|e| bad("few_shot", e))?,
        retrieval: parse_optional(&retrieval).map_err(|e| bad("retrieval", e))?,
        params: serde_json::from_str(&params).map_err(|e| bad("params", e))?,
        name,
    })
}

fn parse_optional<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<Option<T>> {
    match text.trim() {
        "" | "{}" | "null" => Ok(None),
        t => serde_json::from_str(t),
    }
}

/// Every arm, newest first (an arm editor's "start from" list).
pub fn list(conn: &Connection) -> Result<Vec<Arm>> {
    let mut stmt = conn.prepare("SELECT id FROM arm ORDER BY id DESC")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i32>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}

/// Deletes arm `id`. The caller has made sure no experiment or result refers to it.
pub fn delete(conn: &Connection, id: i32) -> Result<bool> {
    Ok(conn.execute("DELETE FROM arm WHERE id = ?1", [id])? > 0)
}

/// Whether an arm is already stored under `name`.
pub fn name_taken(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM arm WHERE name = ?1", [name], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The names of the arms that call provider `provider_id`.
pub fn names_using_provider(conn: &Connection, provider_id: i32) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM arm WHERE provider_id = ?1 ORDER BY id")?;
    let names = stmt.query_map([provider_id], |r| r.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

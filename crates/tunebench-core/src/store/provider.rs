//! SQL for the `provider` table. No secret is ever written here: only the name of the
//! environment variable that holds the key.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::provider::{Provider, ProviderKind, ProviderSettings};
use crate::{Error, Result};

// --- writes ---

/// Inserts the provider, or updates the one with the same name; returns its id.
pub fn upsert(
    conn: &Connection,
    name: &str,
    kind: ProviderKind,
    base_url: &str,
    api_key_env: Option<&str>,
    settings: &ProviderSettings,
) -> Result<i32> {
    let settings = settings_json(settings)?;
    Ok(conn.query_row(
        "INSERT INTO provider (name, kind, base_url, api_key_env, settings)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, base_url = excluded.base_url,
             api_key_env = excluded.api_key_env, settings = excluded.settings
         RETURNING id",
        params![name, kind.as_str(), base_url, api_key_env, settings],
        |r| r.get(0),
    )?)
}

/// Inserts a new provider; returns its id. A name already taken is an error.
pub fn insert(
    conn: &Connection,
    name: &str,
    kind: ProviderKind,
    base_url: &str,
    api_key_env: Option<&str>,
    settings: &ProviderSettings,
) -> Result<i32> {
    let settings = settings_json(settings)?;
    Ok(conn.query_row(
        "INSERT INTO provider (name, kind, base_url, api_key_env, settings)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![name, kind.as_str(), base_url, api_key_env, settings],
        |r| r.get(0),
    )?)
}

/// Replaces provider `id`'s engine settings (limits, timeouts), nothing else.
pub fn update_settings(conn: &Connection, id: i32, settings: &ProviderSettings) -> Result<()> {
    let settings = settings_json(settings)?;
    conn.execute(
        "UPDATE provider SET settings = ?2 WHERE id = ?1",
        params![id, settings],
    )?;
    Ok(())
}

/// The settings column's JSON; settings are plain data, so a failure here is a bug.
fn settings_json(settings: &ProviderSettings) -> Result<String> {
    serde_json::to_string(settings)
        .map_err(|e| Error::Internal(format!("provider settings as JSON: {e}")))
}

// --- reads ---

const COLUMNS: &str = "id, name, kind, base_url, api_key_env, settings";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(Provider, String, String)> {
    Ok((
        Provider {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: ProviderKind::OpenAiCompatible,
            base_url: r.get(3)?,
            api_key_env: r.get(4)?,
            settings: ProviderSettings::default(),
        },
        r.get(2)?,
        r.get(5)?,
    ))
}

fn finish((mut p, kind, settings): (Provider, String, String)) -> Result<Provider> {
    p.kind = ProviderKind::parse(&kind).ok_or_else(|| {
        Error::Invalid(format!(
            "provider {:?}: unknown kind {kind:?} in the store",
            p.name
        ))
    })?;
    p.settings = serde_json::from_str(&settings).map_err(|e| {
        Error::Invalid(format!(
            "provider {:?}: settings in the store are not valid: {e}",
            p.name
        ))
    })?;
    Ok(p)
}

pub fn get(conn: &Connection, id: i32) -> Result<Provider> {
    let row = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM provider WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "provider",
            key: "id",
            value: id.to_string(),
        })?;
    finish(row)
}

pub fn get_by_name(conn: &Connection, name: &str) -> Result<Provider> {
    let row = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM provider WHERE name = ?1"),
            [name],
            from_row,
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "provider",
            key: "name",
            value: name.to_string(),
        })?;
    finish(row)
}

pub fn list(conn: &Connection) -> Result<Vec<Provider>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM provider ORDER BY name"))?;
    let rows = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(finish).collect()
}

/// A model to use for "test connection": the first arm's model on this provider.
pub fn any_model(conn: &Connection, provider_id: i32) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT model FROM arm WHERE provider_id = ?1 ORDER BY id DESC LIMIT 1",
            [provider_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Deletes provider `id`. The caller has made sure no arm refers to it.
pub fn delete(conn: &Connection, id: i32) -> Result<bool> {
    Ok(conn.execute("DELETE FROM provider WHERE id = ?1", [id])? > 0)
}

/// How many fine-tuning jobs were started through provider `id`.
pub fn fine_tune_jobs(conn: &Connection, id: i32) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM fine_tune_job WHERE provider_id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

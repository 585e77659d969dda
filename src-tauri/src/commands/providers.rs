//! Provider commands: the list, add or edit one, file its key in the OS keychain, and
//! "test connection" (one tiny request). Keys go to the keychain only, never to the store.

use tunebench_core::provider::{self, secrets, ApiKey, ConnectionCheck, Provider};
use tunebench_core::provider::{ProviderKind, ProviderSettings};
use tunebench_core::store;

use super::blocking;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_providers(state: tauri::State<'_, AppState>) -> CommandResult<Vec<Provider>> {
    let db = state.db_path.clone();
    blocking(move || Ok(store::provider::list(&store::open(&db)?)?)).await
}

/// Adds the provider, or updates the one with the same name; returns it as stored.
#[tauri::command]
#[specta::specta]
pub async fn save_provider(
    state: tauri::State<'_, AppState>,
    name: String,
    kind: ProviderKind,
    base_url: String,
    api_key_env: Option<String>,
    settings: ProviderSettings,
) -> CommandResult<Provider> {
    let db = state.db_path.clone();
    blocking(move || {
        let conn = store::open(&db)?;
        let env = api_key_env.as_deref().filter(|v| !v.trim().is_empty());
        let id = store::provider::upsert(&conn, &name, kind, &base_url, env, &settings)?;
        Ok(store::provider::get(&conn, id)?)
    })
    .await
}

/// Files `key` in the OS keychain under the provider's name. The key is not echoed back.
#[tauri::command]
#[specta::specta]
pub async fn save_provider_key(name: String, key: String) -> CommandResult<()> {
    blocking(move || {
        secrets::keychain_set(&name, &ApiKey::new(key.trim()))
            .map_err(|e| CommandError::invalid(e.to_string()))
    })
    .await
}

/// Sends one tiny request to `model` (empty: the model of the provider's latest arm).
#[tauri::command]
#[specta::specta]
pub async fn test_provider(
    state: tauri::State<'_, AppState>,
    id: i32,
    model: String,
) -> CommandResult<ConnectionCheck> {
    let db = state.db_path.clone();
    let (p, model, (key, _source)) = blocking(move || {
        let conn = store::open(&db)?;
        let p = store::provider::get(&conn, id)?;
        let model = match model.trim() {
            "" => store::provider::any_model(&conn, id)?.ok_or_else(|| {
                CommandError::invalid("name a model to test with: no arm uses this provider yet")
            })?,
            m => m.to_string(),
        };
        let key = secrets::resolve(&p.name, p.api_key_env.as_deref(), |v| std::env::var(v).ok());
        Ok((p, model, key))
    })
    .await?;
    let client = reqwest::Client::builder()
        .build()
        .map_err(|e| CommandError::invalid(format!("could not start the HTTP client: {e}")))?;
    Ok(provider::test_connection(&client, &p, key.as_ref(), &model).await)
}

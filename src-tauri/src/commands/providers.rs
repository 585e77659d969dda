//! Provider commands: the list, add or edit one, file its key in the OS keychain, and
//! "test connection" (one tiny request). Keys go to the keychain only, never to the store.

use tunebench_core::provider::secrets::KeySource;
use tunebench_core::provider::{self, secrets, ApiKey, ConnectionCheck, Provider};
use tunebench_core::provider::{ProviderKind, ProviderSettings};
use tunebench_core::{store, Error};

use super::blocking;
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_providers(state: tauri::State<'_, AppState>) -> CommandResult<Vec<Provider>> {
    state.with_store(|c, _| store::provider::list(c)).await
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
    let env = api_key_env.filter(|v| !v.trim().is_empty());
    let save =
        move |c: &_| store::provider::upsert(c, &name, kind, &base_url, env.as_deref(), &settings);
    state
        .with_store(move |c, _| store::provider::get(c, save(c)?))
        .await
}

/// Files `key` in the OS keychain under the provider's name. The key is not echoed back.
#[tauri::command]
#[specta::specta]
pub async fn save_provider_key(name: String, key: String) -> CommandResult<()> {
    let file = move || secrets::keychain_set(&name, &ApiKey::new(key.trim()));
    blocking(move || Ok(file().map_err(|e| Error::Internal(e.to_string()))?)).await
}

/// Sends one tiny request to `model` (empty: the model of the provider's latest arm).
#[tauri::command]
#[specta::specta]
pub async fn test_provider(
    state: tauri::State<'_, AppState>,
    id: i32,
    model: String,
) -> CommandResult<ConnectionCheck> {
    let env = |v: &str| std::env::var(v).ok();
    let target = (state.with_store(move |c, _| {
        provider::check_target(c, store::provider::get(c, id)?, Some(&model), env)
    }))
    .await?;
    Ok(target.send(&state.client()?).await)
}

/// Deletes provider `id` and its key in the OS keychain, refused while arms call it;
/// returns what was deleted.
#[tauri::command]
#[specta::specta]
pub async fn delete_provider(state: tauri::State<'_, AppState>, id: i32) -> CommandResult<String> {
    let remove = move |c: &_| tunebench_core::remove::provider(c, id, secrets::keychain_forget);
    state.with_store(move |c, _| remove(c)).await
}

/// Where provider `name`'s key would come from now (never the key itself): its environment
/// variable, the keychain, or none (with why).
#[tauri::command]
#[specta::specta]
pub async fn provider_key_source(
    name: String,
    api_key_env: Option<String>,
) -> CommandResult<KeySource> {
    let env = |v: &str| std::env::var(v).ok();
    blocking(move || Ok(secrets::resolve(&name, api_key_env.as_deref(), env).1)).await
}

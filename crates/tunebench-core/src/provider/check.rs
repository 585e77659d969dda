//! "Test connection" as both faces run it: which model to ask (the one named, else the
//! model of the provider's latest arm) and which key to send, then one tiny request.

use rusqlite::Connection;

use super::secrets::{self, KeySource};
use super::{test_connection, ApiKey, ConnectionCheck, Provider};
use crate::{store, Error, Result};

/// What a connection test sends, and where its key came from.
pub struct CheckTarget {
    pub provider: Provider,
    pub model: String,
    pub key: Option<ApiKey>,
    pub key_source: KeySource,
}

/// The target of a connection test of `provider`: `model` when it names one, else the
/// model of the provider's latest arm; the key from the environment (read through `env`)
/// or the OS keychain.
pub fn check_target(
    conn: &Connection,
    provider: Provider,
    model: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<CheckTarget> {
    let model = match model.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => m.to_string(),
        None => store::provider::any_model(conn, provider.id)?.ok_or_else(|| {
            Error::Invalid(format!(
                "provider {:?} has no arm yet, so there is no model to try: name a model to \
                 test with (--model MODEL)",
                provider.name
            ))
        })?,
    };
    let (key, key_source) = secrets::resolve(&provider.name, provider.api_key_env.as_deref(), env);
    Ok(CheckTarget {
        provider,
        model,
        key,
        key_source,
    })
}

impl CheckTarget {
    /// Sends the one tiny request of a connection test.
    pub async fn send(&self, client: &reqwest::Client) -> ConnectionCheck {
        test_connection(client, &self.provider, self.key.as_ref(), &self.model).await
    }
}

//! API keys: read from the environment variable named in a provider's settings, or from
//! the OS keychain (`keyring`: macOS Keychain, Windows Credential Manager, Secret Service
//! on Linux). Where no keychain is available (a headless Linux box) the error says so and
//! the environment variable is the way. Keys never reach SQLite, logs or error messages:
//! [`ApiKey`] prints as `[redacted]` and [`redact`] scrubs text.

use serde::Serialize;

/// The keychain service under which every provider's key is filed (account = provider name).
pub const KEYCHAIN_SERVICE: &str = "tunebench";

/// A secret key. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the one place that puts it in a request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl std::fmt::Display for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where a provider's key came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeySource {
    Env {
        var: String,
    },
    Keychain,
    /// No key: fine for local servers; a cloud provider will answer "bad key".
    None {
        note: String,
    },
}

/// Replaces every occurrence of `key` (and of keys too short to be real, nothing) in `text`.
pub fn redact(text: &str, key: &ApiKey) -> String {
    if key.0.len() < 4 {
        return text.to_string();
    }
    text.replace(&key.0, "[redacted]")
}

/// Why the keychain could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    #[error(
        "no OS keychain is available on this system ({0}); set the environment variable \
         named in the provider's `api_key_env` instead"
    )]
    Unavailable(String),
    #[error("the OS keychain refused access: {0}")]
    Refused(String),
}

/// On Linux the keychain is the Secret Service on the D-Bus session bus. Without a bus
/// address, a bus socket or a display (a headless box), asking would only fail slowly.
fn headless_linux() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let has = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    let runtime_bus = std::env::var_os("XDG_RUNTIME_DIR")
        .map(|d| std::path::Path::new(&d).join("bus").exists())
        .unwrap_or(false);
    if has("DBUS_SESSION_BUS_ADDRESS") || has("DISPLAY") || has("WAYLAND_DISPLAY") || runtime_bus {
        None
    } else {
        Some(
            "no D-Bus session bus, so no Secret Service: this looks like a headless Linux system"
                .into(),
        )
    }
}

fn keychain_entry(provider: &str) -> Result<keyring::Entry, KeychainError> {
    if let Some(reason) = headless_linux() {
        return Err(KeychainError::Unavailable(reason));
    }
    keyring::Entry::new(KEYCHAIN_SERVICE, provider).map_err(classify)
}

fn classify(e: keyring::Error) -> KeychainError {
    match e {
        keyring::Error::NoStorageAccess(inner) => KeychainError::Refused(inner.to_string()),
        other => KeychainError::Unavailable(other.to_string()),
    }
}

/// The key filed in the keychain for `provider`, if any.
pub fn keychain_get(provider: &str) -> Result<Option<ApiKey>, KeychainError> {
    match keychain_entry(provider)?.get_password() {
        Ok(k) => Ok(Some(ApiKey(k))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(classify(e)),
    }
}

/// Files `key` in the keychain for `provider`.
pub fn keychain_set(provider: &str, key: &ApiKey) -> Result<(), KeychainError> {
    keychain_entry(provider)?
        .set_password(&key.0)
        .map_err(classify)
}

/// Removes `provider`'s key from the keychain; whether there was one (absent is fine).
pub fn keychain_forget(provider: &str) -> Result<bool, KeychainError> {
    match keychain_entry(provider)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(classify(e)),
    }
}

/// Finds `provider`'s key: the environment variable `api_key_env` when set and non-empty
/// (read through `env`, so tests pass their own), else the keychain entry. A missing or
/// unusable keychain is not an error: the note says so and the call goes without a key.
pub fn resolve(
    provider: &str,
    api_key_env: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> (Option<ApiKey>, KeySource) {
    if let Some(var) = api_key_env.filter(|v| !v.is_empty()) {
        if let Some(value) = env(var).filter(|v| !v.trim().is_empty()) {
            return (
                Some(ApiKey(value.trim().to_string())),
                KeySource::Env {
                    var: var.to_string(),
                },
            );
        }
    }
    let unset = match api_key_env {
        Some(var) if !var.is_empty() => format!("the environment variable {var} is not set"),
        _ => "the provider names no environment variable".to_string(),
    };
    match keychain_get(provider) {
        Ok(Some(k)) => (Some(k), KeySource::Keychain),
        Ok(None) => (
            None,
            KeySource::None {
                note: format!("{unset} and the keychain holds no key for {provider:?}"),
            },
        ),
        Err(e) => (
            None,
            KeySource::None {
                note: format!("{unset}; {e}"),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_never_shows_in_debug_or_display() {
        let k = ApiKey::new("sk-live-123456");
        assert!(!format!("{k:?} {k}").contains("sk-live"));
    }

    #[test]
    fn redact_scrubs_every_occurrence() {
        let k = ApiKey::new("sk-abcdef");
        assert_eq!(
            redact("bad key sk-abcdef (sk-abcdef)", &k),
            "bad key [redacted] ([redacted])"
        );
    }

    #[test]
    fn the_named_environment_variable_wins() {
        let (key, source) = resolve("p", Some("P_KEY"), |v| {
            (v == "P_KEY").then(|| "sk-from-env".to_string())
        });
        assert_eq!(key.unwrap().expose(), "sk-from-env");
        assert_eq!(
            source,
            KeySource::Env {
                var: "P_KEY".into()
            }
        );
    }
}

//! API keys for a run's providers: the environment variable each provider names, else the
//! OS keychain. Keys stay in memory; a missing key is a warning, not an error, since local
//! OpenAI-compatible servers need none.

use std::collections::HashMap;
use std::sync::Arc;

use super::engine::KeyLookup;
use super::Plan;
use crate::provider::{secrets, Provider, ProviderKind};

/// Looks up every provider's key once (reading `env` for variables) and returns the lookup
/// the engine uses, with one warning per provider that expects a key and has none.
pub fn for_plan(plan: &Plan, env: impl Fn(&str) -> Option<String>) -> (KeyLookup, Vec<String>) {
    let mut keys = HashMap::new();
    let mut warnings = Vec::new();
    for planned in &plan.arms {
        let p = &planned.provider;
        if keys.contains_key(&p.id) {
            continue;
        }
        let (key, source) = secrets::resolve(&p.name, p.api_key_env.as_deref(), &env);
        if let secrets::KeySource::None { note } = &source {
            if expects_key(p) {
                warnings.push(format!("provider {:?} has no API key: {note}", p.name));
            }
        }
        keys.insert(p.id, key);
    }
    let lookup: KeyLookup = Arc::new(move |p: &Provider| keys.get(&p.id).cloned().flatten());
    (lookup, warnings)
}

/// A local OpenAI-compatible server that names no key variable is expected to need none,
/// and a local model that Tunebench serves itself never does.
fn expects_key(p: &Provider) -> bool {
    !(matches!(p.kind, ProviderKind::OpenAiCompatible | ProviderKind::Local)
        && p.api_key_env.is_none())
}

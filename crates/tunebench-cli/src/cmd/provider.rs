//! `tunebench provider test NAME`: one tiny request to a provider in the store; prints the
//! latency, or the provider's error in plain words (bad key, unknown model, unreachable
//! host, rate-limited). `tunebench provider set-key NAME`: files a key read from stdin in
//! the OS keychain.

use std::path::Path;

use serde_json::json;
use tunebench_core::provider::{self, secrets};
use tunebench_core::{store, Error};

use crate::output::Output;

pub fn test(
    db: Option<&Path>,
    name: &str,
    model: Option<&str>,
    out: &Output,
) -> anyhow::Result<()> {
    let conn = super::open_store(db)?;
    let p = store::provider::get_by_name(&conn, name)?;
    let target = provider::check_target(&conn, p, model, |v| std::env::var(v).ok())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let check = runtime.block_on(target.send(&provider::http_client()?));
    let (model, source) = (&target.model, &target.key_source);
    if out.json {
        out.print_json(&json!({
            "provider": target.provider.name,
            "model": model,
            "key_source": source,
            "check": check,
        }))?;
    } else if check.ok {
        say!(
            "{name}: ok, {model} answered in {:.0} ms ({:?})",
            check.latency_ms,
            check.message
        )?;
    } else {
        say!(
            "{name}: failed after {:.0} ms: {}",
            check.latency_ms,
            check.message
        )?;
        if let secrets::KeySource::None { note } = source {
            say!("  (no API key was sent: {note})")?;
        }
    }
    if check.ok {
        Ok(())
    } else {
        Err(anyhow::anyhow!("provider {name:?}: {}", check.message))
    }
}

/// Reads the key from the first line of stdin (never from an argument, which would land in
/// the shell history) and files it in the OS keychain under the provider's name.
pub fn set_key(db: Option<&Path>, name: &str, out: &Output) -> anyhow::Result<()> {
    let conn = super::open_store(db)?;
    let p = store::provider::get_by_name(&conn, name)?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let key = line.trim();
    if key.is_empty() {
        return Err(Error::Invalid(
            "no key on stdin; pipe it in: `tunebench provider set-key NAME < key.txt`".into(),
        )
        .into());
    }
    secrets::keychain_set(&p.name, &secrets::ApiKey::new(key))
        .map_err(|e| anyhow::anyhow!("provider {name:?}: {e}"))?;
    if out.json {
        out.print_json(&json!({ "provider": p.name, "stored": "keychain" }))?;
    } else {
        say!("{name}: key stored in the OS keychain")?;
    }
    Ok(())
}

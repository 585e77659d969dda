//! Deleting a run, an arm or a provider. What depends on the thing is named: a deletion that
//! would leave results without their arm, or arms without their provider, is refused with the
//! things to delete first; what has no use of its own once the thing is gone goes with it.

use rusqlite::Connection;

use crate::provider::secrets::{KeychainError, KEYCHAIN_SERVICE};
use crate::{store, Error, Result};

/// Deletes run `id` with its results and saved scenario; its experiment goes too when this was
/// its last run. Returns what was deleted, as a sentence.
pub fn run(conn: &Connection, id: i32) -> Result<String> {
    let record = store::run::get(conn, id)?;
    let experiment = store::experiment::get(conn, record.experiment_id)?;
    store::atomically(conn, || {
        store::run::delete(conn, id)?;
        if store::run::list(conn, Some(experiment.id))?.is_empty() {
            store::experiment::delete(conn, experiment.id)?;
            Ok(format!(
                "Deleted run {id} with its results, and experiment `{}`, which had no other run.",
                experiment.name
            ))
        } else {
            Ok(format!("Deleted run {id} with its results."))
        }
    })
}

/// Deletes arm `id`. Refused while an experiment with runs compares it (those runs are named);
/// experiments without any run that name it go with it.
pub fn arm(conn: &Connection, id: i32) -> Result<String> {
    let arm = store::arm::get(conn, id)?;
    let users = store::experiment::using_arm(conn, id)?;
    let with_runs: Vec<String> = users
        .iter()
        .filter(|(_, _, runs)| !runs.is_empty())
        .map(|(_, name, runs)| format!("`{name}` (runs {})", join(runs)))
        .collect();
    if !with_runs.is_empty() {
        return Err(Error::InUse(format!(
            "arm `{}` is compared in experiment {}: delete those runs first",
            arm.name,
            with_runs.join(", ")
        )));
    }
    store::atomically(conn, || {
        for (experiment, _, _) in &users {
            store::experiment::delete(conn, *experiment)?;
        }
        store::arm::delete(conn, id)?;
        Ok(if users.is_empty() {
            format!("Deleted arm `{}`.", arm.name)
        } else {
            let names: Vec<String> = users.iter().map(|(_, n, _)| format!("`{n}`")).collect();
            format!(
                "Deleted arm `{}` and {} experiment(s) without runs that named it: {}.",
                arm.name,
                users.len(),
                names.join(", ")
            )
        })
    })
}

/// Deletes provider `id`, then its key from the OS keychain through `forget_key` (given the
/// provider's name, it answers whether an entry was there: `secrets::keychain_forget`).
/// Refused, with the key untouched, while arms call it (they are named) or fine-tuning jobs
/// were started through it. An environment variable naming the key is never changed; the
/// sentence says so.
pub fn provider(
    conn: &Connection,
    id: i32,
    forget_key: impl FnOnce(&str) -> std::result::Result<bool, KeychainError>,
) -> Result<String> {
    let provider = store::provider::get(conn, id)?;
    let arms = store::arm::names_using_provider(conn, id)?;
    if !arms.is_empty() {
        let names: Vec<String> = arms.iter().map(|n| format!("`{n}`")).collect();
        return Err(Error::InUse(format!(
            "provider `{}` is called by {} arm(s): {}; delete those first",
            provider.name,
            arms.len(),
            names.join(", ")
        )));
    }
    let jobs = store::provider::fine_tune_jobs(conn, id)?;
    if jobs > 0 {
        return Err(Error::InUse(format!(
            "provider `{}` ran {jobs} fine-tuning job(s), which keep a record of it",
            provider.name
        )));
    }
    store::provider::delete(conn, id)?;
    let name = &provider.name;
    let mut said = match forget_key(name) {
        Ok(true) => format!("Deleted provider `{name}` and its API key from the OS keychain"),
        // No keychain on this system: no key could have been filed there.
        Ok(false) | Err(KeychainError::Unavailable(_)) => format!("Deleted provider `{name}`"),
        Err(e @ KeychainError::Refused(_)) => format!(
            "Deleted provider `{name}`, but its API key could not be removed from the OS \
             keychain ({e}): remove the entry `{name}` of service `{KEYCHAIN_SERVICE}` there"
        ),
    };
    if let Some(var) = provider.api_key_env.as_deref().filter(|v| !v.is_empty()) {
        said.push_str(&format!(
            ". Its key in the environment variable {var} is left as it is: Tunebench never \
             changes environment variables"
        ));
    }
    said.push('.');
    Ok(said)
}

fn join(ids: &[i32]) -> String {
    ids.iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

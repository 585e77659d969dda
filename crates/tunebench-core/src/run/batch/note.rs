//! What a batch run's report says about its latency: batched answers carry no serving
//! latency, so its latency and time to first token come from the live sample alone.

use rusqlite::Connection;

use crate::{store, Result};

/// For a batch run, the sentence that labels its latency figures as sampled, with the
/// count of live cases per arm and of batched answers; `None` for a live run.
pub fn latency_note(conn: &Connection, run_id: i32) -> Result<Option<String>> {
    let Some(settings) = store::batch::settings(conn, run_id)? else {
        return Ok(None);
    };
    let run = store::run::get(conn, run_id)?;
    let exp = store::experiment::get(conn, run.experiment_id)?;
    let results = store::result::for_run(conn, run_id)?;
    let mut per_arm = Vec::new();
    let mut batched = 0u32;
    for id in &exp.arm_ids {
        let arm = store::arm::get(conn, *id)?;
        let mine = results
            .iter()
            .filter(|(r, _)| r.arm_id == *id && r.output.is_some());
        let timed = mine.clone().filter(|(r, _)| r.latency_ms.is_some()).count();
        batched += mine.filter(|(r, _)| r.latency_ms.is_none()).count() as u32;
        per_arm.push(format!("{timed} cases of {}", arm.name));
    }
    Ok(Some(format!(
        "Latency and time to first token are sampled: measured on a live sample ({}; {} \
         requested per arm, seeded), since the {batched} answers that came through the batch \
         API carry no serving latency.",
        per_arm.join(", "),
        settings.latency_sample
    )))
}

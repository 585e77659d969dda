//! `tunebench rerun RUN_ID --model b=NEW_MODEL`: the run's experiment again, with one or
//! both arms on another model (a new provider release, or a retired model's successor),
//! then the run itself, so the new figures sit beside the earlier ones in `history`.

use std::path::Path;

use anyhow::Context;
use tunebench_core::experiment::ModelSwap;
use tunebench_core::run::{self, Plan};
use tunebench_core::{store, Error};

use crate::output::Output;

pub struct Args<'a> {
    pub run_id: i32,
    /// `ARM=MODEL` pairs: ARM is `a`, `b` or an arm's name.
    pub models: &'a [String],
    pub flags: &'a super::run::RunFlags,
}

pub fn run(db: Option<&Path>, args: &Args<'_>, out: &Output) -> anyhow::Result<()> {
    let client = super::run::client_in_background();
    let db_path = super::store_path(db)?;
    let conn = store::open(&db_path)?;
    let source = store::run::get(&conn, args.run_id)?;
    let experiment = store::experiment::get(&conn, source.experiment_id)?;
    let arm_names = experiment
        .arm_ids
        .iter()
        .map(|id| store::arm::get(&conn, *id).map(|a| a.name))
        .collect::<tunebench_core::Result<Vec<_>>>()?;
    let swaps = args
        .models
        .iter()
        .map(|m| parse_swap(m, &arm_names))
        .collect::<Result<Vec<_>, Error>>()?;
    let options = args.flags.options()?;
    let (rerun, run_id) = run::create_rerun(&conn, args.run_id, &swaps, &options)?;
    if rerun.changes.is_empty() {
        eprintln!("re-running run {} on the same models", args.run_id);
    }
    for c in &rerun.changes {
        eprintln!("re-running run {} with {c}", args.run_id);
    }
    for n in &rerun.notes {
        eprintln!("note: {n}");
    }
    if let Some(settings) = args.flags.batch_settings()? {
        run::batch::make_batch(&conn, run_id, &settings)?;
    }
    let plan = Plan::load(&conn, run_id).context("loading the new run")?;
    drop(conn);
    super::run::execute(&db_path, plan, client, out, "run")
}

/// `b=gpt-5-mini`, `A=…` or `fine-tuned=…` → the arm's position and the model.
fn parse_swap(arg: &str, arm_names: &[String]) -> Result<ModelSwap, Error> {
    let bad = |why: String| Error::Invalid(format!("--model {arg:?}: {why}"));
    let (arm, model) = arg
        .split_once('=')
        .ok_or_else(|| bad("write it as ARM=MODEL, e.g. b=ft:gpt-4.1-mini:acme:v2".into()))?;
    let arm = arm.trim();
    let position = match arm.to_ascii_lowercase().as_str() {
        "a" => 0,
        "b" => 1,
        _ => arm_names.iter().position(|n| n == arm).ok_or_else(|| {
            bad(format!(
                "no arm {arm:?} in this run; use a, b or one of {}",
                arm_names.join(", ")
            ))
        })?,
    };
    if model.trim().is_empty() {
        return Err(bad("the model is empty".into()));
    }
    Ok(ModelSwap {
        position: position as u32,
        model: model.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::parse_swap;

    #[test]
    fn an_arm_is_named_by_letter_or_by_name() {
        let names = ["prompting".to_string(), "fine-tuned".to_string()];
        let p = |s: &str| parse_swap(s, &names).map(|s| (s.position, s.model));
        assert_eq!(p("b=ft-v2").unwrap(), (1, "ft-v2".into()));
        assert_eq!(p("A = gpt-5-mini").unwrap(), (0, "gpt-5-mini".into()));
        assert_eq!(p("fine-tuned=ft:x:y").unwrap(), (1, "ft:x:y".into()));
        for bad in ["ft-v2", "c=ft-v2", "b=", "=x"] {
            let err = p(bad).unwrap_err().to_string();
            assert!(err.contains("--model"), "{bad}: {err}");
        }
    }
}

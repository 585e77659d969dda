//! `tunebench resume RUN_ID`: continues an interrupted, cancelled or budget-stopped run,
//! sending only the cases that have no result yet.

use std::path::Path;

use tunebench_core::run::{self, Plan, RunStatus};
use tunebench_core::{store, Error};

use crate::output::Output;

/// Overrides of the options the run was started with.
pub struct Args {
    pub run_id: i32,
    pub concurrency: Option<u32>,
    pub budget: Option<f64>,
    /// Ask the cases that ended as errors again.
    pub retry_errors: bool,
}

pub fn run(db: Option<&Path>, args: &Args, out: &Output) -> anyhow::Result<()> {
    let run_id = args.run_id;
    let client = super::run::client_in_background();
    let db_path = super::store_path(db)?;
    let conn = store::open(&db_path)?;
    let record = store::run::get(&conn, run_id)?;
    let status = run::effective_status(&db_path, &record);
    if matches!(status, RunStatus::Running) {
        return Err(Error::InUse(format!(
            "run {run_id} is still running in another process; wait for it or stop it first"
        ))
        .into());
    }
    if let Some(search_id) = store::search::for_run(&conn, run_id)? {
        // Resumed as a run, every candidate would answer every case: halving undone.
        return Err(Error::Invalid(format!(
            "run {run_id} is the validation run of prompt search {search_id}; carry the search \
             on with `tunebench search --resume {search_id}`"
        ))
        .into());
    }
    eprintln!("run {run_id} is {}; resuming", status.as_str());
    if args.retry_errors {
        let n = run::clear_errors(&conn, &db_path, run_id)?;
        eprintln!("asking the {n} cases that ended as errors again");
    }
    let mut plan = Plan::load(&conn, run_id)?;
    if let Some(c) = args.concurrency {
        anyhow::ensure!(c > 0, "--concurrency must be at least 1");
        plan.options.concurrency = Some(c);
    }
    if args.budget.is_some() {
        plan.options.budget_usd = args.budget;
    }
    drop(conn);
    super::run::execute(&db_path, plan, client, out, "resume")
}

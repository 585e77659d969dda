//! `tunebench split DATASET`: assigns rows to train and held-out test.

use std::path::Path;

use clap::Args;
use tunebench_core::dataset::{self, SplitOptions};

use crate::output::Output;

#[derive(Debug, Args)]
pub struct SplitArgs {
    /// The dataset's name or id.
    pub dataset: String,
    /// The share of rows held out for testing.
    #[arg(long, default_value_t = 0.2)]
    pub test_fraction: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u32,
    /// Stratify by label (the default when the expected values are labels).
    #[arg(long, conflicts_with = "no_stratify")]
    pub stratify: bool,
    /// Do not stratify, even when there are labels.
    #[arg(long)]
    pub no_stratify: bool,
    /// Re-split even though an experiment evaluates this dataset.
    #[arg(long)]
    pub force: bool,
}

pub fn run(db: Option<&Path>, args: &SplitArgs, out: &Output) -> anyhow::Result<()> {
    let conn = super::open_store(db)?;
    let id = dataset::find(&conn, &args.dataset)?;
    let opts = SplitOptions {
        test_fraction: args.test_fraction,
        seed: args.seed,
        stratify: !args.no_stratify,
        force: args.force,
    };
    let outcome = dataset::split(&conn, id, &opts)?;
    let leakage = dataset::leakage(&conn, id)?;
    if out.json {
        return out.print_json(&serde_json::json!({
            "dataset_id": id,
            "train_rows": outcome.train_rows,
            "test_rows": outcome.test_rows,
            "stratified": outcome.stratified,
            "report": outcome.report,
            "leakage": leakage,
        }));
    }
    say!(
        "Split dataset {id}: {} train, {} test{} (seed {}).",
        outcome.train_rows,
        outcome.test_rows,
        if outcome.stratified {
            ", stratified by label"
        } else {
            ""
        },
        args.seed
    )?;
    for w in &outcome.report.warnings {
        say!("  warning: {}", w.message)?;
    }
    let leaked = leakage.exact_test_rows + leakage.normalised_test_rows;
    if leaked > 0 {
        say!(
            "  warning: {leaked} test rows repeat a training input ({} exactly, {} after folding \
             case, spaces and punctuation); {} training rows would have to go to remove the leak (`tunebench leakage {} --remove`)",
            leakage.exact_test_rows,
            leakage.normalised_test_rows,
            leakage.leaked_train_rows,
            args.dataset
        )?;
    }
    Ok(())
}

//! `tunebench leakage DATASET [--remove]`: the test rows that also sit in train, and their
//! removal from train (what the dataset screen's Leakage panel does).

use std::path::Path;

use clap::Args;
use tunebench_core::dataset;

use crate::output::Output;

#[derive(Debug, Args)]
pub struct LeakageArgs {
    /// The dataset's name or id.
    pub dataset: String,
    /// Delete the train rows that repeat a test input (exactly, or once case, spaces and
    /// punctuation are folded); the test rows stay. To get them back, import the file again.
    #[arg(long)]
    pub remove: bool,
}

pub fn run(db: Option<&Path>, args: &LeakageArgs, out: &Output) -> anyhow::Result<()> {
    let conn = super::open_store(db)?;
    let id = dataset::find(&conn, &args.dataset)?;
    let removed = if args.remove {
        Some(dataset::remove_leaked_from_train(&conn, id)?)
    } else {
        None
    };
    let l = dataset::leakage(&conn, id)?;
    if out.json {
        return out.print_json(&serde_json::json!({
            "dataset_id": id,
            "removed_train_rows": removed,
            "leakage": l,
        }));
    }
    if let Some(n) = removed {
        say!("Removed {n} train rows that repeated a test input.")?;
    }
    say!(
        "{} test rows appear exactly in train, {} more after folding case, spaces and \
         punctuation ({} train, {} test rows).",
        l.exact_test_rows,
        l.normalised_test_rows,
        l.train_rows,
        l.test_rows
    )?;
    for p in &l.pairs {
        let line: String = p.input.split_whitespace().collect::<Vec<_>>().join(" ");
        let shown: String = line.chars().take(100).collect();
        say!("  {:<10} {shown}", format!("{:?}", p.kind).to_lowercase())?;
    }
    if l.leaked_train_rows > 0 {
        say!(
            "Remove the {} train rows that copy them with: tunebench leakage {} --remove",
            l.leaked_train_rows,
            args.dataset
        )?;
    }
    Ok(())
}

//! `tunebench prices list|import FILE.json|export FILE.json`: the price catalog.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;
use tunebench_core::price::{self, Origin, PriceEntry};

use crate::output::Output;

#[derive(Debug, Subcommand)]
pub enum Action {
    /// List every price (seed and custom); a custom entry wins over the seed.
    List,
    /// Import custom prices from a JSON file (all or nothing).
    Import { file: PathBuf },
    /// Export the whole catalog to a JSON file that `import` reads.
    Export { file: PathBuf },
}

pub fn run(db: Option<&Path>, action: &Action, out: &Output) -> anyhow::Result<()> {
    let conn = super::open_store(db)?;
    match action {
        Action::List => list(&conn, out),
        Action::Import { file } => {
            let summary = price::import_file(&conn, file)?;
            if out.json {
                return out.print_json(&summary);
            }
            say!(
                "Imported {} custom price(s) from {} ({} seed entries left as they are).",
                summary.imported,
                summary.file,
                summary.skipped_seed
            )?;
            Ok(())
        }
        Action::Export { file } => {
            let n = price::export_file(&conn, file)?;
            if out.json {
                return out
                    .print_json(&json!({ "file": file.display().to_string(), "entries": n }));
            }
            say!("Exported {n} price(s) to {}.", file.display())?;
            Ok(())
        }
    }
}

fn list(conn: &tunebench_core::store::Connection, out: &Output) -> anyhow::Result<()> {
    let prices = tunebench_core::store::price::list(conn)?;
    if out.json {
        return out.print_json(&json!({ "prices": prices }));
    }
    say!(
        "{:<13} {:<26} {:<10} {:>7} {:>7} {:>7} {:>13} {:>8}  {:<10} {:<10} ORIGIN",
        "PROVIDER",
        "MODEL",
        "KIND",
        "INPUT",
        "CACHED",
        "OUTPUT",
        "TRAINING",
        "HOST/H",
        "RETIRES",
        "AS OF"
    )?;
    for p in &prices {
        say!(
            "{:<13} {:<26} {:<10} {:>7} {:>7} {:>7} {:>13} {:>8}  {:<10} {:<10} {}",
            p.provider,
            p.model_pattern,
            match p.kind {
                price::PriceKind::Base => "base",
                price::PriceKind::FineTuned => "fine-tuned",
            },
            money(p.input),
            money(p.cached_input),
            money(p.output),
            training(p),
            money(p.hosting_per_hour),
            p.retirement_date.as_deref().unwrap_or("-"),
            p.as_of,
            match p.origin {
                Origin::Seed => "seed",
                Origin::Custom => "custom",
            }
        )?;
    }
    say!("Prices in USD per 1M tokens; hosting per hour. \"-\" means no price, never $0.")?;
    Ok(())
}

fn money(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x}"))
}

fn training(p: &PriceEntry) -> String {
    match (p.training, p.training_unit) {
        (Some(x), Some(price::TrainingUnit::PerHour)) => format!("{x}/hour"),
        (Some(x), _) => format!("{x}/1M"),
        (None, _) => "-".into(),
    }
}

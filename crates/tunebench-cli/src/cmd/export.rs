//! `tunebench export DATASET`: writes a split as JSONL, CSV or OpenAI chat JSONL.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use tunebench_core::dataset::{self, ExportFormat, ExportOptions, SplitFilter};

use crate::output::Output;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SplitArg {
    Train,
    Test,
    All,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormatArg {
    Jsonl,
    Csv,
    OpenaiChat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The dataset's name or id.
    pub dataset: String,
    #[arg(long, value_enum)]
    pub split: SplitArg,
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,
    /// For openai-chat: a system prompt put before every example.
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace the file at --out if there is one.
    #[arg(long)]
    pub force: bool,
    /// CSV: write cells starting with = + - @ as they are (by default they get a leading '
    /// so a spreadsheet shows them as text instead of running them as formulas).
    #[arg(long)]
    pub raw_values: bool,
}

pub fn run(db: Option<&Path>, args: &ExportArgs, out: &Output) -> anyhow::Result<()> {
    if !args.force && args.out.exists() {
        return Err(tunebench_core::Error::Invalid(format!(
            "{} already exists; pass --force to replace it",
            args.out.display()
        ))
        .into());
    }
    let conn = super::open_store(db)?;
    let id = dataset::find(&conn, &args.dataset)?;
    let opts = ExportOptions {
        split: match args.split {
            SplitArg::Train => SplitFilter::Train,
            SplitArg::Test => SplitFilter::Test,
            SplitArg::All => SplitFilter::All,
        },
        format: match args.format {
            ExportFormatArg::Jsonl => ExportFormat::Jsonl,
            ExportFormatArg::Csv => ExportFormat::Csv,
            ExportFormatArg::OpenaiChat => ExportFormat::OpenaiChat,
        },
        system: args.system.clone(),
        raw_values: args.raw_values,
    };
    let outcome = dataset::export(&conn, id, &opts, &args.out)?;
    if out.json {
        return out.print_json(&outcome);
    }
    say!("Wrote {} rows to {}.", outcome.rows, outcome.path)?;
    Ok(())
}

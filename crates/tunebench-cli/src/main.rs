//! `tunebench`: the command-line face of the Tunebench core (DESIGN.md §8).
//! Exit codes: 0 success, 2 bad input or usage, 1 any other failure.
//! With `--json`, exactly one JSON object goes to stdout; progress goes to stderr.

mod cmd;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "tunebench",
    version,
    about = "Prompting or fine-tuning? Decide on your own held-out test set."
)]
struct Cli {
    /// The SQLite store (default: $TUNEBENCH_DB, else the OS data directory).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,

    /// Print one JSON object on stdout instead of human-readable text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import a test set from a file into a new dataset.
    Import(cmd::import::ImportArgs),
    /// List the datasets in the store.
    Datasets,
    /// The price catalog: list, import or export prices.
    Prices {
        #[command(subcommand)]
        action: cmd::prices::Action,
    },
    /// Split a dataset into train and held-out test.
    Split(cmd::split::SplitArgs),
    /// Export a dataset's split as JSONL, CSV or OpenAI chat fine-tuning JSONL.
    Export(cmd::export::ExportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = output::Output::new(cli.json);
    let result = match &cli.command {
        Command::Import(args) => cmd::import::run(cli.db.as_deref(), args, &out),
        Command::Datasets => cmd::datasets::run(cli.db.as_deref(), &out),
        Command::Prices { action } => cmd::prices::run(cli.db.as_deref(), action, &out),
        Command::Split(args) => cmd::split::run(cli.db.as_deref(), args, &out),
        Command::Export(args) => cmd::export::run(cli.db.as_deref(), args, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => out.fail(&err),
    }
}

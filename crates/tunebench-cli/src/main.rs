//! `tunebench`: the command-line face of the Tunebench core (DESIGN.md §8).
//! Exit codes: 0 success, 2 bad input or usage, 1 any other failure.
//! With `--json`, exactly one JSON object goes to stdout; progress goes to stderr.

#[macro_use]
mod output;
mod cmd;

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
    /// Grade a run's answers with an LLM judge (stored with the results).
    Judge(cmd::judge::JudgeArgs),
    /// Draw a run's cost-at-scale chart (crossover, cumulative, tornado) as PNG or SVG.
    Chart(cmd::chart::ChartArgs),
    /// The price catalog: list, import or export prices.
    Prices {
        #[command(subcommand)]
        action: cmd::prices::Action,
    },
    /// Fine-tune jobs at OpenAI, Azure OpenAI, Together and Fireworks: preflight, start,
    /// status, list, cancel. OpenAI closes self-serve fine-tuning to new jobs on 2027-01-06.
    Finetune {
        #[command(subcommand)]
        action: cmd::finetune::Action,
    },
    /// The whole test on this machine, no API key: a local model prompted with few-shot
    /// examples against the same model fine-tuned here with llama.cpp, on a labelled dataset.
    Offline(cmd::offline::OfflineArgs),
    /// Split a dataset into train and held-out test.
    Split(cmd::split::SplitArgs),
    /// The test rows that also sit in train (exactly or once case, spaces and punctuation
    /// are folded), and with `--remove` the train rows that copy them deleted.
    Leakage(cmd::leakage::LeakageArgs),
    /// Export a dataset's split as JSONL, CSV or OpenAI chat fine-tuning JSONL.
    Export(cmd::export::ExportArgs),
    /// Import an experiment file and run every arm over its held-out cases.
    Run {
        /// The experiment file (TOML).
        experiment: PathBuf,
        /// Run without asking, even if the file brings providers, key sources or folders
        /// the store does not know yet (they are still listed on stderr).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        flags: cmd::run::RunFlags,
    },
    /// Choose the best prompting arm A from a grid of candidates on a validation split
    /// carved from train, never on the held-out test cases.
    Search(cmd::search::SearchArgs),
    /// Continue an interrupted run, sending only the cases without a result.
    Resume {
        run_id: i32,
        /// Requests in flight per provider (default: as the run was started).
        #[arg(long, value_name = "N")]
        concurrency: Option<u32>,
        /// A new ceiling on the run's total spend in USD (default: as the run was started).
        #[arg(long, value_name = "USD")]
        budget: Option<f64>,
        /// Also ask again the cases that ended as errors (timeouts, refusals, rate limits).
        #[arg(long)]
        retry_errors: bool,
    },
    /// Run a run's experiment again with one or both arms on another model.
    Rerun {
        run_id: i32,
        /// The new model of an arm, as ARM=MODEL (ARM is a, b or the arm's name); repeat
        /// for both arms. Without it, the same models are run again.
        #[arg(long = "model", value_name = "ARM=MODEL")]
        models: Vec<String>,
        #[command(flatten)]
        flags: cmd::run::RunFlags,
    },
    /// Every run of a run's experiment and its re-runs: metric, p95 latency and cost per
    /// query of each arm over time.
    History { run_id: i32 },
    /// Every metric of both arms with its interval, the comparison and the verdict.
    Report {
        run_id: i32,
        /// A p95 latency budget in ms; each arm passes or fails it.
        #[arg(long, value_name = "MS")]
        latency_budget: Option<f64>,
        /// Write a decision report to share instead of printing the numbers: one
        /// self-contained HTML file, or Markdown with the charts as PNG files beside it.
        #[arg(long, value_enum, requires = "out")]
        format: Option<cmd::report::FormatArg>,
        /// The report file to write (with `--format`).
        #[arg(long, value_name = "FILE", requires = "format")]
        out: Option<PathBuf>,
    },
    /// Providers in the store.
    Provider {
        #[command(subcommand)]
        action: ProviderAction,
    },
}

#[derive(Debug, Subcommand)]
enum ProviderAction {
    /// Send one tiny request and report the latency or the error in plain words.
    Test {
        name: String,
        /// The model to ask (default: the model of the provider's latest arm).
        #[arg(long)]
        model: Option<String>,
    },
    /// Store the provider's API key (read from stdin) in the OS keychain.
    SetKey { name: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = output::Output::new(cli.json);
    let result = match &cli.command {
        Command::Import(args) => cmd::import::run(cli.db.as_deref(), args, &out),
        Command::Datasets => cmd::datasets::run(cli.db.as_deref(), &out),
        Command::Judge(args) => cmd::judge::run(cli.db.as_deref(), args, &out),
        Command::Chart(args) => cmd::chart::run(cli.db.as_deref(), args, &out),
        Command::Prices { action } => cmd::prices::run(cli.db.as_deref(), action, &out),
        Command::Finetune { action } => cmd::finetune::run(cli.db.as_deref(), action, &out),
        Command::Offline(args) => cmd::offline::run(cli.db.as_deref(), args, &out),
        Command::Split(args) => cmd::split::run(cli.db.as_deref(), args, &out),
        Command::Leakage(args) => cmd::leakage::run(cli.db.as_deref(), args, &out),
        Command::Search(args) => cmd::search::run(cli.db.as_deref(), args, &out),
        Command::Export(args) => cmd::export::run(cli.db.as_deref(), args, &out),
        Command::Run {
            experiment,
            yes,
            flags,
        } => cmd::run::run(
            cli.db.as_deref(),
            &cmd::run::Args {
                file: experiment,
                yes: *yes,
                flags,
            },
            &out,
        ),
        Command::Resume {
            run_id,
            concurrency,
            budget,
            retry_errors,
        } => cmd::resume::run(
            cli.db.as_deref(),
            &cmd::resume::Args {
                run_id: *run_id,
                concurrency: *concurrency,
                budget: *budget,
                retry_errors: *retry_errors,
            },
            &out,
        ),
        Command::Rerun {
            run_id,
            models,
            flags,
        } => cmd::rerun::run(
            cli.db.as_deref(),
            &cmd::rerun::Args {
                run_id: *run_id,
                models,
                flags,
            },
            &out,
        ),
        Command::History { run_id } => cmd::history::run(cli.db.as_deref(), *run_id, &out),
        Command::Report {
            run_id,
            latency_budget,
            format,
            out: file,
        } => cmd::report::run(
            cli.db.as_deref(),
            &cmd::report::Args {
                run_id: *run_id,
                latency_budget_p95_ms: *latency_budget,
                document: format.zip(file.clone()),
            },
            &out,
        ),
        Command::Provider {
            action: ProviderAction::Test { name, model },
        } => cmd::provider::test(cli.db.as_deref(), name, model.as_deref(), &out),
        Command::Provider {
            action: ProviderAction::SetKey { name },
        } => cmd::provider::set_key(cli.db.as_deref(), name, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => out.fail(&err),
    }
}

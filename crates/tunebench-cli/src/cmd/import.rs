//! `tunebench import FILE`: imports a test set, showing progress on stderr.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tunebench_core::dataset::{self, Format, ImportOptions, ImportProgress};

use crate::output::Output;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Auto,
    Csv,
    Tsv,
    Jsonl,
    Json,
    /// Any workbook: XLSX, XLS or ODS (told apart by content).
    Xlsx,
    Xls,
    Ods,
    OpenaiChat,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import (CSV, TSV, JSONL, JSON, XLSX/XLS/ODS, OpenAI chat JSONL).
    pub file: PathBuf,
    /// The dataset's name (default: the file's name without extension).
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,
    /// The column holding the input (default: input, prompt, question, text or query).
    #[arg(long, value_name = "COL")]
    pub input_col: Option<String>,
    /// The column holding the expected output (default: expected, label, answer, ...).
    #[arg(long, value_name = "COL")]
    pub expected_col: Option<String>,
    /// The column holding each row's own id (default: id).
    #[arg(long, value_name = "COL")]
    pub id_col: Option<String>,
    /// The file has no header row: columns are named col1, col2, ...
    #[arg(long)]
    pub no_header: bool,
    /// The workbook sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
}

impl FormatArg {
    fn format(self) -> Option<Format> {
        match self {
            FormatArg::Auto => None,
            FormatArg::Csv => Some(Format::Csv),
            FormatArg::Tsv => Some(Format::Tsv),
            FormatArg::Jsonl => Some(Format::Jsonl),
            FormatArg::Json => Some(Format::Json),
            FormatArg::Xlsx => Some(Format::Xlsx),
            FormatArg::Xls => Some(Format::Xls),
            FormatArg::Ods => Some(Format::Ods),
            FormatArg::OpenaiChat => Some(Format::OpenaiChat),
        }
    }
}

pub fn run(db: Option<&Path>, args: &ImportArgs, out: &Output) -> anyhow::Result<()> {
    let conn = super::open_store(db)?;
    let opts = ImportOptions {
        name: args.name.clone(),
        format: args.format.format(),
        input_col: args.input_col.clone(),
        expected_col: args.expected_col.clone(),
        id_col: args.id_col.clone(),
        no_header: args.no_header,
        sheet: args.sheet.clone(),
    };
    let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {percent:>3}% {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut on_progress = |p: &ImportProgress| {
        bar.set_position(p.percent as u64);
        bar.set_message(format!("{} rows", p.rows));
    };
    let cancel = AtomicBool::new(false);
    let outcome = dataset::import(&conn, &args.file, &opts, &mut on_progress, &cancel);
    bar.finish_and_clear();
    let outcome = outcome?;
    if out.json {
        return out.print_json(&outcome);
    }
    let r = &outcome.report;
    say!(
        "Imported {} rows into dataset `{}` (id {}) from {} ({}, {}).",
        outcome.rows,
        outcome.name,
        outcome.dataset_id,
        args.file.display(),
        outcome.format.as_str(),
        r.encoding
    )?;
    say!(
        "  input: `{}`, expected: `{}`, train {} / test {} / unassigned {}",
        outcome.column_map.input,
        outcome.column_map.expected.as_deref().unwrap_or("(none)"),
        r.train_rows,
        r.test_rows,
        r.unassigned_rows
    )?;
    say!(
        "  empty inputs {}, empty expected {}, duplicate rows {}, input tokens p50 {} / max {} ({})",
        r.empty_inputs, r.empty_expected, r.duplicate_rows, r.input_tokens.p50, r.input_tokens.max,
        r.token_estimate
    )?;
    if r.labelled {
        let labels: Vec<String> = r
            .labels
            .iter()
            .map(|l| format!("{} {}", l.label, l.count))
            .collect();
        say!("  labels: {}", labels.join(", "))?;
    }
    for w in &r.warnings {
        say!("  warning: {}", w.message)?;
    }
    Ok(())
}

//! `tunebench search EXPERIMENT.toml --grid GRID.toml`: imports the experiment file,
//! carves a validation split when the dataset has none, estimates the candidates' calls
//! and cost, runs them over the validation split only (successive halving for large
//! grids), and makes the chosen candidate arm A; the held-out test run is left pending.
//! `tunebench search --resume SEARCH_ID` carries on a search that was stopped.

use std::path::Path;

use serde_json::json;
use tunebench_core::search::{self, PreparedSearch, SearchOptions, SearchOutcome};
use tunebench_core::{chart, experiment, store};

use crate::output::Output;

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The experiment file (TOML); the search varies its arm A.
    #[arg(required_unless_present = "resume")]
    pub experiment: Option<std::path::PathBuf>,
    /// The grid file (TOML): the candidates' system prompts, few-shot settings, retrieval,
    /// models and temperatures.
    #[arg(long, required_unless_present = "resume")]
    pub grid: Option<std::path::PathBuf>,
    /// Carry on a stopped search (cancelled or out of budget) instead of starting one.
    #[arg(long, value_name = "SEARCH_ID", conflicts_with_all = ["experiment", "grid"])]
    pub resume: Option<i32>,
    /// Run without asking, even if the experiment file brings providers, key sources or
    /// folders the store does not know yet (they are still listed on stderr).
    #[arg(long)]
    pub yes: bool,
    /// Requests in flight per provider (overrides each provider's max_concurrency).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<u32>,
    /// Do not answer from, nor fill, the response cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Carve a validation split even though an experiment already uses the dataset.
    #[arg(long)]
    pub force_validation: bool,
    /// Also draw the candidates (metric against cost per query, the chosen one marked) to
    /// this file: SVG when it ends in .svg, PNG otherwise.
    #[arg(long, value_name = "PATH")]
    pub chart: Option<std::path::PathBuf>,
}

pub fn run(db: Option<&Path>, args: &SearchArgs, out: &Output) -> anyhow::Result<()> {
    if let Some(c) = args.concurrency {
        anyhow::ensure!(c > 0, "--concurrency must be at least 1");
    }
    let client = super::run::client_in_background();
    let db_path = super::store_path(db)?;
    let conn = store::open(&db_path)?;
    let opts = SearchOptions {
        concurrency: args.concurrency,
        no_cache: args.no_cache,
        force_validation: args.force_validation,
    };
    let prepared = match (&args.experiment, &args.grid, args.resume) {
        (_, _, Some(id)) => search::reopen(&conn, id)?,
        (Some(exp), Some(grid), None) => {
            let loaded = experiment::file::load(exp)?;
            let grid = search::load_grid(grid, &loaded.file)?;
            let confirmed = super::run::confirm(&experiment::review(&conn, &loaded)?, args.yes)?;
            search::prepare(&conn, &loaded, &grid, confirmed.as_deref(), &opts)?
        }
        _ => anyhow::bail!("give EXPERIMENT.toml and --grid GRID.toml, or --resume SEARCH_ID"),
    };
    describe(&prepared);
    drop(conn);
    let client = client
        .join()
        .map_err(|_| anyhow::anyhow!("building the HTTP client failed"))??;
    let mut printer = super::run::ProgressPrinter::new();
    let (id, on_event) = (prepared.search_id, &mut |e| printer.event(e));
    let env = |v: &str| std::env::var(v).ok();
    let outcome =
        super::until_ctrl_c(|cancel| search::start(&db_path, id, client, cancel, env, on_event))?;
    if let Some(path) = &args.chart {
        let spec = search::chart::spec(&prepared.candidates, &outcome, chart::ChartStyle::SLIDE);
        let bytes = chart::render_for_path(&spec, path)?;
        std::fs::write(path, bytes)
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
        eprintln!("chart of the candidates written to {}", path.display());
    }
    if out.json {
        return out.print_json(&json!({
            "search_id": outcome.search_id,
            "experiment_id": outcome.experiment_id,
            "run_id": outcome.run_id,
            "test_run_id": outcome.test_run_id,
            "status": outcome.status,
            "primary_metric": outcome.primary_metric,
            "candidates": prepared.candidates,
            "validation_cases": outcome.validation_cases,
            "carved": prepared.carved,
            "rule": outcome.rule,
            "estimate": prepared.estimate,
            "rungs": outcome.rungs,
            "chosen": outcome.chosen,
            "calls_full": outcome.calls_full,
            "calls_made": outcome.calls_made,
            "spend_usd": outcome.spend_usd,
            "sentence": outcome.sentence,
        }));
    }
    print_outcome(&prepared, &outcome)
}

/// The estimate on stderr before the first call.
fn describe(p: &PreparedSearch) {
    if let Some(c) = &p.carved {
        eprintln!(
            "carved a validation split: {} rows from train ({} train rows left, {} test rows \
             untouched){}",
            c.validation_rows,
            c.train_rows,
            c.test_rows,
            if c.stratified {
                ", stratified by label"
            } else {
                ""
            }
        );
    }
    let e = &p.estimate;
    let cost =
        |c: Option<f64>| c.map_or("cost unknown (no prices)".into(), |c| format!("≤ ${c:.4}"));
    eprintln!(
        "search {}: {} candidates × {} validation cases = {} calls for the full grid, ~{:.0} \
         input tokens, ≤ {:.0} output tokens, {}",
        p.search_id,
        p.candidates.len(),
        p.validation_cases,
        e.calls_full,
        e.input_tokens_full,
        e.max_output_tokens_full,
        cost(e.cost_full_usd)
    );
    if p.rungs.len() > 1 {
        let rungs: Vec<String> = p
            .rungs
            .iter()
            .map(|r| format!("{} on {}", r.candidates, r.cases))
            .collect();
        eprintln!(
            "  successive halving ({}): {} calls, {}",
            rungs.join(", "),
            e.calls_planned,
            cost(e.cost_planned_max_usd)
        );
    }
    if !e.unpriced_candidates.is_empty() && e.cost_full_usd.is_some() {
        eprintln!("  no price for {}", e.unpriced_candidates.join(", "));
    }
    match p.max_spend_usd {
        Some(s) => eprintln!("  spend ceiling: ${s:.4}"),
        None => eprintln!("  no spend ceiling (set max_spend_usd in the grid)"),
    }
}

fn print_outcome(p: &PreparedSearch, o: &SearchOutcome) -> anyhow::Result<()> {
    say!("search {}: {}", o.search_id, o.status.as_str())?;
    let Some(last) = o.rungs.last() else {
        return Ok(());
    };
    say!(
        "{:<4} {:<48} {:>6} {:>8} {:>17} {:>12}",
        "#",
        "CANDIDATE",
        "N",
        o.primary_metric.to_uppercase(),
        "95 % INTERVAL",
        "$/QUERY"
    )?;
    for c in &last.ranked {
        let label = &p.candidates[c.index as usize].label;
        say!(
            "{:<4} {:<48} {:>6} {:>8} {:>17} {:>12}",
            c.index + 1,
            crate::output::printable(label),
            c.n,
            c.mean.map_or("-".into(), |m| format!("{m:.3}")),
            c.interval
                .map_or("-".into(), |i| format!("[{:.3}, {:.3}]", i.low, i.high)),
            c.cost_per_query.map_or("-".into(), |c| format!("{c:.6}"))
        )?;
    }
    say!(
        "calls: {} of {} for the full grid; spent ${:.4}",
        o.calls_made,
        o.calls_full,
        o.spend_usd
    )?;
    if let Some(s) = &o.sentence {
        say!("{}", crate::output::printable(s))?;
    }
    if let Some(t) = o.test_run_id {
        say!("arm A of experiment {} is now the chosen candidate; run it on the held-out test cases with: tunebench resume {t}", o.experiment_id)?;
    }
    Ok(())
}

//! `tunebench run EXPERIMENT.toml`: imports the experiment file, estimates the calls and
//! cost, runs both arms with progress on stderr, and prints the per-arm figures.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use tunebench_core::money::usd;
use tunebench_core::run::{self, Estimate, Plan, Progress, RunOptions, RunSummary};
use tunebench_core::{experiment, provider, store};

use crate::output::Output;

pub struct Args<'a> {
    pub file: &'a Path,
    /// Confirmed beforehand: do not ask.
    pub yes: bool,
    pub flags: &'a RunFlags,
}

/// How a new run is sent; shared by `run` and `rerun`.
#[derive(Debug, clap::Args)]
pub struct RunFlags {
    /// Requests in flight per provider (overrides each provider's max_concurrency).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<u32>,
    /// Do not answer from, nor fill, the response cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Stop cleanly once this many USD have been spent.
    #[arg(long, value_name = "USD")]
    pub budget: Option<f64>,
    /// Send the cases through the providers' batch APIs (OpenAI, Azure OpenAI, Anthropic):
    /// about half the price, up to 24 hours. Polls until done; `resume` continues it later.
    #[arg(long)]
    pub batch: bool,
    /// With --batch: cases the batch errors or lets expire are asked again live (`live`)
    /// or kept as errors (`error`).
    #[arg(
        long,
        value_name = "live|error",
        requires = "batch",
        default_value = "live"
    )]
    pub on_batch_failure: String,
    /// With --batch: cases per arm sent live to measure latency (seeded).
    #[arg(long, value_name = "N", requires = "batch", default_value_t = tunebench_core::run::batch::DEFAULT_LATENCY_SAMPLE)]
    pub latency_sample: u32,
}

impl RunFlags {
    pub fn options(&self) -> anyhow::Result<RunOptions> {
        if let Some(c) = self.concurrency {
            anyhow::ensure!(c > 0, "--concurrency must be at least 1");
        }
        Ok(RunOptions {
            concurrency: self.concurrency,
            use_cache: !self.no_cache,
            budget_usd: self.budget,
        })
    }

    /// The batch settings asked for, or `None` for a live run.
    pub fn batch_settings(&self) -> anyhow::Result<Option<run::batch::BatchSettings>> {
        if !self.batch {
            return Ok(None);
        }
        let on_failure = run::batch::OnFailure::parse(&self.on_batch_failure).ok_or_else(|| {
            tunebench_core::Error::Invalid(format!(
                "--on-batch-failure {:?}: use live or error",
                self.on_batch_failure
            ))
        })?;
        Ok(Some(run::batch::BatchSettings {
            on_failure,
            latency_sample: self.latency_sample,
        }))
    }
}

/// Builds the HTTP client on a side thread: TLS setup (loading the system's root
/// certificates) takes a few hundred ms and overlaps with reading the store.
pub fn client_in_background() -> std::thread::JoinHandle<tunebench_core::Result<reqwest::Client>> {
    std::thread::spawn(provider::http_client)
}

pub fn run(db: Option<&Path>, args: &Args<'_>, out: &Output) -> anyhow::Result<()> {
    let client = client_in_background();
    let db_path = super::store_path(db)?;
    let conn = store::open(&db_path)?;
    let loaded = experiment::file::load(args.file)?;
    let confirmed = confirm(&experiment::review(&conn, &loaded)?, args.yes)?;
    let options = args.flags.options()?;
    let batch = args.flags.batch_settings()?;
    let plan = match &batch {
        Some(s) => {
            run::batch::create_from_file(&conn, args.file, confirmed.as_deref(), &options, s)?
        }
        None => run::create_from_file(&conn, args.file, confirmed.as_deref(), &options)?,
    };
    drop(conn);
    execute(&db_path, plan, client, out, "run")
}

/// Before a file's first run: shows on stderr what it would do and, when it brings
/// anything the store does not know, asks on the terminal (or takes `--yes`). Returns the
/// fingerprint confirmed, if any; refuses without a terminal to ask on.
pub(crate) fn confirm(
    review: &experiment::FileReview,
    yes: bool,
) -> anyhow::Result<Option<String>> {
    use std::io::{BufRead, IsTerminal, Write};
    if !review.needs_confirmation {
        return Ok(None);
    }
    for line in review.lines() {
        eprintln!("{}", crate::output::printable(&line));
    }
    if yes {
        return Ok(Some(review.fingerprint.clone()));
    }
    let refuse = |why: &str| -> anyhow::Result<Option<String>> {
        Err(tunebench_core::Error::Invalid(format!(
            "{}: not run, {why}; check the providers, keys and folders above, then answer \
             yes in a terminal or pass --yes",
            review.file
        ))
        .into())
    };
    if !std::io::stdin().is_terminal() {
        return refuse("there is no terminal to ask whether it may run");
    }
    eprint!("Run it? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(Some(review.fingerprint.clone()))
    } else {
        refuse("you did not confirm")
    }
}

/// Estimates, executes and reports `plan`; shared by `run` and `resume`.
pub fn execute(
    db_path: &Path,
    plan: Plan,
    client: std::thread::JoinHandle<tunebench_core::Result<reqwest::Client>>,
    out: &Output,
    verb: &str,
) -> anyhow::Result<()> {
    let run_id = plan.run.id;
    if let Some(settings) = run::batch::settings(&store::open(db_path)?, run_id)? {
        return super::batch::execute(db_path, plan, settings, client, out, verb);
    }
    // An arm's own price wins; otherwise the catalog prices it (never a silent $0).
    let prices = Arc::new(run::CatalogPrices::load(&store::open(db_path)?)?);
    // Keys (environment or keychain) are looked up while the estimate is computed.
    let key_lookup = {
        let plan = plan.clone();
        std::thread::spawn(move || run::keys::for_plan(&plan, |v| std::env::var(v).ok()))
    };
    // The token count needs the tokenizer loaded (~0.3 s): with a budget the estimate is
    // shown before the first call; otherwise it is computed alongside the first calls.
    eprintln!("{verb} {run_id}: {} calls to send", plan.pending().len());
    let estimate_job = {
        let plan = plan.clone();
        let prices = Arc::clone(&prices);
        std::thread::spawn(move || {
            let e = run::estimate(&plan, prices.as_ref());
            if let Ok(e) = &e {
                eprintln!("  estimate: {}", describe_estimate(e));
            }
            e
        })
    };
    let mut estimate_job = Some(estimate_job);
    let mut estimate = None;
    if plan.options.budget_usd.is_some() {
        estimate = estimate_job.take().map(join_estimate).transpose()?;
    }
    let (keys, warnings) = key_lookup
        .join()
        .map_err(|_| anyhow::anyhow!("looking up the API keys failed"))?;
    for w in warnings {
        eprintln!("warning: {}", crate::output::printable(&w));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cancel = CancellationToken::new();
    let client = client
        .join()
        .map_err(|_| anyhow::anyhow!("building the HTTP client failed"))??;
    let ctx = run::prepare::context(db_path, &plan, client, keys, prices, cancel.clone());
    let mut printer = ProgressPrinter::new();
    let outcome = runtime.block_on(async {
        let on_signal = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling: waiting for the results already received to be saved");
                on_signal.cancel();
            }
        });
        run::execute(&ctx, plan, &mut |p: &Progress| printer.print(p)).await
    })?;
    let estimate = match (estimate, estimate_job) {
        (Some(e), _) => e,
        (None, Some(job)) => join_estimate(job)?,
        (None, None) => anyhow::bail!("the pre-run estimate was lost"),
    };
    let conn = store::open(db_path)?;
    let summary = run::summarize(&conn, db_path, run_id)?;
    if out.json {
        return out.print_json(&summary_json(&summary, &estimate, outcome.spend_usd));
    }
    print_summary(&summary, outcome.spend_usd)
}

fn join_estimate(
    job: std::thread::JoinHandle<tunebench_core::Result<Estimate>>,
) -> anyhow::Result<Estimate> {
    Ok(job
        .join()
        .map_err(|_| anyhow::anyhow!("the pre-run estimate failed"))??)
}

pub(super) fn describe_estimate(e: &Estimate) -> String {
    let input: f64 = e.arms.iter().map(|a| a.input_tokens).sum();
    let output: f64 = e.arms.iter().map(|a| a.max_output_tokens).sum();
    let cost = match e.cost_usd {
        Some(c) => format!("estimated cost ≤ {}", usd(c)),
        None => "no prices, cost unknown".to_string(),
    };
    let unpriced = if e.unpriced_arms.is_empty() || e.cost_usd.is_none() {
        String::new()
    } else {
        format!(" (no price for {})", e.unpriced_arms.join(", "))
    };
    format!(
        "{} calls, ~{:.0} input tokens, ≤ {:.0} output tokens, {cost}{unpriced}",
        e.calls, input, output
    )
}

/// The `--json` object: `run_id`, `status`, and per arm `n`, `errors`, the primary metric
/// (under its own name and as `metric`), latency percentiles and `cost_per_query`.
pub fn summary_json(s: &RunSummary, estimate: &Estimate, spend: f64) -> Value {
    let arms: Vec<Value> = s
        .arms
        .iter()
        .map(|a| {
            let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
            v[s.primary_metric.as_str()] = json!(a.metric);
            v
        })
        .collect();
    json!({
        "run_id": s.run_id,
        "status": s.status,
        "primary_metric": s.primary_metric,
        "estimate": estimate,
        "spend_usd": spend,
        "arms": arms,
    })
}

pub(super) fn print_summary(s: &RunSummary, spend: f64) -> anyhow::Result<()> {
    say!("run {}: {}", s.run_id, s.status.as_str())?;
    say!(
        "{:<20} {:>6} {:>6} {:>9} {:>9} {:>9} {:>12}",
        "ARM",
        "N",
        "ERRORS",
        s.primary_metric.to_uppercase(),
        "P50 MS",
        "P95 MS",
        "$/QUERY"
    )?;
    let opt = |v: Option<f64>, prec: usize| v.map_or("-".to_string(), |x| format!("{x:.prec$}"));
    for a in &s.arms {
        say!(
            "{:<20} {:>6} {:>6} {:>9} {:>9} {:>9} {:>12}",
            a.name,
            a.n,
            a.errors,
            opt(a.metric, 3),
            opt(a.latency_ms_p50, 0),
            opt(a.latency_ms_p95, 0),
            opt(a.cost_per_query, 6)
        )?;
        for e in &a.errors_by_class {
            say!("{:<20}   {} × {}", "", e.count, e.class)?;
        }
    }
    say!("spent on calls by this run: {}", usd(spend))
}

/// Progress on stderr, one line at most every half second.
pub(crate) struct ProgressPrinter {
    last: Option<Instant>,
}

impl ProgressPrinter {
    pub(crate) fn new() -> Self {
        Self { last: None }
    }

    /// A run event: its warnings on stderr, its progress as [`Self::print`].
    pub(crate) fn event(&mut self, e: run::RunEvent) {
        match e {
            run::RunEvent::Warnings { warnings } => {
                for w in warnings {
                    eprintln!("warning: {}", crate::output::printable(&w));
                }
            }
            run::RunEvent::Progress { progress } => self.print(&progress),
        }
    }

    pub(crate) fn print(&mut self, p: &Progress) {
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_millis(500))
        {
            return;
        }
        self.last = Some(Instant::now());
        let arms: Vec<String> = p
            .arms
            .iter()
            .map(|a| {
                let metric = a
                    .metric
                    .map_or(String::new(), |m| format!(", {} {m:.3}", p.metric_name));
                format!(
                    "{} {}/{} ({} errors{metric})",
                    a.name, a.done, a.total, a.errors
                )
            })
            .collect();
        let eta = p.eta_s.map_or(String::new(), |e| format!(", ETA {e:.0} s"));
        eprintln!(
            "  {} | {} | {:.1} s{eta}",
            crate::output::printable(&arms.join(" | ")),
            usd(p.spend_usd),
            p.elapsed_s
        );
    }
}

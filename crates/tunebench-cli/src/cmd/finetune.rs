//! `tunebench finetune preflight|start|status|list|cancel`: fine-tune jobs at OpenAI,
//! Azure OpenAI, Together and Fireworks, one core call each.

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use tunebench_core::finetune::flow::{self, Context, StartRequest};
use tunebench_core::finetune::preflight::Severity;
use tunebench_core::finetune::{
    self, FineTuneJob, Hyperparameters, PreflightReport, PreflightRequest, Trainer, OPENAI_CLOSES,
};
use tunebench_core::finetune::{compare, watch};
use tunebench_core::run::RunOptions;
use tunebench_core::{money, store, Error};

use crate::output::Output;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TrainerArg {
    Openai,
    AzureOpenai,
    Together,
    Fireworks,
}

impl TrainerArg {
    fn trainer(self) -> Trainer {
        match self {
            TrainerArg::Openai => Trainer::OpenAi,
            TrainerArg::AzureOpenai => Trainer::AzureOpenAi,
            TrainerArg::Together => Trainer::Together,
            TrainerArg::Fireworks => Trainer::Fireworks,
        }
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The dataset's name or id; its train split is what is trained on.
    #[arg(long)]
    pub dataset: String,
    /// The arm whose system prompt and template render the examples (its id).
    #[arg(long)]
    pub arm: i32,
    #[arg(long, value_enum)]
    pub trainer: TrainerArg,
    /// The base model to fine-tune, as the provider names it.
    #[arg(long)]
    pub base_model: String,
    #[arg(long)]
    pub epochs: Option<u32>,
    /// OpenAI / Azure: a multiplier of the provider's learning rate.
    #[arg(long)]
    pub learning_rate_multiplier: Option<f64>,
    /// Together / Fireworks: the learning rate itself.
    #[arg(long)]
    pub learning_rate: Option<f64>,
    #[arg(long)]
    pub batch_size: Option<u32>,
    #[arg(long)]
    pub lora_rank: Option<u32>,
    /// Together: train every weight instead of a LoRA adapter.
    #[arg(long)]
    pub full: bool,
    #[arg(long)]
    pub suffix: Option<String>,
    /// The most to spend on training, USD: above it Start is refused.
    #[arg(long)]
    pub ceiling: Option<f64>,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Check the training file a train split becomes, and estimate the training cost.
    Preflight(PlanArgs),
    /// Preflight, upload and create the job at the provider.
    Start {
        #[command(flatten)]
        plan: PlanArgs,
        /// The provider (by name) whose key is used and that serves the result.
        #[arg(long)]
        provider: String,
        /// Fireworks: the account id.
        #[arg(long)]
        fireworks_account: Option<String>,
        /// Azure OpenAI: the deployment the fine-tune will be served under: a name you made,
        /// or its full resource ID (/subscriptions/…/deployments/NAME) for Tunebench to
        /// create it with the Entra token in AZURE_MANAGEMENT_TOKEN.
        #[arg(long)]
        azure_deployment: Option<String>,
    },
    /// Poll job ID (or every live job) once and show it; a finished job becomes an arm.
    Status {
        id: Option<i32>,
        /// Keep polling job ID (with each job's backoff) until it ends, printing each change.
        #[arg(long, requires = "id")]
        watch: bool,
    },
    /// Every job, newest first, as stored (no provider is asked).
    List,
    /// Ask the provider to cancel job ID.
    Cancel { id: i32 },
    /// Prepare the run comparing finished job ID's source arm with its fine-tuned arm on
    /// the test split (the experiment is made once, then reused) and show its estimate.
    Compare { id: i32 },
    /// Fine-tune on this machine with llama.cpp (`--model MODEL.gguf`, or the default
    /// SmolLM2-135M-Instruct); the result becomes a fine-tuned arm on the local provider.
    Local(super::finetune_local::StartLocal),
}

fn request(conn: &store::Connection, a: &PlanArgs) -> anyhow::Result<PreflightRequest> {
    let dataset_id = store::dataset::find(conn, &a.dataset)?.ok_or_else(|| Error::NotFound {
        entity: "dataset",
        key: "name or id",
        value: a.dataset.clone(),
    })?;
    Ok(PreflightRequest {
        dataset_id,
        arm_id: a.arm,
        trainer: a.trainer.trainer(),
        base_model: a.base_model.clone(),
        hyperparameters: Hyperparameters {
            epochs: a.epochs,
            learning_rate_multiplier: a.learning_rate_multiplier,
            learning_rate: a.learning_rate,
            batch_size: a.batch_size,
            lora_rank: a.lora_rank,
            full: a.full,
            suffix: a.suffix.clone(),
            ..Hyperparameters::default()
        },
        spend_ceiling: a.ceiling,
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub fn run(db: Option<&Path>, action: &Action, out: &Output) -> anyhow::Result<()> {
    // Each action opens the store itself, once: `local` and the core's job flow open their
    // own connection, so one opened here would be a second.
    let open = || super::open_store(db);
    let ctx = || -> anyhow::Result<Context> {
        Ok(Context::new(
            &super::store_path(db)?,
            tunebench_core::provider::http_client()?,
        ))
    };
    match action {
        Action::Preflight(plan) => {
            let conn = open()?;
            let report = finetune::preflight(&conn, &request(&conn, plan)?)?;
            if out.json {
                return out.print_json(&report);
            }
            print_preflight(&report)
        }
        Action::Start {
            plan,
            provider,
            fireworks_account,
            azure_deployment,
        } => {
            let conn = open()?;
            let req = StartRequest {
                preflight: request(&conn, plan)?,
                provider_id: store::provider::get_by_name(&conn, provider)?.id,
                fireworks_account: fireworks_account.clone(),
                azure_deployment: azure_deployment.clone(),
            };
            let ctx = ctx()?;
            let job = runtime()?.block_on(flow::start(&ctx, &req))?;
            if out.json {
                return out.print_json(&job);
            }
            print_job(&job)?;
            say!("Follow it with `tunebench finetune status {}`.", job.id)?;
            Ok(())
        }
        Action::Status {
            id: Some(id),
            watch: true,
        } => {
            let ctx = ctx()?;
            let mut printed = Ok(());
            let job = runtime()?.block_on(watch::follow(&ctx, *id, |j| {
                if printed.is_ok() && !out.json {
                    printed = print_job(j);
                }
            }))?;
            printed?;
            if out.json {
                return out.print_json(&job);
            }
            Ok(())
        }
        Action::Status { id, .. } => {
            let ctx = ctx()?;
            let jobs = match id {
                Some(id) => vec![runtime()?.block_on(flow::poll(&ctx, *id))?],
                None => runtime()?.block_on(flow::poll_live(&ctx))?,
            };
            print_jobs(&jobs, out)
        }
        Action::List => print_jobs(&store::fine_tune::list(&open()?)?, out),
        Action::Compare { id } => {
            let conn = open()?;
            let c = compare::prepare(&conn, *id, &RunOptions::default())?;
            if out.json {
                return out.print_json(&c);
            }
            let e = &c.prepared.estimate;
            say!(
                "Experiment {} ({}) compares job {id}'s source arm with its fine-tuned arm on the test split.",
                c.experiment_id,
                if c.reused { "made earlier" } else { "new" }
            )?;
            say!(
                "Run {}: {} calls, {}.",
                c.prepared.run_id,
                e.calls,
                e.cost_usd.map_or("cost unknown".to_string(), |x| format!(
                    "estimated cost up to {}",
                    money::usd(x)
                ))
            )?;
            say!(
                "Start it with `tunebench resume {} --budget USD` (the budget stops it at that spend).",
                c.prepared.run_id
            )?;
            Ok(())
        }
        Action::Local(args) => super::finetune_local::run(db, args, out),
        Action::Cancel { id } => {
            let ctx = ctx()?;
            let job = runtime()?.block_on(flow::cancel(&ctx, *id))?;
            if out.json {
                return out.print_json(&job);
            }
            print_job(&job)
        }
    }
}

fn print_preflight(r: &PreflightReport) -> anyhow::Result<()> {
    say!(
        "{} examples for {} {}; the largest holds {} tokens; the file is {} bytes.",
        r.examples,
        r.trainer.label(),
        r.base_model,
        money::count(f64::from(r.max_example_tokens)),
        money::count(r.file_bytes)
    )?;
    say!("Tokens are {}.", r.token_method.describe())?;
    say!("Estimate: {}.", r.estimate.sentence())?;
    for f in &r.findings {
        let tag = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        say!("  {tag}: {}", f.message)?;
    }
    if !r.labels.is_empty() {
        let shares: Vec<String> = r
            .labels
            .iter()
            .map(|l| format!("{} {}", l.label, l.count))
            .collect();
        say!("Labels: {}.", shares.join(", "))?;
    }
    say!(
        "{}",
        if r.ok {
            "Ready to start."
        } else {
            "Start is refused until the errors above are fixed."
        }
    )?;
    Ok(())
}

fn print_jobs(jobs: &[FineTuneJob], out: &Output) -> anyhow::Result<()> {
    if out.json {
        return out.print_json(&serde_json::json!({ "jobs": jobs }));
    }
    if jobs.is_empty() {
        say!("No fine-tune jobs.")?;
    }
    for j in jobs {
        print_job(j)?;
    }
    Ok(())
}

fn print_job(j: &FineTuneJob) -> anyhow::Result<()> {
    say!(
        "job {}: {} {} at {} ({}), {} examples",
        j.id,
        j.status.as_str(),
        j.base_model,
        j.trainer.label(),
        j.provider_job_id.as_deref().unwrap_or("not created"),
        j.example_count.unwrap_or(0)
    )?;
    if let Some(m) = &j.result_model {
        say!("  model: {m}")?;
    }
    if let Some((step, loss)) = j.losses().last() {
        say!("  training loss {loss} at step {step}")?;
    }
    if let (Some(c), Some(src)) = (j.training_cost, j.training_cost_source) {
        say!(
            "  training cost: {} ({}, {} trained tokens)",
            money::usd(c),
            src.as_str().replace('_', " "),
            money::count(j.trained_tokens.unwrap_or(0.0))
        )?;
    } else if let Some(e) = j.estimated_cost {
        say!("  estimated training cost: {}", money::usd(e))?;
    }
    if let Some(s) = j.wall_seconds {
        say!("  wall time: {} s", money::count(s))?;
    }
    if let Some(a) = j.result_arm_id {
        say!("  arm {a} is ready to compare")?;
    }
    if let Some(e) = &j.error_message {
        say!("  error: {e}")?;
    }
    if j.poll_failures > 0 {
        say!(
            "  the last {} polls failed; the next waits until {}",
            j.poll_failures,
            j.next_poll_at.as_deref().unwrap_or("now")
        )?;
    }
    if j.trainer == Trainer::OpenAi {
        say!("  note: OpenAI closes self-serve fine-tuning to new jobs on {OPENAI_CLOSES}.")?;
    }
    Ok(())
}

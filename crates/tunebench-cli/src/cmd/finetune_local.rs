//! `tunebench finetune local [--model MODEL.gguf] --dataset NAME --arm ARM`: fine-tunes a GGUF
//! model on this machine with llama.cpp over the dataset's train split, rendered with the
//! arm's prompt; progress (step, loss, ETA) on stderr; on success, prints the job, the
//! fine-tuned arm registered on the local provider, and the measured time and cost.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio_util::sync::CancellationToken;
use tunebench_core::finetune::local::{self, LocalEvent, LocalOptions};
use tunebench_core::finetune::local_job::{self, LocalJobRequest};
use tunebench_core::{provider, store};

use crate::output::Output;

#[derive(Debug, clap::Args)]
pub struct StartLocal {
    /// Train this GGUF model on this machine (llama.cpp); without a file, the default
    /// SmolLM2-135M-Instruct that `scripts/local-llm.sh` fetches.
    #[arg(long, value_name = "MODEL.gguf")]
    pub model: Option<PathBuf>,
    /// The dataset (name or id) whose train split is trained on.
    #[arg(long)]
    pub dataset: String,
    /// The arm (id or name) whose system prompt and template render the examples; the
    /// fine-tuned arm prompts the same way.
    #[arg(long)]
    pub arm: String,
    /// Passes over the training text.
    #[arg(long, default_value_t = local::DEFAULT_EPOCHS)]
    pub epochs: u32,
    /// AdamW's learning rate.
    #[arg(long, default_value_t = local::DEFAULT_LEARNING_RATE)]
    pub learning_rate: f64,
    /// Tokens per training window.
    #[arg(long, default_value_t = local::DEFAULT_CONTEXT)]
    pub context: u32,
    /// The result's type for serving (Q8_0, or e.g. the base model's Q4_1; F32 keeps it whole).
    #[arg(long, default_value = local::DEFAULT_QUANTISATION)]
    pub quantisation: String,
    /// Train on a seeded sample of this many train rows instead of all.
    #[arg(long, value_name = "N")]
    pub max_examples: Option<u32>,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// What an hour of this machine costs, USD: the training cost is the wall time × this,
    /// and local arms' answers are priced at it too. Stored for later runs; without it,
    /// the stored value ($0 until one is set).
    #[arg(long, value_name = "USD")]
    pub machine_cost_per_hour: Option<f64>,
}

fn arm_id(conn: &store::Connection, key: &str) -> anyhow::Result<i32> {
    if let Ok(id) = key.parse::<i32>() {
        return Ok(store::arm::get(conn, id)?.id);
    }
    store::arm::list(conn)?
        .into_iter()
        .filter(|a| a.name == key)
        .map(|a| a.id)
        .max()
        .ok_or_else(|| {
            tunebench_core::Error::Invalid(format!("--arm: no arm named {key:?} in the store"))
                .into()
        })
}

fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

pub fn run(db: Option<&Path>, args: &StartLocal, out: &Output) -> anyhow::Result<()> {
    let db_path = super::store_path(db)?;
    let conn = store::open(&db_path)?;
    let base_model = match args.model.as_deref() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => provider::local::default_model()?,
    };
    let dataset_id = store::experiment::dataset_id(&conn, &args.dataset)?.ok_or_else(|| {
        tunebench_core::Error::Invalid(format!(
            "--dataset: no dataset {:?} in the store",
            args.dataset
        ))
    })?;
    let mut options = LocalOptions::new(&base_model, PathBuf::new());
    options.epochs = args.epochs;
    options.learning_rate = args.learning_rate;
    options.context = args.context;
    options.quantisation = args.quantisation.clone();
    if let Some(usd) = args.machine_cost_per_hour {
        store::setting::set_machine_cost_per_hour(&conn, usd)?;
    }
    options.machine_cost_per_hour = store::setting::machine_cost_per_hour(&conn)?;
    let request = LocalJobRequest {
        dataset_id,
        source_arm_id: arm_id(&conn, &args.arm)?,
        options,
        max_examples: args.max_examples,
        seed: args.seed,
    };
    let (job_id, examples) = local_job::create(&conn, &request)?;
    drop(conn);
    eprintln!(
        "fine-tune job {job_id}: {} examples on {} (llama.cpp, this machine)",
        examples.len(),
        base_model.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let client = provider::http_client()?;
    let cancel = CancellationToken::new();
    let mut last_print = Instant::now() - Duration::from_secs(60);
    let mut on_event = move |e: &LocalEvent| match e {
        LocalEvent::Step { step, detail } => {
            eprintln!("{}: {}", step.as_str(), crate::output::printable(detail));
        }
        LocalEvent::Progress { epoch, progress: p } => {
            let end = p.done == p.total;
            if end || last_print.elapsed() > Duration::from_secs(5) {
                last_print = Instant::now();
                eprintln!(
                    "{} epoch {}: window {}/{}, loss {:.4}, elapsed {}, ETA {}",
                    if p.train { "train" } else { "validation" },
                    epoch + 1,
                    p.done,
                    p.total,
                    p.loss,
                    clock(p.elapsed_s),
                    clock(p.eta_s)
                );
            }
        }
    };
    let result = runtime.block_on(async {
        let on_signal = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling the fine-tune");
                on_signal.cancel();
            }
        });
        local_job::execute(
            &db_path,
            &client,
            job_id,
            &request,
            &examples,
            &cancel,
            &mut on_event,
        )
        .await
    })?;
    let o = &result.outcome;
    if out.json {
        return out.print_json(&json!({
            "job_id": result.job_id,
            "arm_id": result.arm_id,
            "arm": result.arm_name,
            "model": o.model,
            "quantisation": o.quantisation,
            "examples": o.examples,
            "tokens": o.tokens,
            "windows": o.windows,
            "first_loss": o.first_loss,
            "epoch_losses": o.epoch_losses,
            "train_seconds": o.train_seconds,
            "wall_seconds": o.wall_seconds,
            "machine_cost_per_hour": o.machine_cost_per_hour,
            "training_cost_usd": o.training_cost_usd,
            "check_answer": o.check_answer,
        }));
    }
    say!(
        "fine-tune job {} succeeded: arm {} ({:?}) serves {}",
        result.job_id,
        result.arm_id,
        result.arm_name,
        o.model
    )?;
    say!(
        "{} examples, {} tokens, {} windows of {} tokens per epoch; loss {:.4} at the first window, {} per epoch",
        o.examples,
        o.tokens,
        o.windows,
        args.context,
        o.first_loss,
        o.epoch_losses
            .iter()
            .map(|l| format!("{l:.4}"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    say!(
        "training took {} ({} for the whole job); cost {} × ${}/h of this machine = {}",
        clock(o.train_seconds),
        clock(o.wall_seconds),
        clock(o.wall_seconds),
        o.machine_cost_per_hour,
        tunebench_core::money::usd(o.training_cost_usd)
    )
}

//! `tunebench offline DATASET`: the whole empirical test on this machine with no API key,
//! as the window's "Try it offline" runs it: a subset of a labelled dataset, a prompting arm
//! on the local model (few-shot from train), the same model fine-tuned with llama.cpp, and a
//! run of both over the held-out cases. The estimated time is printed first; with
//! `--estimate` nothing else is done. Progress goes to stderr; Ctrl-C cancels.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio_util::sync::CancellationToken;
use tunebench_core::finetune::local::LocalEvent;
use tunebench_core::offline::{self, OfflineEvent, OfflineOptions};
use tunebench_core::{provider, store};

use crate::output::Output;

#[derive(Debug, clap::Args)]
pub struct OfflineArgs {
    /// The labelled dataset (name or id), e.g. the built-in sample.
    pub dataset: String,
    /// Train rows fine-tuned on (and few-shot examples drawn from).
    #[arg(long, default_value_t = OfflineOptions::default().train_rows)]
    pub train_rows: u32,
    /// Held-out cases both arms answer.
    #[arg(long, default_value_t = OfflineOptions::default().test_cases)]
    pub test_cases: u32,
    /// Characters kept of each input (its beginning); 0 keeps inputs whole.
    #[arg(long, default_value_t = OfflineOptions::default().max_chars)]
    pub max_chars: u32,
    /// Few-shot examples in the prompting arm.
    #[arg(long, default_value_t = OfflineOptions::default().few_shot)]
    pub few_shot: u32,
    #[arg(long, default_value_t = OfflineOptions::default().epochs)]
    pub epochs: u32,
    /// Tokens per training window.
    #[arg(long, default_value_t = OfflineOptions::default().context)]
    pub context: u32,
    #[arg(long, default_value_t = OfflineOptions::default().learning_rate)]
    pub learning_rate: f64,
    #[arg(long, default_value_t = OfflineOptions::default().seed)]
    pub seed: u32,
    /// The GGUF model (default: SmolLM2-135M-Instruct as `scripts/local-llm.sh` caches it).
    #[arg(long, value_name = "MODEL.gguf")]
    pub model: Option<PathBuf>,
    /// Print the estimated time and stop.
    #[arg(long)]
    pub estimate: bool,
}

fn minutes(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else {
        format!("{:.0} min", s / 60.0)
    }
}

pub fn run(db: Option<&Path>, args: &OfflineArgs, out: &Output) -> anyhow::Result<()> {
    let db_path = super::store_path(db)?;
    let options = OfflineOptions {
        train_rows: args.train_rows,
        test_cases: args.test_cases,
        max_chars: args.max_chars,
        few_shot: args.few_shot,
        epochs: args.epochs,
        context: args.context,
        learning_rate: args.learning_rate,
        seed: args.seed,
    };
    let (dataset_id, estimate) = {
        let conn = store::open(&db_path)?;
        let id = store::experiment::dataset_id(&conn, &args.dataset)?.ok_or_else(|| {
            tunebench_core::Error::Invalid(format!("no dataset {:?} in the store", args.dataset))
        })?;
        (id, offline::estimate(&conn, id, &options)?)
    };
    let e = &estimate;
    let said = format!(
        "about {} on {} core(s): training {} ({} tokens, {} windows), both arms over {} \
         held-out cases {} ({})",
        minutes(e.total_s),
        e.cores,
        minutes(e.training_s),
        e.training_tokens,
        e.windows,
        e.test_cases,
        minutes(e.evaluation_s),
        e.basis
    );
    if args.estimate {
        if out.json {
            return out.print_json(&json!({ "estimate": estimate }));
        }
        say!("{said}")?;
        return Ok(());
    }
    eprintln!("offline test of `{}`: {said}", e.dataset);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let client = provider::http_client()?;
    let cancel = CancellationToken::new();
    let mut last = Instant::now() - Duration::from_secs(60);
    let mut on_event = move |e: &OfflineEvent| {
        let due = last.elapsed() > Duration::from_secs(5);
        match e {
            OfflineEvent::Stage { stage, detail } => {
                eprintln!("{stage}: {}", crate::output::printable(detail));
            }
            OfflineEvent::FineTune {
                event: LocalEvent::Step { step, detail },
            } => eprintln!("  {}: {}", step.as_str(), crate::output::printable(detail)),
            OfflineEvent::FineTune {
                event: LocalEvent::Progress { progress: p, .. },
            } if p.train && (due || p.done == p.total) => {
                last = Instant::now();
                eprintln!("  window {}/{}: loss {:.4}", p.done, p.total, p.loss);
            }
            OfflineEvent::Run { progress } if due => {
                last = Instant::now();
                let done: u32 = progress.arms.iter().map(|a| a.done).sum();
                let total: u32 = progress.arms.iter().map(|a| a.total).sum();
                eprintln!("  {done}/{total} answers");
            }
            _ => {}
        }
    };
    let outcome = runtime.block_on(async {
        let on_signal = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling the offline test");
                on_signal.cancel();
            }
        });
        offline::run(
            &db_path,
            &client,
            dataset_id,
            &options,
            args.model.clone(),
            &cancel,
            &mut on_event,
        )
        .await
    })?;
    if out.json {
        return out.print_json(&json!({ "estimate": estimate, "outcome": outcome }));
    }
    say!(
        "run {} ({}): `tunebench report {}` compares the prompting arm {} and the fine-tuned arm {} ({})",
        outcome.run_id,
        outcome.run_status.as_str(),
        outcome.run_id,
        outcome.prompting_arm_id,
        outcome.fine_tune.arm_id,
        outcome.fine_tune.outcome.model
    )?;
    Ok(())
}

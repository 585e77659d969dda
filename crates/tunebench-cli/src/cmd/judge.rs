//! `tunebench judge RUN_ID --provider NAME --model MODEL --rubric TEXT`: an LLM judge grades
//! every answered case of both arms; the grades (with the judge prompt) are stored with the
//! results, and an experiment whose primary metric is `judge` is reported on them.

use std::path::Path;

use clap::{Args as ClapArgs, ValueEnum};
use tunebench_core::provider::secrets;
use tunebench_core::run::judge::{judge_run, ProviderJudge};
use tunebench_core::score::{JudgeRubric, JudgeScale};
use tunebench_core::store;

use crate::output::Output;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScaleArg {
    /// Pass (1) or fail (0).
    PassFail,
    /// 1 to 5, reported in [0, 1].
    OneToFive,
}

#[derive(Debug, ClapArgs)]
pub struct JudgeArgs {
    pub run_id: i32,
    /// The provider (by name, from the store) that hosts the judge model.
    #[arg(long)]
    pub provider: String,
    /// The judge model.
    #[arg(long)]
    pub model: String,
    /// What a good answer is, in your words.
    #[arg(long)]
    pub rubric: String,
    #[arg(long, value_enum, default_value = "pass-fail")]
    pub scale: ScaleArg,
    /// Judge calls in flight at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// The judge's sampling temperature; left to the model's default when not given
    /// (reasoning models accept no other).
    #[arg(long)]
    pub temperature: Option<f64>,
}

pub fn run(db: Option<&Path>, args: &JudgeArgs, out: &Output) -> anyhow::Result<()> {
    let db_path = super::store_path(db)?;
    let provider = store::provider::get_by_name(&store::open(&db_path)?, &args.provider)?;
    let (key, _source) = secrets::resolve(&provider.name, provider.api_key_env.as_deref(), |v| {
        std::env::var(v).ok()
    });
    let judge = ProviderJudge {
        client: tunebench_core::provider::http_client()?,
        provider,
        key,
        model: args.model.clone(),
        temperature: args.temperature,
    };
    let rubric = JudgeRubric {
        rubric: args.rubric.clone(),
        scale: match args.scale {
            ScaleArg::PassFail => JudgeScale::PassFail,
            ScaleArg::OneToFive => JudgeScale::OneToFive,
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(judge_run(
        &db_path,
        &judge,
        args.run_id,
        &rubric,
        args.concurrency,
    ))?;
    if out.json {
        return out.print_json(&outcome);
    }
    say!(
        "run {}: {} cases graded, {} not graded",
        outcome.run_id,
        outcome.judged,
        outcome.failed
    )?;
    for f in &outcome.failures {
        eprintln!("  {f}");
    }
    Ok(())
}

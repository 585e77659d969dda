//! The offline test from start to end: the tools and the model found first (nothing is
//! made when one is missing), then the subset dataset, the prompting arm on the local model
//! (few-shot from the subset's train rows), the local fine-tune of the same model on those
//! rows (the job model's, with its live loss), and a run of both arms over the held-out
//! cases. Each stage is announced; a failure names its stage, and what earlier stages made
//! stays in the store (a failed fine-tune is a failed job with its log, and no arm).

use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use super::subset::{pick, store_subset};
use super::{OfflineEvent, OfflineOptions, OfflineOutcome, ANSWER_TOKENS};
use crate::arm::{Arm, ArmKind, ArmParams, FewShot, FewShotStrategy};
use crate::experiment::{ExperimentDraft, Margin};
use crate::finetune::local::{LocalOptions, DEFAULT_QUANTISATION};
use crate::finetune::local_job::{self, LocalJobRequest};
use crate::provider::local::{default_model, find_tool};
use crate::provider::GenParams;
use crate::run::{self, Plan, RunOptions};
use crate::{store, Result};

/// Serving both arms: two calls at a time, so the machine's cores stay busy.
const CONCURRENCY: u32 = 2;

fn stage(on_event: &mut (dyn FnMut(&OfflineEvent) + Send), stage: &str, detail: String) {
    on_event(&OfflineEvent::Stage {
        stage: stage.into(),
        detail,
    });
}

/// The prompting arm: the local model told the labels, with `few_shot` random examples
/// from the train rows, answering in a few tokens at temperature 0.
fn prompting_arm(
    provider_id: i32,
    model: &Path,
    labels: &[String],
    options: &OfflineOptions,
    dataset_id: i32,
) -> Arm {
    let name = model
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "local model".into());
    Arm {
        id: 0,
        name: format!("{name} few-shot (offline test, dataset {dataset_id})"),
        kind: ArmKind::Prompt,
        provider_id,
        model: model.display().to_string(),
        system_prompt: format!(
            "Classify the text as one of: {}. Answer with one word, the label, and nothing else.",
            labels.join(", ")
        ),
        template: "Text: {{input}}".into(),
        few_shot: (options.few_shot > 0).then(|| FewShot {
            k: options.few_shot,
            strategy: FewShotStrategy::Random,
            seed: Some(options.seed as i32),
            ids: Vec::new(),
        }),
        retrieval: None,
        params: ArmParams {
            generation: GenParams {
                max_tokens: Some(ANSWER_TOKENS),
                temperature: Some(0.0),
                ..GenParams::default()
            },
            price: None,
        },
    }
}

/// Runs the offline test of `options` on dataset `dataset_id` with the GGUF `model` (the
/// default local model when `None`), reporting each stage, the fine-tune's steps and loss,
/// and the run's progress to `on_event`. Returns the run to open.
pub async fn run(
    db_path: &Path,
    client: &reqwest::Client,
    dataset_id: i32,
    options: &OfflineOptions,
    model: Option<PathBuf>,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(&OfflineEvent) + Send),
) -> Result<OfflineOutcome> {
    options.check()?;
    let model = match model {
        Some(m) => m,
        None => default_model()?,
    };
    for tool in ["llama-server", "llama-finetune", "llama-quantize"] {
        find_tool(tool)?;
    }
    crate::provider::local::check_servable(&model, 4096)?;

    let (subset_id, arm_id, request) = {
        let conn = store::open(db_path)?;
        let picked = pick(&conn, dataset_id, options)?;
        stage(
            on_event,
            "subset",
            format!(
                "{} train rows and {} held-out cases of `{}`",
                picked.train.len(),
                picked.test.len(),
                picked.dataset
            ),
        );
        let subset_id = store_subset(&conn, db_path, &picked, options)?;
        let mut labels: Vec<String> = picked.train.iter().map(|r| r.expected.clone()).collect();
        labels.sort();
        labels.dedup();
        let provider_id = local_job::local_provider(&conn)?;
        let arm = prompting_arm(provider_id, &model, &labels, options, subset_id);
        stage(on_event, "prompting_arm", format!("arm `{}`", arm.name));
        let arm_id = store::arm::insert(&conn, &arm)?;
        let mut local = LocalOptions::new(model.clone(), PathBuf::new());
        local.epochs = options.epochs;
        local.learning_rate = options.learning_rate;
        local.context = options.context;
        local.quantisation = DEFAULT_QUANTISATION.into();
        local.machine_cost_per_hour = store::setting::machine_cost_per_hour(&conn)?;
        let request = LocalJobRequest {
            dataset_id: subset_id,
            source_arm_id: arm_id,
            options: local,
            max_examples: None,
            seed: u64::from(options.seed),
        };
        (subset_id, arm_id, request)
    };

    stage(
        on_event,
        "fine_tune",
        format!(
            "{} epoch(s) over the train rows, {}-token windows",
            options.epochs, options.context
        ),
    );
    let mut forward = |e: &crate::finetune::local::LocalEvent| {
        on_event(&OfflineEvent::FineTune { event: e.clone() })
    };
    let fine_tune = local_job::run(db_path, client, &request, cancel, &mut forward).await?;

    let (experiment_id, plan, launch) = {
        let conn = store::open(db_path)?;
        let experiment_id = crate::experiment::create(
            &conn,
            &ExperimentDraft {
                name: format!("offline test (fine-tune job {})", fine_tune.job_id),
                dataset_id: subset_id,
                split: "test".into(),
                primary_metric: "accuracy".into(),
                margin: Margin::default(),
                labels: Vec::new(),
                arm_a: arm_id,
                arm_b: fine_tune.arm_id,
                more_arms: Vec::new(),
            },
        )?;
        let run_options = RunOptions {
            concurrency: Some(CONCURRENCY),
            ..RunOptions::default()
        };
        let prepared = run::prepare(&conn, experiment_id, &run_options)?;
        let plan = Plan::load(&conn, prepared.run_id)?;
        let launch = run::launch(
            &conn,
            db_path,
            &plan,
            client.clone(),
            cancel.clone(),
            |_| None,
        )?;
        (experiment_id, plan, launch)
    };
    stage(
        on_event,
        "run",
        format!(
            "run {}: both arms over {} held-out cases",
            plan.run.id,
            plan.cases.len()
        ),
    );
    let mut progress = |p: &run::Progress| {
        on_event(&OfflineEvent::Run {
            progress: p.clone(),
        })
    };
    let outcome = run::execute(&launch.ctx, plan, &mut progress).await?;
    Ok(OfflineOutcome {
        dataset_id: subset_id,
        prompting_arm_id: arm_id,
        fine_tune,
        experiment_id,
        run_id: outcome.run_id,
        run_status: outcome.status,
    })
}

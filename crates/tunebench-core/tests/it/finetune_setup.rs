//! What the fine-tune job tests share: a store with a dataset, a prompting arm and a
//! provider at a fake; a clock that never goes back; following a job to its end as
//! fresh processes would.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tunebench_core::finetune::flow::{self, Context, StartRequest};
use tunebench_core::finetune::{self, Hyperparameters, Trainer};
use tunebench_core::provider::{ApiKey, ProviderKind, ProviderSettings};
use tunebench_core::{price, store};

use crate::finetune_fakes::{Fake, FakeServer, KEY};
use crate::support::{seed_dataset, toy_cases, TempDb};

/// One clock for every context, moving a minute a look, so a "restarted" process
/// does not go back in time.
static CLOCK: AtomicI64 = AtomicI64::new(1_764_496_800); // 2026-11-30T10:00:00Z

pub fn context(db: &TempDb) -> Context {
    Context {
        db_path: db.path.clone(),
        client: tunebench_core::provider::http_client().unwrap(),
        keys: Arc::new(|_| Some(ApiKey::new(KEY))),
        upload_poll: Duration::from_millis(5),
        clock: Arc::new(|| finetune::at(CLOCK.fetch_add(60, Ordering::SeqCst))),
        azure_management: String::new(),
        azure_token: Arc::new(|| None),
    }
}

/// A dataset of 3 test and 12 train rows, a prompting arm, and a provider at the fake.
/// Returns (dataset, arm, provider).
pub fn setup(db: &TempDb, fake: Fake, srv: &FakeServer) -> (i32, i32, i32) {
    let conn = store::open(&db.path).unwrap();
    let ds = seed_dataset(&conn, "toy", &toy_cases(3, "t"), &toy_cases(12, "train"));
    let kind = match fake {
        Fake::OpenAi => ProviderKind::OpenAi,
        Fake::Azure => ProviderKind::AzureOpenAi,
        _ => ProviderKind::OpenAiCompatible,
    };
    let p = store::provider::insert(
        &conn,
        &format!("{fake:?}"),
        kind,
        &srv.provider_base_url(fake),
        Some("FAKE_KEY"),
        &ProviderSettings::default(),
    )
    .unwrap();
    let arm = tunebench_core::arm::Arm {
        id: 0,
        name: "prompting".into(),
        kind: tunebench_core::arm::ArmKind::Prompt,
        provider_id: p,
        model: "gpt-4.1-mini-2025-04-14".into(),
        system_prompt: "Answer with the label.".into(),
        template: "Ticket: {{input}}".into(),
        few_shot: None,
        retrieval: None,
        params: Default::default(),
    };
    let arm = store::arm::insert(&conn, &arm).unwrap();
    (ds, arm, p)
}

pub fn request(ds: i32, arm: i32, p: i32, trainer: Trainer, model: &str) -> StartRequest {
    StartRequest {
        preflight: finetune::PreflightRequest {
            dataset_id: ds,
            arm_id: arm,
            trainer,
            base_model: model.into(),
            hyperparameters: Hyperparameters {
                epochs: Some(2),
                ..Hyperparameters::default()
            },
            spend_ceiling: Some(50.0),
        },
        provider_id: p,
        fireworks_account: None,
        azure_deployment: None,
    }
}

pub fn add_training_price(db: &TempDb, provider: &str, model: &str, per_1m: f64) {
    let conn = store::open(&db.path).unwrap();
    price::save_custom(
        &conn,
        &price::PriceEntry {
            provider: provider.into(),
            model_pattern: model.into(),
            kind: price::PriceKind::FineTuned,
            input: None,
            cached_input: None,
            cache_write: None,
            output: None,
            batch_multiplier: None,
            training: Some(per_1m),
            training_unit: Some(price::TrainingUnit::PerMillionTokens),
            hosting_per_hour: None,
            retirement_date: None,
            source: "test".into(),
            as_of: "2026-11-30".into(),
            origin: price::Origin::Custom,
        },
    )
    .unwrap();
}

/// Polls with fresh contexts (as a restarted app or a new CLI process would) until the
/// job ends; returns it.
pub async fn follow(db: &TempDb, id: i32) -> finetune::FineTuneJob {
    for _ in 0..20 {
        let ctx = context(db);
        let jobs = flow::poll_live(&ctx).await.unwrap();
        let job = jobs.into_iter().find(|j| j.id == id).unwrap();
        if job.status.is_terminal() {
            return flow::poll(&ctx, id).await.unwrap();
        }
    }
    panic!("job {id} never ended");
}

//! Remote fine-tune jobs against the strict fakes: start, poll through failures and a
//! restart, the arm a success becomes, refusals, cancel.

use tunebench_core::finetune::flow;
use tunebench_core::finetune::{self, JobStatus, Trainer};
use tunebench_core::{store, ErrorCode};

use crate::finetune_fakes::{self as fakes, Fake};
use crate::finetune_setup::{add_training_price, context, follow, request, setup};
use crate::support::temp_db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openai_job_survives_429_503_and_a_restart_and_becomes_an_arm_priced_by_its_trained_tokens(
) {
    let db = temp_db();
    let srv = fakes::start(Fake::OpenAi).await;
    {
        let mut s = srv.state.lock().unwrap();
        s.script = [
            "validating_files",
            "validating_files",
            "queued",
            "running",
            "succeeded",
        ]
        .into();
        s.inject = [429, 503].into();
    }
    let (ds, arm, p) = setup(&db, Fake::OpenAi, &srv);
    let ctx = context(&db);
    let job = flow::start(
        &ctx,
        &request(ds, arm, p, Trainer::OpenAi, "gpt-4.1-mini-2025-04-14"),
    )
    .await
    .unwrap();
    assert_eq!(job.status, JobStatus::Validating);
    assert_eq!(job.provider_job_id.as_deref(), Some("ftjob-1"));
    // The exact file the preflight built was uploaded.
    let conn = store::open(&db.path).unwrap();
    let source = store::arm::get(&conn, arm).unwrap();
    let examples = finetune::training_examples(&conn, ds, &source).unwrap();
    assert_eq!(
        srv.state.lock().unwrap().uploaded.as_deref(),
        Some(finetune::to_jsonl(&examples).as_str())
    );
    let created = srv.state.lock().unwrap().created.clone().unwrap();
    assert_eq!(
        created["method"]["supervised"]["hyperparameters"]["n_epochs"],
        2
    );

    // Two failed polls: the job keeps its state and backs off.
    let j = flow::poll(&ctx, job.id).await.unwrap();
    assert_eq!((j.status, j.poll_failures), (JobStatus::Validating, 1));
    let j = flow::poll(&ctx, job.id).await.unwrap();
    assert_eq!(j.poll_failures, 2);
    let stored = store::fine_tune::get(&conn, job.id).unwrap();
    assert_eq!(stored.poll_failures, 2, "the backoff lives in the store");
    assert!(stored.next_poll_at.unwrap() > stored.updated_at);
    drop(ctx); // the app quits; a new process picks the job up from the store

    let done = follow(&db, job.id).await;
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(done.poll_failures, 0);
    assert_eq!(done.trained_tokens, Some(120_000.0));
    // ft:gpt-4.1-mini* trains at $5 per 1M tokens in the seed catalog.
    assert_eq!(done.training_cost, Some(0.6));
    assert_eq!(
        done.training_cost_source,
        Some(finetune::CostSource::TrainedTokens)
    );
    assert_eq!(done.losses(), vec![(1, 1.5), (2, 0.8)]);
    assert!(done.wall_seconds.unwrap() > 0.0);
    let made = store::arm::get(&conn, done.result_arm_id.unwrap()).unwrap();
    assert_eq!(made.kind, tunebench_core::arm::ArmKind::FineTuned);
    assert_eq!(made.model, "ft:gpt-4.1-mini-2025-04-14:acme::tb1");
    assert_eq!(
        (made.system_prompt.as_str(), made.template.as_str()),
        (source.system_prompt.as_str(), source.template.as_str())
    );
    assert_eq!(made.provider_id, p);
    // Looking again makes no second arm.
    flow::poll(&context(&db), job.id).await.unwrap();
    assert_eq!(store::arm::list(&conn).unwrap().len(), 2);
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_azure_job_uses_the_api_key_header_and_its_arm_calls_the_named_deployment() {
    let db = temp_db();
    let srv = fakes::start(Fake::Azure).await;
    srv.state.lock().unwrap().script = ["validating_files", "running", "succeeded"].into();
    let (ds, arm, p) = setup(&db, Fake::Azure, &srv);
    let mut req = request(ds, arm, p, Trainer::AzureOpenAi, "gpt-4.1-mini-2025-04-14");
    let err = flow::start(&context(&db), &req).await.unwrap_err();
    assert!(err.to_string().contains("azure_deployment"), "{err}");
    req.azure_deployment = Some("support-ft".into());
    let job = flow::start(&context(&db), &req).await.unwrap();
    assert_eq!(
        job.hosting_per_hour,
        Some(1.7),
        "Azure's hourly fee from the catalog"
    );
    let done = follow(&db, job.id).await;
    let conn = store::open(&db.path).unwrap();
    let made = store::arm::get(&conn, done.result_arm_id.unwrap()).unwrap();
    assert_eq!(made.model, "support-ft");
    assert_eq!(
        done.training_cost,
        Some(0.6),
        "Azure is priced as OpenAI per token"
    );
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_together_job_uploads_through_the_redirect_without_the_key_and_shows_its_estimate() {
    let db = temp_db();
    let srv = fakes::start(Fake::Together).await;
    {
        let mut s = srv.state.lock().unwrap();
        s.script = ["pending", "queued", "running", "running", "completed"].into();
        s.inject = [500].into();
    }
    let (ds, arm, p) = setup(&db, Fake::Together, &srv);
    let model = "meta-llama/Llama-3.2-3B-Instruct";
    add_training_price(&db, "together", model, 0.48);
    let mut req = request(ds, arm, p, Trainer::Together, model);
    req.preflight.hyperparameters.lora_rank = Some(16);
    let job = flow::start(&context(&db), &req).await.unwrap();
    assert!(job
        .events
        .iter()
        .any(|e| e.message == "Together estimates $1.25"));
    let created = srv.state.lock().unwrap().created.clone().unwrap();
    assert_eq!(created["training_type"]["type"], "Lora");
    assert_eq!(created["training_type"]["lora_r"], 16);
    assert_eq!(created["n_epochs"], 2);
    let done = follow(&db, job.id).await;
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(done.trained_tokens, Some(8000.0), "4,000 tokens × 2 epochs");
    // Together bills in nanodollars: its 4,200,000 is $0.0042, not 8,000 × $0.48 / 1M.
    assert_eq!(
        (done.training_cost, done.training_cost_source),
        (Some(0.0042), Some(finetune::CostSource::Billed))
    );
    // The losses come from the training metrics, not the eval rows or the events.
    assert_eq!(done.losses(), vec![(1, 2.43), (2, 1.2)]);
    let conn = store::open(&db.path).unwrap();
    let made = store::arm::get(&conn, done.result_arm_id.unwrap()).unwrap();
    assert_eq!(made.model, "acme/Llama-3.2-3B-Instruct-tb1");
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fireworks_job_waits_for_its_dataset_and_is_deployed_serverless() {
    let db = temp_db();
    let srv = fakes::start(Fake::Fireworks).await;
    {
        let mut s = srv.state.lock().unwrap();
        s.script = [
            "JOB_STATE_VALIDATING",
            "JOB_STATE_RUNNING",
            "JOB_STATE_COMPLETED",
        ]
        .into();
        s.inject = [429].into();
    }
    let (ds, arm, p) = setup(&db, Fake::Fireworks, &srv);
    let model = "accounts/fireworks/models/llama-v3p1-8b-instruct";
    add_training_price(&db, "fireworks", model, 0.5);
    let mut req = request(ds, arm, p, Trainer::Fireworks, model);
    req.fireworks_account = Some(fakes::ACCOUNT.into());
    let job = flow::start(&context(&db), &req).await.unwrap();
    assert_eq!(
        job.provider_job_id.as_deref(),
        Some("accounts/acme/supervisedFineTuningJobs/j1")
    );
    let done = follow(&db, job.id).await;
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(
        done.deployment.as_deref(),
        Some("accounts/acme/deployedModels/d1")
    );
    let conn = store::open(&db.path).unwrap();
    let made = store::arm::get(&conn, done.result_arm_id.unwrap()).unwrap();
    assert_eq!(made.model, "accounts/acme/models/tb1");
    // Priced by the tokens its progress reports (an int64 as JSON text) at $0.50 per 1M.
    assert_eq!(done.trained_tokens, Some(6000.0));
    assert!((done.training_cost.unwrap() - 6000.0 * 0.5 / 1e6).abs() < 1e-12);
    assert!(srv.state.lock().unwrap().deployed.is_some());
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base_model_the_provider_refuses_fails_the_job_with_its_words_and_changes_nothing_else() {
    let db = temp_db();
    let srv = fakes::start(Fake::OpenAi).await;
    srv.state.lock().unwrap().refuse_model = Some("gpt-4.1-mini-2025-04-14");
    let (ds, arm, p) = setup(&db, Fake::OpenAi, &srv);
    let err = flow::start(
        &context(&db),
        &request(ds, arm, p, Trainer::OpenAi, "gpt-4.1-mini-2025-04-14"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(
        err.to_string().contains("is not available for fine-tuning"),
        "{err}"
    );
    let conn = store::open(&db.path).unwrap();
    let job = &store::fine_tune::list(&conn).unwrap()[0];
    assert_eq!(job.status, JobStatus::Failed);
    assert!(job
        .error_message
        .as_deref()
        .unwrap()
        .contains("not available for fine-tuning"));
    assert_eq!(store::arm::list(&conn).unwrap().len(), 1, "no arm was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preflight_over_the_spend_ceiling_uploads_nothing() {
    let db = temp_db();
    let srv = fakes::start(Fake::OpenAi).await;
    let (ds, arm, p) = setup(&db, Fake::OpenAi, &srv);
    let mut req = request(ds, arm, p, Trainer::OpenAi, "gpt-4.1-mini-2025-04-14");
    req.preflight.spend_ceiling = Some(0.000_001);
    let err = flow::start(&context(&db), &req).await.unwrap_err();
    assert!(err.to_string().contains("above the spend ceiling"), "{err}");
    assert_eq!(srv.srv.count(), 0, "no request reached the provider");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_tells_the_provider_and_ends_the_job() {
    let db = temp_db();
    let srv = fakes::start(Fake::Together).await;
    srv.state.lock().unwrap().script = ["running"].into();
    let (ds, arm, p) = setup(&db, Fake::Together, &srv);
    let job = flow::start(
        &context(&db),
        &request(ds, arm, p, Trainer::Together, "m/x"),
    )
    .await
    .unwrap();
    let j = flow::cancel(&context(&db), job.id).await.unwrap();
    assert_eq!(
        j.status,
        JobStatus::Validating,
        "Together confirms at the next poll"
    );
    let j = flow::poll(&context(&db), job.id).await.unwrap();
    assert_eq!(j.status, JobStatus::Cancelled);
    assert!(flow::cancel(&context(&db), job.id).await.is_err());
    assert_eq!(srv.violations(), Vec::<String>::new());
}

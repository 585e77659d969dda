//! Polling through failures, for each provider's fake: a 429 and a 5xx in a row leave the
//! job where it was with a longer stored backoff, then the process "restarts" in the
//! middle of polling (a fresh context reads the job from the store) and follows it to
//! its arm. The job is created once, never again.

use tunebench_core::finetune::flow::{self, StartRequest};
use tunebench_core::finetune::{JobStatus, Trainer};
use tunebench_core::store;

use crate::finetune_fakes::{self as fakes, Fake};
use crate::finetune_setup::{add_training_price, context, follow, request, setup};
use crate::support::temp_db;

/// What differs between providers: the trainer, its base model, its words for running and
/// succeeded, the 5xx injected, and what its start needs besides the common request.
struct Case {
    fake: Fake,
    trainer: Trainer,
    model: &'static str,
    running: &'static str,
    done: &'static str,
    server_error: u16,
    extra: fn(&mut StartRequest),
}

async fn survives_429_then_5xx_then_a_restart(case: Case) {
    let db = temp_db();
    let srv = fakes::start(case.fake).await;
    {
        let mut s = srv.state.lock().unwrap();
        s.script = [case.running, case.done].into();
        s.inject = [429, case.server_error].into();
    }
    let (ds, arm, p) = setup(&db, case.fake, &srv);
    if matches!(case.trainer, Trainer::Together | Trainer::Fireworks) {
        add_training_price(&db, case.trainer.as_str(), case.model, 0.5);
    }
    let mut req = request(ds, arm, p, case.trainer, case.model);
    (case.extra)(&mut req);
    let ctx = context(&db);
    let job = flow::start(&ctx, &req).await.unwrap();
    assert_eq!(job.status, JobStatus::Validating, "{:?}", case.fake);
    let created = srv.state.lock().unwrap().created.clone();
    assert!(created.is_some(), "{:?}: the job was created", case.fake);

    let first = flow::poll(&ctx, job.id).await.unwrap();
    assert_eq!(
        (first.status, first.poll_failures),
        (JobStatus::Validating, 1),
        "{:?}: a 429 keeps the job as it was",
        case.fake
    );
    assert!(
        first
            .events
            .last()
            .unwrap()
            .message
            .contains("polling failed"),
        "{:?}: {:?}",
        case.fake,
        first.events.last()
    );
    let second = flow::poll(&ctx, job.id).await.unwrap();
    assert_eq!(
        (second.status, second.poll_failures),
        (JobStatus::Validating, 2),
        "{:?}: a {} keeps the job as it was",
        case.fake,
        case.server_error
    );
    let conn = store::open(&db.path).unwrap();
    let stored = store::fine_tune::get(&conn, job.id).unwrap();
    assert_eq!(
        stored.poll_failures, 2,
        "{:?}: the backoff lives in the store",
        case.fake
    );
    let wait = |j: &tunebench_core::finetune::FineTuneJob| {
        tunebench_core::finetune::job::seconds_between(
            &j.updated_at,
            j.next_poll_at.as_deref().unwrap(),
        )
        .unwrap()
    };
    assert_eq!(
        wait(&first),
        20.0,
        "{:?}: one failure waits 20 s",
        case.fake
    );
    assert_eq!(wait(&stored), 40.0, "{:?}: two wait 40 s", case.fake);
    assert!(!stored.status.is_terminal());
    drop(ctx); // the app quits in the middle of polling

    // A new process reads the job from the store and goes on from where it was.
    let resumed = flow::poll(&context(&db), job.id).await.unwrap();
    assert_eq!(
        (resumed.status, resumed.poll_failures),
        (JobStatus::Running, 0),
        "{:?}",
        case.fake
    );
    let done = follow(&db, job.id).await;
    assert_eq!(done.status, JobStatus::Succeeded, "{:?}", case.fake);
    assert!(
        done.result_arm_id.is_some(),
        "{:?}: its arm was made",
        case.fake
    );
    assert!(done.training_cost.is_some(), "{:?}: priced", case.fake);
    assert_eq!(
        srv.state.lock().unwrap().created,
        created,
        "{:?}: no second job was created",
        case.fake
    );
    assert_eq!(
        store::arm::list(&conn).unwrap().len(),
        2,
        "{:?}: one arm made",
        case.fake
    );
    assert_eq!(srv.violations(), Vec::<String>::new(), "{:?}", case.fake);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_polling_survives_a_429_a_502_and_a_restart() {
    survives_429_then_5xx_then_a_restart(Case {
        fake: Fake::OpenAi,
        trainer: Trainer::OpenAi,
        model: "gpt-4.1-mini-2025-04-14",
        running: "running",
        done: "succeeded",
        server_error: 502,
        extra: |_| {},
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_polling_survives_a_429_a_503_and_a_restart() {
    survives_429_then_5xx_then_a_restart(Case {
        fake: Fake::Azure,
        trainer: Trainer::AzureOpenAi,
        model: "gpt-4.1-mini-2025-04-14",
        running: "running",
        done: "succeeded",
        server_error: 503,
        extra: |r| r.azure_deployment = Some("support-ft".into()),
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn together_polling_survives_a_429_a_500_and_a_restart() {
    survives_429_then_5xx_then_a_restart(Case {
        fake: Fake::Together,
        trainer: Trainer::Together,
        model: "meta-llama/Llama-3.2-3B-Instruct",
        running: "running",
        done: "completed",
        server_error: 500,
        extra: |_| {},
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fireworks_polling_survives_a_429_a_504_and_a_restart() {
    survives_429_then_5xx_then_a_restart(Case {
        fake: Fake::Fireworks,
        trainer: Trainer::Fireworks,
        model: "accounts/fireworks/models/llama-v3p1-8b-instruct",
        running: "JOB_STATE_RUNNING",
        done: "JOB_STATE_COMPLETED",
        server_error: 504,
        extra: |r| r.fireworks_account = Some(fakes::ACCOUNT.into()),
    })
    .await;
}

//! An Azure OpenAI fine-tune served through a deployment Tunebench creates with the
//! management API, and what the job says when there is no management token.

use std::sync::Arc;

use tunebench_core::finetune::{flow, watch, JobStatus, Trainer};
use tunebench_core::provider::ApiKey;
use tunebench_core::store;

use crate::finetune_fakes::{self as fakes, Fake, DEPLOYMENT, MANAGEMENT_TOKEN};
use crate::finetune_setup::{context, request, setup};
use crate::support::temp_db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_job_says_what_to_do_and_with_one_the_deployment_is_made_and_used() {
    let db = temp_db();
    let srv = fakes::start(Fake::Azure).await;
    srv.state.lock().unwrap().script = ["running", "succeeded"].into();
    let (ds, arm, p) = setup(&db, Fake::Azure, &srv);
    let mut req = request(ds, arm, p, Trainer::AzureOpenAi, "gpt-4.1-mini-2025-04-14");
    req.azure_deployment = Some(DEPLOYMENT.into());
    let job = flow::start(&context(&db), &req).await.unwrap();

    // No token: training ends, the job waits for the deployment and says how to get one.
    for _ in 0..4 {
        watch::tick(&context(&db)).await.unwrap();
    }
    let conn = store::open(&db.path).unwrap();
    let waiting = store::fine_tune::get(&conn, job.id).unwrap();
    assert_eq!(waiting.status, JobStatus::Succeeded);
    assert_eq!(waiting.result_arm_id, None);
    let says = waiting.error_message.clone().unwrap();
    assert!(
        says.contains("set AZURE_MANAGEMENT_TOKEN to the output of `az account get-access-token")
            && says.contains("as deployment support-ft"),
        "{says}"
    );
    assert!(watch::needs_polling(&waiting), "a later look carries on");
    assert!(srv.state.lock().unwrap().deployment.is_none());

    // With a token (a restarted app whose environment has one): PUT, Creating, Succeeded.
    let with_token = || {
        let mut ctx = context(&db);
        ctx.azure_management = srv.srv.base_url.clone();
        ctx.azure_token = Arc::new(|| Some(ApiKey::new(MANAGEMENT_TOKEN)));
        ctx
    };
    let mut done = waiting;
    for _ in 0..5 {
        for j in watch::tick(&with_token()).await.unwrap().changed {
            done = j;
        }
    }
    let asked = srv.state.lock().unwrap().deployment.clone().unwrap();
    assert_eq!(
        asked["properties"]["model"]["name"],
        "ft:gpt-4.1-mini-2025-04-14:acme::tb1"
    );
    assert_eq!(done.error_message, None);
    assert!(done
        .events
        .iter()
        .any(|e| e.message.ends_with(": Creating")));
    let made = store::arm::get(&conn, done.result_arm_id.unwrap()).unwrap();
    assert_eq!(
        made.model, "support-ft",
        "the arm calls the deployment by its name"
    );
    assert_eq!(done.deployment.as_deref(), Some(DEPLOYMENT));
    drop(conn);
    for file in std::fs::read_dir(db.dir.path()).unwrap() {
        let raw = std::fs::read(file.unwrap().path()).unwrap();
        assert!(
            !raw.windows(MANAGEMENT_TOKEN.len())
                .any(|w| w == MANAGEMENT_TOKEN.as_bytes()),
            "the token never reaches the store or its log"
        );
    }
    assert_eq!(srv.violations(), Vec::<String>::new());
}

//! What the window needs of a batch run: the choice offered before Start with the estimate
//! of both, a prepared run made a batch run and started through the ordinary run entry
//! point, and its batches per arm in the Runs list.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prepared_run_offers_the_batch_estimate_only_when_every_provider_has_a_batch_api() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    let exp = setup(&db, &fake, 300);
    let conn = store::open(&db.path).unwrap();
    let prepared = run::prepare(&conn, exp, &RunOptions::default()).unwrap();
    let offer = prepared.batch.expect("OpenAI has a batch API");
    assert_eq!(offer.settings, BatchSettings::default());
    assert_eq!(offer.live, prepared.estimate);
    // 200 of 300 cases per arm live for latency, 100 at half price: (200 + 100 × 0.5) / 300.
    let (live, batched) = (
        prepared.estimate.cost_usd.unwrap(),
        offer.batch_cost_usd.unwrap(),
    );
    assert!(
        (batched / live - 250.0 / 300.0).abs() < 1e-9,
        "{batched} vs {live}"
    );
    conn.execute("UPDATE provider SET kind = 'openai_compatible'", [])
        .unwrap();
    let other = run::prepare(&conn, exp, &RunOptions::default()).unwrap();
    assert_eq!(other.batch, None);
    let err = batch::make_batch(&conn, other.run_id, &BatchSettings::default()).unwrap_err();
    assert!(err.to_string().contains("has no batch API"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prepared_run_made_a_batch_run_goes_through_the_batch_api_from_the_ordinary_entry_point()
{
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    fake.with(|s| s.script = Some(vec!["completed"]));
    let exp = setup(&db, &fake, 12);
    let conn = store::open(&db.path).unwrap();
    let run_id = run::prepare(&conn, exp, &RunOptions::default())
        .unwrap()
        .run_id;
    batch::make_batch(&conn, run_id, &settings(OnFailure::Live, 2)).unwrap();
    let plan = Plan::load(&conn, run_id).unwrap();
    let out = run::execute(&context(&db), plan, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(out.status, RunStatus::Completed);
    assert_eq!(fake.batches().len(), 2);
    assert!(fake.batches().iter().all(|b| b.requests.len() == 10));
    assert_eq!(fake.with(|s| s.live_calls), 4, "the latency sample only");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM result"), 24);
    let err = batch::make_batch(&conn, run_id, &BatchSettings::default()).unwrap_err();
    assert!(err.to_string().contains("already started"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runs_list_shows_each_arms_batches_with_the_providers_state() {
    let db = temp_db();
    let fake = BatchFake::start(Api::Anthropic).await;
    fake.with(|s| s.hold = true);
    let exp = setup(&db, &fake, 7);
    let run_id = new_run(&db, exp, settings(OnFailure::Error, 0));
    let plan = Plan::load(&store::open(&db.path).unwrap(), run_id).unwrap();
    let (a, b) = (plan.arms[0].prepared.arm.id, plan.arms[1].prepared.arm.id);
    let ctx = context(&db);
    let cancel = ctx.cancel.clone();
    let listed = async {
        while fake.with(|s| s.polls) < 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let conn = store::open(&db.path).unwrap();
        let entry = run::list(&conn, &db.path)
            .unwrap()
            .into_iter()
            .find(|e| e.summary.run_id == run_id)
            .unwrap();
        cancel.cancel();
        entry.batch
    };
    let (_, during) = tokio::join!(go(&db, &ctx, run_id), listed);
    assert_eq!(during.iter().map(|p| p.arm_id).collect::<Vec<_>>(), [a, b]);
    for p in &during {
        assert_eq!((p.parts, p.submitted, p.in_progress), (1, 7, 7), "{p:?}");
        assert_eq!((p.completed, p.failed), (0, 0));
        assert_eq!(p.state, BatchState::InProgress);
        assert_eq!(p.provider_status.as_deref(), Some("in_progress"));
    }
    let conn = store::open(&db.path).unwrap();
    let live = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    let entries = run::list(&conn, &db.path).unwrap();
    let entry = entries.iter().find(|e| e.summary.run_id == live).unwrap();
    assert!(entry.batch.is_empty(), "a live run has no batches");
}

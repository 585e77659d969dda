//! Background polling of fine-tune jobs: one tick polls the jobs that are due (each job's
//! stored backoff decides when), across restarts, until they end and become arms.

use std::sync::Arc;

use tunebench_core::finetune::flow;
use tunebench_core::finetune::{loss, watch};
use tunebench_core::finetune::{JobStatus, Trainer};
use tunebench_core::store;

use crate::finetune_fakes::{self as fakes, Fake};
use crate::finetune_setup::{context, request, setup};
use crate::support::temp_db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticks_in_fresh_processes_carry_a_job_through_a_429_to_succeeded_and_its_arm() {
    let db = temp_db();
    let srv = fakes::start(Fake::OpenAi).await;
    {
        let mut s = srv.state.lock().unwrap();
        s.script = ["validating_files", "running", "succeeded"].into();
        s.inject = [429].into();
    }
    let (ds, arm, p) = setup(&db, Fake::OpenAi, &srv);
    let job = flow::start(
        &context(&db),
        &request(ds, arm, p, Trainer::OpenAi, "gpt-4.1-mini-2025-04-14"),
    )
    .await
    .unwrap();
    let fresh = store::open(&db.path).unwrap();
    assert_eq!(
        loss::loss_chart(&fresh, job.id).unwrap(),
        None,
        "no chart before a loss"
    );
    let mut seen = Vec::new();
    let mut last = None;
    for _ in 0..10 {
        // Each tick in a new context, as after an app restart.
        let tick = watch::tick(&context(&db)).await.unwrap();
        assert!(tick.errors.is_empty(), "{:?}", tick.errors);
        for j in &tick.changed {
            assert_eq!(j.id, job.id);
            seen.push((j.status, j.poll_failures));
        }
        last = tick.changed.last().cloned().or(last);
        if tick.next_in.is_none() {
            break;
        }
    }
    assert_eq!(
        seen,
        vec![
            (JobStatus::Validating, 1),
            (JobStatus::Validating, 0),
            (JobStatus::Running, 0),
            (JobStatus::Succeeded, 0),
        ]
    );
    let done = last.unwrap();
    assert!(done.result_arm_id.is_some(), "the tick made the arm");
    assert_eq!(done.losses(), vec![(1, 1.5), (2, 0.8)]);
    let conn = store::open(&db.path).unwrap();
    let svg = loss::loss_chart(&conn, job.id).unwrap().unwrap();
    assert!(svg.contains("Training loss, fine-tune job 1"), "{svg}");
    assert!(
        svg.contains("2 steps reported by OpenAI · succeeded · last loss 0.800 at step 2"),
        "{svg}"
    );
    // The loss line falls: the second point (0.8) is drawn lower (a larger y) than the first.
    let line = svg.split("<polyline").nth(1).unwrap();
    let points = line.split("points=\"").nth(1).unwrap();
    let ys: Vec<f64> = points
        .split('"')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(ys.len(), 2, "{points}");
    assert!(ys[0] < ys[1], "{ys:?}");
    let tick = watch::tick(&context(&db)).await.unwrap();
    assert!(tick.changed.is_empty() && tick.next_in.is_none());
    assert_eq!(srv.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_leaves_a_job_alone_until_its_backoff_has_passed_and_says_when_it_is_due() {
    let db = temp_db();
    let srv = fakes::start(Fake::OpenAi).await;
    srv.state.lock().unwrap().script = ["running"].into();
    let (ds, arm, p) = setup(&db, Fake::OpenAi, &srv);
    let job = flow::start(
        &context(&db),
        &request(ds, arm, p, Trainer::OpenAi, "gpt-4.1-mini-2025-04-14"),
    )
    .await
    .unwrap();
    let conn = store::open(&db.path).unwrap();
    let mut stored = store::fine_tune::get(&conn, job.id).unwrap();
    stored.poll_failures = 3;
    stored.next_poll_at = Some("2026-12-01T09:01:20Z".into());
    store::fine_tune::save(&conn, &stored).unwrap();
    let mut ctx = context(&db);
    ctx.clock = Arc::new(|| "2026-12-01T09:00:00Z".to_string());
    let polls = srv.state.lock().unwrap().polls;
    let tick = watch::tick(&ctx).await.unwrap();
    assert!(tick.changed.is_empty());
    assert_eq!(tick.next_in, Some(80), "due at 09:01:20, 80 s from now");
    assert_eq!(
        srv.state.lock().unwrap().polls,
        polls,
        "the provider was not asked"
    );
    ctx.clock = Arc::new(|| "2026-12-01T09:01:20Z".to_string());
    let tick = watch::tick(&ctx).await.unwrap();
    assert_eq!(tick.changed.len(), 1);
    assert_eq!(tick.changed[0].status, JobStatus::Running);
    assert_eq!(
        tick.next_in,
        Some(10),
        "a good poll resets the backoff to 10 s"
    );
}

//! The decision report of a batch run says where its cost model's batch shares came from:
//! the run's own provider batches, or the scenario saved with the run.

use tunebench_core::decision::Questions;
use tunebench_core::report::{self, DocFormat, ReportOptions};

use super::*;

/// The Markdown decision report of run `run_id`.
fn markdown(db: &TempDb, run_id: i32) -> String {
    let conn = store::open(&db.path).unwrap();
    let d = report::run_decision(
        &conn,
        &db.path,
        run_id,
        "2026-12-01",
        &ReportOptions::default(),
    )
    .unwrap();
    let out = db.dir.path().join(format!("run-{run_id}.md"));
    report::render(
        &conn,
        &db.path,
        &d,
        "2026-12-01",
        &Questions::default(),
        DocFormat::Markdown,
        &out,
    )
    .unwrap();
    std::fs::read_to_string(out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reports_cost_section_says_the_batch_share_came_from_the_runs_batches() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    let exp = setup(&db, &fake, 12);
    let run_id = new_run(&db, exp, settings(OnFailure::Live, 3));
    go(&db, &context(&db), run_id).await;
    // 3 of 12 cases per arm live (the latency sample), 9 through the batch.
    let md = markdown(&db, run_id);
    assert!(
        md.contains(&format!(
            "Batch share 0.75 for A (prompting) and 0.75 for B (fine-tuned): the share of \
             each arm's answers that came through its provider batches in run {run_id}, \
             priced at the batch price (50 % for A (prompting) and 50 % for B (fine-tuned) \
             of the live price)"
        )),
        "{md}"
    );
    // Once a scenario is saved with the run, the shares are the ones it sets.
    let conn = store::open(&db.path).unwrap();
    let mut s = report::measured_scenario(&conn, run_id, "2026-12-01", None).unwrap();
    s.arm_b.batch_share = 0.5;
    report::save_run_scenario(&conn, run_id, &s, "2026-12-01T00:00:00Z").unwrap();
    let md = markdown(&db, run_id);
    assert!(
        md.contains(&format!(
            "Batch share 0.75 for A (prompting) and 0.50 for B (fine-tuned): as set in the \
             scenario saved with run {run_id}"
        )),
        "{md}"
    );
    assert!(!md.contains("through its provider batches"), "{md}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_runs_report_says_nothing_of_a_batch_share() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    let exp = setup(&db, &fake, 6);
    let conn = store::open(&db.path).unwrap();
    let run_id = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    let plan = Plan::load(&conn, run_id).unwrap();
    run::execute(&context(&db), plan, &mut |_| {})
        .await
        .unwrap();
    let md = markdown(&db, run_id);
    assert!(md.contains("## Cost"), "{md}");
    assert!(!md.contains("Batch share"), "{md}");
}

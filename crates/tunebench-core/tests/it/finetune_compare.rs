//! "Run the comparison" from a finished job: the experiment of the job's source prompting
//! arm against its fine-tuned arm on the dataset's held-out split, made once and reused,
//! with a pending run and its estimate.

use tunebench_core::finetune::flow;
use tunebench_core::finetune::{compare, Trainer};
use tunebench_core::run::RunOptions;
use tunebench_core::{store, ErrorCode};

use crate::finetune_fakes::{self as fakes, Fake};
use crate::finetune_setup::{context, follow, request, setup};
use crate::support::temp_db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_job_compares_its_source_arm_with_its_arm_on_the_test_split_once() {
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
    let err = compare::prepare(&conn, job.id, &RunOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(
        err.to_string()
            .contains("fine-tune job 1 is validating; compare it once it has succeeded"),
        "{err}"
    );

    srv.state.lock().unwrap().script = ["succeeded"].into();
    let done = follow(&db, job.id).await;
    let tuned = done.result_arm_id.unwrap();
    let first = compare::prepare(&conn, job.id, &RunOptions::default()).unwrap();
    assert!(!first.reused);
    let exp = store::experiment::get(&conn, first.experiment_id).unwrap();
    assert_eq!(
        exp.arm_ids,
        vec![arm, tuned],
        "prompting is arm A, the fine-tune arm B"
    );
    assert_eq!((exp.dataset_id, exp.split.as_str()), (ds, "test"));
    assert_eq!(exp.name, "prompting vs its fine-tune (job 1)");
    assert_eq!(
        first.prepared.estimate.calls, 6,
        "3 test rows × 2 arms, no train row"
    );
    let again = compare::prepare(&conn, job.id, &RunOptions::default()).unwrap();
    assert!(again.reused);
    assert_eq!(again.experiment_id, first.experiment_id);
    assert_ne!(again.prepared.run_id, first.prepared.run_id);
}

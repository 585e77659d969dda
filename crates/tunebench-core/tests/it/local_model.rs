//! Local models (a GGUF file that Tunebench serves itself): the provider kind in the store
//! and in experiment files, and the checks that refuse a bad file, by name, before any
//! server starts. A real llama-server is exercised by the CLI's end-to-end test.

use std::path::Path;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tunebench_core::provider::{ProviderKind, ProviderSettings, LOCAL_BASE_URL};
use tunebench_core::run::{self, Plan, RunContext, RunOptions, RunStatus};
use tunebench_core::{experiment, store, ErrorCode};

use crate::support::{confirmed_import, raw, seed_dataset, temp_db, toy_cases, TempDb};

fn experiment_text(model: &str) -> String {
    format!(
        r#"
name = "offline"
dataset = "toy"
[[providers]]
name = "laptop"
kind = "local"
max_concurrency = 2

[[arms]]
name = "prompting"
provider = "laptop"
model = "{model}"
template = "Input: {{{{input}}}}"
max_tokens = 8
"#
    )
}

fn write(db: &TempDb, text: &str) -> std::path::PathBuf {
    let path = db.dir.path().join("exp.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_version_2_store_keeps_its_providers_and_arms_and_then_accepts_a_local_provider() {
    let db = temp_db();
    {
        let raw = raw(&db.path);
        raw.execute_batch(include_str!("../../migrations/0001_init.sql"))
            .unwrap();
        raw.execute_batch(include_str!(
            "../../migrations/0002_finish_reason_and_cache_writes.sql"
        ))
        .unwrap();
        raw.pragma_update(None, "user_version", 2).unwrap();
        raw.execute_batch(
            "INSERT INTO provider (id, name, kind, base_url) VALUES (7, 'old', 'openai', 'https://api.openai.com/v1');
             INSERT INTO arm (name, kind, provider_id, model, created_at) VALUES ('a', 'prompt', 7, 'gpt-x', 'now');",
        )
        .unwrap();
    }
    let conn = store::open(&db.path).unwrap();
    let old = store::provider::get(&conn, 7).unwrap();
    assert_eq!((old.name.as_str(), old.kind), ("old", ProviderKind::OpenAi));
    let fk_problems: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk_problems, 0, "the arm still points at provider 7");
    let id = store::provider::insert(
        &conn,
        "laptop",
        ProviderKind::Local,
        LOCAL_BASE_URL,
        None,
        &ProviderSettings::default(),
    )
    .unwrap();
    assert_eq!(
        store::provider::get(&conn, id).unwrap().kind,
        ProviderKind::Local
    );
    // The arm's foreign key still refuses a provider that does not exist.
    let orphan = conn.execute(
        "INSERT INTO arm (name, kind, provider_id, model, created_at) VALUES ('b', 'prompt', 999, 'm', 'now')",
        [],
    );
    assert!(orphan.is_err(), "foreign keys still hold after the rebuild");
}

#[test]
fn an_experiment_file_with_a_local_provider_imports_with_the_model_as_an_absolute_path() {
    let db = temp_db();
    std::fs::write(db.dir.path().join("model.gguf"), b"GGUF").unwrap();
    let path = write(&db, &experiment_text("model.gguf"));
    let conn = store::open(&db.path).unwrap();
    seed_dataset(&conn, "toy", &toy_cases(2, "t"), &[]);
    let loaded = experiment::file::load(&path).unwrap();
    let id = confirmed_import(&conn, &loaded).unwrap();
    let arm =
        store::arm::get(&conn, store::experiment::get(&conn, id).unwrap().arm_ids[0]).unwrap();
    assert_eq!(Path::new(&arm.model), db.dir.path().join("model.gguf"));
    let p = store::provider::get(&conn, arm.provider_id).unwrap();
    assert_eq!(
        (p.kind, p.base_url.as_str()),
        (ProviderKind::Local, LOCAL_BASE_URL)
    );
    assert_eq!(p.api_key_env, None);
}

#[test]
fn a_local_arm_whose_model_file_is_missing_is_refused_naming_the_file_and_key() {
    let db = temp_db();
    let path = write(&db, &experiment_text("nowhere.gguf"));
    let e = experiment::file::load(&path).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let msg = e.to_string();
    assert!(
        msg.contains("arms[0].model") && msg.contains("nowhere.gguf"),
        "{msg}"
    );
}

#[test]
fn a_local_provider_with_a_base_url_is_refused() {
    let db = temp_db();
    std::fs::write(db.dir.path().join("model.gguf"), b"GGUF").unwrap();
    let text = experiment_text("model.gguf").replace(
        "kind = \"local\"",
        "kind = \"local\"\nbase_url = \"http://127.0.0.1:9/v1\"",
    );
    let msg = experiment::file::load(&write(&db, &text))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("providers[0].base_url"), "{msg}");
}

#[tokio::test]
async fn a_run_whose_local_model_is_not_a_gguf_fails_before_any_call_naming_the_file() {
    let db = temp_db();
    std::fs::write(db.dir.path().join("model.gguf"), b"this is a text file").unwrap();
    let path = write(&db, &experiment_text("model.gguf"));
    let conn = store::open(&db.path).unwrap();
    seed_dataset(&conn, "toy", &toy_cases(2, "t"), &[]);
    let id = confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap();
    let run_id = run::create(&conn, id, &RunOptions::default(), None).unwrap();
    let ctx = RunContext {
        db_path: db.path.clone(),
        client: reqwest::Client::new(),
        keys: Arc::new(|_| None),
        prices: Arc::new(run::ArmPriceOverride),
        cancel: CancellationToken::new(),
        seed: 1,
    };
    let plan = Plan::load(&conn, run_id).unwrap();
    let e = run::execute(&ctx, plan, &mut |_| {}).await.unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("model.gguf") && msg.contains("GGUF"), "{msg}");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(store::result::for_run(&conn, run_id).unwrap().is_empty());
    assert_ne!(
        store::run::get(&conn, run_id).unwrap().status,
        RunStatus::Completed
    );
}

/// A dataset with train rows and a local prompting arm over it; returns (dataset, arm).
fn training_setup(db: &TempDb, model: &str) -> (i32, i32) {
    let path = write(db, &experiment_text(model));
    let conn = store::open(&db.path).unwrap();
    let ds = seed_dataset(&conn, "toy", &toy_cases(2, "t"), &toy_cases(6, "train"));
    let id = confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap();
    (ds, store::experiment::get(&conn, id).unwrap().arm_ids[0])
}

#[tokio::test]
async fn a_local_fine_tune_of_a_file_that_is_not_a_model_fails_at_the_check_and_registers_no_arm() {
    use tunebench_core::finetune::local::LocalOptions;
    use tunebench_core::finetune::local_job::{self, LocalJobRequest};
    use tunebench_core::finetune::JobStatus;

    let db = temp_db();
    let model = db.dir.path().join("model.gguf");
    std::fs::write(&model, b"not a model at all").unwrap();
    let (dataset_id, arm_id) = training_setup(&db, "model.gguf");
    let conn = store::open(&db.path).unwrap();
    let arms_before = store::arm::list(&conn).unwrap().len();
    let request = LocalJobRequest {
        dataset_id,
        source_arm_id: arm_id,
        options: LocalOptions::new(&model, db.dir.path().join("unused")),
        max_examples: Some(4),
        seed: 1,
    };
    let (job_id, examples) = local_job::create(&conn, &request).unwrap();
    assert_eq!(examples.len(), 4, "a seeded sample of the 6 train rows");
    assert!(examples
        .iter()
        .all(|e| e.prompt.last().unwrap().content.starts_with("Input: ")));
    let mut steps = Vec::new();
    let e = local_job::execute(
        &db.path,
        &reqwest::Client::new(),
        job_id,
        &request,
        &examples,
        &CancellationToken::new(),
        &mut |e| steps.push(format!("{e:?}")),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let msg = e.to_string();
    assert!(
        msg.contains("step `check`") && msg.contains("model.gguf"),
        "{msg}"
    );
    let job = store::fine_tune::get(&conn, job_id).unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert!(job
        .error_message
        .unwrap()
        .contains("not a usable GGUF model"));
    assert_eq!(
        job.provider_status.as_deref(),
        Some("check"),
        "the step that failed"
    );
    assert_eq!(job.result_arm_id, None);
    assert_eq!(
        store::arm::list(&conn).unwrap().len(),
        arms_before,
        "no arm"
    );
}

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

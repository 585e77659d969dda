//! Experiment files: parsing, validation messages that name the file, the key and the
//! problem, relative paths, and import into the store.

use tunebench_core::arm::FewShotStrategy;
use tunebench_core::experiment::{self, MarginKind};
use tunebench_core::provider::ProviderKind;
use tunebench_core::{store, ErrorCode};

use crate::support::{confirmed_import, seed_dataset, temp_db, toy_cases};

mod capability;
mod review;

const VALID: &str = r#"
name = "support-tickets"
dataset = "tickets"
split = "test"
primary_metric = "accuracy"
margin = { kind = "absolute", value = 2.0 }
labels = ["billing", "shipping"]

[[providers]]
name = "local"
kind = "openai_compatible"
base_url = "http://127.0.0.1:18787/v1/"
api_key_env = "LOCAL_API_KEY"
max_concurrency = 32
requests_per_minute = 0
timeout_s = 60
max_attempts = 5

[[arms]]
name = "prompting"
kind = "prompt"
provider = "local"
model = "base-model"
system = "You route support tickets."
template = "{{context}}\n\nInput: {{input}}"
few_shot = { k = 5, strategy = "similar" }
context = { dir = "docs", top_k = 3 }
max_tokens = 16
temperature = 0
response_format = { type = "json_schema", name = "label", schema = { type = "object" } }
price = { input = 0.40, cached_input = 0.10, output = 1.60 }

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "local"
model = "ft-model"
template = "Input: {{input}}"
max_tokens = 16
price = { input = 0.80, output = 3.20, training = 5.00, hosting_per_hour = 0.0 }

[scenario]
queries_per_day = 20000
"#;

fn write(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("experiment.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_valid_file_imports_providers_arms_and_the_experiment_with_paths_resolved_against_its_folder() {
    let db = temp_db();
    let sub = db.dir.path().join("exp");
    std::fs::create_dir_all(sub.join("docs")).unwrap();
    let path = write(&sub, VALID);
    let conn = store::open(&db.path).unwrap();
    let ds = seed_dataset(&conn, "tickets", &toy_cases(3, "t"), &[]);
    let loaded = experiment::file::load(&path).unwrap();
    let id = confirmed_import(&conn, &loaded).unwrap();

    let exp = store::experiment::get(&conn, id).unwrap();
    assert_eq!((exp.dataset_id, exp.split.as_str()), (ds, "test"));
    assert_eq!(
        (exp.margin.kind, exp.margin.value),
        (MarginKind::Absolute, 2.0)
    );
    assert_eq!(exp.labels, vec!["billing", "shipping"]);
    assert_eq!(exp.arm_ids.len(), 2);
    let a = store::arm::get(&conn, exp.arm_ids[0]).unwrap();
    assert_eq!(a.few_shot.unwrap().strategy, FewShotStrategy::Similar);
    let dir = a.retrieval.unwrap().dir;
    assert_eq!(
        std::path::Path::new(&dir),
        sub.join("docs"),
        "relative to the file's folder"
    );
    assert_eq!(a.params.price.unwrap().cached_input, Some(0.10));
    assert!(a.params.generation.response_format.is_some());
    let p = store::provider::get(&conn, a.provider_id).unwrap();
    assert_eq!(p.kind, ProviderKind::OpenAiCompatible);
    assert_eq!(p.base_url, "http://127.0.0.1:18787/v1");
    assert_eq!(p.settings.max_concurrency, 32);
    assert_eq!(p.api_key_env.as_deref(), Some("LOCAL_API_KEY"));
    assert!(loaded.file.scenario.is_some());
}

#[test]
fn importing_twice_updates_the_provider_by_name_instead_of_duplicating_it() {
    let db = temp_db();
    std::fs::create_dir_all(db.dir.path().join("docs")).unwrap();
    let conn = store::open(&db.path).unwrap();
    seed_dataset(&conn, "tickets", &toy_cases(1, "t"), &[]);
    let path = write(db.dir.path(), VALID);
    confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap();
    write(
        db.dir.path(),
        &VALID.replace("max_concurrency = 32", "max_concurrency = 4"),
    );
    confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap();
    let providers = store::provider::list(&conn).unwrap();
    assert_eq!(providers.len(), 1);
    assert_eq!(providers[0].settings.max_concurrency, 4);
}

#[test]
fn a_misspelt_key_is_reported_with_the_file_and_line() {
    let db = temp_db();
    let path = write(
        db.dir.path(),
        &VALID.replace(
            "max_tokens = 16\ntemperature",
            "max_tokenz = 16\ntemperature",
        ),
    );
    let err = experiment::file::load(&path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let msg = err.to_string();
    assert!(
        msg.contains("experiment.toml, line 28") && msg.contains("max_tokenz"),
        "{msg}"
    );
}

#[test]
fn an_arm_naming_an_unknown_provider_names_the_key() {
    let db = temp_db();
    std::fs::create_dir_all(db.dir.path().join("docs")).unwrap();
    let path = write(
        db.dir.path(),
        &VALID.replace(
            "provider = \"local\"\nmodel = \"ft-model\"",
            "provider = \"cloud\"\nmodel = \"ft-model\"",
        ),
    );
    let msg = experiment::file::load(&path).unwrap_err().to_string();
    assert!(
        msg.contains("experiment.toml, key `arms[1].provider`: no provider named \"cloud\""),
        "{msg}"
    );
}

#[test]
fn a_missing_context_folder_names_the_resolved_path() {
    let db = temp_db();
    let path = write(db.dir.path(), VALID);
    let msg = experiment::file::load(&path).unwrap_err().to_string();
    assert!(
        msg.contains("`arms[0].context.dir`") && msg.contains("docs is not a folder"),
        "{msg}"
    );
}

#[test]
fn response_format_on_anthropic_is_refused() {
    let db = temp_db();
    std::fs::create_dir_all(db.dir.path().join("docs")).unwrap();
    let path = write(
        db.dir.path(),
        &VALID.replace("kind = \"openai_compatible\"", "kind = \"anthropic\""),
    );
    let msg = experiment::file::load(&path).unwrap_err().to_string();
    assert!(msg.contains("does not support response_format"), "{msg}");
}

#[test]
fn an_experiment_on_a_dataset_not_yet_imported_says_to_import_it() {
    let db = temp_db();
    std::fs::create_dir_all(db.dir.path().join("docs")).unwrap();
    let path = write(db.dir.path(), VALID);
    let conn = store::open(&db.path).unwrap();
    let err = confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap_err();
    assert!(err.is_bad_input());
    assert!(
        err.to_string()
            .contains("no dataset \"tickets\" in the store; import it first"),
        "{err}"
    );
    assert!(
        store::provider::list(&conn).unwrap().is_empty(),
        "nothing written on failure"
    );
}

#[test]
fn the_readme_experiment_file_is_a_valid_experiment() {
    let readme = include_str!("../../../../README.md");
    let start = readme
        .find("An experiment file")
        .and_then(|i| readme[i..].find("```toml").map(|j| i + j + "```toml".len()))
        .expect("README shows an experiment file");
    let end = start + readme[start..].find("```").expect("the block is closed");
    let loaded = tunebench_core::experiment::file::parse(
        &readme[start..end],
        std::path::Path::new("README.md"),
    )
    .expect("the README's example parses");
    assert_eq!(
        loaded.file.arms.len(),
        2,
        "a prompting arm and a fine-tuned arm"
    );
}

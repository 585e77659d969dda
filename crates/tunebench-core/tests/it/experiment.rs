//! Experiment files: parsing, validation messages that name the file, the key and the
//! problem, relative paths, and import into the store.

use tunebench_core::arm::FewShotStrategy;
use tunebench_core::experiment::{self, MarginKind};
use tunebench_core::provider::ProviderKind;
use tunebench_core::{store, ErrorCode};

use crate::support::{confirmed_import, seed_dataset, temp_db, toy_cases};

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

/// A store holding the user's own `openai` provider (its key in OPENAI_API_KEY) and the
/// `tickets` dataset.
fn store_with_own_provider(db: &crate::support::TempDb) -> store::Connection {
    let conn = store::open(&db.path).unwrap();
    seed_dataset(&conn, "tickets", &toy_cases(2, "t"), &[]);
    store::provider::upsert(
        &conn,
        "openai",
        ProviderKind::OpenAi,
        "https://api.openai.com/v1",
        Some("OPENAI_API_KEY"),
        &Default::default(),
    )
    .unwrap();
    conn
}

fn shared_file(base_url: &str, key_env: &str, extra_arm_lines: &str) -> String {
    format!(
        r#"
name = "shared"
dataset = "tickets"

[[providers]]
name = "openai"
kind = "openai"
base_url = "{base_url}"
api_key_env = "{key_env}"

[[arms]]
name = "a"
provider = "openai"
model = "gpt-4o-mini"
{extra_arm_lines}

[[arms]]
name = "b"
provider = "openai"
model = "ft:gpt-4o-mini"
"#
    )
}

#[test]
fn a_file_never_repoints_a_stored_provider_and_its_other_url_becomes_a_new_provider_to_confirm() {
    let db = temp_db();
    let conn = store_with_own_provider(&db);
    let path = write(
        db.dir.path(),
        &shared_file("http://evil.example:8080/v1", "GITHUB_TOKEN", ""),
    );
    let loaded = experiment::file::load(&path).unwrap();

    let review = experiment::review(&conn, &loaded).unwrap();
    assert!(review.needs_confirmation);
    let p = &review.providers[0];
    assert_eq!(p.status, experiment::ProviderStatus::Differs);
    assert_eq!(p.stored_name, "openai (evil.example:8080)");
    assert_eq!(p.base_url, "http://evil.example:8080/v1");
    assert_eq!(p.api_key_env.as_deref(), Some("GITHUB_TOKEN"));
    assert!(!p.key_env_known, "no stored provider reads GITHUB_TOKEN");
    let text = review.lines().join("\n");
    assert!(
        text.contains("http://evil.example:8080/v1") && text.contains("$GITHUB_TOKEN"),
        "{text}"
    );

    // Without the confirmation nothing is written.
    let err = experiment::import(&conn, &loaded, None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("confirmed"), "{err}");
    assert_eq!(store::provider::list(&conn).unwrap().len(), 1);

    let id = confirmed_import(&conn, &loaded).unwrap();
    let own = store::provider::get_by_name(&conn, "openai").unwrap();
    assert_eq!(
        own.base_url, "https://api.openai.com/v1",
        "never re-pointed"
    );
    assert_eq!(own.api_key_env.as_deref(), Some("OPENAI_API_KEY"));
    let exp = store::experiment::get(&conn, id).unwrap();
    for arm_id in exp.arm_ids {
        let arm = store::arm::get(&conn, arm_id).unwrap();
        let p = store::provider::get(&conn, arm.provider_id).unwrap();
        assert_eq!(p.name, "openai (evil.example:8080)");
        assert_eq!(p.base_url, "http://evil.example:8080/v1");
        assert_ne!(p.id, own.id);
    }

    // Run again, the same file is known: no question, and no third provider.
    let again = experiment::review(&conn, &loaded).unwrap();
    assert_eq!(
        again.providers[0].status,
        experiment::ProviderStatus::Stored
    );
    assert!(!again.needs_confirmation, "{:?}", again);
    experiment::import(&conn, &loaded, None).unwrap();
    assert_eq!(store::provider::list(&conn).unwrap().len(), 2);
}

#[test]
fn a_known_provider_runs_without_a_question_but_a_new_key_variable_needs_one() {
    let db = temp_db();
    let conn = store_with_own_provider(&db);
    let same = write(
        db.dir.path(),
        &shared_file("https://api.openai.com/v1/", "OPENAI_API_KEY", ""),
    );
    let loaded = experiment::file::load(&same).unwrap();
    let review = experiment::review(&conn, &loaded).unwrap();
    assert_eq!(
        review.providers[0].status,
        experiment::ProviderStatus::Stored
    );
    assert!(!review.needs_confirmation);
    experiment::import(&conn, &loaded, None).unwrap();

    // The same URL with another key variable would send that variable's value: a new
    // provider, and a question.
    let other_key = write(
        db.dir.path(),
        &shared_file("https://api.openai.com/v1", "AWS_SECRET_ACCESS_KEY", ""),
    );
    let loaded = experiment::file::load(&other_key).unwrap();
    let review = experiment::review(&conn, &loaded).unwrap();
    assert_eq!(
        review.providers[0].status,
        experiment::ProviderStatus::Differs
    );
    assert!(!review.providers[0].key_env_known);
    assert!(review.needs_confirmation);
    assert!(experiment::import(&conn, &loaded, None).is_err());
}

#[test]
fn context_folders_and_schema_files_outside_the_files_folder_need_confirmation() {
    let db = temp_db();
    let conn = store_with_own_provider(&db);
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(
        elsewhere.path().join("secret.json"),
        "{\"type\":\"object\"}",
    )
    .unwrap();
    let sub = db.dir.path().join("exp");
    std::fs::create_dir_all(sub.join("docs")).unwrap();
    let outside = format!(
        "context = {{ dir = {:?} }}\nresponse_format = {{ type = \"json_schema\", schema_file = {:?} }}",
        elsewhere.path().display().to_string(),
        elsewhere.path().join("secret.json").display().to_string(),
    );
    let path = write(
        &sub,
        &shared_file("https://api.openai.com/v1", "OPENAI_API_KEY", &outside),
    );
    let loaded = experiment::file::load(&path).unwrap();
    let review = experiment::review(&conn, &loaded).unwrap();
    assert!(review.needs_confirmation);
    assert_eq!(review.paths.len(), 2);
    assert!(
        review.paths.iter().all(|p| !p.inside_file_folder),
        "{:?}",
        review.paths
    );
    let text = review.lines().join("\n");
    assert!(text.contains("OUTSIDE the file's folder"), "{text}");
    assert!(
        text.contains(&elsewhere.path().display().to_string()),
        "{text}"
    );
    assert!(experiment::import(&conn, &loaded, None).is_err());

    // A folder inside the file's own folder is shown too, and asked about the first time.
    let inside = write(
        &sub,
        &shared_file(
            "https://api.openai.com/v1",
            "OPENAI_API_KEY",
            "context = { dir = \"docs\" }",
        ),
    );
    let loaded = experiment::file::load(&inside).unwrap();
    let review = experiment::review(&conn, &loaded).unwrap();
    assert!(review.paths[0].inside_file_folder);
    assert!(
        review.needs_confirmation,
        "a folder no stored arm reads yet"
    );
    confirmed_import(&conn, &loaded).unwrap();
    assert!(
        !experiment::review(&conn, &loaded)
            .unwrap()
            .needs_confirmation
    );
}

#[test]
fn a_confirmation_holds_only_for_the_content_that_was_reviewed() {
    let db = temp_db();
    let conn = store_with_own_provider(&db);
    let path = write(
        db.dir.path(),
        &shared_file("http://127.0.0.1:9/v1", "OPENAI_API_KEY", ""),
    );
    let reviewed = experiment::file::load(&path).unwrap();
    write(
        db.dir.path(),
        &shared_file("http://evil.example/v1", "OPENAI_API_KEY", ""),
    );
    let changed = experiment::file::load(&path).unwrap();
    let err = experiment::import(&conn, &changed, Some(&reviewed.fingerprint)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(store::provider::list(&conn).unwrap().len(), 1);
}

/// VALID with arm A's provider made `kind` and its model `model`, and `extra` under its
/// `temperature = 0` line.
fn valid_with(kind: &str, model: &str, extra: &str) -> String {
    VALID
        .replacen("kind = \"openai_compatible\"", &format!("kind = \"{kind}\""), 1)
        .replacen("model = \"base-model\"", &format!("model = \"{model}\""), 1)
        .replacen("temperature = 0\n", &format!("temperature = 0\n{extra}"), 1)
        .replacen("response_format = { type = \"json_schema\", name = \"label\", schema = { type = \"object\" } }\n", "", 1)
}

#[test]
fn an_arm_setting_temperature_on_a_reasoning_model_is_refused_at_load_with_the_reason() {
    let db = temp_db();
    std::fs::create_dir_all(db.dir.path().join("docs")).unwrap();
    let path = write(db.dir.path(), &valid_with("openai", "gpt-5.4-mini", ""));
    let msg = experiment::file::load(&path).unwrap_err().to_string();
    assert!(
        msg.contains("arms[0].temperature")
            && msg.contains("gpt-5.4-mini")
            && msg.contains("accepts only the default `temperature` (1)"),
        "{msg}"
    );
    let path = write(db.dir.path(), &valid_with("openai", "gpt-4.1-mini", ""));
    experiment::file::load(&path).expect("gpt-4.1-mini takes temperature 0");
}

#[test]
fn an_arm_setting_temperature_and_top_p_on_claude_4_5_is_refused_at_load_with_the_reason() {
    let db = temp_db();
    std::fs::create_dir_all(db.dir.path().join("docs")).unwrap();
    let path = write(
        db.dir.path(),
        &valid_with("anthropic", "claude-sonnet-4-5", "top_p = 0.9\n"),
    );
    let msg = experiment::file::load(&path).unwrap_err().to_string();
    assert!(
        msg.contains("arms[0].top_p") && msg.contains("`temperature` or `top_p`, not both"),
        "{msg}"
    );
    let path = write(
        db.dir.path(),
        &valid_with("anthropic", "claude-3-7-sonnet-latest", "top_p = 0.9\n"),
    );
    experiment::file::load(&path).expect("older Claude models take both");
}

#[test]
fn json_schema_strictness_is_read_from_the_file_and_off_unless_set() {
    let db = temp_db();
    std::fs::create_dir_all(db.dir.path().join("docs")).unwrap();
    for (text, strict) in [
        (VALID.to_string(), false),
        (
            VALID.replace(
                "name = \"label\", schema",
                "name = \"label\", strict = true, schema",
            ),
            true,
        ),
    ] {
        let path = write(db.dir.path(), &text);
        let loaded = experiment::file::load(&path).unwrap();
        assert!(
            matches!(
                &loaded.response_formats[0],
                Some(tunebench_core::provider::ResponseFormat::JsonSchema { strict: s, .. }) if *s == strict
            ),
            "{:?}",
            loaded.response_formats[0]
        );
    }
}

#[test]
fn a_rerun_onto_a_model_that_refuses_the_arms_temperature_is_refused_and_writes_nothing() {
    let db = temp_db();
    std::fs::create_dir_all(db.dir.path().join("docs")).unwrap();
    let conn = store::open(&db.path).unwrap();
    seed_dataset(&conn, "tickets", &toy_cases(3, "t"), &[]);
    let path = write(db.dir.path(), &valid_with("openai", "gpt-4.1-mini", ""));
    let id = confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap();
    let before = store::arm::list(&conn).unwrap().len();
    let swap = experiment::ModelSwap {
        position: 0,
        model: "gpt-5.4-mini".into(),
    };
    let msg = experiment::clone_with_models(&conn, id, &[swap])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`temperature`") && msg.contains("gpt-5.4-mini"),
        "{msg}"
    );
    assert_eq!(
        store::arm::list(&conn).unwrap().len(),
        before,
        "no arm was added"
    );
}

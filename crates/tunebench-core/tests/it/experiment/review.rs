//! What a file may do without a question and what needs the person's confirmation: stored
//! providers are never repointed, new key variables and paths outside the file's folder are
//! asked about, and a confirmation holds only for the content reviewed.

use super::*;

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

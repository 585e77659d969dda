//! What each model family accepts, checked when a file is loaded or re-run: sampling settings
//! reasoning models and newer Claude models refuse, and JSON schema strictness.

use super::*;

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

//! Shell tests: the bindings file is current, and commands answer through the IPC layer of
//! Tauri's mock runtime (no display needed).

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Manager;

use crate::AppState;

/// Regenerates `ui/src/bindings.ts`. CI then runs `git diff --exit-code` on it, so a command
/// added without committing fresh bindings fails the build.
#[test]
fn bindings_are_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    crate::export_bindings(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("listDatasets"),
        "bindings must export every command"
    );
}

fn app_with_store(db_path: std::path::PathBuf) -> tauri::WebviewWindow<tauri::test::MockRuntime> {
    let builder = crate::specta_builder();
    let app = mock_builder()
        .invoke_handler(builder.invoke_handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    app.manage(AppState::new(db_path));
    tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap()
}

pub(crate) fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    let req = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, req).map(|r| r.deserialize::<serde_json::Value>().unwrap())
}

#[test]
fn list_datasets_reads_the_store_through_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let conn = tunebench_core::store::open(&db).unwrap();
    conn.execute(
        "INSERT INTO dataset (name, source_file, source_format, imported_at, row_count)
         VALUES ('tickets', 'tickets.csv', 'csv', '2026-11-29T00:00:00Z', 12)",
        [],
    )
    .unwrap();
    let webview = app_with_store(db);
    let v = invoke(&webview, "list_datasets", serde_json::json!({})).unwrap();
    assert_eq!(v[0]["name"], "tickets");
    assert_eq!(v[0]["rows"], 12);
}

#[test]
fn a_store_from_a_newer_build_reaches_the_ui_as_a_coded_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("newer.sqlite3");
    let raw = rusqlite_raw(&db);
    raw.pragma_update(None, "user_version", 999).unwrap();
    drop(raw);
    let webview = app_with_store(db);
    let err = invoke(&webview, "list_datasets", serde_json::json!({})).unwrap_err();
    assert_eq!(err["code"], "schema_too_new", "{err}");
    assert!(err["message"].as_str().unwrap().contains("newer"), "{err}");
}

#[test]
fn a_cost_estimate_without_a_price_names_the_model_and_kind_as_data_for_the_price_form() {
    let dir = tempfile::tempdir().unwrap();
    let webview = app_with_store(dir.path().join("c.sqlite3"));
    let tokens = serde_json::json!({ "input": 500.0, "cached_input": 0.0, "output": 50.0 });
    let request = serde_json::json!({ "queries_per_day": 1000.0, "today": "2026-11-29",
        "prompt_model": "gpt-4.1-mini", "prompt_tokens": tokens, "fine_tuned_model": "ft:our-own:x",
        "fine_tuned_tokens": tokens, "training_tokens": 1e6, "epochs": 3.0, "retrain_every_months": 0.0 });
    let err = invoke(
        &webview,
        "estimate_scenario",
        serde_json::json!({ "request": request }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "no_price", "{err}");
    assert_eq!(
        err["detail"],
        serde_json::json!({ "kind": "missing_price",
            "price": { "model": "ft:our-own:x", "provider": "", "kind": "fine_tuned" } })
    );
    let other = invoke(
        &webview,
        "delete_provider",
        serde_json::json!({ "id": 999 }),
    )
    .unwrap_err();
    assert_eq!(
        other["detail"],
        serde_json::json!({ "kind": "none" }),
        "{other}"
    );
}

#[allow(clippy::disallowed_methods)] // a raw handle, to fake a file from a newer build
fn rusqlite_raw(path: &std::path::Path) -> tunebench_core::store::Connection {
    tunebench_core::store::Connection::open(path).unwrap()
}

#[test]
fn a_provider_saved_through_ipc_is_listed_with_its_settings_and_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let webview = app_with_store(dir.path().join("p.sqlite3"));
    let settings =
        serde_json::json!({ "max_concurrency": 2, "timeout_s": 5.0, "api_version": "2024-10-21" });
    let saved = invoke(
        &webview,
        "save_provider",
        serde_json::json!({ "name": "azure", "kind": "azure_openai", "baseUrl": "https://x.openai.azure.com",
            "apiKeyEnv": "AZ_KEY", "settings": settings }),
    )
    .unwrap();
    let listed = invoke(&webview, "list_providers", serde_json::json!({})).unwrap();
    assert_eq!(listed, serde_json::json!([saved]));
    assert_eq!(listed[0]["settings"]["max_concurrency"], 2);
    assert_eq!(listed[0]["settings"]["api_version"], "2024-10-21");
    assert_eq!(
        listed[0]["settings"]["max_attempts"], 5,
        "unsent settings keep their defaults"
    );
    assert_eq!(listed[0]["api_key_env"], "AZ_KEY");
}

#[test]
fn testing_a_provider_without_a_model_or_arm_asks_for_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let webview = app_with_store(dir.path().join("p.sqlite3"));
    let saved = invoke(
        &webview,
        "save_provider",
        serde_json::json!({ "name": "local", "kind": "openai_compatible", "baseUrl": "http://127.0.0.1:9/v1",
            "apiKeyEnv": null, "settings": {} }),
    )
    .unwrap();
    let err = invoke(
        &webview,
        "test_provider",
        serde_json::json!({ "id": saved["id"], "model": " " }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("name a model"),
        "{err}"
    );
}

#[test]
fn an_arm_saved_from_the_editor_is_listed_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let webview = app_with_store(dir.path().join("a.sqlite3"));
    let p = invoke(
        &webview,
        "save_provider",
        serde_json::json!({ "name": "local", "kind": "openai_compatible", "baseUrl": "http://127.0.0.1:9/v1",
            "apiKeyEnv": null, "settings": {} }),
    )
    .unwrap();
    let draft = |model: &str| {
        serde_json::json!({ "provider_id": p["id"], "model": model, "system_prompt": "Be brief.",
            "template": "Q: {{input}}", "few_shot": { "k": 2, "strategy": "random", "seed": 7, "ids": [] },
            "max_tokens": 16, "temperature": 0.0 })
    };
    let err = invoke(
        &webview,
        "save_arm",
        serde_json::json!({ "name": "x", "draft": draft(" ") }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    invoke(
        &webview,
        "save_arm",
        serde_json::json!({ "name": "first", "draft": draft("m1") }),
    )
    .unwrap();
    let id = invoke(
        &webview,
        "save_arm",
        serde_json::json!({ "name": "second", "draft": draft("m2") }),
    )
    .unwrap();
    let arms = invoke(&webview, "list_arms", serde_json::json!({})).unwrap();
    let names: Vec<_> = arms
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].clone())
        .collect();
    assert_eq!(names, ["second", "first"]);
    assert_eq!(arms[0]["id"], id);
    assert_eq!(arms[0]["kind"], "prompt");
    assert_eq!(arms[0]["template"], "Q: {{input}}");
    assert_eq!(arms[0]["few_shot"]["k"], 2);
    assert_eq!(arms[0]["params"]["max_tokens"], 16);

    // A fine-tuned model saved from the editor keeps its kind, so its cost includes training.
    let mut tuned = draft("ft:m1");
    tuned["kind"] = serde_json::json!("fine_tuned");
    invoke(
        &webview,
        "save_arm",
        serde_json::json!({ "name": "tuned", "draft": tuned }),
    )
    .unwrap();
    let arms = invoke(&webview, "list_arms", serde_json::json!({})).unwrap();
    assert_eq!(arms[0]["name"], "tuned");
    assert_eq!(arms[0]["kind"], "fine_tuned");
}

/// The window's content security policy also pins where a `<base>` element and a form
/// may point, which `default-src` does not cover.
#[test]
fn the_content_security_policy_forbids_base_urls_and_form_targets() {
    let conf: serde_json::Value =
        serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    assert!(directives.contains(&"base-uri 'none'"), "{csp}");
    assert!(directives.contains(&"form-action 'none'"), "{csp}");
}

/// A dropped experiment file is reviewed before anything runs: a provider named like a
/// stored one but sending elsewhere shows as a new provider, and the stored one is untouched.
#[test]
fn an_experiment_file_is_reviewed_through_ipc_without_touching_the_stored_provider() {
    let dir = tempfile::tempdir().unwrap();
    let webview = app_with_store(dir.path().join("r.sqlite3"));
    invoke(
        &webview,
        "save_provider",
        serde_json::json!({ "name": "openai", "kind": "openai", "baseUrl": "https://api.openai.com/v1",
            "apiKeyEnv": "OPENAI_API_KEY", "settings": {} }),
    )
    .unwrap();
    let file = dir.path().join("shared.toml");
    std::fs::write(
        &file,
        "name = \"x\"\ndataset = \"d\"\n[[providers]]\nname = \"openai\"\nkind = \"openai\"\n\
         base_url = \"http://evil.example/v1\"\napi_key_env = \"GITHUB_TOKEN\"\n\
         [[arms]]\nname = \"a\"\nprovider = \"openai\"\nmodel = \"m\"\n",
    )
    .unwrap();
    // As a drop on the window would.
    tauri::Manager::state::<AppState>(&webview).grant([file.clone()]);
    let review = invoke(
        &webview,
        "review_experiment_file",
        serde_json::json!({ "path": file.display().to_string() }),
    )
    .unwrap();
    assert_eq!(review["needs_confirmation"], true);
    assert_eq!(review["providers"][0]["status"], "differs");
    assert_eq!(
        review["providers"][0]["stored_name"],
        "openai (evil.example)"
    );
    assert_eq!(review["providers"][0]["key_env_known"], false);
    assert_eq!(review["fingerprint"].as_str().unwrap().len(), 64);
    let listed = invoke(&webview, "list_providers", serde_json::json!({})).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["base_url"], "https://api.openai.com/v1");
}

#[test]
fn a_path_the_person_did_not_choose_or_drop_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let webview = app_with_store(dir.path().join("f.sqlite3"));
    let target = dir.path().join("prices.json");
    let err = invoke(
        &webview,
        "export_prices",
        serde_json::json!({ "path": target.display().to_string() }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("choose the file"),
        "{err}"
    );
    assert!(
        !target.exists(),
        "nothing may be written to an unchosen path"
    );
    let err = invoke(
        &webview,
        "preview_import",
        serde_json::json!({ "path": "/etc/passwd", "options": {} }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
}

#[test]
fn a_file_dropped_on_the_window_may_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let webview = app_with_store(dir.path().join("d.sqlite3"));
    let csv = dir.path().join("tickets.csv");
    std::fs::write(&csv, "input,expected\nWhere is my parcel?,shipping\n").unwrap();
    let body = serde_json::json!({ "path": csv.display().to_string(), "options": {} });
    assert!(invoke(&webview, "preview_import", body.clone()).is_err());
    webview
        .state::<AppState>()
        .on_drag_drop(&tauri::DragDropEvent::Drop {
            paths: vec![csv.clone()],
            position: tauri::PhysicalPosition::new(10.0, 10.0),
        });
    let preview = invoke(&webview, "preview_import", body).unwrap();
    assert!(
        preview.to_string().contains("Where is my parcel?"),
        "{preview}"
    );
}

#[test]
fn a_second_run_while_one_is_going_is_refused_as_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let webview = app_with_store(dir.path().join("r.sqlite3"));
    let state = webview.state::<AppState>();
    let _running = state.begin_run().unwrap();
    let err = state.begin_run().unwrap_err();
    assert_eq!(err.code, tunebench_core::ErrorCode::InUse, "{err}");
    assert!(state.cancel_run(), "the run under way can be cancelled");
    state.end_run();
    assert!(!state.cancel_run(), "no run is going any more");
}

#[test]
fn a_path_chosen_in_the_save_dialog_may_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("chosen.json");
    let answer = target.clone();
    let builder = crate::specta_builder();
    let app = mock_builder()
        .invoke_handler(builder.invoke_handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    let dialogs: crate::state::Dialogs = std::sync::Arc::new(move |_| Some(answer.clone()));
    app.manage(AppState::new(dir.path().join("s.sqlite3")).with_dialogs(dialogs));
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let body = serde_json::json!({ "path": target.display().to_string() });
    assert!(invoke(&webview, "export_prices", body.clone()).is_err());
    let chosen = invoke(
        &webview,
        "choose_save_path",
        serde_json::json!({ "fileName": "prices.json", "filters": [] }),
    )
    .unwrap();
    assert_eq!(chosen, target.display().to_string());
    let written = invoke(&webview, "export_prices", body).unwrap();
    assert!(written.as_u64().unwrap() > 0, "the seed prices are written");
    assert!(target.exists());
}

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

fn invoke(
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

#[allow(clippy::disallowed_methods)] // a raw handle, to fake a file from a newer build
fn rusqlite_raw(path: &std::path::Path) -> tunebench_core::store::Connection {
    tunebench_core::store::Connection::open(path).unwrap()
}

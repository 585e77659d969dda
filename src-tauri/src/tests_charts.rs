//! Chart commands through Tauri's mock runtime: "Copy" hands the clipboard a slide-sized
//! image of the crossover (the real clipboard is set in `lib.rs`; a window test can't read it
//! back under Xvfb, so this checks the pixels handed over).

use std::sync::{Arc, Mutex};

use serde_json::json;
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::Manager;

use crate::tests::invoke;
use crate::AppState;

type Copied = Arc<Mutex<Vec<(Vec<u8>, u32, u32)>>>;

fn app(state: AppState) -> tauri::WebviewWindow<tauri::test::MockRuntime> {
    let builder = crate::specta_builder();
    let app = mock_builder()
        .invoke_handler(builder.invoke_handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    app.manage(state);
    tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap()
}

fn scenario(webview: &tauri::WebviewWindow<tauri::test::MockRuntime>) -> serde_json::Value {
    let request = json!({
        "queries_per_day": 20000, "today": "2026-11-29", "prompt_model": "gpt-4.1-mini",
        "prompt_tokens": { "input": 2300, "cached_input": 1500, "output": 100 },
        "fine_tuned_model": "ft:gpt-4.1-mini",
        "fine_tuned_tokens": { "input": 350, "cached_input": 0, "output": 100 },
        "training_tokens": 1_500_000, "epochs": 3, "retrain_every_months": 3,
    });
    invoke(webview, "estimate_scenario", json!({ "request": request })).unwrap()
}

#[test]
fn copy_hands_the_clipboard_the_crossover_as_an_opaque_1920_by_1080_image() {
    let dir = tempfile::tempdir().unwrap();
    let copied: Copied = Arc::default();
    let sink = copied.clone();
    let state =
        AppState::new(dir.path().join("t.sqlite3")).with_clipboard(Arc::new(move |rgba, w, h| {
            sink.lock().unwrap().push((rgba, w, h));
            Ok(())
        }));
    let webview = app(state);
    let s = scenario(&webview);
    let args = json!({ "scenario": s, "source": "test", "logX": false, "theme": "light" });
    invoke(&webview, "copy_crossover", args).unwrap();
    let copied = copied.lock().unwrap();
    let (rgba, w, h) = &copied[0];
    assert_eq!((*w, *h), (1920, 1080));
    assert_eq!(rgba.len(), 1920 * 1080 * 4);
    assert!(rgba.chunks_exact(4).all(|p| p[3] == 255), "opaque");
    assert_eq!(&rgba[..4], &[255, 255, 255, 255], "light background");
    let colours: std::collections::HashSet<&[u8]> = rgba.chunks_exact(4).step_by(97).collect();
    assert!(colours.len() > 20, "a drawn chart, not a blank frame");
}

#[test]
fn copy_without_a_clipboard_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let webview = app(AppState::new(dir.path().join("t.sqlite3")));
    let s = scenario(&webview);
    let args = json!({ "scenario": s, "source": "test", "logX": false, "theme": "dark" });
    let err = invoke(&webview, "copy_crossover", args).unwrap_err();
    assert!(err.to_string().contains("no clipboard"), "{err}");
}

//! The desktop shell: wiring only. Commands live in `commands/`, the domain in `tunebench-core`.

mod commands;
mod error;
mod finetune_poller;
mod state;

use std::sync::Arc;

use tauri::Manager;

pub use error::{CommandError, CommandResult};
pub use state::AppState;

/// Every command and event the UI may use; the single source of `ui/src/bindings.ts`.
pub fn specta_builder<R: tauri::Runtime>() -> tauri_specta::Builder<R> {
    use commands::{
        app, arms, crossover, crossover_arms, datasets, decision, files, finetune, local_finetune,
        offline, prices, providers, runs, search,
    };
    tauri_specta::Builder::<R>::new().commands(tauri_specta::collect_commands![
        app::app_info,
        files::choose_file,
        files::choose_save_path,
        datasets::list_datasets,
        datasets::preview_import,
        datasets::import_dataset,
        datasets::cancel_import,
        datasets::dataset_report,
        datasets::split_dataset,
        datasets::dataset_leakage,
        datasets::remove_leaked,
        datasets::remove_duplicates,
        datasets::dataset_examples,
        datasets::export_dataset,
        datasets::delete_dataset,
        finetune::finetune_preflight,
        finetune::start_finetune,
        finetune::poll_finetune,
        finetune::poll_finetunes,
        finetune::list_finetunes,
        finetune::cancel_finetune,
        finetune::watch_finetunes,
        finetune::prepare_finetune_comparison,
        finetune::finetune_loss_chart,
        prices::list_prices,
        prices::save_price,
        prices::delete_price,
        prices::import_prices,
        prices::export_prices,
        providers::list_providers,
        providers::save_provider,
        providers::save_provider_key,
        providers::test_provider,
        providers::delete_provider,
        providers::provider_key_source,
        arms::preview_arm,
        arms::list_arms,
        arms::save_arm,
        arms::delete_arm,
        crossover::estimate_scenario,
        crossover::crossover_view,
        crossover::export_crossover,
        crossover::export_slide_pack,
        crossover::copy_crossover,
        crossover::run_scenario,
        crossover::dataset_tokens,
        crossover::save_run_scenario,
        crossover_arms::run_arms_scenario,
        crossover_arms::crossover_arms_view,
        crossover_arms::save_run_arms_scenario,
        runs::list_runs,
        runs::review_experiment_file,
        runs::start_run,
        runs::resume_run,
        runs::create_experiment,
        runs::prepare_run,
        runs::make_batch_run,
        runs::cancel_run,
        runs::run_report,
        runs::run_cases,
        local_finetune::start_local_fine_tune,
        offline::offline_estimate,
        offline::try_offline,
        runs::run_latency_chart,
        runs::prepare_rerun,
        runs::run_history,
        runs::trend_chart,
        runs::clear_run_errors,
        runs::delete_run,
        search::prepare_search,
        search::start_search,
        search::search_chart,
        search::arm_a_search,
        decision::decide,
        decision::export_report,
    ])
}

/// Writes the TypeScript bindings for the UI (run by the `bindings_are_current` test).
pub fn export_bindings(path: &std::path::Path) {
    specta_builder::<tauri::Wry>()
        .export(specta_typescript::Typescript::default(), path)
        .expect("export TypeScript bindings");
}

#[allow(clippy::disallowed_methods)] // generate_context! expands to a std::process::exit call
pub fn run() {
    let builder = specta_builder::<tauri::Wry>();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler(builder.invoke_handler())
        // A file dropped on the window is one the person handed over: commands may read it.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::DragDrop(drop) = event {
                window.state::<AppState>().on_drag_drop(drop);
            }
        })
        .on_webview_event(|webview, event| {
            if let tauri::WebviewEvent::DragDrop(drop) = event {
                webview.state::<AppState>().on_drag_drop(drop);
            }
        })
        .setup(move |app| {
            builder.mount_events(app);
            let env = std::env::var(tunebench_core::store::DB_ENV).ok();
            let db_path = tunebench_core::store::resolve_path(None, env.as_deref())?;
            // The store is opened per command, so a damaged or too-new file is reported to
            // the UI as an error it can show, rather than a crash at start-up.
            let handle = app.handle().clone();
            let dialogs = Arc::new(move |request| commands::files::show(&handle, request));
            let handle = app.handle().clone();
            let clipboard =
                Arc::new(move |rgba, w, h| commands::crossover::to_clipboard(&handle, rgba, w, h));
            let state = AppState::new(db_path).with_dialogs(dialogs);
            app.manage(state.with_clipboard(clipboard));
            finetune_poller::spawn(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running Tunebench");
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_charts;

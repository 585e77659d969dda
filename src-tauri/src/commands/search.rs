//! Search commands: prepare a prompt search of an experiment file with a grid composed in
//! the window (the estimate a person reads before Start), run it in the app's one run slot
//! (cancel it with `cancel_run`), and draw its candidates.

use tauri::ipc::Channel;
use tunebench_core::chart::{self, ChartStyle, Theme};
use tunebench_core::run::RunEvent;
use tunebench_core::search::{self, GridFile, PreparedSearch, SearchOptions, SearchOutcome};

use super::env;
use crate::error::CommandResult;
use crate::state::AppState;

/// Carves a validation split if the dataset has none, creates the candidates of `grid`
/// over arm A of the experiment file at `path`, and returns the search with its estimate;
/// nothing is sent until `start_search`. `confirmed`: the fingerprint of the file's review.
#[tauri::command]
#[specta::specta]
pub async fn prepare_search(
    state: tauri::State<'_, AppState>,
    path: String,
    confirmed: Option<String>,
    grid: GridFile,
) -> CommandResult<PreparedSearch> {
    let path = state.granted(&path)?;
    let opts = SearchOptions::default();
    (state
        .with_store(move |c, _| search::prepare_file(c, &path, grid, confirmed.as_deref(), &opts)))
    .await
}

/// Runs search `search_id` (prepared, or stopped) over the validation split to its choice.
#[tauri::command]
#[specta::specta]
pub async fn start_search(
    state: tauri::State<'_, AppState>,
    search_id: i32,
    events: Channel<RunEvent>,
) -> CommandResult<SearchOutcome> {
    let (db, send) = (state.db_path.clone(), &mut |e: RunEvent| {
        drop(events.send(e))
    });
    state
        .in_run_slot(|client, cancel| search::start(&db, search_id, client, cancel, env, send))
        .await
}

/// The candidates of finished search `search_id` (metric against cost per query, the
/// chosen one marked) as SVG, at about the size the screen shows it.
#[tauri::command]
#[specta::specta]
pub async fn search_chart(
    state: tauri::State<'_, AppState>,
    search_id: i32,
) -> CommandResult<String> {
    let style = ChartStyle {
        theme: Theme::Light,
        width: 960,
        height: 540,
    };
    (state.with_store(move |c, _| chart::render_svg(&search::chart::stored(c, search_id, style)?)))
        .await
}

/// The search that chose arm A of run `run_id`'s experiment, as it ended (its sentence, the
/// same as the exported report's); none when arm A was written by hand.
#[tauri::command]
#[specta::specta]
pub async fn arm_a_search(
    state: tauri::State<'_, AppState>,
    run_id: i32,
) -> CommandResult<Option<SearchOutcome>> {
    (state.with_store(move |c, _| search::arm_a_of_run(c, run_id))).await
}

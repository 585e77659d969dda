//! Search commands: prepare a prompt search of an experiment file with a grid composed in
//! the window (the estimate a person reads before Start), run it in the app's one run slot
//! (cancel it with `cancel_run`), and draw its candidates.

use tauri::ipc::Channel;
use tunebench_core::chart::{self, ChartStyle, Theme};
use tunebench_core::run::Progress;
use tunebench_core::search::{self, GridFile, PreparedSearch, SearchOptions, SearchOutcome};

use super::runs::RunEvent;
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
    let cancel = state.begin_run()?;
    let outcome = async {
        let client = state.client()?;
        let s = state
            .with_store(move |c, db| {
                search::launch(c, db, search_id, client, cancel, |v| std::env::var(v).ok())
            })
            .await?;
        if !s.launch.warnings.is_empty() {
            let _ = events.send(RunEvent::Warnings {
                warnings: s.launch.warnings.clone(),
            });
        }
        let send = &mut |p: &Progress| {
            drop(events.send(RunEvent::Progress {
                progress: p.clone(),
            }))
        };
        let scenario = s.prepared.scenario.clone();
        Ok(search::execute(&s.launch.ctx, &s.prepared, scenario, send).await?)
    }
    .await;
    state.end_run();
    outcome
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

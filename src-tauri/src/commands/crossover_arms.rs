//! Cost at scale of a run of three or more arms: every arm's scenario, the chart with one
//! line per arm (redrawn on every slider move), and the assumptions saved with the run.

use tunebench_core::chart::{self, preset, ArmsScenarioView, Theme};
use tunebench_core::cost::ArmsScenario;
use tunebench_core::report;

use super::blocking;
use crate::error::CommandResult;
use crate::state::AppState;

/// Every arm of run `run_id` priced: the saved assumptions, else measured from its results
/// (two arms: exactly the run's scenario, no further arm).
#[tauri::command]
#[specta::specta]
pub async fn run_arms_scenario(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    today: String,
) -> CommandResult<ArmsScenario> {
    let scenario = move |c: &_, _: &_| report::run_arms_scenario(c, run_id, &today, None);
    state.with_store(scenario).await
}

/// Every arm's costs, the volumes where each is cheapest, and the chart as SVG.
#[tauri::command]
#[specta::specta]
pub async fn crossover_arms_view(
    scenario: ArmsScenario,
    source: String,
    log_x: bool,
    theme: Theme,
) -> CommandResult<ArmsScenarioView> {
    let (style, title) = (
        preset::crossover_screen(theme),
        preset::CROSSOVER_ARMS_TITLE,
    );
    blocking(move || {
        Ok(chart::crossover::view_arms(
            &scenario, title, &source, style, log_x,
        )?)
    })
    .await
}

/// Saves every arm's assumptions with run `run_id`.
#[tauri::command]
#[specta::specta]
pub async fn save_run_arms_scenario(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    scenario: ArmsScenario,
    updated_at: String,
) -> CommandResult<()> {
    let save =
        move |c: &_, _: &_| report::save_run_arms_scenario(c, run_id, &scenario, &updated_at);
    state.with_store(save).await
}

//! Crossover commands: a scenario priced from the catalog, the chart redrawn on every
//! slider move, and the export of slide-ready PNG or SVG files.

use tunebench_core::arm::tokens::{self, DatasetTokens};
use tunebench_core::chart::{self, ChartStyle, ScenarioView, Theme};
use tunebench_core::cost::{self, EstimateRequest, Scenario};
use tunebench_core::{price, report, store, Error};

use super::blocking;
use crate::error::CommandResult;
use crate::state::AppState;

const TITLE: &str = "Monthly cost of prompting vs fine-tuning";

/// A scenario before any run, both arms priced from the catalog.
#[tauri::command]
#[specta::specta]
pub async fn estimate_scenario(
    state: tauri::State<'_, AppState>,
    request: EstimateRequest,
) -> CommandResult<Scenario> {
    let db = state.db_path.clone();
    blocking(move || {
        let conn = store::open(&db)?;
        price::seed(&conn)?;
        Ok(cost::scenario_from_catalog(
            &price::catalog(&conn)?,
            &request,
        )?)
    })
    .await
}

/// The cost model's outputs and the crossover chart as SVG (the fast path for sliders).
#[tauri::command]
#[specta::specta]
pub async fn crossover_view(
    scenario: Scenario,
    source: String,
    log_x: bool,
    theme: Theme,
) -> CommandResult<ScenarioView> {
    // Drawn at about the size the screen shows it, so its labels read at screen size.
    let style = ChartStyle {
        theme,
        width: 760,
        height: 440,
    };
    blocking(move || {
        Ok(chart::crossover::view(
            &scenario, TITLE, &source, style, log_x,
        )?)
    })
    .await
}

/// Writes the crossover chart to `path`: SVG when it ends in `.svg`, PNG otherwise.
#[tauri::command]
#[specta::specta]
pub async fn export_crossover(
    scenario: Scenario,
    source: String,
    log_x: bool,
    theme: Theme,
    width: u32,
    height: u32,
    path: String,
) -> CommandResult<String> {
    blocking(move || {
        let spec = chart::crossover::spec(
            &scenario,
            TITLE,
            &source,
            ChartStyle {
                theme,
                width,
                height,
            },
            log_x,
        )?;
        let bytes = chart::render_for_path(&spec, path.as_ref())?;
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    })
    .await
}

/// The scenario of run `run_id`: the one saved with it, else measured from its results.
#[tauri::command]
#[specta::specta]
pub async fn run_scenario(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    today: String,
) -> CommandResult<Scenario> {
    let db = state.db_path.clone();
    blocking(move || {
        let conn = store::open(&db)?;
        price::seed(&conn)?;
        Ok(report::run_scenario(&conn, run_id, &today, None)?)
    })
    .await
}

/// Saves `scenario` with run `run_id`, so its report and charts reproduce these assumptions.
#[tauri::command]
#[specta::specta]
pub async fn save_run_scenario(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    scenario: Scenario,
    updated_at: String,
) -> CommandResult<()> {
    let db = state.db_path.clone();
    blocking(move || {
        Ok(report::save_run_scenario(
            &store::open(&db)?,
            run_id,
            &scenario,
            &updated_at,
        )?)
    })
    .await
}

/// Dataset `dataset_id`'s tokens under `model`'s tokenizer, for an estimate before a run.
#[tauri::command]
#[specta::specta]
pub async fn dataset_tokens(
    state: tauri::State<'_, AppState>,
    dataset_id: i32,
    model: String,
) -> CommandResult<DatasetTokens> {
    let db = state.db_path.clone();
    blocking(move || {
        Ok(tokens::dataset_tokens(
            &store::open(&db)?,
            dataset_id,
            &model,
        )?)
    })
    .await
}

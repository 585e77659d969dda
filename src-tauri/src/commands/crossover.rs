//! Crossover commands: a scenario priced from the catalog, the chart redrawn on every
//! slider move, and the export of slide-ready PNG or SVG files.

use tunebench_core::arm::tokens::{self, DatasetTokens};
use tunebench_core::chart::{self, preset, ChartStyle, ScenarioView, Theme};
use tunebench_core::cost::{self, EstimateRequest, Scenario};
use tunebench_core::price;
use tunebench_core::report::{self, SlidePack};

use super::{blocking, write_file};
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// A scenario before any run, both arms priced from the catalog.
#[tauri::command]
#[specta::specta]
pub async fn estimate_scenario(
    state: tauri::State<'_, AppState>,
    request: EstimateRequest,
) -> CommandResult<Scenario> {
    let priced = move |c: &_, _: &_| cost::scenario_from_catalog(&price::catalog(c)?, &request);
    state.with_store(priced).await
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
    let style = preset::crossover_screen(theme);
    let title = preset::CROSSOVER_TITLE;
    blocking(move || {
        Ok(chart::crossover::view(
            &scenario, title, &source, style, log_x,
        )?)
    })
    .await
}

/// Writes the crossover chart to `path`: SVG when it ends in `.svg`, PNG otherwise.
#[tauri::command]
#[specta::specta]
pub async fn export_crossover(
    state: tauri::State<'_, AppState>,
    scenario: Scenario,
    source: String,
    log_x: bool,
    theme: Theme,
    width: u32,
    height: u32,
    path: String,
) -> CommandResult<String> {
    let path = state.granted(&path)?;
    let style = ChartStyle {
        theme,
        width,
        height,
    };
    let title = preset::CROSSOVER_TITLE;
    let spec = move || chart::crossover::spec(&scenario, title, &source, style, log_x);
    write_file(path, move |p| chart::render_for_path(&spec()?, p)).await
}

/// Writes every chart of run `run_id` at slide size in `theme` into the folder `path` (named
/// in the save dialog, created if missing), with `captions.md`.
#[tauri::command]
#[specta::specta]
pub async fn export_slide_pack(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    today: String,
    theme: Theme,
    path: String,
) -> CommandResult<SlidePack> {
    let dir = state.granted(&path)?;
    let style = ChartStyle {
        theme,
        ..ChartStyle::SLIDE
    };
    let pack = move |c: &_, db: &_| report::write_pack(c, db, run_id, &today, None, style, &dir);
    state.with_store(pack).await
}

/// Puts the crossover chart on the clipboard as a 1920×1080 image, so it pastes into
/// Keynote, PowerPoint and Google Slides as a picture.
#[tauri::command]
#[specta::specta]
pub async fn copy_crossover(
    state: tauri::State<'_, AppState>,
    scenario: Scenario,
    source: String,
    log_x: bool,
    theme: Theme,
) -> CommandResult<()> {
    let style = ChartStyle {
        theme,
        ..ChartStyle::SLIDE
    };
    let spec =
        move || chart::crossover::spec(&scenario, preset::CROSSOVER_TITLE, &source, style, log_x);
    let put = state.clipboard();
    blocking(move || put(chart::render_rgba(&spec()?)?, style.width, style.height)).await
}

/// Writes RGBA pixels to the system clipboard as an image (offered to other apps as PNG).
pub fn to_clipboard<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    rgba: Vec<u8>,
    width: u32,
    height: u32,
) -> CommandResult<()> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    let image = tauri::image::Image::new_owned(rgba, width, height);
    app.clipboard().write_image(&image).map_err(|e| {
        CommandError::new(
            tunebench_core::ErrorCode::Internal,
            format!("could not copy the chart to the clipboard: {e}"),
        )
    })
}

/// The scenario of run `run_id`: the one saved with it, else measured from its results.
#[tauri::command]
#[specta::specta]
pub async fn run_scenario(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    today: String,
) -> CommandResult<Scenario> {
    state
        .with_store(move |c, _| report::run_scenario(c, run_id, &today, None))
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
    let save = move |c: &_, _: &_| report::save_run_scenario(c, run_id, &scenario, &updated_at);
    state.with_store(save).await
}

/// Dataset `dataset_id`'s tokens under `model`'s tokenizer, for an estimate before a run.
#[tauri::command]
#[specta::specta]
pub async fn dataset_tokens(
    state: tauri::State<'_, AppState>,
    dataset_id: i32,
    model: String,
) -> CommandResult<DatasetTokens> {
    state
        .with_store(move |c, _| tokens::dataset_tokens(c, dataset_id, &model))
        .await
}

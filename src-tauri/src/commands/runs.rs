//! Run commands: start an experiment file or resume a run (progress over a channel, one
//! run at a time, cancellable), list runs, and read a run's report, cases and latency chart.

use tauri::ipc::Channel;
use tunebench_core::experiment::{self, ExperimentDraft, FileReview, ModelSwap};
use tunebench_core::report::{self, CaseFilter, CasePage, ReportOptions, RunHistory, RunReport};
use tunebench_core::run::batch::BatchSettings;
use tunebench_core::run::{
    self, Plan, PreparedRerun, PreparedRun, RunEvent, RunListEntry, RunOptions, RunOutcome,
};
use tunebench_core::{chart, chart::preset};

use super::{env, write_file};
use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_runs(state: tauri::State<'_, AppState>) -> CommandResult<Vec<RunListEntry>> {
    state.with_store(run::list).await
}

/// What the experiment file at `path` would do: shown, and confirmed, before it runs.
#[tauri::command]
#[specta::specta]
pub async fn review_experiment_file(
    state: tauri::State<'_, AppState>,
    path: String,
) -> CommandResult<FileReview> {
    let path = state.granted(&path)?;
    state
        .with_store(move |c, _| experiment::review(c, &experiment::file::load(&path)?))
        .await
}

/// Imports the experiment file at `path`, creates a run and executes it to the end.
/// `confirmed` is the fingerprint of the review the user confirmed, if any.
#[tauri::command]
#[specta::specta]
pub async fn start_run(
    state: tauri::State<'_, AppState>,
    path: String,
    confirmed: Option<String>,
    options: RunOptions,
    events: Channel<RunEvent>,
) -> CommandResult<RunOutcome> {
    let path = state.granted(&path)?;
    let plan = (state
        .with_store(move |c, _| run::create_from_file(c, &path, confirmed.as_deref(), &options)))
    .await?;
    execute(&state, plan, events).await
}

/// Continues (or starts a prepared) run `run_id`, sending only the cases that have no
/// result yet; `budget_usd`, when given, is the run's new spend ceiling.
#[tauri::command]
#[specta::specta]
pub async fn resume_run(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    budget_usd: Option<f64>,
    events: Channel<RunEvent>,
) -> CommandResult<RunOutcome> {
    let mut plan = state.with_store(move |c, _| Plan::load(c, run_id)).await?;
    plan.options.budget_usd = budget_usd.or(plan.options.budget_usd);
    execute(&state, plan, events).await
}

/// Stores an experiment composed in the window from stored arms; returns its id.
#[tauri::command]
#[specta::specta]
pub async fn create_experiment(
    state: tauri::State<'_, AppState>,
    draft: ExperimentDraft,
) -> CommandResult<i32> {
    state
        .with_store(move |c, _| experiment::create(c, &draft))
        .await
}

/// Creates a pending run of `experiment_id` and returns it with its estimate.
#[tauri::command]
#[specta::specta]
pub async fn prepare_run(
    state: tauri::State<'_, AppState>,
    experiment_id: i32,
    options: RunOptions,
) -> CommandResult<PreparedRun> {
    state
        .with_store(move |c, _| run::prepare(c, experiment_id, &options))
        .await
}

/// Makes pending run `run_id` a batch run with `settings` (its cases through the
/// providers' batch APIs, at about half the price, up to 24 h); start it with `resume_run`.
#[tauri::command]
#[specta::specta]
pub async fn make_batch_run(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    settings: BatchSettings,
) -> CommandResult<()> {
    (state.with_store(move |c, _| run::batch::make_batch(c, run_id, &settings))).await
}

/// Asks the running run to stop; results already received are kept.
#[tauri::command]
#[specta::specta]
pub fn cancel_run(state: tauri::State<'_, AppState>) -> bool {
    state.cancel_run()
}

/// Executes `plan` in the app's one run slot.
async fn execute(
    state: &AppState,
    plan: Plan,
    events: Channel<RunEvent>,
) -> CommandResult<RunOutcome> {
    let (db, send) = (state.db_path.clone(), &mut |e: RunEvent| {
        drop(events.send(e))
    });
    (state.in_run_slot(|client, cancel| run::start(&db, plan, client, cancel, env, send))).await
}

#[tauri::command]
#[specta::specta]
pub async fn run_report(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    options: ReportOptions,
) -> CommandResult<RunReport> {
    state
        .with_store(move |c, db| report::run_report(c, db, run_id, &options))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn run_cases(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    filter: CaseFilter,
    search: Option<String>,
    offset: u32,
    limit: u32,
) -> CommandResult<CasePage> {
    (state.with_store(move |c, _| report::cases(c, run_id, filter, search, offset, limit))).await
}

/// The latency distribution of each arm of run `run_id`, as SVG for the results screen.
#[tauri::command]
#[specta::specta]
pub async fn run_latency_chart(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    budget_ms: Option<f64>,
) -> CommandResult<String> {
    (state.with_store(move |c, _| {
        let data = report::latency_data(c, run_id, budget_ms)?;
        chart::render_svg(&preset::latency_screen(run_id, data))
    }))
    .await
}

/// Copies run `run_id`'s experiment with other models (`swaps`) and prepares a run of the
/// copy, returning what changed and the new run's estimate; start it with `resume_run`.
#[tauri::command]
#[specta::specta]
pub async fn prepare_rerun(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    swaps: Vec<ModelSwap>,
) -> CommandResult<PreparedRerun> {
    let options = RunOptions::default();
    (state.with_store(move |c, _| run::prepare_rerun(c, run_id, &swaps, &options))).await
}

/// Every run of run `run_id`'s experiment and its re-runs, oldest first, with the trend
/// chart in `style` when there is more than one run (one scoring of the runs for both).
#[tauri::command]
#[specta::specta]
pub async fn run_history(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    style: chart::ChartStyle,
) -> CommandResult<HistoryView> {
    (state.with_store(move |c, db| {
        let history = history_of(c, db, run_id)?;
        let many = history.runs.len() > 1;
        let svg = many.then(|| chart::render_svg(&history.chart_spec(style)));
        Ok(HistoryView {
            history,
            svg: svg.transpose()?,
        })
    }))
    .await
}

/// A run's history and its trend chart as SVG (none for a single run).
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct HistoryView {
    pub history: RunHistory,
    pub svg: Option<String>,
}

/// Writes the trend chart of run `run_id`'s history to `path` (SVG when it ends in
/// `.svg`, PNG otherwise) and returns the path.
#[tauri::command]
#[specta::specta]
pub async fn trend_chart(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    style: chart::ChartStyle,
    path: String,
) -> CommandResult<String> {
    let path = state.granted(&path)?;
    let history = state
        .with_store(move |c, db| history_of(c, db, run_id))
        .await?;
    write_file(path, move |p| {
        chart::render_for_path(&history.chart_spec(style), p)
    })
    .await
}

fn history_of(
    conn: &tunebench_core::store::Connection,
    db: &std::path::Path,
    run_id: i32,
) -> tunebench_core::Result<RunHistory> {
    report::history(conn, db, run_id, &ReportOptions::default())
}

/// Forgets run `run_id`'s errors so that resuming it asks those cases again; returns how
/// many will be asked.
#[tauri::command]
#[specta::specta]
pub async fn clear_run_errors(
    state: tauri::State<'_, AppState>,
    run_id: i32,
) -> CommandResult<u32> {
    state
        .with_store(move |c, db| Ok(run::clear_errors(c, db, run_id)? as u32))
        .await
}

/// Deletes run `run_id` with its results (and its experiment when it was the last run);
/// returns what was deleted.
#[tauri::command]
#[specta::specta]
pub async fn delete_run(state: tauri::State<'_, AppState>, run_id: i32) -> CommandResult<String> {
    state
        .with_store(move |c, _| tunebench_core::remove::run(c, run_id))
        .await
}

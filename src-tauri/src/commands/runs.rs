//! Run commands: start an experiment file or resume a run (progress over a channel, one
//! run at a time, cancellable), list runs, and read a run's report, cases and latency chart.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::ipc::Channel;
use tokio_util::sync::CancellationToken;
use tunebench_core::experiment::{ExperimentDraft, FileReview, ModelSwap};
use tunebench_core::report::{self, CaseFilter, CasePage, ReportOptions, RunHistory, RunReport};
use tunebench_core::run::{
    self, Plan, PreparedRerun, PreparedRun, Progress, RunContext, RunListEntry, RunOptions,
    RunOutcome,
};
use tunebench_core::{chart, experiment, store};

use super::blocking;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_runs(state: tauri::State<'_, AppState>) -> CommandResult<Vec<RunListEntry>> {
    let db = state.db_path.clone();
    blocking(move || Ok(run::list(&store::open(&db)?, &db)?)).await
}

/// What the experiment file at `path` would do: shown, and confirmed, before it runs.
#[tauri::command]
#[specta::specta]
pub async fn review_experiment_file(
    state: tauri::State<'_, AppState>,
    path: String,
) -> CommandResult<FileReview> {
    let db = state.db_path.clone();
    blocking(move || {
        let loaded = experiment::file::load(path.as_ref())?;
        Ok(experiment::review(&store::open(&db)?, &loaded)?)
    })
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
    progress: Channel<Progress>,
) -> CommandResult<RunOutcome> {
    let db = state.db_path.clone();
    let plan = blocking(move || {
        let conn = store::open(&db)?;
        let loaded = experiment::file::load(path.as_ref())?;
        let experiment_id = experiment::import(&conn, &loaded, confirmed.as_deref())?;
        let scenario = loaded
            .file
            .scenario
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| CommandError::invalid(format!("{path}: [scenario]: {e}")))?;
        let run_id = run::create(&conn, experiment_id, &options, scenario)?;
        Ok(Plan::load(&conn, run_id)?)
    })
    .await?;
    execute(&state, plan, progress).await
}

/// Continues (or starts a prepared) run `run_id`, sending only the cases that have no
/// result yet; `budget_usd`, when given, is the run's new spend ceiling.
#[tauri::command]
#[specta::specta]
pub async fn resume_run(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    budget_usd: Option<f64>,
    progress: Channel<Progress>,
) -> CommandResult<RunOutcome> {
    let db = state.db_path.clone();
    let mut plan = blocking(move || Ok(Plan::load(&store::open(&db)?, run_id)?)).await?;
    if budget_usd.is_some() {
        plan.options.budget_usd = budget_usd;
    }
    execute(&state, plan, progress).await
}

/// Stores an experiment composed in the window from stored arms; returns its id.
#[tauri::command]
#[specta::specta]
pub async fn create_experiment(
    state: tauri::State<'_, AppState>,
    draft: ExperimentDraft,
) -> CommandResult<i32> {
    let db = state.db_path.clone();
    blocking(move || Ok(experiment::create(&store::open(&db)?, &draft)?)).await
}

/// Creates a pending run of `experiment_id` and returns it with its estimate.
#[tauri::command]
#[specta::specta]
pub async fn prepare_run(
    state: tauri::State<'_, AppState>,
    experiment_id: i32,
    options: RunOptions,
) -> CommandResult<PreparedRun> {
    let db = state.db_path.clone();
    blocking(move || Ok(run::prepare(&store::open(&db)?, experiment_id, &options)?)).await
}

/// Asks the running run to stop; results already received are kept.
#[tauri::command]
#[specta::specta]
pub fn cancel_run(state: tauri::State<'_, AppState>) -> bool {
    match state.run_cancel.lock().ok().and_then(|s| s.clone()) {
        Some(token) => {
            token.cancel();
            true
        }
        None => false,
    }
}

async fn execute(
    state: &AppState,
    plan: Plan,
    progress: Channel<Progress>,
) -> CommandResult<RunOutcome> {
    let cancel = state.begin_run()?;
    let db_path: PathBuf = state.db_path.clone();
    let outcome = async {
        let (keys, _warnings) = {
            let plan = plan.clone();
            blocking(move || Ok(run::keys::for_plan(&plan, |v| std::env::var(v).ok()))).await?
        };
        let db = db_path.clone();
        let prices = blocking(move || Ok(run::CatalogPrices::load(&store::open(&db)?)?)).await?;
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| CommandError::invalid(format!("could not start the HTTP client: {e}")))?;
        let ctx = RunContext {
            db_path,
            client,
            keys,
            prices: Arc::new(prices),
            cancel,
            seed: u64::from(plan.run.id.unsigned_abs()),
        };
        Ok(run::execute(&ctx, plan, &mut |p: &Progress| {
            let _ = progress.send(p.clone());
        })
        .await?)
    }
    .await;
    state.end_run();
    outcome
}

#[tauri::command]
#[specta::specta]
pub async fn run_report(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    options: ReportOptions,
) -> CommandResult<RunReport> {
    let db = state.db_path.clone();
    blocking(move || {
        Ok(report::run_report(
            &store::open(&db)?,
            &db,
            run_id,
            &options,
        )?)
    })
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
    let db = state.db_path.clone();
    blocking(move || {
        Ok(report::cases(
            &store::open(&db)?,
            run_id,
            filter,
            search,
            offset,
            limit,
        )?)
    })
    .await
}

/// Keeps the cancellation token type named in one place for `AppState`.
pub type RunCancel = CancellationToken;

/// The latency distribution of each arm of run `run_id`, as SVG for the results screen.
#[tauri::command]
#[specta::specta]
pub async fn run_latency_chart(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    budget_ms: Option<f64>,
) -> CommandResult<String> {
    let db = state.db_path.clone();
    blocking(move || {
        let data = report::latency_data(&store::open(&db)?, run_id, budget_ms)?;
        let spec = chart::ChartSpec {
            title: format!("Latency per arm, run {run_id}"),
            source: "answered cases; errors are left out".into(),
            style: chart::ChartStyle {
                theme: chart::Theme::Light,
                width: 960,
                height: 450,
            },
            data: chart::ChartData::Latency(data),
        };
        Ok(chart::render_svg(&spec)?)
    })
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
    let db = state.db_path.clone();
    blocking(move || {
        Ok(run::prepare_rerun(
            &store::open(&db)?,
            run_id,
            &swaps,
            &RunOptions::default(),
        )?)
    })
    .await
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
    let db = state.db_path.clone();
    blocking(move || {
        let history = history_of(&db, run_id)?;
        let svg = if history.runs.len() > 1 {
            Some(chart::render_svg(&history.chart_spec(style))?)
        } else {
            None
        };
        Ok(HistoryView { history, svg })
    })
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
    let db = state.db_path.clone();
    blocking(move || {
        let spec = history_of(&db, run_id)?.chart_spec(style);
        let bytes = chart::render_for_path(&spec, path.as_ref())?;
        std::fs::write(&path, bytes).map_err(|e| tunebench_core::Error::io(&path, e))?;
        Ok(path)
    })
    .await
}

fn history_of(db: &std::path::Path, run_id: i32) -> tunebench_core::Result<RunHistory> {
    report::history(&store::open(db)?, db, run_id, &ReportOptions::default())
}

/// Forgets run `run_id`'s errors so that resuming it asks those cases again; returns how
/// many will be asked.
#[tauri::command]
#[specta::specta]
pub async fn clear_run_errors(
    state: tauri::State<'_, AppState>,
    run_id: i32,
) -> CommandResult<u32> {
    let db = state.db_path.clone();
    blocking(move || Ok(run::clear_errors(&store::open(&db)?, &db, run_id)? as u32)).await
}

//! Decision commands: the framework's questions and the recommendation for a run, and the
//! decision report exported as HTML or Markdown.

use tunebench_core::decision::Questions;
use tunebench_core::report::{self, DecisionView, DocFormat, ReportOptions};

use crate::error::CommandResult;
use crate::state::AppState;

/// The recommendation for run `run_id`; `questions`, when given, are saved with its
/// experiment first.
#[tauri::command]
#[specta::specta]
pub async fn decide(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    today: String,
    questions: Option<Questions>,
) -> CommandResult<DecisionView> {
    let decide = move |c: &_, db: &_| report::decide(c, db, run_id, &today, questions.as_ref());
    state.with_store(decide).await
}

/// Writes the decision report of run `run_id` to `path`; returns the files written.
#[tauri::command]
#[specta::specta]
pub async fn export_report(
    state: tauri::State<'_, AppState>,
    run_id: i32,
    today: String,
    format: DocFormat,
    path: String,
) -> CommandResult<Vec<String>> {
    let path = state.granted(&path)?;
    (state.with_store(move |c, db| {
        let d = report::run_decision(c, db, run_id, &today, &ReportOptions::default())?;
        let questions = report::saved_questions(c, &d)?;
        let files = report::render(c, db, &d, &today, &questions, format, &path)?;
        Ok(files.iter().map(|p| p.display().to_string()).collect())
    }))
    .await
}

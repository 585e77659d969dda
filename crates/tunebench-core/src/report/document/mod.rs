//! The decision report of a run, to share: the recommendation and its reasons, the
//! verdict, metric, latency and cost tables (with the price entries and their dates), the
//! crossover and payback charts, dataset statistics with the leakage check, both arms'
//! configuration and the assumptions. Written as one self-contained HTML file (inline
//! CSS, charts inlined as SVG, no scripts or external assets) or as Markdown with the
//! charts as PNG files beside it. All user text is escaped in HTML.

mod content;
mod cost;
mod cost_arms;
mod html;
mod inputs;
mod markdown;
mod search;

pub use html::escape;

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::RunDecision;
use crate::chart::{self, ChartSpec, ChartStyle};
use crate::decision::Questions;
use crate::{Error, Result};
use content::blocks;
use html::html;
use markdown::markdown;

/// The file format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DocFormat {
    /// One self-contained HTML file.
    Html,
    /// Markdown, with the charts as PNG files beside it.
    Markdown,
}

/// Size of the charts in a report.
const CHART_STYLE: ChartStyle = ChartStyle {
    theme: chart::Theme::Light,
    width: 960,
    height: 540,
};

/// One piece of the report, rendered as HTML or Markdown.
enum Block {
    Heading(String),
    Para(String),
    List(Vec<String>),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Preformatted user text (a prompt, a template), with its caption.
    Pre(String, String),
    /// A chart: its file stem (for Markdown's PNG) and its spec.
    Chart(&'static str, Box<ChartSpec>),
}

/// Writes the decision report of the run decided in `d` (the caller's, with its report
/// options; database at `db_path`) to `out` in `format`, as of `today` (YYYY-MM-DD), with the team's `questions`. Returns every file
/// written: the report, then (Markdown only) its chart images.
pub fn render(
    conn: &Connection,
    db_path: &Path,
    d: &RunDecision,
    today: &str,
    questions: &Questions,
    format: DocFormat,
    out: &Path,
) -> Result<Vec<PathBuf>> {
    let run_id = d.report.run_id;
    let blocks = blocks(conn, db_path, d, today, questions)?;
    let write = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })
    };
    match format {
        DocFormat::Html => {
            let title = format!("Tunebench decision report · run {run_id}");
            write(out, html(&title, &blocks)?.as_bytes())?;
            Ok(vec![out.to_path_buf()])
        }
        DocFormat::Markdown => {
            let stem = out
                .file_stem()
                .map_or("report".into(), |s| s.to_string_lossy().into_owned());
            let dir = out.parent().unwrap_or(Path::new(""));
            let mut files = vec![out.to_path_buf()];
            let mut images = Vec::new();
            for b in &blocks {
                if let Block::Chart(name, spec) = b {
                    let file = format!("{stem}-{name}.png");
                    let path = dir.join(&file);
                    write(&path, &chart::render_png(spec)?)?;
                    files.push(path);
                    images.push(file);
                }
            }
            write(out, markdown(run_id, &blocks, &images).as_bytes())?;
            Ok(files)
        }
    }
}

//! The chart of a search's candidates: each one's metric on the validation cases against
//! its cost per query, at the last rung it reached, the chosen one marked.

use rusqlite::Connection;

use super::execute::SearchOutcome;
use super::setup::Candidate;
use crate::chart::{ChartData, ChartSpec, ChartStyle, SearchChartData, SearchPoint};
use crate::{store, Error, Result};

pub const TITLE: &str = "Prompting candidates: validation metric against cost per query";

/// Each candidate at the last rung it reached; candidates without a mean or a price are
/// left out (the source line counts them).
pub fn data(candidates: &[Candidate], o: &SearchOutcome) -> SearchChartData {
    let finalists = o.rungs.last().map(|r| r.ranked.as_slice()).unwrap_or(&[]);
    let chosen = o.chosen.as_ref().map(|c| c.score.index);
    let mut points = Vec::new();
    for c in candidates {
        let Some(s) = o
            .rungs
            .iter()
            .rev()
            .find_map(|r| r.ranked.iter().find(|s| s.index == c.index))
        else {
            continue;
        };
        let (Some(metric), Some(cost)) = (s.mean, s.cost_per_query) else {
            continue;
        };
        let (low, high) = s.interval.map_or((metric, metric), |i| (i.low, i.high));
        points.push(SearchPoint {
            label: c.label.clone(),
            cost_per_query: cost,
            metric,
            low,
            high,
            cases: s.n,
            finalist: finalists.iter().any(|f| f.index == c.index),
            chosen: chosen == Some(c.index),
        });
    }
    SearchChartData {
        metric: o.primary_metric.clone(),
        points,
    }
}

/// The chart of `o` in `style`.
pub fn spec(candidates: &[Candidate], o: &SearchOutcome, style: ChartStyle) -> ChartSpec {
    let data = data(candidates, o);
    let missing = candidates.len().saturating_sub(data.points.len());
    let missing = if missing > 0 {
        format!(" · {missing} without a score or a price not drawn")
    } else {
        String::new()
    };
    ChartSpec {
        title: TITLE.into(),
        source: format!(
            "{} candidates on {} validation cases, never the held-out test cases · {} of {} \
             calls · 95 % intervals{missing}",
            o.candidates, o.validation_cases, o.calls_made, o.calls_full
        ),
        style,
        data: ChartData::Search(data),
    }
}

/// The chart of stored search `search_id`, once it has finished.
pub fn stored(conn: &Connection, search_id: i32, style: ChartStyle) -> Result<ChartSpec> {
    let s = store::search::get(conn, search_id)?;
    let outcome = s.outcome.as_deref().ok_or_else(|| {
        Error::Invalid(format!(
            "search {search_id} has not finished; it has no ranking to draw yet"
        ))
    })?;
    let o: SearchOutcome = serde_json::from_str(outcome)
        .map_err(|e| Error::Internal(format!("search {search_id}: outcome unreadable: {e}")))?;
    let settings: serde_json::Value = serde_json::from_str(&s.settings)
        .map_err(|e| Error::Internal(format!("search {search_id}: settings unreadable: {e}")))?;
    let candidates: Vec<Candidate> = serde_json::from_value(
        settings.get("candidates").cloned().unwrap_or_default(),
    )
    .map_err(|e| {
        Error::Internal(format!(
            "search {search_id}: settings field `candidates`: {e}"
        ))
    })?;
    Ok(spec(&candidates, &o, style))
}

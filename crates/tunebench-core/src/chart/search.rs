//! The candidates of a prompt search: each one's primary metric on the validation cases
//! (with its interval) against its cost per query, the chosen one marked, so a person sees
//! what the choice traded. Candidates halved out early are drawn muted: they were scored on
//! fewer cases.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::frame::{cost_quality_axes, CostPoint, Drawn, Look};
use super::place::{around, draw_at, size_of, Placer, Rect};
use crate::money::usd;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchPoint {
    /// What the candidate changes in arm A ("system 2 · 3 random examples").
    pub label: String,
    /// $ per query on the validation cases.
    pub cost_per_query: f64,
    pub metric: f64,
    pub low: f64,
    pub high: f64,
    /// Validation cases it was scored on (fewer when halved out early).
    pub cases: u32,
    /// Whether it reached the last rung.
    pub finalist: bool,
    pub chosen: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchChartData {
    /// The metric axis, e.g. "accuracy".
    pub metric: String,
    pub points: Vec<SearchPoint>,
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &SearchChartData,
    look: &Look,
) -> Drawn {
    let points: Vec<CostPoint> = d
        .points
        .iter()
        .map(|p| (p.cost_per_query, p.low, p.metric, p.high))
        .collect();
    let titles = ("Cost per query on validation (USD)", d.metric.as_str());
    let (mut chart, x_max) = cost_quality_axes(area, look, &points, (1.35, 0.15), titles)?;
    let cap = x_max * 0.006;
    let plot = chart.plotting_area().strip_coord_spec();
    let mut placer = Placer::new(&plot, look);
    // The muted ones first, so the finalists and the choice are drawn over them.
    let mut order: Vec<&SearchPoint> = d.points.iter().collect();
    order.sort_by_key(|p| (p.chosen, p.finalist));
    let mut labels = Vec::new();
    for p in &order {
        let (color, width, r) = if p.chosen {
            (look.series(1), 4.0, 16.0)
        } else if p.finalist {
            (look.series(0), 2.5, 10.0)
        } else {
            (look.muted, 1.5, 7.0)
        };
        let stroke = look.stroke(color, width);
        let x = p.cost_per_query;
        chart.draw_series([
            PathElement::new(vec![(x, p.low), (x, p.high)], stroke),
            PathElement::new(vec![(x - cap, p.low), (x + cap, p.low)], stroke),
            PathElement::new(vec![(x - cap, p.high), (x + cap, p.high)], stroke),
        ])?;
        let r = look.px(r);
        chart.draw_series(std::iter::once(Circle::new(
            (x, p.metric),
            r,
            color.filled(),
        )))?;
        placer.line(vec![
            chart.backend_coord(&(x, p.low)),
            chart.backend_coord(&(x, p.high)),
        ]);
        let (cx, cy) = chart.backend_coord(&(x, p.metric));
        placer.take(Rect::at((cx - r, cy - r), (2 * r, 2 * r)));
        if p.chosen || p.finalist {
            labels.push((p.chosen, p.label.clone(), x, (cx, cy)));
        }
    }
    // The choice is placed first, so it always finds room; a finalist's label is left out
    // where no spot is clear of the others.
    labels.reverse();
    for (chosen, label, x, at) in labels {
        let (text, style) = if chosen {
            let metric = d.points.iter().find(|p| p.chosen).map_or(0.0, |p| p.metric);
            (
                format!("chosen: {label} · {} · {metric:.3}", usd(x)),
                look.text(26.0),
            )
        } else {
            (label, look.muted_text(20.0))
        };
        let size = size_of(&plot, &text, &style)?;
        if let Some(spot) = placer.place(size, &around(at, size, look.px(22.0))) {
            draw_at(&plot, &text, &style, spot)?;
        }
    }
    Ok(())
}

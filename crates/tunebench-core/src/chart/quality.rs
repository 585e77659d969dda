//! Quality against cost per query: each arm a point with its quality interval, so the
//! cheaper-and-better corner is visible at a glance.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::frame::{cost_quality_axes, CostPoint, Drawn, Look};
use super::place::{around, draw_at, size_of, Placer, Rect};
use crate::money::usd;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QualityPoint {
    pub name: String,
    /// $ per query.
    pub cost_per_query: f64,
    pub quality: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QualityData {
    /// The quality axis, e.g. "Accuracy".
    pub metric: String,
    pub points: Vec<QualityPoint>,
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &QualityData,
    look: &Look,
) -> Drawn {
    let points: Vec<CostPoint> = d
        .points
        .iter()
        .map(|p| (p.cost_per_query, p.low, p.quality, p.high))
        .collect();
    let titles = ("Cost per query (USD)", d.metric.as_str());
    let (mut chart, x_max) = cost_quality_axes(area, look, &points, (1.3, 0.25), titles)?;
    let cap = x_max * 0.008;
    let plot = chart.plotting_area().strip_coord_spec();
    let mut placer = Placer::new(&plot, look);
    for p in &d.points {
        let x = p.cost_per_query;
        placer.line(vec![
            chart.backend_coord(&(x, p.low)),
            chart.backend_coord(&(x, p.high)),
        ]);
        let (cx, cy) = chart.backend_coord(&(x, p.quality));
        let r = look.px(12.0);
        placer.take(Rect::at((cx - r, cy - r), (2 * r, 2 * r)));
    }
    let mut labels = Vec::new();
    for (i, p) in d.points.iter().enumerate() {
        let color = look.series(i);
        let stroke = look.stroke(color, 3.0);
        let x = p.cost_per_query;
        chart.draw_series([
            PathElement::new(vec![(x, p.low), (x, p.high)], stroke),
            PathElement::new(vec![(x - cap, p.low), (x + cap, p.low)], stroke),
            PathElement::new(vec![(x - cap, p.high), (x + cap, p.high)], stroke),
        ])?;
        let r = look.px(12.0);
        chart.draw_series(std::iter::once(Circle::new(
            (x, p.quality),
            r,
            color.filled(),
        )))?;
        labels.push((
            format!("{} · {} · {:.3}", p.name, usd(x), p.quality),
            chart.backend_coord(&(x, p.quality)),
        ));
    }
    let style = look.text(26.0);
    for (text, at) in labels {
        let size = size_of(&plot, &text, &style)?;
        if let Some(spot) = placer.place(size, &around(at, size, look.px(22.0))) {
            draw_at(&plot, &text, &style, spot)?;
        }
    }
    Ok(())
}

//! Quality against cost per query: each arm a point with its quality interval, so the
//! cheaper-and-better corner is visible at a glance.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::frame::{style_mesh, Drawn, Look};
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
    let x_max = d
        .points
        .iter()
        .map(|p| p.cost_per_query)
        .fold(0.0_f64, f64::max)
        .max(1e-6)
        * 1.3;
    let y_lo = d
        .points
        .iter()
        .map(|p| p.low.min(p.quality))
        .fold(f64::INFINITY, f64::min);
    let y_hi = d
        .points
        .iter()
        .map(|p| p.high.max(p.quality))
        .fold(f64::NEG_INFINITY, f64::max);
    let (y_lo, y_hi) = if y_lo.is_finite() && y_hi > y_lo {
        let pad = (y_hi - y_lo) * 0.25;
        (y_lo - pad, y_hi + pad)
    } else {
        (0.0, 1.0)
    };
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(150.0))
        .build_cartesian_2d(0.0..x_max, y_lo..y_hi)?;
    let x_fmt = |v: &f64| usd(*v);
    let y_fmt = |v: &f64| format!("{v:.2}");
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, look, "Cost per query (USD)", &d.metric);
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
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

//! A decision re-checked over time: for each run of an experiment (oldest on the left) the
//! primary metric with its interval, p95 latency and cost per query of each arm, side by
//! side, with the model named wherever it changed.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::frame::{style_mesh, Drawn, Look};
use super::place::{self, around, draw_at, size_of, Placer, Rect};
use crate::money::{count, usd};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrendPoint {
    pub model: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub latency_p95_ms: Option<f64>,
    pub cost_per_query: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrendRun {
    /// The x-axis label, e.g. "run 12".
    pub label: String,
    /// One point per arm, in the order of `TrendData::series`.
    pub points: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrendData {
    /// The primary metric's name, e.g. "accuracy".
    pub metric: String,
    /// The arms' legend names, e.g. ["A (prompting)", "B (fine-tuned)"].
    pub series: Vec<String>,
    /// Oldest first.
    pub runs: Vec<TrendRun>,
}

/// Which number of a point a panel shows.
#[derive(Clone, Copy)]
enum Panel {
    Metric,
    Latency,
    Cost,
}

impl Panel {
    fn value(self, p: &TrendPoint) -> Option<f64> {
        match self {
            Panel::Metric => Some(p.value),
            Panel::Latency => p.latency_p95_ms,
            Panel::Cost => p.cost_per_query,
        }
        .filter(|v| v.is_finite())
    }

    fn range(self, p: &TrendPoint) -> Option<(f64, f64)> {
        match self {
            Panel::Metric => Some((p.low.min(p.value), p.high.max(p.value))),
            _ => self.value(p).map(|v| (v, v)),
        }
    }

    fn axis(self, metric: &str) -> String {
        match self {
            Panel::Metric => metric.to_string(),
            Panel::Latency => "p95 latency (ms)".into(),
            Panel::Cost => "Cost per query (USD)".into(),
        }
    }

    fn format(self, v: f64) -> String {
        match self {
            Panel::Metric => format!("{v:.2}"),
            Panel::Latency => count(v),
            Panel::Cost => usd(v),
        }
    }
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &TrendData,
    look: &Look,
) -> Drawn {
    let panels = area.split_evenly((1, 3));
    for (i, (panel_area, panel)) in panels
        .iter()
        .zip([Panel::Metric, Panel::Latency, Panel::Cost])
        .enumerate()
    {
        draw_panel(panel_area, d, look, panel, i == 0)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &TrendData,
    look: &Look,
    panel: Panel,
    legend: bool,
) -> Drawn {
    let n = d.runs.len().max(1);
    let (lo, hi) = d
        .runs
        .iter()
        .flat_map(|r| r.points.iter().filter_map(|p| panel.range(p)))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (l, h)| {
            (lo.min(l), hi.max(h))
        });
    let (y_lo, y_hi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        let pad = (hi - lo) * 0.3;
        match panel {
            Panel::Metric => (lo - pad, hi + pad),
            _ => ((lo - pad).max(0.0), hi + pad),
        }
    } else {
        let pad = lo.abs().max(1e-6) * 0.2;
        ((lo - pad).max(0.0), hi + pad)
    };
    let mut chart = ChartBuilder::on(area)
        .margin_right(look.px(48.0))
        .x_label_area_size(look.px(80.0))
        .y_label_area_size(look.px(140.0))
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), y_lo..y_hi)?;
    let labels: Vec<&str> = d.runs.iter().map(|r| r.label.as_str()).collect();
    let x_fmt = |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 {
            labels
                .get(i as usize)
                .map_or(String::new(), |s| s.to_string())
        } else {
            String::new()
        }
    };
    let y_fmt = |v: &f64| panel.format(*v);
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, look, "", &panel.axis(&d.metric));
    mesh.x_labels(n.min(8) + 1)
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .disable_x_mesh()
        .draw()?;
    let series = d.series.len().max(1);
    let plot = chart.plotting_area().strip_coord_spec();
    let mut placer = Placer::new(&plot, look);
    let mut labels = Vec::new();
    for s in 0..series {
        let color = look.series(s);
        // Arms side by side within a run, so their intervals do not hide each other.
        let shift = (s as f64 - (series as f64 - 1.0) / 2.0) * 0.08;
        let points: Vec<(f64, &TrendPoint)> = d
            .runs
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.points.get(s).map(|p| (i as f64 + shift, p)))
            .collect();
        let line: Vec<(f64, f64)> = points
            .iter()
            .filter_map(|(x, p)| panel.value(p).map(|v| (*x, v)))
            .collect();
        let width = look.px_u(4.0);
        chart.draw_series(LineSeries::new(line.clone(), color.stroke_width(width)))?;
        placer.line(line.iter().map(|p| chart.backend_coord(p)).collect());
        if let Panel::Metric = panel {
            chart.draw_series(points.iter().map(|(x, p)| {
                PathElement::new(vec![(*x, p.low), (*x, p.high)], look.stroke(color, 3.0))
            }))?;
            for (x, p) in &points {
                placer.line(vec![
                    chart.backend_coord(&(*x, p.low)),
                    chart.backend_coord(&(*x, p.high)),
                ]);
            }
        }
        let r = look.px(10.0);
        chart.draw_series(
            line.iter()
                .map(|&(x, y)| Circle::new((x, y), r, color.filled())),
        )?;
        for p in &line {
            let (cx, cy) = chart.backend_coord(p);
            placer.take(Rect::at((cx - r, cy - r), (2 * r, 2 * r)));
        }
        if let Panel::Metric = panel {
            // The model beside each arm's point wherever it differs from the run before.
            let mut previous: Option<&str> = None;
            for (x, p) in &points {
                if previous != Some(p.model.as_str()) {
                    labels.push((p.model.clone(), chart.backend_coord(&(*x, p.value)), color));
                }
                previous = Some(p.model.as_str());
            }
        }
    }
    if legend {
        let names: Vec<(String, RGBColor)> = (0..series)
            .map(|s| (d.series.get(s).cloned().unwrap_or_default(), look.series(s)))
            .collect();
        place::legend(&plot, &mut placer, look, &names)?;
    }
    for (text, at, color) in labels {
        let style = look.muted_text(22.0).color(&color);
        let size = size_of(&plot, &text, &style)?;
        if let Some(spot) = placer.place(size, &around(at, size, look.px(16.0))) {
            draw_at(&plot, &text, &style, spot)?;
        }
    }
    Ok(())
}

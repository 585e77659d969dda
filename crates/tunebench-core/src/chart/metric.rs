//! Metric comparison: for each metric, a bar per arm with its confidence interval.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::frame::{draw_legend, style_mesh, Drawn, Look};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MetricBar {
    pub arm: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MetricGroup {
    pub metric: String,
    /// One bar per arm, in the same arm order in every group.
    pub bars: Vec<MetricBar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MetricData {
    pub groups: Vec<MetricGroup>,
    /// The value axis, e.g. "Score (95 % CI)".
    pub y_label: String,
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &MetricData,
    look: &Look,
) -> Drawn {
    let n = d.groups.len().max(1);
    let y_hi = d
        .groups
        .iter()
        .flat_map(|g| g.bars.iter().map(|b| b.high.max(b.value)))
        .fold(0.0_f64, f64::max);
    // Scores in 0..1 keep a 0..1 scale with headroom for the legend.
    let y_hi = if y_hi <= 1.0 { 1.15 } else { y_hi * 1.15 };
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(130.0))
        .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..y_hi)?;
    // Groups sit at whole numbers; only those ticks get a name.
    let names: Vec<&str> = d.groups.iter().map(|g| g.metric.as_str()).collect();
    let x_fmt = |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 {
            names
                .get(i as usize)
                .map_or(String::new(), |s| s.to_string())
        } else {
            String::new()
        }
    };
    let y_fmt = |v: &f64| format!("{v:.2}");
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, look, "", &d.y_label);
    mesh.x_labels(n)
        .disable_x_mesh()
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    let arms = d
        .groups
        .iter()
        .map(|g| g.bars.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let slot = 0.8 / arms as f64;
    for (gi, g) in d.groups.iter().enumerate() {
        for (ai, b) in g.bars.iter().enumerate() {
            let color = look.series(ai);
            let x0 = gi as f64 - 0.4 + slot * ai as f64 + slot * 0.1;
            let x1 = x0 + slot * 0.8;
            let mid = (x0 + x1) / 2.0;
            let whisker = look.stroke(look.fg, 3.0);
            chart.draw_series([Rectangle::new([(x0, 0.0), (x1, b.value)], color.filled())])?;
            chart.draw_series([
                PathElement::new(vec![(mid, b.low), (mid, b.high)], whisker),
                PathElement::new(
                    vec![(mid - slot * 0.15, b.low), (mid + slot * 0.15, b.low)],
                    whisker,
                ),
                PathElement::new(
                    vec![(mid - slot * 0.15, b.high), (mid + slot * 0.15, b.high)],
                    whisker,
                ),
            ])?;
        }
    }
    if let Some(first) = d.groups.first() {
        for (ai, b) in first.bars.iter().enumerate() {
            let color = look.series(ai);
            let size = look.px(14.0);
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
                .label(b.arm.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - size), (x + 2 * size, y + size)], color.filled())
                });
        }
    }
    draw_legend(&mut chart, look, SeriesLabelPosition::UpperRight)
}

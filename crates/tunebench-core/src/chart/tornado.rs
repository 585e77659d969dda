//! The sensitivity tornado: how far the break-even moves when each assumption is 25 % lower
//! or higher, widest swing on top; "never" where the lines stop crossing.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::frame::{draw_legend, left_middle, style_mesh, Drawn, Look};
use crate::cost::CostReport;
use crate::money::{count, short};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TornadoBar {
    pub label: String,
    /// Break-even, queries/day, with the assumption 25 % lower (`None`: never crosses).
    pub low: Option<f64>,
    /// … and 25 % higher.
    pub high: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TornadoData {
    /// The break-even with every assumption at its value, queries/day.
    pub base: f64,
    pub bars: Vec<TornadoBar>,
}

/// Rows drawn at most.
pub const MAX_ROWS: usize = 12;

impl TornadoData {
    /// The tornado of a report's sensitivity table; `None` when the base case never crosses.
    pub fn from_report(report: &CostReport) -> Option<Self> {
        Some(TornadoData {
            base: report.break_even.queries_per_day()?,
            bars: report
                .sensitivity
                .iter()
                .take(MAX_ROWS)
                .map(|r| TornadoBar {
                    label: r.assumption.clone(),
                    low: r.break_even_low,
                    high: r.break_even_high,
                })
                .collect(),
        })
    }
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &TornadoData,
    look: &Look,
) -> Drawn {
    let n = d.bars.len().max(1);
    let finite_max = d
        .bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .flatten()
        .fold(d.base, f64::max);
    let x_max = finite_max * 1.25;
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(520.0))
        .build_cartesian_2d(0.0..x_max, -0.5..n as f64 - 0.5)?;
    let row_of = |v: f64| {
        let i = v.round();
        ((v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n).then(|| n - 1 - i as usize)
    };
    let y_fmt = |v: &f64| {
        row_of(*v)
            .and_then(|r| d.bars.get(r))
            .map_or(String::new(), |b| b.label.clone())
    };
    let x_fmt = |v: &f64| short(*v);
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, look, "Break-even (queries per day)", "");
    mesh.y_labels(n)
        .disable_y_mesh()
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    for (i, bar) in d.bars.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        for (k, end) in [bar.low, bar.high].into_iter().enumerate() {
            let to = end.unwrap_or(x_max);
            chart.draw_series([Rectangle::new(
                [(d.base, y - 0.34), (to, y + 0.34)],
                look.series(k).filled(),
            )])?;
            if end.is_none() {
                chart.draw_series([Text::new(
                    "never ",
                    (x_max * 0.93, y),
                    left_middle(look.text(24.0)),
                )])?;
            }
        }
    }
    chart.draw_series([PathElement::new(
        vec![(d.base, -0.5), (d.base, n as f64 - 0.5)],
        look.stroke(look.fg, 3.0),
    )])?;
    chart.draw_series([Text::new(
        format!(" Base {}/day", count(d.base)),
        (d.base, n as f64 - 0.5),
        left_middle(look.muted_text(24.0)),
    )])?;
    for (k, label) in ["assumption −25 %", "assumption +25 %"]
        .into_iter()
        .enumerate()
    {
        let color = look.series(k);
        let size = look.px(14.0);
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
            .label(label)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - size), (x + 2 * size, y + size)], color.filled())
            });
    }
    draw_legend(&mut chart, look, SeriesLabelPosition::LowerRight)
}

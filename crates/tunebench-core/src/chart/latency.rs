//! The latency distribution of each arm as a cumulative curve (share of requests answered
//! within x ms), with p50 and p95 in the legend and the latency budget as a line.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use super::frame::{draw_legend, left_middle, style_mesh, Drawn, Look};
use crate::money::count;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LatencySample {
    pub name: String,
    pub latencies_ms: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LatencyData {
    pub arms: Vec<LatencySample>,
    pub budget_ms: Option<f64>,
}

/// The percentile `q` (0..1) of sorted values, as the report and the run summary compute it.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    crate::stats::latency::quantile_sorted(sorted, q)
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &LatencyData,
    look: &Look,
) -> Drawn {
    let sorted: Vec<Vec<f64>> = d
        .arms
        .iter()
        .map(|a| {
            let mut v: Vec<f64> = a
                .latencies_ms
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            v
        })
        .collect();
    let x_max = sorted
        .iter()
        .filter_map(|v| v.last().copied())
        .chain(d.budget_ms)
        .fold(1.0_f64, f64::max)
        * 1.05;
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(130.0))
        .build_cartesian_2d(0.0..x_max, 0.0..100.0)?;
    let x_fmt = |v: &f64| count(*v);
    let y_fmt = |v: &f64| format!("{v:.0} %");
    let mut mesh = chart.configure_mesh();
    style_mesh(
        &mut mesh,
        look,
        "Latency (ms)",
        "Requests answered within (%)",
    );
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    for (i, (arm, v)) in d.arms.iter().zip(&sorted).enumerate() {
        let color = look.series(i);
        let width = look.px_u(4.0);
        let line = look.legend_line();
        let n = v.len() as f64;
        let mut steps = vec![(0.0, 0.0)];
        for (j, x) in v.iter().enumerate() {
            steps.push((*x, j as f64 / n * 100.0));
            steps.push((*x, (j + 1) as f64 / n * 100.0));
        }
        let label = format!(
            "{} · p50 {} ms · p95 {} ms",
            arm.name,
            count(percentile(v, 0.5)),
            count(percentile(v, 0.95))
        );
        chart
            .draw_series(LineSeries::new(steps, color.stroke_width(width)))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + line, y)], color.stroke_width(width))
            });
    }
    if let Some(b) = d.budget_ms {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(b, 0.0), (b, 100.0)],
            look.stroke(look.muted, 3.0),
        )))?;
        // Beside the line, on whichever side has room.
        let (label, style) = if b > x_max * 0.6 {
            (
                format!("Budget {} ms  ", count(b)),
                look.muted_text(26.0)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            )
        } else {
            (
                format!("  Budget {} ms", count(b)),
                left_middle(look.muted_text(26.0)),
            )
        };
        chart.draw_series(std::iter::once(Text::new(label, (b, 97.0), style)))?;
    }
    draw_legend(&mut chart, look, SeriesLabelPosition::LowerRight)
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_match_the_report() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(super::percentile(&v, 0.5), 50.5);
        assert!((super::percentile(&v, 0.95) - 95.05).abs() < 1e-9);
        assert_eq!(super::percentile(&[7.0], 0.95), 7.0);
    }
}

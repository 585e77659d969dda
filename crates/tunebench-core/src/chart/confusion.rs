//! The confusion matrix of one arm as a heatmap: rows are expected labels, columns the
//! predicted ones, each cell shaded by its share of the row and labelled with its count.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use super::frame::{style_mesh, DrawError, Drawn, Look};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConfusionData {
    pub labels: Vec<String>,
    /// `counts[expected][predicted]`, a square matrix the size of `labels`.
    pub counts: Vec<Vec<u32>>,
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &ConfusionData,
    look: &Look,
) -> Drawn {
    let n = d.labels.len();
    if n == 0 || d.counts.len() != n || d.counts.iter().any(|r| r.len() != n) {
        return Err(DrawError(format!(
            "the matrix must be {n}×{n} for {n} labels, found {} rows",
            d.counts.len()
        )));
    }
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(260.0))
        .build_cartesian_2d(-0.5..n as f64 - 0.5, -0.5..n as f64 - 0.5)?;
    // Row 0 is drawn at the top: y = n - 1 - row.
    let name = |v: f64, flip: bool| {
        let i = v.round();
        if (v - i).abs() > 1e-6 || i < 0.0 || i as usize >= n {
            return String::new();
        }
        let idx = if flip { n - 1 - i as usize } else { i as usize };
        d.labels[idx].clone()
    };
    let x_fmt = |v: &f64| name(*v, false);
    let y_fmt = |v: &f64| name(*v, true);
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, look, "Predicted", "Expected");
    mesh.x_labels(n)
        .y_labels(n)
        .disable_mesh()
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    let base = look.series(0);
    for (row, counts) in d.counts.iter().enumerate() {
        let total: u32 = counts.iter().sum();
        for (col, &c) in counts.iter().enumerate() {
            let share = if total > 0 {
                f64::from(c) / f64::from(total)
            } else {
                0.0
            };
            let mix =
                |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * share).round() as u8;
            let fill = RGBColor(
                mix(look.bg.0, base.0),
                mix(look.bg.1, base.1),
                mix(look.bg.2, base.2),
            );
            let (x, y) = (col as f64, (n - 1 - row) as f64);
            chart.draw_series([Rectangle::new(
                [(x - 0.48, y - 0.48), (x + 0.48, y + 0.48)],
                fill.filled(),
            )])?;
            let ink = if share > 0.55 {
                RGBColor(255, 255, 255)
            } else {
                look.fg
            };
            let style = look
                .text((34.0 - n as f64).max(16.0))
                .color(&ink)
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart.draw_series([Text::new(c.to_string(), (x, y), style)])?;
        }
    }
    Ok(())
}

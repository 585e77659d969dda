//! A fine-tune job's training loss by step, from the losses its events carry: whether the
//! training is still learning, has flattened, or went wrong.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::frame::{style_mesh, Drawn, Look};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LossPoint {
    pub step: u32,
    pub loss: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LossData {
    /// In step order, one per step.
    pub points: Vec<LossPoint>,
}

impl LossData {
    /// From `(step, loss)` pairs (as `FineTuneJob::losses` gives them).
    pub fn from_pairs(pairs: &[(u32, f64)]) -> Self {
        LossData {
            points: pairs
                .iter()
                .map(|&(step, loss)| LossPoint { step, loss })
                .collect(),
        }
    }
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &LossData,
    look: &Look,
) -> Drawn {
    let points: Vec<(f64, f64)> = d
        .points
        .iter()
        .filter(|p| p.loss.is_finite())
        .map(|p| (f64::from(p.step), p.loss))
        .collect();
    let first = points.first().map_or(0.0, |p| p.0);
    let last = points.last().map_or(1.0, |p| p.0).max(first + 1.0);
    // The loss axis starts at zero (or the lowest loss, when one is negative) so a flat
    // stretch looks flat.
    let low = points.iter().map(|p| p.1).fold(0.0_f64, f64::min);
    let high = points.iter().map(|p| p.1).fold(low, f64::max);
    let high = if high > low { high * 1.08 } else { low + 1.0 };
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(130.0))
        .build_cartesian_2d(first..last, low..high)?;
    // Steps are whole: a tick between two steps gets no label (it would repeat one).
    let x_fmt = |v: &f64| {
        if (v - v.round()).abs() < 1e-6 {
            format!("{v:.0}")
        } else {
            String::new()
        }
    };
    let y_fmt = |v: &f64| format!("{v:.2}");
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, look, "Step", "Training loss");
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_labels(((last - first) as usize + 1).min(6))
        .y_labels(5)
        .draw()?;
    let color = look.series(0);
    chart.draw_series(LineSeries::new(
        points.iter().copied(),
        color.stroke_width(look.px_u(4.0)),
    ))?;
    chart.draw_series(
        points
            .iter()
            .map(|&p| Circle::new(p, look.px(6.0), color.filled())),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{preset, render_svg};

    #[test]
    fn each_step_is_labelled_once_on_the_x_axis() {
        let data = LossData::from_pairs(&[(1, 1.7), (2, 0.9), (3, 0.41)]);
        let svg = render_svg(&preset::loss_screen(7, "source".into(), data)).unwrap();
        let whole: Vec<&str> = svg
            .split("</text>")
            .filter_map(|t| t.rsplit('>').next())
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
            .collect();
        assert_eq!(whole, ["1", "2", "3"], "{svg}");
    }
}

//! Cumulative cost over months at the user's volume: when the fine-tune's training has been
//! paid back by what it saves (retraining shows as steps).

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::frame::{self, left_middle, style_mesh, Drawn, Look};
use super::place::{self, Placer};
use crate::cost::{model::cumulative, CostReport, Scenario, Side};
use crate::money::short;
use crate::Result;

/// One arm's cumulative cost, $, after month 0, 1, 2, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonthlySeries {
    pub name: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CumulativeData {
    pub series: Vec<MonthlySeries>,
    /// Months until the first training run is paid back (fractional), when it is.
    pub payback_months: Option<f64>,
    /// Why the training is not paid back (or comes too late), shown on the chart.
    pub note: Option<String>,
}

impl CumulativeData {
    pub fn from_scenario(s: &Scenario, report: &CostReport) -> Result<Self> {
        Ok(CumulativeData {
            series: vec![
                MonthlySeries {
                    name: s.arm_a.name.clone(),
                    values: cumulative(s, Side::A)?,
                },
                MonthlySeries {
                    name: s.arm_b.name.clone(),
                    values: cumulative(s, Side::B)?,
                },
            ],
            payback_months: report.payback.months,
            note: report.payback.note.clone(),
        })
    }
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &CumulativeData,
    look: &Look,
) -> Drawn {
    let area = &frame::note_band(area, d.note.as_deref(), look)?;
    let months = d
        .series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(1)
        .max(2)
        - 1;
    let y_max = d
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(1.0_f64, f64::max)
        * 1.08;
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(150.0))
        .build_cartesian_2d(0.0..months as f64, 0.0..y_max)?;
    let y_fmt = |v: &f64| format!("${}", short(*v));
    let x_fmt = |v: &f64| format!("{v:.0}");
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, look, "Months", "Cumulative cost (USD)");
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    let mut placer = Placer::new(&chart.plotting_area().strip_coord_spec(), look);
    for (i, s) in d.series.iter().enumerate() {
        let color = look.series(i);
        let width = look.px_u(4.0);
        let points: Vec<(f64, f64)> = s
            .values
            .iter()
            .enumerate()
            .map(|(m, v)| (m as f64, *v))
            .collect();
        placer.line(points.iter().map(|p| chart.backend_coord(p)).collect());
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            color.stroke_width(width),
        ))?;
        chart.draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, look.px(6.0), color.filled())),
        )?;
    }
    if let Some(m) = d.payback_months.filter(|m| *m <= months as f64) {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(m, 0.0), (m, y_max)],
            look.stroke(look.muted, 3.0),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            format!("  Training paid back after {m:.1} months"),
            (m, y_max * 0.05),
            left_middle(look.text(28.0)),
        )))?;
    }
    let names: Vec<(String, RGBColor)> = d
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), look.series(i)))
        .collect();
    place::legend(
        &chart.plotting_area().strip_coord_spec(),
        &mut placer,
        look,
        &names,
    )
}

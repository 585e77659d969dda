//! The crossover chart: monthly cost of each arm against queries per day (linear or log
//! axis), the token-count band around each line, the break-even marked and labelled, and
//! the user's volume as a vertical line. Also the fast path the crossover screen calls on
//! every slider move: model + SVG in one call.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use super::frame::{self, draw_legend, left_middle, style_mesh, Drawn, Look};
use super::{render_svg, ChartData, ChartSpec, ChartStyle};
use crate::cost::{self, model::monthly_curve, BreakEven, CostReport, Scenario, Side};
use crate::money::{count, short, usd};
use crate::Result;

/// Monthly cost at one volume, with the interval from the token counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CurvePoint {
    pub queries_per_day: f64,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// One arm's monthly cost curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CostCurve {
    pub name: String,
    pub points: Vec<CurvePoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CrossoverData {
    pub curves: Vec<CostCurve>,
    /// The break-even: queries per day and the monthly cost there.
    pub break_even: Option<CurvePoint>,
    /// The range of break-even volumes the token-count intervals allow, queries per day,
    /// shaded behind the lines (`None` at an end where the lines may not cross at all).
    #[serde(default)]
    pub break_even_low: Option<f64>,
    #[serde(default)]
    pub break_even_high: Option<f64>,
    /// The user's volume, queries per day.
    pub volume: Option<f64>,
    pub log_x: bool,
    /// Shown when there is no break-even (why the lines never cross).
    pub note: Option<String>,
}

/// Points sampled along each curve.
const SAMPLES: usize = 160;

impl CrossoverData {
    /// The curves of `scenario` from 0 (or 1 on a log axis) to past the break-even and the
    /// user's volume.
    pub fn from_scenario(s: &Scenario, report: &CostReport, log_x: bool) -> Result<Self> {
        let v_star = report.break_even.queries_per_day();
        let (low, high) = match report.break_even {
            BreakEven::Crosses { low, high, .. } => (low, high),
            BreakEven::Never { .. } => (None, None),
        };
        let reach = [
            Some(s.queries_per_day * 2.0),
            v_star.map(|v| v * 2.0),
            high.map(|v| v * 1.2),
        ]
        .into_iter()
        .flatten()
        .fold(1000.0_f64, f64::max);
        let volumes: Vec<f64> = if log_x {
            let lo = 0.0_f64;
            let hi = reach.log10().ceil();
            (0..=SAMPLES)
                .map(|i| 10f64.powf(lo + (hi - lo) * i as f64 / SAMPLES as f64))
                .collect()
        } else {
            (0..=SAMPLES)
                .map(|i| reach * i as f64 / SAMPLES as f64)
                .collect()
        };
        let mut curves = Vec::new();
        for side in [Side::A, Side::B] {
            let costs = monthly_curve(s, side, &volumes)?;
            curves.push(CostCurve {
                name: s.arm(side).name.clone(),
                points: volumes
                    .iter()
                    .zip(costs)
                    .map(|(&v, c)| CurvePoint {
                        queries_per_day: v,
                        mean: c.mean,
                        low: c.low,
                        high: c.high,
                    })
                    .collect(),
            });
        }
        let break_even = match v_star {
            Some(v) => {
                let c = monthly_curve(s, Side::A, &[v])?[0];
                Some(CurvePoint {
                    queries_per_day: v,
                    mean: c.mean,
                    low: c.low,
                    high: c.high,
                })
            }
            None => None,
        };
        let note = match &report.break_even {
            BreakEven::Never { reason, .. } => Some(format!("No break-even: {reason}")),
            BreakEven::Crosses { .. } => None,
        };
        Ok(CrossoverData {
            curves,
            break_even,
            break_even_low: low,
            break_even_high: high,
            volume: Some(s.queries_per_day),
            log_x,
            note,
        })
    }
}

/// What the crossover screen needs after a slider move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScenarioView {
    pub report: CostReport,
    pub svg: String,
}

/// The crossover chart of scenario `s`, ready to render at any size (export, slides).
pub fn spec(
    s: &Scenario,
    title: &str,
    source: &str,
    style: ChartStyle,
    log_x: bool,
) -> Result<ChartSpec> {
    let report = cost::evaluate(s)?;
    spec_of(s, &report, title, source, style, log_x)
}

fn spec_of(
    s: &Scenario,
    report: &CostReport,
    title: &str,
    source: &str,
    style: ChartStyle,
    log_x: bool,
) -> Result<ChartSpec> {
    Ok(ChartSpec {
        title: title.to_string(),
        source: source.to_string(),
        style,
        data: ChartData::Crossover(CrossoverData::from_scenario(s, report, log_x)?),
    })
}

/// The fast path for the crossover screen: evaluates the model and draws the chart as SVG.
pub fn view(
    s: &Scenario,
    title: &str,
    source: &str,
    style: ChartStyle,
    log_x: bool,
) -> Result<ScenarioView> {
    let report = cost::evaluate(s)?;
    let svg = render_svg(&spec_of(s, &report, title, source, style, log_x)?)?;
    Ok(ScenarioView { report, svg })
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &CrossoverData,
    look: &Look,
) -> Drawn {
    let area = &frame::note_band(area, d.note.as_deref(), look)?;
    let all = d.curves.iter().flat_map(|c| c.points.iter());
    let x_max = all
        .clone()
        .map(|p| p.queries_per_day)
        .fold(1.0_f64, f64::max);
    let y_max = all.map(|p| p.high.max(p.mean)).fold(1.0_f64, f64::max) * 1.08;
    let (x_lo, x_hi) = if d.log_x {
        (0.0, x_max.log10().ceil().max(1.0))
    } else {
        (0.0, x_max)
    };
    let fx = |x: f64| if d.log_x { x.max(1.0).log10() } else { x };
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(150.0))
        .build_cartesian_2d(x_lo..x_hi, 0.0..y_max)?;
    let x_fmt = |v: &f64| short(if d.log_x { 10f64.powf(*v) } else { *v });
    let y_fmt = |v: &f64| format!("${}", short(*v));
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, look, "Queries per day", "Monthly cost (USD)");
    if d.log_x {
        mesh.x_labels((x_hi - x_lo) as usize + 1);
    }
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;

    if let (Some(lo), Some(hi)) = (d.break_even_low, d.break_even_high) {
        if hi > lo {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(fx(lo), 0.0), (fx(hi), y_max)],
                look.muted.mix(0.10).filled(),
            )))?;
            // High in the plot, where the curves (which rise with volume) are not yet,
            // beside the band on the side with room.
            let text = format!("break-even range {}–{}/day", count(lo), count(hi));
            let (label, at, h) = if fx(hi) - x_lo > (x_hi - x_lo) * 0.6 {
                (format!("{text}  "), fx(lo), HPos::Right)
            } else {
                (format!("  {text}"), fx(hi), HPos::Left)
            };
            chart.draw_series(std::iter::once(Text::new(
                label,
                (at, y_max * 0.8),
                look.muted_text(22.0).pos(Pos::new(h, VPos::Center)),
            )))?;
        }
    }
    for (i, curve) in d.curves.iter().enumerate() {
        let color = look.series(i);
        let band: Vec<(f64, f64)> = curve
            .points
            .iter()
            .map(|p| (fx(p.queries_per_day), p.low))
            .chain(
                curve
                    .points
                    .iter()
                    .rev()
                    .map(|p| (fx(p.queries_per_day), p.high)),
            )
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            color.mix(0.16).filled(),
        )))?;
    }
    for (i, curve) in d.curves.iter().enumerate() {
        let color = look.series(i);
        let width = look.px_u(4.0);
        let line = look.legend_line();
        chart
            .draw_series(LineSeries::new(
                curve.points.iter().map(|p| (fx(p.queries_per_day), p.mean)),
                color.stroke_width(width),
            ))?
            .label(curve.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + line, y)], color.stroke_width(width))
            });
    }
    if let Some(v) = d.volume.filter(|v| *v > 0.0) {
        let x = fx(v);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, 0.0), (x, y_max)],
            look.stroke(look.muted, 3.0),
        )))?;
        // At the top, unless the line runs through the legend's corner.
        let y = if x - x_lo < (x_hi - x_lo) * 0.3 {
            0.72
        } else {
            0.97
        };
        chart.draw_series(std::iter::once(Text::new(
            format!("  Your volume: {}/day", count(v)),
            (x, y_max * y),
            left_middle(look.muted_text(26.0)),
        )))?;
    }
    if let Some(be) = &d.break_even {
        let r = look.px(11.0);
        let label = format!(
            "Break-even: {}/day ({} a month)",
            count(be.queries_per_day),
            usd(be.mean)
        );
        // The label goes above the point (below it are the axis labels), on the side
        // with more room.
        let x = fx(be.queries_per_day);
        let right_half = (x - x_lo) > (x_hi - x_lo) * 0.55;
        let (dx, anchor) = if right_half {
            (-r - look.px(10.0), HPos::Right)
        } else {
            (r + look.px(10.0), HPos::Left)
        };
        // On a panel of the background, so a curve passing behind does not garble it.
        let size = 28.0;
        let width = (label.chars().count() as f64 * size * look.k * 0.56) as i32;
        let height = look.px(size * 1.25);
        let pad = look.px(6.0);
        let (left, right) = match anchor {
            HPos::Right => (dx - width - pad, dx + pad),
            _ => (dx - pad, dx + width + pad),
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, be.mean))
                + Rectangle::new(
                    [(left, -r - height - pad), (right, -r + pad)],
                    look.bg.mix(0.85).filled(),
                )
                + Circle::new((0, 0), r, look.fg.filled())
                + Text::new(
                    label,
                    (dx, -r),
                    look.text(size).pos(Pos::new(anchor, VPos::Bottom)),
                ),
        ))?;
    }
    // Costs grow with volume, so the upper left is where the curves are not.
    draw_legend(&mut chart, look, SeriesLabelPosition::UpperLeft)
}

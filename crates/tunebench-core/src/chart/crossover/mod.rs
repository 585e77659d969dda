//! The crossover chart: monthly cost of each arm against queries per day, on linear axes
//! over a range that holds the break-even and the user's volume (or log–log), the token-count
//! band around each line, the volumes where each arm is cheaper shaded, the break-even and
//! its uncertainty, the user's volume and the monthly saving there. Also the fast path the
//! crossover screen calls on every slider move: model + SVG in one call.

mod draw;

use serde::{Deserialize, Serialize};

pub(crate) use draw::draw;

use super::{render_svg, ChartData, ChartSpec, ChartStyle};
use crate::cost::{
    self, model::monthly_curve, ArmsCostReport, ArmsScenario, BreakEven, CheaperRange,
    CheapestRange, CostReport, Scenario, Side,
};
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
    /// Monthly cost of arm A minus arm B at the user's volume (positive: B saves).
    #[serde(default)]
    pub saving_at_volume: Option<f64>,
    /// The volume ranges where each arm is cheaper, from the cost model, shaded.
    #[serde(default)]
    pub cheaper: Vec<CheaperRange>,
    /// For three or more arms: the volume ranges where each arm (an index into `curves`)
    /// is the cheapest of them all, shaded in its colour (`cheaper` is then empty).
    #[serde(default)]
    pub cheapest: Vec<CheapestRange>,
    /// Both axes logarithmic (volumes across orders of magnitude); linear otherwise.
    pub log_x: bool,
    /// Shown when there is no break-even (why the lines never cross).
    pub note: Option<String>,
}

/// Points sampled along each curve.
const SAMPLES: usize = 160;

impl CrossoverData {
    /// The curves of `scenario` over a range holding the break-even (and its uncertainty)
    /// and the user's volume with headroom: from 0 on linear axes, from a decade below the
    /// smallest of them on log–log axes.
    pub fn from_scenario(s: &Scenario, report: &CostReport, log_x: bool) -> Result<Self> {
        let v_star = report.break_even.queries_per_day();
        let (low, high) = match report.break_even {
            BreakEven::Crosses { low, high, .. } => (low, high),
            BreakEven::Never { .. } => (None, None),
        };
        let marks: Vec<f64> = [Some(s.queries_per_day), v_star, low, high]
            .into_iter()
            .flatten()
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        let top = marks.iter().copied().fold(0.0_f64, f64::max);
        let volumes = volumes(&marks, top, log_x);
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
            saving_at_volume: Some(
                report.arm_a.monthly_at_volume.mean - report.arm_b.monthly_at_volume.mean,
            ),
            cheaper: report.cheaper.clone(),
            cheapest: Vec::new(),
            log_x,
            note,
        })
    }

    /// One curve per arm of `s` (A first) over a range holding every volume where the
    /// cheapest arm changes and the user's volume, with the ranges where each arm is
    /// cheapest. No single break-even is marked: each pair's is in `report.pairs`.
    pub fn from_arms(s: &ArmsScenario, report: &ArmsCostReport, log_x: bool) -> Result<Self> {
        let marks: Vec<f64> = std::iter::once(s.scenario.queries_per_day)
            .chain(report.cheapest.iter().filter_map(|r| r.to))
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        let top = marks.iter().copied().fold(0.0_f64, f64::max);
        let volumes = volumes(&marks, top, log_x);
        let mut curves = Vec::new();
        for i in 0..s.arms().len() {
            let (pair, side) = match i {
                0 => (s.between(0, 1)?, Side::A),
                _ => (s.between(0, i)?, Side::B),
            };
            let costs = monthly_curve(&pair, side, &volumes)?;
            curves.push(CostCurve {
                name: pair.arm(side).name.clone(),
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
        Ok(CrossoverData {
            curves,
            break_even: None,
            break_even_low: None,
            break_even_high: None,
            volume: Some(s.scenario.queries_per_day),
            saving_at_volume: None,
            cheaper: Vec::new(),
            cheapest: report.cheapest.clone(),
            log_x,
            note: None,
        })
    }
}

/// Volumes to sample: 0 to `top` plus a quarter, rounded up to a round number, on a
/// linear axis; whole decades from one below the smallest mark to past `top` on a log axis.
fn volumes(marks: &[f64], top: f64, log_x: bool) -> Vec<f64> {
    let top = if top > 0.0 { top } else { 1000.0 };
    if log_x {
        let least = marks.iter().copied().fold(top, f64::min);
        let lo = (least.log10().floor() - 1.0).max(0.0);
        let hi = (top * 1.25).log10().ceil().max(lo + 2.0);
        (0..=SAMPLES)
            .map(|i| 10f64.powf(lo + (hi - lo) * i as f64 / SAMPLES as f64))
            .collect()
    } else {
        let reach = round_up(top * 1.25);
        (0..=SAMPLES)
            .map(|i| reach * i as f64 / SAMPLES as f64)
            .collect()
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at least `x`.
fn round_up(x: f64) -> f64 {
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * p)
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

/// What the crossover screen needs after a slider move, for three or more arms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmsScenarioView {
    pub report: ArmsCostReport,
    pub svg: String,
}

/// The crossover chart of every arm of `s`, ready to render at any size.
pub fn spec_arms(
    s: &ArmsScenario,
    report: &ArmsCostReport,
    title: &str,
    source: &str,
    style: ChartStyle,
    log_x: bool,
) -> Result<ChartSpec> {
    Ok(ChartSpec {
        title: title.to_string(),
        source: source.to_string(),
        style,
        data: ChartData::Crossover(CrossoverData::from_arms(s, report, log_x)?),
    })
}

/// The fast path for the crossover screen with three or more arms: evaluates every arm
/// and draws one line per arm as SVG.
pub fn view_arms(
    s: &ArmsScenario,
    title: &str,
    source: &str,
    style: ChartStyle,
    log_x: bool,
) -> Result<ArmsScenarioView> {
    let report = cost::evaluate_arms(s)?;
    let svg = render_svg(&spec_arms(s, &report, title, source, style, log_x)?)?;
    Ok(ArmsScenarioView { report, svg })
}

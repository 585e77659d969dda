//! Slide-ready charts drawn with plotters, so the app and the exported file show the same
//! picture: a [`ChartSpec`] (plain data + style) becomes SVG text or PNG bytes. Pure: no
//! I/O, no clock; the embedded DejaVu Sans is the only font (no system lookup).

pub mod confusion;
pub mod crossover;
pub mod cumulative;
mod font;
mod frame;
pub mod latency;
pub mod loss;
pub mod measure;
pub mod metric;
mod palette;
mod place;
pub mod preset;
pub mod quality;
pub mod search;
pub mod tornado;
pub mod trend;

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

pub use confusion::ConfusionData;
pub use crossover::{ArmsScenarioView, CostCurve, CrossoverData, CurvePoint, ScenarioView};
pub use cumulative::{CumulativeData, MonthlySeries};
pub use latency::{LatencyData, LatencySample};
pub use loss::{LossData, LossPoint};
pub use metric::{MetricBar, MetricData, MetricGroup};
pub use quality::{QualityData, QualityPoint};
pub use search::{SearchChartData, SearchPoint};
pub use tornado::{TornadoBar, TornadoData};
pub use trend::{TrendData, TrendPoint, TrendRun};

/// Light (white background) or dark (near-black background) slides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
}

/// Theme and size in pixels; font sizes scale with the size (1920×1080 is the reference).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChartStyle {
    pub theme: Theme,
    pub width: u32,
    pub height: u32,
}

impl ChartStyle {
    /// A 1920×1080 slide.
    pub const SLIDE: ChartStyle = ChartStyle {
        theme: Theme::Light,
        width: 1920,
        height: 1080,
    };
    /// A 3840×2160 slide.
    pub const SLIDE_4K: ChartStyle = ChartStyle {
        theme: Theme::Light,
        width: 3840,
        height: 2160,
    };
}

/// The smallest and largest side accepted, pixels.
pub const MIN_SIDE: u32 = 320;
pub const MAX_SIDE: u32 = 8192;

/// One chart: its kind and data, the title, the source line and the style.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChartSpec {
    pub title: String,
    /// The line under the chart, e.g. "n = 412 held-out cases · run 2026-11-29 · prices as of 2026-08-21".
    pub source: String,
    pub style: ChartStyle,
    pub data: ChartData,
}

/// The chart kinds, each with plain data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChartData {
    Crossover(CrossoverData),
    Cumulative(CumulativeData),
    QualityCost(QualityData),
    Latency(LatencyData),
    Metric(MetricData),
    Confusion(ConfusionData),
    Tornado(TornadoData),
    Trend(TrendData),
    Search(SearchChartData),
    Loss(LossData),
}

impl ChartData {
    /// The chart's name, as the CLI and error messages say it.
    pub fn name(&self) -> &'static str {
        match self {
            ChartData::Crossover(_) => "crossover",
            ChartData::Cumulative(_) => "cumulative",
            ChartData::QualityCost(_) => "quality-cost",
            ChartData::Latency(_) => "latency",
            ChartData::Metric(_) => "metric",
            ChartData::Confusion(_) => "confusion",
            ChartData::Tornado(_) => "tornado",
            ChartData::Trend(_) => "trend",
            ChartData::Search(_) => "search",
            ChartData::Loss(_) => "loss",
        }
    }
}

/// The chart as SVG text. Text from user data (names, labels) is XML-escaped.
pub fn render_svg(spec: &ChartSpec) -> Result<String> {
    check_size(spec)?;
    font::register();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (spec.style.width, spec.style.height))
            .into_drawing_area();
        frame::draw(&root, spec, |plot, look| draw_data(plot, &spec.data, look))
            .map_err(|reason| chart_error(spec, reason))?;
    }
    Ok(svg)
}

/// The chart as the file `path` names it: SVG text for `.svg` (any case), PNG otherwise.
pub fn render_for_path(spec: &ChartSpec, path: &std::path::Path) -> Result<Vec<u8>> {
    let svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if svg {
        Ok(render_svg(spec)?.into_bytes())
    } else {
        render_png(spec)
    }
}

/// The chart's pixels, 8-bit RGB, row by row.
fn render_rgb(spec: &ChartSpec) -> Result<Vec<u8>> {
    check_size(spec)?;
    font::register();
    let (w, h) = (spec.style.width, spec.style.height);
    let mut pixels = vec![0_u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        frame::draw(&root, spec, |plot, look| draw_data(plot, &spec.data, look))
            .map_err(|reason| chart_error(spec, reason))?;
    }
    Ok(pixels)
}

/// The chart's pixels, 8-bit RGBA (opaque), row by row: what a clipboard image takes.
pub fn render_rgba(spec: &ChartSpec) -> Result<Vec<u8>> {
    let rgb = render_rgb(spec)?;
    let mut rgba = Vec::with_capacity(rgb.len() / 3 * 4);
    for px in rgb.chunks_exact(3) {
        rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
    }
    Ok(rgba)
}

/// The chart as a PNG file's bytes (8-bit RGB).
pub fn render_png(spec: &ChartSpec) -> Result<Vec<u8>> {
    let pixels = render_rgb(spec)?;
    let (w, h) = (spec.style.width, spec.style.height);
    let mut png_bytes = Vec::with_capacity(pixels.len() / 8);
    let mut encoder = png::Encoder::new(&mut png_bytes, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder
        .write_header()
        .map_err(|e| chart_error(spec, e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| chart_error(spec, e.to_string()))?;
    writer
        .finish()
        .map_err(|e| chart_error(spec, e.to_string()))?;
    Ok(png_bytes)
}

/// Draws `data` in `area`: the one place that knows every chart kind.
fn draw_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    data: &ChartData,
    look: &frame::Look,
) -> frame::Drawn {
    match data {
        ChartData::Crossover(d) => crossover::draw(area, d, look),
        ChartData::Cumulative(d) => cumulative::draw(area, d, look),
        ChartData::QualityCost(d) => quality::draw(area, d, look),
        ChartData::Latency(d) => latency::draw(area, d, look),
        ChartData::Metric(d) => metric::draw(area, d, look),
        ChartData::Confusion(d) => confusion::draw(area, d, look),
        ChartData::Tornado(d) => tornado::draw(area, d, look),
        ChartData::Trend(d) => trend::draw(area, d, look),
        ChartData::Search(d) => search::draw(area, d, look),
        ChartData::Loss(d) => loss::draw(area, d, look),
    }
}

fn check_size(spec: &ChartSpec) -> Result<()> {
    let ChartStyle { width, height, .. } = spec.style;
    if !(MIN_SIDE..=MAX_SIDE).contains(&width) || !(MIN_SIDE..=MAX_SIDE).contains(&height) {
        return Err(Error::Invalid(format!(
            "chart size {width}×{height}: each side must be {MIN_SIDE} to {MAX_SIDE} pixels"
        )));
    }
    Ok(())
}

fn chart_error(spec: &ChartSpec, reason: String) -> Error {
    Error::Chart {
        chart: spec.data.name().to_string(),
        reason,
    }
}

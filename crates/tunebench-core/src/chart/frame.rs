//! What every chart shares: theme colours, font sizes scaled to the output size, the title
//! at the top and the source line at the bottom.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{font::FAMILY, ChartSpec, Theme};

/// A drawing failure, as text (plotters' error types are generic over the backend).
pub(crate) struct DrawError(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawError(e.to_string())
    }
}

pub(crate) type Drawn = Result<(), DrawError>;

/// The smallest size factor: below it type and strokes stop shrinking.
const MIN_SCALE: f64 = 0.6;

/// Colours and a size factor (1.0 at 1920×1080).
pub(crate) struct Look {
    pub bg: RGBColor,
    pub fg: RGBColor,
    pub muted: RGBColor,
    pub grid: RGBColor,
    pub series: [RGBColor; 6],
    pub k: f64,
}

impl Look {
    pub fn new(theme: Theme, width: u32, height: u32) -> Self {
        // Type shrinks with the picture down to 60 % of its slide size, so a chart drawn
        // small (a screen panel, a thumbnail) keeps legible labels.
        let k = (f64::from(width) / 1920.0)
            .min(f64::from(height) / 1080.0)
            .max(MIN_SCALE);
        match theme {
            Theme::Light => Look {
                bg: RGBColor(255, 255, 255),
                fg: RGBColor(31, 35, 40),
                muted: RGBColor(101, 109, 118),
                grid: RGBColor(216, 222, 228),
                series: super::palette::LIGHT,
                k,
            },
            Theme::Dark => Look {
                bg: RGBColor(13, 17, 23),
                fg: RGBColor(230, 237, 243),
                muted: RGBColor(139, 148, 158),
                grid: RGBColor(48, 54, 61),
                series: super::palette::DARK,
                k,
            },
        }
    }

    /// A length in pixels for `base` pixels at 1920×1080.
    pub fn px(&self, base: f64) -> i32 {
        (base * self.k).round().max(1.0) as i32
    }

    pub fn px_u(&self, base: f64) -> u32 {
        self.px(base) as u32
    }

    /// Text in the foreground colour at `base` pixels (scaled).
    pub fn text(&self, base: f64) -> TextStyle<'static> {
        (FAMILY, base * self.k).into_font().color(&self.fg)
    }

    /// Secondary text (source line, annotations).
    pub fn muted_text(&self, base: f64) -> TextStyle<'static> {
        (FAMILY, base * self.k).into_font().color(&self.muted)
    }

    /// The length of a line sample in a legend, pixels.
    pub fn legend_line(&self) -> i32 {
        self.px(36.0)
    }

    pub fn series(&self, i: usize) -> RGBColor {
        self.series[i % self.series.len()]
    }

    /// A line of `base` pixels width (scaled) in `color`.
    pub fn stroke(&self, color: RGBColor, base: f64) -> ShapeStyle {
        color.stroke_width(self.px_u(base))
    }
}

/// Text anchored at its left and vertical middle.
pub(crate) fn left_middle(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Left, VPos::Center))
}

/// Text anchored at its horizontal centre and top.
pub(crate) fn center_top(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Center, VPos::Top))
}

/// Reserves a line above the chart for `note` (why there is no break-even or payback) and
/// returns the area left for the chart.
pub(crate) fn note_band<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    note: Option<&str>,
    look: &Look,
) -> Result<DrawingArea<DB, Shift>, DrawError> {
    let Some(note) = note else {
        return Ok(area.clone());
    };
    let (w, _) = area.dim_in_pixel();
    let size = 26.0;
    // DejaVu Sans averages about 0.55 em per character: wrap to the width.
    let per_line = ((f64::from(w) / (size * look.k * 0.55)) as usize).max(20);
    let lines = wrap(note, per_line);
    let line_h = look.px(size * 1.35);
    let (band, rest) = area.split_vertically(line_h * lines.len() as i32 + look.px(12.0));
    for (i, line) in lines.iter().enumerate() {
        band.draw_text(
            line,
            &center_top(look.muted_text(size)),
            (w as i32 / 2, line_h * i as i32),
        )?;
    }
    Ok(rest)
}

/// Splits `text` into lines of at most `width` characters at spaces (a longer word keeps its line).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Background, title, source line, then the chart itself (drawn by `plot`) in the space
/// between.
pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    plot: impl FnOnce(&DrawingArea<DB, Shift>, &Look) -> Drawn,
) -> Result<(), String> {
    draw_all(root, spec, plot).map_err(|e| e.0)
}

fn draw_all<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    draw_plot: impl FnOnce(&DrawingArea<DB, Shift>, &Look) -> Drawn,
) -> Drawn {
    let look = Look::new(spec.style.theme, spec.style.width, spec.style.height);
    root.fill(&look.bg)?;
    let (_, h) = root.dim_in_pixel();
    let margin = look.px(56.0);
    let title_h = look.px(110.0);
    let source_h = look.px(70.0);
    let (top, rest) = root.split_vertically(title_h);
    top.draw_text(&spec.title, &look.text(46.0), (margin, look.px(40.0)))?;
    let (plot, bottom) = rest.split_vertically(h as i32 - title_h - source_h);
    bottom.draw_text(
        &spec.source,
        &look.muted_text(24.0),
        (margin, look.px(22.0)),
    )?;
    let plot = plot.margin(look.px(8.0), look.px(16.0), margin, look.px(72.0));
    draw_plot(&plot, &look)?;
    root.present()?;
    Ok(())
}

/// The axis look shared by every chart: descriptions, tick labels and grid in theme colours.
pub(crate) fn style_mesh<X, Y, DB>(
    mesh: &mut plotters::chart::MeshStyle<'_, '_, X, Y, DB>,
    look: &Look,
    x_desc: &str,
    y_desc: &str,
) where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
    DB: DrawingBackend,
{
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(look.text(28.0))
        .label_style(look.text(24.0))
        .bold_line_style(look.grid)
        .light_line_style(TRANSPARENT)
        .axis_style(look.stroke(look.muted, 2.0))
        .set_all_tick_mark_size(look.px(8.0));
}

/// The legend box shared by every chart.
pub(crate) fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    look: &Look,
    position: SeriesLabelPosition,
) -> Drawn {
    chart
        .configure_series_labels()
        .position(position)
        .margin(look.px(16.0))
        .legend_area_size(look.px(56.0))
        .label_font(look.text(26.0))
        .background_style(look.bg.mix(0.92))
        .border_style(look.stroke(look.grid, 2.0))
        .draw()?;
    Ok(())
}

/// A point of a cost-against-quality chart: $ per query, then the metric's interval low,
/// estimate and high.
pub(crate) type CostPoint = (f64, f64, f64, f64);

/// The cartesian axes of a cost-against-quality chart.
pub(crate) type CostAxes<'a, DB> = ChartContext<
    'a,
    DB,
    plotters::coord::cartesian::Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// The axes and mesh of a chart of cost per query against a metric with intervals: cost
/// from $0 to the dearest point × `headroom`, the metric over every interval padded by
/// `pad` of its span (0..1 when there is no span).
pub(crate) fn cost_quality_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    look: &Look,
    points: &[CostPoint],
    (headroom, pad): (f64, f64),
    (x_desc, y_desc): (&str, &str),
) -> Result<(CostAxes<'a, DB>, f64), DrawError> {
    let x_max = points.iter().map(|p| p.0).fold(0.0_f64, f64::max).max(1e-6) * headroom;
    let lo = points
        .iter()
        .map(|p| p.1.min(p.2))
        .fold(f64::INFINITY, f64::min);
    let hi = points
        .iter()
        .map(|p| p.3.max(p.2))
        .fold(f64::NEG_INFINITY, f64::max);
    let (y_lo, y_hi) = if lo.is_finite() && hi > lo {
        let pad = (hi - lo) * pad;
        (lo - pad, hi + pad)
    } else {
        (0.0, 1.0)
    };
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(150.0))
        .build_cartesian_2d(0.0..x_max, y_lo..y_hi)?;
    let x_fmt = |v: &f64| crate::money::usd(*v);
    let y_fmt = |v: &f64| format!("{v:.2}");
    let mut mesh = chart.configure_mesh();
    style_mesh(&mut mesh, look, x_desc, y_desc);
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    Ok((chart, x_max))
}

#[cfg(test)]
mod tests {
    #[test]
    fn notes_wrap_at_spaces_within_the_width() {
        let lines = super::wrap(
            "the fine-tuned arm costs more per query and is never cheaper",
            20,
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "the fine-tuned arm costs more per query and is never cheaper"
        );
        assert_eq!(super::wrap("", 10), Vec::<String>::new());
    }
}

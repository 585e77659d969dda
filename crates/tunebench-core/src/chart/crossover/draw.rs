//! Drawing the crossover: shading, bands and lines first, then every label placed clear of
//! the lines, the legend and each other (see `place`).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::CrossoverData;
use crate::chart::frame::{self, style_mesh, Drawn, Look};
use crate::chart::place::{self, around, draw_at, size_of, Placer, Rect};
use crate::cost::Side;
use crate::money::{count, short, usd};

/// Axis values: volumes and costs as drawn (their log10 on log–log axes).
struct Axes {
    log: bool,
    x: (f64, f64),
    y: (f64, f64),
}

impl Axes {
    fn of(d: &CrossoverData) -> Axes {
        let points = || d.curves.iter().flat_map(|c| c.points.iter());
        let x_max = points().map(|p| p.queries_per_day).fold(1.0, f64::max);
        let y_max = points().map(|p| p.high.max(p.mean)).fold(1e-2, f64::max);
        if d.log_x {
            let x_min = points()
                .map(|p| p.queries_per_day)
                .filter(|v| *v > 0.0)
                .fold(x_max, f64::min);
            let y_min = points()
                .map(|p| p.low.min(p.mean))
                .filter(|v| *v > 0.0)
                .fold(y_max, f64::min);
            let y_lo = y_min.log10().floor();
            Axes {
                log: true,
                x: (x_min.log10(), x_max.log10()),
                y: (y_lo, (y_max * 1.1).log10().ceil().max(y_lo + 1.0)),
            }
        } else {
            Axes {
                log: false,
                x: (0.0, x_max),
                y: (0.0, y_max * 1.1),
            }
        }
    }

    fn fx(&self, v: f64) -> f64 {
        let x = if self.log { v.max(1e-9).log10() } else { v };
        x.clamp(self.x.0, self.x.1)
    }

    fn fy(&self, c: f64) -> f64 {
        let y = if self.log { c.max(1e-9).log10() } else { c };
        y.clamp(self.y.0, self.y.1)
    }

    fn value(&self, v: f64) -> f64 {
        if self.log {
            10f64.powf(v)
        } else {
            v
        }
    }
}

pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &CrossoverData,
    look: &Look,
) -> Drawn {
    let area = &frame::note_band(area, d.note.as_deref(), look)?;
    let ax = Axes::of(d);
    let mut chart = ChartBuilder::on(area)
        .margin_right(look.px(24.0))
        .x_label_area_size(look.px(90.0))
        .y_label_area_size(look.px(150.0))
        .build_cartesian_2d(ax.x.0..ax.x.1, ax.y.0..ax.y.1)?;
    let x_fmt = |v: &f64| short(ax.value(*v));
    let y_fmt = |v: &f64| format!("${}", short(ax.value(*v)));
    let mut mesh = chart.configure_mesh();
    let (x_desc, y_desc) = if ax.log {
        (
            "Queries per day (log scale)",
            "Monthly cost (USD, log scale)",
        )
    } else {
        ("Queries per day", "Monthly cost (USD)")
    };
    style_mesh(&mut mesh, look, x_desc, y_desc);
    if ax.log {
        mesh.x_labels((ax.x.1 - ax.x.0).ceil() as usize + 1)
            .y_labels((ax.y.1 - ax.y.0) as usize + 1);
    } else {
        mesh.x_labels(6).y_labels(6);
    }
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    let (y0, y1) = ax.y;
    // Three or more arms: each range shaded a little deeper and named "cheapest".
    let many = d.curves.len() > 2;
    let colour = |i: usize| look.series(i);
    // Where each arm is cheaper (the cheapest of several), tinted in its colour behind
    // everything else; a range where arms cost the same is left plain.
    let ranges = d
        .cheaper
        .iter()
        .filter_map(|r| Some((r.from, r.to, usize::from(r.cheaper? == Side::B))))
        .chain(d.cheapest.iter().filter_map(|r| match r.arms[..] {
            [i] => Some((r.from, r.to, i)),
            _ => None,
        }));
    let mut shades = Vec::new();
    for (from, to, i) in ranges {
        let (from, to) = (ax.fx(from), ax.fx(to.unwrap_or(f64::INFINITY)));
        if to > from {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(from, y0), (to, y1)],
                colour(i).mix(if many { 0.10 } else { 0.07 }).filled(),
            )))?;
            shades.push((from, to, i));
        }
    }
    let band = match (d.break_even_low, d.break_even_high) {
        (Some(lo), Some(hi)) if hi > lo => {
            let (lo_x, hi_x) = (ax.fx(lo), ax.fx(hi));
            chart.draw_series(std::iter::once(Rectangle::new(
                [(lo_x, y0), (hi_x, y1)],
                look.muted.mix(0.16).filled(),
            )))?;
            Some((lo, hi, lo_x, hi_x))
        }
        _ => None,
    };
    for (i, curve) in d.curves.iter().enumerate() {
        let band: Vec<(f64, f64)> = curve
            .points
            .iter()
            .map(|p| (ax.fx(p.queries_per_day), ax.fy(p.low)))
            .chain(
                curve
                    .points
                    .iter()
                    .rev()
                    .map(|p| (ax.fx(p.queries_per_day), ax.fy(p.high))),
            )
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            colour(i).mix(0.16).filled(),
        )))?;
    }
    let mut placer = Placer::new(&chart.plotting_area().strip_coord_spec(), look);
    for (i, curve) in d.curves.iter().enumerate() {
        let line: Vec<(f64, f64)> = curve
            .points
            .iter()
            .map(|p| (ax.fx(p.queries_per_day), ax.fy(p.mean)))
            .collect();
        placer.line(line.iter().map(|p| chart.backend_coord(p)).collect());
        chart.draw_series(LineSeries::new(line, look.stroke(colour(i), 4.0)))?;
    }
    let volume = d.volume.filter(|v| *v > 0.0).map(|v| (v, ax.fx(v)));
    if let Some((_, x)) = volume {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, y0), (x, y1)],
            look.stroke(look.muted, 3.0),
        )))?;
        placer.line(vec![
            chart.backend_coord(&(x, y0)),
            chart.backend_coord(&(x, y1)),
        ]);
    }
    let marker = d.break_even.as_ref().map(|be| {
        let at = chart.backend_coord(&(ax.fx(be.queries_per_day), ax.fy(be.mean)));
        (be, at)
    });
    let r = look.px(11.0);
    if let Some((be, _)) = marker {
        chart.draw_series(std::iter::once(Circle::new(
            (ax.fx(be.queries_per_day), ax.fy(be.mean)),
            r,
            look.fg.filled(),
        )))?;
    }
    if let Some((_, at)) = marker {
        placer.take(Rect::at((at.0 - r, at.1 - r), (2 * r, 2 * r)));
    }
    let names: Vec<(String, RGBColor)> = d
        .curves
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.clone(), colour(i)))
        .collect();
    let plot = chart.plotting_area().strip_coord_spec();
    place::legend(&plot, &mut placer, look, &names)?;

    let gap = look.px(14.0);
    if let Some((be, at)) = marker {
        let text = format!(
            "Break-even: {}/day ({} a month)",
            count(be.queries_per_day),
            usd(be.mean)
        );
        let style = look.text(28.0);
        let size = size_of(&plot, &text, &style)?;
        if let Some(spot) = placer.place(size, &around(at, size, r + gap)) {
            draw_at(&plot, &text, &style, spot)?;
        }
    }
    if let Some((v, x)) = volume {
        let text = format!("Your volume: {}/day", count(v));
        let style = look.muted_text(26.0);
        let size = size_of(&plot, &text, &style)?;
        let (px, top) = chart.backend_coord(&(x, y1));
        let spots = column_spots(px, top, size, gap, placer.bounds());
        if let Some(spot) = placer.place(size, &spots) {
            draw_at(&plot, &text, &style, spot)?;
            saving_label(&plot, &mut placer, look, d, spot, gap)?;
        }
    }
    if let Some((lo, hi, lo_x, hi_x)) = band {
        let text = format!("break-even range {}–{}/day", count(lo), count(hi));
        let style = look.muted_text(22.0);
        let size = size_of(&plot, &text, &style)?;
        let (left, top) = chart.backend_coord(&(lo_x, y1));
        let (right, _) = chart.backend_coord(&(hi_x, y1));
        let mut spots = column_spots(right, top, size, gap, placer.bounds());
        spots.extend(column_spots(left, top, size, gap, placer.bounds()));
        if let Some(spot) = placer.place(size, &spots) {
            draw_at(&plot, &text, &style, spot)?;
        }
    }
    for (from, to, i) in shades {
        let Some((name, color)) = names.get(i) else {
            continue;
        };
        let text = format!("{name} {}", if many { "cheapest" } else { "cheaper" });
        let color = *color;
        let style = look.muted_text(22.0).color(&color);
        let size = size_of(&plot, &text, &style)?;
        let (left, top) = chart.backend_coord(&(from, y1));
        let (right, bottom) = chart.backend_coord(&(to, y0));
        if right - left < size.0 + 2 * gap {
            continue;
        }
        let mid = (left + right - size.0) / 2;
        let spots: Vec<(i32, i32)> = (0..12)
            .flat_map(|k| {
                let dy = gap + k * size.1;
                [(mid, bottom - size.1 - dy), (mid, top + dy)]
            })
            .collect();
        if let Some(spot) = placer.place(size, &spots) {
            draw_at(&plot, &text, &style, spot)?;
        }
    }
    Ok(())
}

/// Spots beside a vertical line at `x`, right then left of it, from the top of the plot
/// down.
fn column_spots(x: i32, top: i32, (w, h): (i32, i32), gap: i32, b: Rect) -> Vec<(i32, i32)> {
    let rows = ((b.b - top) / (h + gap)).max(1);
    (0..rows)
        .flat_map(|k| {
            let y = top + gap + k * (h + gap);
            [(x + gap, y), (x - gap - w, y)]
        })
        .collect()
}

/// "B saves $X a month at your volume", under the volume's label when there is room.
fn saving_label<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    placer: &mut Placer,
    look: &Look,
    d: &CrossoverData,
    under: Rect,
    gap: i32,
) -> Drawn {
    let Some(saving) = d.saving_at_volume.filter(|s| s.abs() >= 0.005) else {
        return Ok(());
    };
    let cheaper = usize::from(saving > 0.0);
    let Some(curve) = d.curves.get(cheaper) else {
        return Ok(());
    };
    let text = format!(
        "{} saves {} a month at your volume",
        curve.name,
        usd(saving.abs())
    );
    let style = look.text(26.0);
    let size = size_of(plot, &text, &style)?;
    let mut spots = vec![
        (under.l, under.b + gap / 2),
        (under.r - size.0, under.b + gap / 2),
    ];
    spots.extend(column_spots(
        under.l - gap,
        under.b,
        size,
        gap,
        placer.bounds(),
    ));
    if let Some(spot) = placer.place(size, &spots) {
        draw_at(plot, &text, &style, spot)?;
    }
    Ok(())
}

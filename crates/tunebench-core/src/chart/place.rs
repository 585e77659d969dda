//! Labels placed where they can be read: each label tries a list of spots near what it
//! names and takes the first one inside the plot, clear of the data lines and of every label
//! already placed. Works in canvas pixels (plotters' backend coordinates).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{DrawError, Look};

pub(crate) type Px = (i32, i32);

/// A box in canvas pixels, right and bottom exclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub l: i32,
    pub t: i32,
    pub r: i32,
    pub b: i32,
}

impl Rect {
    pub fn at((x, y): Px, (w, h): Px) -> Rect {
        Rect {
            l: x,
            t: y,
            r: x + w,
            b: y + h,
        }
    }

    fn grown(self, d: i32) -> Rect {
        Rect {
            l: self.l - d,
            t: self.t - d,
            r: self.r + d,
            b: self.b + d,
        }
    }

    fn overlaps(&self, o: &Rect) -> bool {
        self.l < o.r && o.l < self.r && self.t < o.b && o.t < self.b
    }

    fn within(&self, o: &Rect) -> bool {
        self.l >= o.l && self.t >= o.t && self.r <= o.r && self.b <= o.b
    }

    fn crossed_by(&self, line: &[Px]) -> bool {
        let box_f = (
            f64::from(self.l),
            f64::from(self.t),
            f64::from(self.r),
            f64::from(self.b),
        );
        line.windows(2)
            .any(|s| super::measure::segment_meets_box(s[0], s[1], box_f))
    }
}

/// What is already on the plot: its bounds, the boxes taken and the lines to keep clear of.
pub(crate) struct Placer {
    bounds: Rect,
    taken: Vec<Rect>,
    lines: Vec<Vec<Px>>,
    gap: i32,
}

impl Placer {
    /// A placer for the plotting area of `area` (whose pixels hold the axes' inside).
    pub fn new<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, look: &Look) -> Placer {
        let (x, y) = area.get_base_pixel();
        let (w, h) = area.dim_in_pixel();
        Placer {
            bounds: Rect::at((x, y), (w as i32, h as i32)),
            taken: Vec::new(),
            lines: Vec::new(),
            gap: look.px(6.0),
        }
    }

    /// A data line (canvas pixels) no label may cross.
    pub fn line(&mut self, points: Vec<Px>) {
        self.lines.push(points);
    }

    /// Marks `r` as taken (a marker, a legend).
    pub fn take(&mut self, r: Rect) {
        self.taken.push(r);
    }

    pub fn bounds(&self) -> Rect {
        self.bounds
    }

    fn clear(&self, r: &Rect, lines: bool) -> bool {
        let padded = r.grown(self.gap);
        r.within(&self.bounds)
            && !self.taken.iter().any(|t| t.overlaps(&padded))
            && (!lines || !self.lines.iter().any(|l| padded.crossed_by(l)))
    }

    /// The first of `spots` (top-left corners) where a box of `size` is clear of the plot's
    /// edges, the lines and the other labels; else the first such spot anywhere in the plot
    /// (scanned row by row). `None` (nothing drawn) when no spot is clear: a label struck
    /// through by a line cannot be read, and the report's text says what it would have.
    /// The box found is taken.
    pub fn place(&mut self, size: Px, spots: &[Px]) -> Option<Rect> {
        let boxes: Vec<Rect> = spots.iter().map(|&p| Rect::at(p, size)).collect();
        let b = self.bounds;
        let step_x = (size.0 / 4).max(4) as usize;
        let step_y = (size.1 / 2).max(4) as usize;
        let found = boxes
            .iter()
            .find(|r| self.clear(r, true))
            .copied()
            .or_else(|| {
                (b.t..b.b - size.1)
                    .step_by(step_y)
                    .flat_map(|y| (b.l..b.r - size.0).step_by(step_x).map(move |x| (x, y)))
                    .map(|p| Rect::at(p, size))
                    .find(|r| self.clear(r, true))
            });
        if let Some(r) = found {
            self.taken.push(r);
        }
        found
    }
}

/// Top-left corners of a `size` box around point `p`, nearest first: beside it (right,
/// left), above and below, at growing distances from `d`.
pub(crate) fn around(p: Px, (w, h): Px, d: i32) -> Vec<Px> {
    let mut spots = Vec::new();
    for k in [1, 2, 4, 8, 16] {
        let d = d * k;
        spots.extend([
            (p.0 + d, p.1 - h - d),
            (p.0 - w - d, p.1 - h - d),
            (p.0 + d, p.1 + d),
            (p.0 - w - d, p.1 + d),
            (p.0 - w / 2, p.1 - h - d),
            (p.0 - w / 2, p.1 + d),
            (p.0 + d, p.1 - h / 2),
            (p.0 - w - d, p.1 - h / 2),
        ]);
    }
    spots
}

/// The size of `text` in `style`, pixels.
pub(crate) fn size_of<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> Result<Px, DrawError> {
    let (w, h) = area.estimate_text_size(text, style)?;
    Ok((w as i32, h as i32))
}

/// Draws `text` with its top-left corner at `r`'s (canvas pixels).
pub(crate) fn draw_at<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    r: Rect,
) -> Result<(), DrawError> {
    let (x, y) = area.get_base_pixel();
    let style = style.pos(Pos::new(HPos::Left, VPos::Top));
    area.draw_text(text, &style, (r.l - x, r.t - y))?;
    Ok(())
}

/// A legend (a line sample and the name of each series) in the first corner of the plot
/// clear of the data lines, drawn and taken.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    placer: &mut Placer,
    look: &Look,
    entries: &[(String, RGBColor)],
) -> Result<(), DrawError> {
    let style = look.text(26.0);
    let pad = look.px(14.0);
    let sample = look.legend_line();
    let row = look.px(26.0 * 1.4);
    let mut text_w = 0;
    for (name, _) in entries {
        text_w = text_w.max(size_of(area, name, &style)?.0);
    }
    let size = (
        pad * 3 + sample + text_w,
        pad * 2 + row * entries.len() as i32,
    );
    let b = placer.bounds();
    let m = look.px(12.0);
    let spots = [
        (b.l + m, b.t + m),
        (b.r - size.0 - m, b.t + m),
        (b.r - size.0 - m, b.b - size.1 - m),
        (b.l + m, b.b - size.1 - m),
        ((b.l + b.r - size.0) / 2, b.t + m),
    ];
    let Some(r) = placer.place(size, &spots) else {
        return Ok(());
    };
    let (bx, by) = area.get_base_pixel();
    let shift = |(x, y): Px| (x - bx, y - by);
    area.draw(&Rectangle::new(
        [shift((r.l, r.t)), shift((r.r, r.b))],
        look.bg.mix(0.92).filled(),
    ))?;
    area.draw(&Rectangle::new(
        [shift((r.l, r.t)), shift((r.r, r.b))],
        look.stroke(look.grid, 2.0),
    ))?;
    for (i, (name, color)) in entries.iter().enumerate() {
        let y = r.t + pad + row * i as i32 + row / 2;
        area.draw(&PathElement::new(
            vec![shift((r.l + pad, y)), shift((r.l + pad + sample, y))],
            look.stroke(*color, 4.0),
        ))?;
        let text_style = style.pos(Pos::new(HPos::Left, VPos::Center));
        area.draw_text(name, &text_style, shift((r.l + pad * 2 + sample, y)))?;
    }
    Ok(())
}

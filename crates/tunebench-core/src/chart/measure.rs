//! Where a chart puts its text: the chart is drawn onto a backend that paints nothing and
//! records the box of every text (measured with the embedded font, as the PNG and the SVG
//! lay it out) and every stroked line, so a test can say which text leaves the canvas,
//! covers another text or sits on a data line.

use plotters::prelude::*;
use plotters_backend::{
    text_anchor::{HPos, VPos},
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use serde::{Deserialize, Serialize};

use super::{frame::Look, ChartSpec};

/// One text as drawn: what it says and its box in canvas pixels (right and bottom exclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextBox {
    pub text: String,
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl TextBox {
    fn overlaps(&self, o: &TextBox) -> bool {
        self.left < o.right && o.left < self.right && self.top < o.bottom && o.top < self.bottom
    }
}

/// One stroked line (a path or a segment) in canvas pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stroke {
    pub rgb: (u8, u8, u8),
    pub width: u32,
    pub points: Vec<(i32, i32)>,
}

/// Everything a chart drew that a reader must be able to read: its texts and its lines.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    pub texts: Vec<TextBox>,
    pub strokes: Vec<Stroke>,
    /// The colours of the chart's data lines (the series colours of its theme).
    pub data_colors: Vec<(u8, u8, u8)>,
}

impl Layout {
    /// Every text that leaves the canvas, covers another text or crosses a data line, each
    /// as a sentence naming the text and where it is.
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        let (w, h) = (self.width as i32, self.height as i32);
        for t in &self.texts {
            if t.left < 0 || t.top < 0 || t.right > w || t.bottom > h {
                found.push(format!(
                    "\"{}\" leaves the {w}×{h} canvas: its box is x {}..{}, y {}..{}",
                    t.text, t.left, t.right, t.top, t.bottom
                ));
            }
        }
        for (i, a) in self.texts.iter().enumerate() {
            for b in &self.texts[i + 1..] {
                if a.overlaps(b) {
                    found.push(format!("\"{}\" overlaps \"{}\"", a.text, b.text));
                }
            }
        }
        for t in &self.texts {
            let hit = self
                .strokes
                .iter()
                .filter(|s| self.data_colors.contains(&s.rgb))
                .any(|s| crosses(s, t));
            if hit {
                found.push(format!("\"{}\" sits on a data line", t.text));
            }
        }
        found
    }
}

/// Whether stroke `s` (its width counted) passes through the box of `t`.
fn crosses(s: &Stroke, t: &TextBox) -> bool {
    let half = f64::from(s.width) / 2.0;
    let (l, r) = (f64::from(t.left) - half, f64::from(t.right) + half);
    let (top, bottom) = (f64::from(t.top) - half, f64::from(t.bottom) + half);
    s.points
        .windows(2)
        .any(|p| segment_meets_box(p[0], p[1], (l, top, r, bottom)))
}

/// Liang–Barsky: does the segment `a`–`b` meet the open box (left, top, right, bottom)?
pub(crate) fn segment_meets_box(
    a: (i32, i32),
    b: (i32, i32),
    (l, t, r, bo): (f64, f64, f64, f64),
) -> bool {
    let (x0, y0) = (f64::from(a.0), f64::from(a.1));
    let (dx, dy) = (f64::from(b.0) - x0, f64::from(b.1) - y0);
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for (p, q) in [(-dx, x0 - l), (dx, r - x0), (-dy, y0 - t), (dy, bo - y0)] {
        if p == 0.0 {
            if q <= 0.0 {
                return false;
            }
        } else {
            let u = q / p;
            if p < 0.0 {
                lo = lo.max(u);
            } else {
                hi = hi.min(u);
            }
        }
    }
    lo < hi
}

/// The layout of `spec`: every text's box and every line, without painting a pixel.
pub fn layout(spec: &ChartSpec) -> crate::Result<Layout> {
    super::check_size(spec)?;
    super::font::register();
    let look = Look::new(spec.style.theme, spec.style.width, spec.style.height);
    let mut out = Layout {
        width: spec.style.width,
        height: spec.style.height,
        data_colors: look
            .series
            .iter()
            .copied()
            .chain((0..6).map(|i| look.arm_series(i)))
            .map(|c| (c.0, c.1, c.2))
            .collect(),
        ..Layout::default()
    };
    {
        let root = Recorder { out: &mut out }.into_drawing_area();
        super::frame::draw(&root, spec, |plot, look| {
            super::draw_data(plot, &spec.data, look)
        })
        .map_err(|reason| super::chart_error(spec, reason))?;
    }
    Ok(out)
}

/// A backend that records texts and strokes instead of drawing them.
struct Recorder<'a> {
    out: &'a mut Layout,
}

type Drawn = Result<(), DrawingErrorKind<std::convert::Infallible>>;

impl Recorder<'_> {
    fn stroke<S: BackendStyle>(&mut self, points: Vec<BackendCoord>, style: &S) {
        let BackendColor { alpha, rgb } = style.color();
        if alpha > 0.5 {
            self.out.strokes.push(Stroke {
                rgb,
                width: style.stroke_width(),
                points,
            });
        }
    }
}

impl DrawingBackend for Recorder<'_> {
    type ErrorType = std::convert::Infallible;

    fn get_size(&self) -> (u32, u32) {
        (self.out.width, self.out.height)
    }
    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }
    fn present(&mut self) -> Drawn {
        Ok(())
    }
    fn draw_pixel(&mut self, _: BackendCoord, _: BackendColor) -> Drawn {
        Ok(())
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, s: &S) -> Drawn {
        self.stroke(vec![from, to], s);
        Ok(())
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        _: BackendCoord,
        _: BackendCoord,
        _: &S,
        _: bool,
    ) -> Drawn {
        Ok(())
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Drawn {
        self.stroke(path.into_iter().collect(), s);
        Ok(())
    }
    fn draw_circle<S: BackendStyle>(&mut self, _: BackendCoord, _: u32, _: &S, _: bool) -> Drawn {
        Ok(())
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        _: I,
        _: &S,
    ) -> Drawn {
        Ok(())
    }
    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Drawn {
        let ink = text.trim();
        if ink.is_empty() || style.color().alpha == 0.0 {
            return Ok(());
        }
        let measure = |t: &str| {
            style
                .layout_box(t)
                .map(|((x0, y0), (x1, y1))| (x1 - x0, y1 - y0))
                .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))
        };
        let (width, height) = measure(text)?;
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        // Leading and trailing spaces carry no ink: the box is the words only.
        let before = text.len() - text.trim_start().len();
        let lead = if before > 0 {
            measure(&text[..before])?.0
        } else {
            0
        };
        let trail = measure(ink)?.0;
        let (x0, x1) = (dx + lead, dx + lead + trail);
        let trans = style.transform();
        let corners = [(x0, dy), (x1, dy), (x0, dy + height), (x1, dy + height)]
            .map(|(x, y)| trans.transform(x, y));
        let xs = corners.map(|c| c.0);
        let ys = corners.map(|c| c.1);
        self.out.texts.push(TextBox {
            text: ink.to_string(),
            left: pos.0 + xs.iter().min().copied().unwrap_or(0),
            right: pos.0 + xs.iter().max().copied().unwrap_or(0),
            top: pos.1 + ys.iter().min().copied().unwrap_or(0),
            bottom: pos.1 + ys.iter().max().copied().unwrap_or(0),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(left: i32, top: i32, right: i32, bottom: i32) -> TextBox {
        TextBox {
            text: "t".into(),
            left,
            top,
            right,
            bottom,
        }
    }

    #[test]
    fn a_segment_through_a_box_meets_it_and_one_beside_it_does_not() {
        let b = (10.0, 10.0, 20.0, 20.0);
        assert!(segment_meets_box((0, 0), (30, 30), b));
        assert!(segment_meets_box((15, 0), (15, 30), b));
        assert!(!segment_meets_box((0, 0), (30, 5), b));
        assert!(!segment_meets_box((21, 0), (21, 30), b));
    }

    #[test]
    fn boxes_that_only_touch_do_not_overlap() {
        assert!(!text(0, 0, 10, 10).overlaps(&text(10, 0, 20, 10)));
        assert!(text(0, 0, 10, 10).overlaps(&text(9, 9, 20, 20)));
    }

    #[test]
    fn a_text_past_the_edge_is_named_with_its_box() {
        let layout = Layout {
            width: 100,
            height: 50,
            texts: vec![text(90, 10, 130, 20)],
            ..Layout::default()
        };
        let found = layout.problems();
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("leaves the 100×50 canvas"), "{found:?}");
    }
}

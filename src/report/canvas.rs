//! The figures' drawing surface: plotters' bitmap backend, with text drawn
//! from a cache of rasterised glyphs.
//!
//! Plotters outlines and rasterises every glyph of every label anew, and the
//! figures repeat the same few characters (tick labels, titles) thousands of
//! times: text was a tenth of a report run. [`Canvas`] hands every drawing call
//! to [`BitMapBackend`] except text in the bundled font, which it lays out as
//! plotters does (`DrawingBackend::draw_text` and plotters' ab_glyph font code)
//! but rasterises once per character and size on each thread. The pixels are
//! the same: a test draws every size and orientation the figures use both
//! ways and compares the buffers.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use ab_glyph::{Font, FontRef, PxScaleFont, ScaleFont};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

use super::plot::{FONT, FONT_BYTES};

type Result<E> = std::result::Result<(), DrawingErrorKind<E>>;

/// A glyph's coverage, `(x, y, alpha)` relative to the pen position, for the
/// pixels it touches at all.
type Coverage = Vec<(i32, i32, f32)>;

static FONT_FACE: LazyLock<FontRef<'static>> =
    LazyLock::new(|| FontRef::try_from_slice(FONT_BYTES).expect("the bundled font parses"));

thread_local! {
    /// `(character, font size bits)` → coverage. Figures are drawn on rayon's
    /// threads, so each keeps its own: no lock on the hot path.
    static GLYPHS: RefCell<HashMap<(char, u64), Coverage>> = RefCell::new(HashMap::new());
}

/// [`BitMapBackend`] with cached text; see the module documentation.
pub(crate) struct Canvas<'a> {
    bitmap: BitMapBackend<'a>,
}

impl<'a> Canvas<'a> {
    /// A canvas drawing into `pixels` (RGB, row-major) of `size`.
    pub(crate) fn with_buffer(pixels: &'a mut [u8], size: (u32, u32)) -> Self {
        Canvas {
            bitmap: BitMapBackend::with_buffer(pixels, size),
        }
    }
}

/// Where plotters' ab_glyph code puts the pixels of `c` in `font` (the bundled
/// face at `size`), with the pen at 0.
fn rasterise(font: &PxScaleFont<&FontRef<'static>>, c: char, size: f64) -> Coverage {
    let Some(outline) = font.outline_glyph(font.scaled_glyph(c)) else {
        return Coverage::new();
    };
    let y_shift = ((size as f32) / 2.0 + outline.px_bounds().min.y) as i32;
    let mut pixels = Coverage::new();
    // Plotters also draws the pixels of zero coverage; the bitmap skips them.
    outline.draw(|x, y, alpha| {
        if alpha > 0.0 {
            pixels.push((x as i32, y as i32 + y_shift, alpha));
        }
    });
    pixels
}

impl<'a> DrawingBackend for Canvas<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.bitmap.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<Self::ErrorType> {
        self.bitmap.ensure_prepared()
    }

    fn present(&mut self) -> Result<Self::ErrorType> {
        self.bitmap.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<Self::ErrorType> {
        self.bitmap.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<Self::ErrorType> {
        self.bitmap.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<Self::ErrorType> {
        self.bitmap.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<Self::ErrorType> {
        self.bitmap.blit_bitmap(pos, size, src)
    }

    /// `DrawingBackend::draw_text`'s layout, with glyphs from the cache.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<Self::ErrorType> {
        if style.family().as_str() != FONT || !matches!(style.style(), FontStyle::Normal) {
            return self.bitmap.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
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
        let transform = style.transform();
        let (w, h) = self.get_size();
        let size = style.size();
        let font = FONT_FACE.as_scaled(size as f32);
        GLYPHS.with_borrow_mut(|glyphs| {
            let mut pen = 0f32;
            let mut previous = None;
            for c in text.chars() {
                let id = font.glyph_id(c);
                if let Some(previous) = previous {
                    pen += font.kern(previous, id);
                }
                previous = Some(id);
                let coverage = glyphs
                    .entry((c, size.to_bits()))
                    .or_insert_with(|| rasterise(&font, c, size));
                for &(x, y, alpha) in coverage.iter() {
                    let (x, y) = transform.transform(x + pen as i32 + dx - min_x, y + dy - min_y);
                    let (x, y) = (pos.0 + x, pos.1 + y);
                    if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                        self.bitmap.draw_pixel((x, y), color.mix(f64::from(alpha)))?;
                    }
                }
                pen += font.h_advance(id);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use plotters::style::FontTransform;
    use plotters::style::text_anchor::Pos;

    use super::*;
    use crate::report::plot::register_font;

    /// Draw `text` in every size and orientation the figures use, through `draw`.
    fn specimen(backend: impl DrawingBackend) {
        let area = backend.into_drawing_area();
        let text = "Ag −0.25 1e-3 ×√ Δ⊥ étude (x, y) →";
        let colour = RGBColor(0x00, 0x77, 0xBB).mix(0.8);
        for (row, size) in [15, 16, 18, 20, 28].into_iter().enumerate() {
            for (column, transform) in [
                FontTransform::None,
                FontTransform::Rotate90,
                FontTransform::Rotate270,
            ]
            .into_iter()
            .enumerate()
            {
                let style = TextStyle::from((FONT, size)).transform(transform).color(&colour);
                let at = (10 + 330 * column as i32, 40 + 110 * row as i32);
                area.draw_text(text, &style, at).unwrap();
                // Anchored text, clipped at the edge.
                let anchored = style.pos(Pos::new(HPos::Center, VPos::Bottom));
                area.draw_text(text, &anchored, (2, at.1)).unwrap();
            }
        }
        area.present().unwrap();
    }

    #[test]
    fn cached_text_has_the_pixels_of_plotters_text() {
        register_font();
        let size = (1000, 600);
        let mut by_plotters = vec![u8::MAX; 3 * 1000 * 600];
        let mut by_canvas = by_plotters.clone();
        specimen(BitMapBackend::with_buffer(&mut by_plotters, size));
        for _ in 0..2 {
            // The second pass draws from the cache the first one filled.
            by_canvas.fill(u8::MAX);
            specimen(Canvas::with_buffer(&mut by_canvas, size));
        }
        assert!(
            by_plotters.iter().filter(|&&b| b != u8::MAX).count() > 10_000,
            "text was drawn"
        );
        assert!(
            by_plotters == by_canvas,
            "the canvas draws other pixels than plotters"
        );
    }
}

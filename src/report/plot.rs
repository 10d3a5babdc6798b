//! Renders a [`Figure`] to PNG bytes with plotters.
//!
//! One embedded font (DejaVu Sans, registered once), one colour-blind-safe
//! palette (Paul Tol's "bright"), one size. Rendering happens in memory and
//! is byte-for-byte deterministic, so figures can be compared in golden tests.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;

use super::canvas::Canvas;
use super::png_encode::encode_rgb;
use crate::chart::{Chart, Figure, PointGroup, Series};
use crate::error::{Error, Result};

/// Pixel size of every figure.
pub const SIZE: (u32, u32) = (960, 600);

pub(super) const FONT: &str = "sans-serif";
pub(super) const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Paul Tol's colour-blind-safe qualitative palette, as used by the seed notebook.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0x00, 0x77, 0xBB),
    RGBColor(0xEE, 0x77, 0x33),
    RGBColor(0x00, 0x99, 0x88),
    RGBColor(0xCC, 0x33, 0x11),
    RGBColor(0x55, 0x55, 0x55),
    RGBColor(0xEE, 0x33, 0x77),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub(super) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TTF compiled into the binary; a unit test renders text with it.
        if plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_err() {
            panic!("the bundled DejaVu Sans font could not be parsed");
        }
    });
}

fn render_error(figure: &Figure, e: impl std::fmt::Display) -> Error {
    Error::Render {
        what: format!("figure `{}`", figure.name),
        reason: e.to_string(),
    }
}

/// Render a figure as PNG bytes.
///
/// # Errors
/// [`Error::Render`] if the chart has no data to draw or plotters fails.
///
/// # Examples
/// ```
/// use embspace::chart::{Chart, Figure, Series};
/// let fig = Figure::new("line", "A line", "x", "y")
///     .chart(Chart::Lines { series: vec![Series::indexed("y", [1.0, 2.0, 4.0])], markers: true });
/// let png = embspace::report::render_png(&fig)?;
/// assert_eq!(&png[1..4], b"PNG");
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn render_png(figure: &Figure) -> Result<Vec<u8>> {
    register_font();
    let (w, h) = SIZE;
    // One canvas per thread, reused: a fresh 1.7 MB buffer a figure cost ~420
    // page faults each time. It starts white, so no drawing pass fills it.
    thread_local! {
        static PIXELS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    PIXELS.with_borrow_mut(|pixels| {
        pixels.clear();
        pixels.resize((w * h * 3) as usize, u8::MAX);
        {
            let root = Canvas::with_buffer(pixels, SIZE).into_drawing_area();
            draw(&root, figure).map_err(|e| render_error(figure, e))?;
            root.present().map_err(|e| render_error(figure, e))?;
        }
        // The Up filter and deflate level 1: half again the bytes of the
        // default level at a fifth of the time (see ARCHITECTURE.md).
        Ok(encode_rgb(pixels, w, h))
    })
}

type Area<'a> = DrawingArea<Canvas<'a>, Shift>;
type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn draw(root: &Area, figure: &Figure) -> DrawResult {
    match &figure.chart {
        Chart::Lines { series, markers } => lines(root, figure, series, *markers),
        Chart::Scatter {
            groups,
            lines,
            arrows,
        } => scatter(root, figure, groups, lines, arrows),
        Chart::Heatmap {
            values,
            column_labels,
            row_labels,
            value_label,
        } => heatmap(root, figure, values, column_labels, row_labels, value_label),
        Chart::Histogram { samples, bins } => histogram(root, figure, samples, *bins, false),
        Chart::LogHistogram { samples, bins } => histogram(root, figure, samples, *bins, true),
        Chart::Bars { categories, series } => bars(root, figure, categories, series),
        Chart::Dots { categories, series } => dots(root, figure, categories, series),
    }
}

/// A tick label: compact, and never "-0". Whole numbers up to millions keep
/// their digits, grouped by threes (a log axis of counts reads 1000, 10 000,
/// 100 000 rather than 1000, 1.0e4, 1.0e5).
fn tick(v: f64) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    if v.abs() >= 1e4 && v.abs() < 1e7 && v.fract() == 0.0 {
        let digits = (v.abs() as u64).to_string();
        let mut label = String::from(if v < 0.0 { "-" } else { "" });
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                label.push(' ');
            }
            label.push(digit);
        }
        return label;
    }
    let s = if v.abs() >= 1e4 || (v != 0.0 && v.abs() < 1e-3) {
        format!("{v:.1e}")
    } else {
        format!("{v:.3}")
    };
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// `(min, max)` of the values, widened by `pad` of the span (or by 1 if the span is zero).
fn span(values: impl Iterator<Item = f64>, pad: f64) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return None;
    }
    let width = if hi > lo { hi - lo } else { 1.0 };
    Some((lo - pad * width, hi + pad * width))
}

/// How many x labels to ask plotters for: one per value when the x values
/// are a few whole numbers (epochs, offsets), so no tick reads "epoch 1.5";
/// `None` (plotters' choice) otherwise.
fn x_label_count(xs: impl Iterator<Item = f64>) -> Option<usize> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in xs {
        if x.fract() != 0.0 {
            return None;
        }
        (lo, hi) = (lo.min(x), hi.max(x));
    }
    let span = hi - lo;
    (1.0..=10.0).contains(&span).then_some(span as usize + 1)
}

fn no_data(figure: &Figure) -> Box<dyn std::error::Error> {
    format!("figure `{}` has no finite data to draw", figure.name).into()
}

/// A chart on `root` with `figure`'s title above and room for the axes'
/// labels: `y_labels` pixels on the left.
fn framed<'a, 'b>(root: &'a Area<'b>, figure: &Figure, y_labels: u32) -> ChartBuilder<'a, 'a, Canvas<'b>> {
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(&figure.title, (FONT, 28))
        .margin(24)
        .x_label_area_size(56)
        .y_label_area_size(y_labels);
    builder
}

macro_rules! cartesian {
    ($root:expr, $figure:expr, $x:expr, $y:expr) => {
        cartesian!($root, $figure, $x, $y, None)
    };
    ($root:expr, $figure:expr, $x:expr, $y:expr, $x_labels:expr) => {
        cartesian!(@ranges $root, $figure, $x.0..$x.1, $y.0..$y.1, $x_labels, None)
    };
    (@ranges $root:expr, $figure:expr, $x_range:expr, $y_range:expr, $x_labels:expr, $y_labels:expr) => {{
        let mut chart = framed($root, $figure, 84).build_cartesian_2d($x_range, $y_range)?;
        let mut mesh = chart.configure_mesh();
        if let Some(count) = $x_labels {
            mesh.x_labels(count);
        }
        if let Some(count) = $y_labels {
            mesh.y_labels(count);
        }
        mesh.x_desc(&$figure.x_label)
            .y_desc(&$figure.y_label)
            .axis_desc_style((FONT, 20))
            .label_style((FONT, 16))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(210, 210, 210))
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .draw()?;
        chart
    }};
}

/// The corner of the plot whose neighbourhood holds the fewest data points,
/// so the legend hides as little as possible (ties prefer upper right).
fn emptiest_corner(
    points: impl Iterator<Item = (f64, f64)>,
    x: (f64, f64),
    y: (f64, f64),
) -> SeriesLabelPosition {
    let mut counts = [0usize; 4]; // upper right, upper left, lower right, lower left
    for (px, py) in points {
        let fx = (px - x.0) / (x.1 - x.0);
        let fy = (py - y.0) / (y.1 - y.0);
        let (right, left, upper, lower) = (fx > 0.6, fx < 0.4, fy > 0.7, fy < 0.3);
        for (i, inside) in [right && upper, left && upper, right && lower, left && lower]
            .into_iter()
            .enumerate()
        {
            counts[i] += usize::from(inside);
        }
    }
    let best = (0..4).min_by_key(|&i| (counts[i], i)).unwrap_or(0);
    [
        SeriesLabelPosition::UpperRight,
        SeriesLabelPosition::UpperLeft,
        SeriesLabelPosition::LowerRight,
        SeriesLabelPosition::LowerLeft,
    ][best]
        .clone()
}

fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(position)
        .margin(12)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .label_font((FONT, 16))
        .draw()
}

fn lines(root: &Area, figure: &Figure, series: &[Series], markers: bool) -> DrawResult {
    let points = || series.iter().flat_map(|s| s.points.iter());
    let x = span(points().map(|p| p.0), 0.02).ok_or_else(|| no_data(figure))?;
    let y = span(points().map(|p| p.1), 0.08).ok_or_else(|| no_data(figure))?;
    let mut chart = cartesian!(root, figure, x, y, x_label_count(points().map(|p| p.0)));
    for (i, s) in series.iter().enumerate() {
        let style = colour(i).stroke_width(3);
        chart
            .draw_series(LineSeries::new(s.points.iter().copied(), style))?
            .label(&s.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
        if markers {
            // Earlier series get larger markers, so coinciding points show as concentric rings.
            let radius = 4 + 3 * (series.len() - 1 - i).min(3) as i32;
            chart.draw_series(
                s.points
                    .iter()
                    .map(|&p| Circle::new(p, radius, colour(i).filled())),
            )?;
        }
    }
    legend(&mut chart, emptiest_corner(points().copied(), x, y))?;
    Ok(())
}

fn scatter(
    root: &Area,
    figure: &Figure,
    groups: &[PointGroup],
    lines: &[Series],
    arrows: &[crate::chart::Arrow],
) -> DrawResult {
    let all_points = || {
        groups
            .iter()
            .flat_map(|g| g.points.iter().map(|p| p.xy))
            .chain(lines.iter().flat_map(|l| l.points.iter().copied()))
            .chain(arrows.iter().flat_map(|a| [a.from, a.to]))
    };
    let (xs, ys) = (all_points().map(|p| p.0), all_points().map(|p| p.1));
    let x = span(xs, 0.12).ok_or_else(|| no_data(figure))?;
    // Extra room above the points keeps the upper corners free for the legend.
    let y = span(ys, 0.12)
        .map(|(lo, hi)| (lo, hi + 0.38 * (hi - lo) / 1.24))
        .ok_or_else(|| no_data(figure))?;
    let mut chart = cartesian!(root, figure, x, y, x_label_count(all_points().map(|p| p.0)));

    // A cloud of unlabelled points (one per word pair, say) is drawn first,
    // small and translucent, so its density shows and the lines stay visible
    // on top of it; labelled points come after the lines and arrows, so they
    // and their labels stay on top.
    // An empty group (no candidates, say) gets no legend entry; the others keep their colours.
    let (clouds, labelled): (Vec<_>, Vec<_>) = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.points.is_empty())
        .partition(|(_, g)| is_cloud(g));
    for (i, group) in clouds {
        let fill = colour(i).mix(CLOUD_OPACITY).filled();
        chart
            .draw_series(group.points.iter().map(|p| Circle::new(p.xy, CLOUD_RADIUS, fill)))?
            .label(&group.label)
            .legend(move |(x, y)| Circle::new((x + 12, y), POINT_RADIUS, colour(i).filled()));
    }
    // Line and arrow colours follow the groups'.
    for (i, line) in lines.iter().enumerate() {
        let style = colour(groups.len() + i).stroke_width(3);
        chart
            .draw_series(LineSeries::new(line.points.iter().copied(), style))?
            .label(&line.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
    }
    let mut arrow_labels: Vec<&str> = Vec::new();
    for arrow in arrows {
        let (index, first_of_label) = match arrow_labels.iter().position(|l| *l == arrow.label) {
            Some(i) => (i, false),
            None => {
                arrow_labels.push(&arrow.label);
                (arrow_labels.len() - 1, true)
            }
        };
        let style = colour(groups.len() + lines.len() + index).stroke_width(3);
        let drawn = chart.draw_series(std::iter::once(PathElement::new(
            vec![arrow.from, arrow.to],
            style,
        )))?;
        if first_of_label {
            drawn
                .label(&arrow.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
        }
        let (tail, head) = (chart.backend_coord(&arrow.from), chart.backend_coord(&arrow.to));
        arrow_head(root, tail, head, style)?;
    }
    for &(i, group) in &labelled {
        let fill = colour(i).filled();
        chart
            .draw_series(group.points.iter().map(|p| Circle::new(p.xy, POINT_RADIUS, fill)))?
            .label(&group.label)
            .legend(move |(x, y)| Circle::new((x + 12, y), POINT_RADIUS, fill));
    }
    let points: Vec<(&str, (i32, i32))> = labelled
        .iter()
        .flat_map(|(_, g)| g.points.iter())
        .map(|p| (p.label.as_str(), chart.backend_coord(&p.xy)))
        .collect();
    let font: TextStyle = (FONT, 18).into();
    let sizes = points
        .iter()
        .map(|(label, _)| root.estimate_text_size(label, &font))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let plot = chart.plotting_area().get_pixel_range();
    let bounds = (plot.0.start, plot.1.start, plot.0.end, plot.1.end);
    for (&(label, _), at) in points.iter().zip(place_labels(&points, &sizes, bounds)) {
        root.draw(&Text::new(label, at, font.clone()))?;
    }
    legend(&mut chart, emptiest_corner(all_points(), x, y))?;
    Ok(())
}

/// Where each point's label goes (its top-left pixel): up and to the right of
/// the point unless that covers an earlier label or another point or leaves
/// the plot; then the first of below-right, up-left, below-left, above and
/// below that covers least (leaving the plot worst, then a label, then a
/// point). Points are `(label, pixel)`, `sizes` the labels' pixel sizes,
/// `bounds` the plot's `(left, top, right, bottom)`.
fn place_labels(
    points: &[(&str, (i32, i32))],
    sizes: &[(u32, u32)],
    bounds: (i32, i32, i32, i32),
) -> Vec<(i32, i32)> {
    type Rect = (i32, i32, i32, i32);
    let overlaps = |a: Rect, b: Rect| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    let r = POINT_RADIUS;
    let dot = |(x, y): (i32, i32)| (x - r, y - r, x + r, y + r);
    let mut placed: Vec<Rect> = Vec::new();
    let mut positions = Vec::with_capacity(points.len());
    for (i, (&(label, (x, y)), &(w, h))) in points.iter().zip(sizes).enumerate() {
        let (w, h) = (w as i32, h as i32);
        let candidates = [
            (x + 9, y - 20),
            (x + 9, y + 4),
            (x - 9 - w, y - 20),
            (x - 9 - w, y + 4),
            (x - w / 2, y - 12 - h),
            (x - w / 2, y + 10),
        ];
        let cost = |&(left, top): &(i32, i32)| {
            let rect = (left, top, left + w, top + h);
            let outside = left < bounds.0 || top < bounds.1 || rect.2 > bounds.2 || rect.3 > bounds.3;
            let labels = placed.iter().filter(|&&r| overlaps(r, rect)).count();
            let dots = (points.iter().enumerate())
                .filter(|&(j, &(_, p))| j != i && overlaps(dot(p), rect))
                .count();
            (outside, labels, dots)
        };
        let at = match label.is_empty() {
            true => candidates[0],
            // `min_by_key` keeps the first of equals: the usual place wins ties.
            false => candidates
                .iter()
                .copied()
                .min_by_key(cost)
                .unwrap_or(candidates[0]),
        };
        placed.push((at.0, at.1, at.0 + w, at.1 + h));
        positions.push(at);
    }
    positions
}

/// Radius of a labelled point (and of a point's legend mark).
const POINT_RADIUS: i32 = 6;

/// A heatmap cell without a value (a masked score).
const NO_VALUE: RGBColor = RGBColor(200, 200, 200);

/// More unlabelled points than this make a cloud: opaque dots of the usual
/// size would cover one another and hide where the points are dense.
const CLOUD_POINTS: usize = 200;
/// Radius and opacity of a cloud's dots.
const CLOUD_RADIUS: i32 = 4;
const CLOUD_OPACITY: f64 = 0.45;

fn is_cloud(group: &PointGroup) -> bool {
    group.points.len() > CLOUD_POINTS && group.points.iter().all(|p| p.label.is_empty())
}

/// Two short strokes at `head`, at ±25° from the shaft, drawn in pixel space so
/// the head keeps its shape whatever the axis scales.
fn arrow_head(root: &Area, tail: (i32, i32), head: (i32, i32), style: ShapeStyle) -> DrawResult {
    let (dx, dy) = ((head.0 - tail.0) as f64, (head.1 - tail.1) as f64);
    let length = dx.hypot(dy);
    if length < 1.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / length, dy / length);
    let size = 16.0f64.min(length / 2.0);
    for angle in [25f64.to_radians(), -25f64.to_radians()] {
        let (s, c) = angle.sin_cos();
        let (bx, by) = (-(ux * c - uy * s), -(ux * s + uy * c));
        let end = (
            head.0 + (bx * size).round() as i32,
            head.1 + (by * size).round() as i32,
        );
        root.draw(&PathElement::new(vec![head, end], style))?;
    }
    Ok(())
}

fn heatmap(
    root: &Area,
    figure: &Figure,
    values: &[Vec<f64>],
    column_labels: &[String],
    row_labels: &[String],
    value_label: &str,
) -> DrawResult {
    let rows = values.len();
    let cols = values.first().map_or(0, Vec::len);
    let (lo, hi) = span(values.iter().flatten().copied(), 0.0).ok_or_else(|| no_data(figure))?;
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, lo + 0.5) };
    let (main, bar) = root.split_horizontally(SIZE.0 - 150);

    // Cell (r, c) is centred on (c, -r): row 0 is drawn at the top, and the
    // round coordinates plotters puts ticks on (0, -5, -10, …) label rows 0, 5, 10, ….
    let label = |labels: &[String], v: f64, n: usize| {
        let i = v.round();
        if (v - i).abs() > 1e-6 || i < 0.0 || i as usize >= n {
            return String::new();
        }
        let i = i as usize;
        labels.get(i).cloned().unwrap_or_else(|| i.to_string())
    };
    let mut chart =
        framed(&main, figure, 84).build_cartesian_2d(-0.5..cols as f64 - 0.5, 0.5 - rows as f64..0.5)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(&figure.x_label)
        .y_desc(&figure.y_label)
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 16))
        .x_labels(cols.min(16))
        .y_labels(rows.min(16))
        .x_label_formatter(&|v| label(column_labels, *v, cols))
        .y_label_formatter(&|v| label(row_labels, -*v, rows))
        .draw()?;
    chart.draw_series(values.iter().enumerate().flat_map(|(r, row)| {
        let y = -(r as f64);
        row.iter().enumerate().map(move |(c, &v)| {
            // A cell without a value (a masked score, −∞) is grey, outside the colour scale.
            let fill = if v.is_finite() {
                ViridisRGB::get_color_normalized(v, lo, hi).filled()
            } else {
                NO_VALUE.filled()
            };
            Rectangle::new([(c as f64 - 0.5, y - 0.5), (c as f64 + 0.5, y + 0.5)], fill)
        })
    }))?;

    // Colour bar: 100 bands from lo to hi with a value axis.
    let mut scale = ChartBuilder::on(&bar)
        .margin_top(76)
        .margin_bottom(80)
        .margin_right(16)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    scale
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(value_label)
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;
    let step = (hi - lo) / 100.0;
    scale.draw_series((0..100).map(|k| {
        let v0 = lo + k as f64 * step;
        Rectangle::new(
            [(0.0, v0), (1.0, v0 + step)],
            ViridisRGB::get_color_normalized(v0 + step / 2.0, lo, hi).filled(),
        )
    }))?;
    Ok(())
}

fn histogram(
    root: &Area,
    figure: &Figure,
    samples: &[(String, Vec<f64>)],
    bins: usize,
    log_counts: bool,
) -> DrawResult {
    let (lo, hi) =
        span(samples.iter().flat_map(|s| s.1.iter().copied()), 0.0).ok_or_else(|| no_data(figure))?;
    let bins = Bins::spanning(lo, hi, bins);
    let counts: Vec<Vec<usize>> = samples
        .iter()
        .map(|(_, values)| {
            let mut c = vec![0; bins.count];
            for v in values.iter().filter(|v| v.is_finite()) {
                c[(((v - bins.lo) / bins.width) as usize).min(bins.count - 1)] += 1;
            }
            c
        })
        .collect();
    let top = counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    let x = bins.x();
    if log_counts {
        // Bars stand on 0.5, below a count of one, so a bin of one still shows.
        let y = (0.5, top * 2.0);
        let mut chart = cartesian!(@ranges root, figure, x.0..x.1, (y.0..y.1).log_scale(), None, None);
        bins.draw(&mut chart, samples, &counts, y, f64::ln)
    } else {
        let y = (0.0, top * 1.1);
        // A few tokens a bin: one tick per whole count, never "1.5 tokens".
        let y_labels = (top <= 10.0).then_some(top as usize + 1);
        let mut chart = cartesian!(@ranges root, figure, x.0..x.1, y.0..y.1, None, y_labels);
        bins.draw(&mut chart, samples, &counts, y, |n| n)
    }
}

/// A histogram's bins: the first one's left edge, their width and number.
struct Bins {
    lo: f64,
    width: f64,
    count: usize,
}

impl Bins {
    /// `count` equal bins from `lo` to `hi`; equal values (every drift cosine
    /// 1 for a table against itself) get one bin centred on them, a tenth of
    /// their size wide, rather than an axis of unit bins far past them.
    fn spanning(lo: f64, hi: f64, count: usize) -> Bins {
        if hi > lo {
            let count = count.max(1);
            let width = (hi - lo) / count as f64;
            Bins { lo, width, count }
        } else {
            let width = 0.1 * lo.abs().max(1.0);
            Bins {
                lo: lo - width / 2.0,
                width,
                count: 1,
            }
        }
    }

    /// The x range drawn: the bins and one bin's width either side.
    fn x(&self) -> (f64, f64) {
        (
            self.lo - self.width,
            self.lo + (self.count as f64 + 1.0) * self.width,
        )
    }

    /// Draws each sample's bars from `y.0` and the legend where they leave
    /// room (judged on the axis as drawn, `scale` of the counts).
    fn draw<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate<From = (f64, f64)>>(
        &self,
        chart: &mut ChartContext<'a, DB, CT>,
        samples: &[(String, Vec<f64>)],
        counts: &[Vec<usize>],
        y: (f64, f64),
        scale: fn(f64) -> f64,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        for (i, ((label, _), c)) in samples.iter().zip(counts).enumerate() {
            let fill = colour(i).mix(0.55).filled();
            chart
                .draw_series(c.iter().enumerate().filter(|(_, n)| **n > 0).map(|(b, &n)| {
                    let x0 = self.lo + b as f64 * self.width;
                    Rectangle::new([(x0, y.0), (x0 + self.width, n as f64)], fill)
                }))?
                .label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], fill));
        }
        let tops = counts.iter().flat_map(|c| {
            c.iter().enumerate().map(|(b, &n)| {
                (
                    self.lo + (b as f64 + 0.5) * self.width,
                    scale((n as f64).max(y.0)),
                )
            })
        });
        legend(
            chart,
            emptiest_corner(
                tops.collect::<Vec<_>>().into_iter(),
                self.x(),
                (scale(y.0), scale(y.1)),
            ),
        )?;
        Ok(())
    }
}

fn bars(root: &Area, figure: &Figure, categories: &[String], series: &[(String, Vec<f64>)]) -> DrawResult {
    let n = categories.len();
    // Bars grow from zero: the axis starts at zero (or the lowest negative bar), padded only away from it.
    let (lo, hi) = span(series.iter().flat_map(|s| s.1.iter().copied()).chain([0.0]), 0.0)
        .ok_or_else(|| no_data(figure))?;
    // Headroom above the tallest bar keeps the upper corners free for the legend.
    let height = (hi - lo).max(f64::MIN_POSITIVE);
    let (lo, hi) = (
        if lo < 0.0 { lo - 0.08 * height } else { 0.0 },
        hi + 0.45 * height,
    );
    let names = |v: f64| {
        let r = v.round();
        if (v - r).abs() < 1e-6 && r >= 0.0 && (r as usize) < n {
            categories[r as usize].clone()
        } else {
            String::new()
        }
    };
    let mut chart = framed(root, figure, 84).build_cartesian_2d(-0.5..n as f64 - 0.5, lo..hi)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(&figure.x_label)
        .y_desc(&figure.y_label)
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 16))
        .x_labels(n.min(20))
        .x_label_formatter(&|v| names(*v))
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let group = 0.8 / series.len().max(1) as f64;
    for (i, (label, values)) in series.iter().enumerate() {
        let fill = colour(i).filled();
        chart
            // A missing value (NaN: a reader's table lacks the words) leaves its slot empty.
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(c, &v)| {
                        let x0 = c as f64 - 0.4 + i as f64 * group;
                        Rectangle::new([(x0, 0.0), (x0 + group * 0.92, v)], fill)
                    }),
            )?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], fill));
    }
    let tops = series
        .iter()
        .flat_map(|(_, v)| v.iter().enumerate().map(|(c, &h)| (c as f64, h)))
        .filter(|(_, h)| h.is_finite());
    legend(
        &mut chart,
        emptiest_corner(tops, (-0.5, n as f64 - 0.5), (lo, hi)),
    )?;
    Ok(())
}

fn dots(root: &Area, figure: &Figure, categories: &[String], series: &[(String, Vec<f64>)]) -> DrawResult {
    let n = categories.len();
    let values = || series.iter().flat_map(|s| s.1.iter().copied());
    let x = span(values(), 0.08).ok_or_else(|| no_data(figure))?;
    // Category `c` sits on row `n − 1 − c`, so the first is on top; the round
    // coordinates plotters puts its ticks on name the rows.
    let name = |v: f64| {
        let r = v.round();
        let row = (n as f64 - 1.0 - r) as usize;
        match (v - r).abs() < 1e-6 && r >= 0.0 && row < n {
            true => categories[row].clone(),
            false => String::new(),
        }
    };
    let font: TextStyle = (FONT, 16).into();
    let widest = (categories.iter())
        .map(|c| root.estimate_text_size(c, &font).map(|(w, _)| w))
        .try_fold(0, |widest, w| w.map(|w| widest.max(w)))?;
    let mut chart = framed(root, figure, widest + 44).build_cartesian_2d(x.0..x.1, -0.6..n as f64 - 0.4)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(&figure.x_label)
        .y_desc(&figure.y_label)
        .axis_desc_style((FONT, 20))
        .label_style(font)
        .y_labels(n + 1)
        .y_label_formatter(&|v| name(*v))
        .x_label_formatter(&|v| tick(*v))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()?;
    let row = |c: usize| (n - 1 - c) as f64;
    // A faint guide along each row, the line joining its dots, the zero line.
    let guide = RGBColor(225, 225, 225).stroke_width(1);
    chart.draw_series((0..n).map(|c| PathElement::new(vec![(x.0, row(c)), (x.1, row(c))], guide)))?;
    let joins = (0..n).filter_map(|c| {
        let (lo, hi) = span(series.iter().filter_map(|s| s.1.get(c).copied()), 0.0)?;
        (hi > lo).then(|| {
            PathElement::new(
                vec![(lo, row(c)), (hi, row(c))],
                RGBColor(150, 150, 150).stroke_width(2),
            )
        })
    });
    chart.draw_series(joins)?;
    if values().any(|v| v < 0.0) && values().any(|v| v > 0.0) {
        let top = n as f64 - 0.4;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, top)],
            BLACK.stroke_width(1),
        )))?;
    }
    // Earlier series get larger dots, so coinciding values show as concentric rings.
    for (i, (label, values)) in series.iter().enumerate() {
        let radius = POINT_RADIUS + 2 * (series.len() - 1 - i).min(2) as i32;
        let fill = colour(i).filled();
        chart
            .draw_series(
                (values.iter().enumerate())
                    .filter(|(_, v)| v.is_finite())
                    .map(|(c, &v)| Circle::new((v, row(c)), radius, fill)),
            )?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 12, y), POINT_RADIUS, fill));
    }
    let dots = series
        .iter()
        .flat_map(|s| s.1.iter().enumerate().map(|(c, &v)| (v, row(c))));
    legend(&mut chart, emptiest_corner(dots, x, (-0.6, n as f64 - 0.4)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Arrow, Point};

    fn all_kinds() -> Vec<Figure> {
        let base = |name: &str| Figure::new(name, "Title", "x axis", "y axis");
        vec![
            base("lines").chart(Chart::Lines {
                series: vec![Series::indexed("a", [1.0, -0.5, 2.0])],
                markers: true,
            }),
            base("scatter").chart(Chart::Scatter {
                groups: vec![PointGroup::new(
                    "g",
                    vec![Point::new(0.0, 0.0, "origin"), Point::new(1.0, 2.0, "p")],
                )],
                lines: vec![Series::new("trend", [(0.0, 0.0), (1.0, 2.0)])],
                arrows: vec![Arrow::new("offset", (0.0, 0.0), (1.0, 2.0))],
            }),
            base("heatmap").chart(Chart::heatmap(ndarray::Array2::eye(3).view(), "v")),
            base("histogram").chart(Chart::Histogram {
                samples: vec![("s".into(), vec![0.1, 0.2, 0.2, 0.9])],
                bins: 5,
            }),
            base("log-histogram").chart(Chart::LogHistogram {
                samples: vec![("s".into(), vec![0.1, 0.2, 0.2, 0.9])],
                bins: 5,
            }),
            base("bars").chart(Chart::Bars {
                categories: vec!["a".into(), "b".into()],
                series: vec![("v".into(), vec![1.0, 3.0])],
            }),
            base("dots").chart(Chart::Dots {
                categories: vec!["a".into(), "b".into(), "c".into()],
                series: vec![
                    ("v".into(), vec![-1.0, f64::NAN, 3.0]),
                    ("w".into(), vec![0.5, 2.0, 3.0]),
                ],
            }),
        ]
    }

    #[test]
    fn every_chart_kind_renders_deterministically() {
        for figure in all_kinds() {
            let first = render_png(&figure).unwrap();
            assert_eq!(
                first,
                render_png(&figure).unwrap(),
                "{} changed between renders",
                figure.name
            );
            assert_eq!(&first[1..4], b"PNG");
        }
    }

    #[test]
    fn a_log_histogram_shows_a_bin_of_one_beside_ten_thousand() {
        // 10 000 values at 1 and one at 0: on a linear axis the lone value's
        // bar is at most a pixel tall, on the logarithmic one a visible bar.
        let mut sample = vec![1.0; 10_000];
        sample.push(0.0);
        let samples = vec![("s".to_string(), sample)];
        let bar_pixels_lower_left = |chart: Chart| {
            let png = render_png(&Figure::new("h", "t", "x", "y").chart(chart)).unwrap();
            let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
            let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut rgb).unwrap();
            let (w, h) = (info.width as usize, info.height as usize);
            let pixel = |x: usize, y: usize| &rgb[3 * (y * w + x)..3 * (y * w + x) + 3];
            // The bars' colour: the commonest one that is neither white nor a grey.
            let mut seen = std::collections::HashMap::new();
            for y in 0..h {
                for x in 0..w {
                    let p = pixel(x, y);
                    if !(p[0] == p[1] && p[1] == p[2]) {
                        *seen.entry(p.to_vec()).or_insert(0) += 1;
                    }
                }
            }
            let bar = seen.into_iter().max_by_key(|e| e.1).unwrap().0;
            (h / 2..h)
                .flat_map(|y| (0..w / 2).map(move |x| (x, y)))
                .filter(|&(x, y)| pixel(x, y) == bar)
                .count()
        };
        let linear = bar_pixels_lower_left(Chart::Histogram {
            samples: samples.clone(),
            bins: 50,
        });
        let log = bar_pixels_lower_left(Chart::LogHistogram { samples, bins: 50 });
        assert!(
            log > 5 * linear.max(20),
            "bar pixels of the lone value: {log} (log) against {linear} (linear)"
        );
    }

    #[test]
    fn a_chart_without_data_is_an_error_not_a_panic() {
        let empty = Figure::new("empty", "t", "x", "y").chart(Chart::Lines {
            series: vec![],
            markers: false,
        });
        assert!(matches!(render_png(&empty), Err(Error::Render { .. })));
    }

    #[test]
    fn whole_number_x_values_get_one_label_each() {
        assert_eq!(x_label_count([1.0, 2.0, 3.0].into_iter()), Some(3));
        assert_eq!(x_label_count((0..=8).map(f64::from)), Some(9));
        assert_eq!(x_label_count([0.0, 0.5, 1.0].into_iter()), None);
        assert_eq!(x_label_count((0..=50).map(f64::from)), None);
        assert_eq!(x_label_count([4.0].into_iter()), None);
    }

    #[test]
    fn an_empty_point_group_draws_nothing_not_even_a_legend_entry() {
        let scatter = |groups: Vec<PointGroup>| {
            let chart = Chart::Scatter {
                groups,
                lines: vec![],
                arrows: vec![],
            };
            render_png(&Figure::new("s", "t", "x", "y").chart(chart)).unwrap()
        };
        let points = PointGroup::new("rows", vec![Point::new(0.0, 1.0, ""), Point::new(1.0, 2.0, "")]);
        assert_eq!(
            scatter(vec![points.clone(), PointGroup::new("candidates", vec![])]),
            scatter(vec![points])
        );
    }

    #[test]
    fn labels_move_off_each_other_and_stay_inside_the_plot() {
        let bounds = (0, 0, 400, 300);
        let size = [(50, 18); 3];
        // A lone point keeps the usual place, up and to the right.
        assert_eq!(
            place_labels(&[("a", (100, 100))], &size[..1], bounds),
            [(109, 80)]
        );
        // A second point just below: its usual place would cover the first label, so it goes below-right.
        let points = [("a", (100, 100)), ("b", (104, 112))];
        assert_eq!(place_labels(&points, &size[..2], bounds), [(109, 80), (113, 116)]);
        // At the right edge the label goes to the left of its point.
        assert_eq!(
            place_labels(&[("c", (380, 100))], &size[..1], bounds),
            [(321, 80)]
        );
    }

    #[test]
    fn only_many_unlabelled_points_make_a_cloud() {
        let group = |n: usize, label: &str| PointGroup {
            label: "g".into(),
            points: (0..n)
                .map(|i| Point {
                    xy: (i as f64, 0.0),
                    label: if i == 0 { label.into() } else { String::new() },
                })
                .collect(),
        };
        assert!(is_cloud(&group(CLOUD_POINTS + 1, "")));
        assert!(!is_cloud(&group(CLOUD_POINTS, "")));
        assert!(!is_cloud(&group(CLOUD_POINTS + 1, "the")));
    }

    #[test]
    fn ticks_never_show_negative_zero() {
        assert_eq!(tick(-0.0), "0");
        assert_eq!(tick(-1e-15), "0");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(2.0), "2");
    }

    #[test]
    fn equal_values_get_one_bin_centred_on_them() {
        let one = Bins::spanning(1.0, 1.0, 50);
        assert_eq!((one.lo, one.width, one.count), (0.95, 0.1, 1));
        assert_eq!(Bins::spanning(-200.0, -200.0, 8).lo, -210.0);
        let quarters = Bins::spanning(0.0, 1.0, 4);
        assert_eq!((quarters.lo, quarters.width, quarters.count), (0.0, 0.25, 4));
    }

    #[test]
    fn whole_ticks_up_to_millions_keep_their_digits_in_groups_of_three() {
        assert_eq!(tick(1000.0), "1000");
        assert_eq!(tick(10_000.0), "10 000");
        assert_eq!(tick(-152_064.0), "-152 064");
        assert_eq!(tick(1_000_000.0), "1 000 000");
        assert_eq!(tick(1e7), "1.0e7");
        assert_eq!(tick(12_345.5), "1.2e4");
    }
}

//! Figures as data: what a demo wants drawn, independent of how it is drawn.
//!
//! A demo describes a [`Figure`] (title, axis labels, a [`Chart`] of series);
//! `report::plot` renders it to PNG with plotters, and the notebooks show the
//! same PNG inline. Keeping the description separate keeps demos free of
//! drawing code and lets every output format share one renderer.

use serde::Serialize;

/// One figure requested by a demo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Short name, unique within the demo; the PNG is `<demo-id>-<name>.png`.
    pub name: String,
    /// Title drawn above the plot.
    pub title: String,
    /// Label of the horizontal axis.
    pub x_label: String,
    /// Label of the vertical axis.
    pub y_label: String,
    /// One sentence saying what the figure shows (used as alt text).
    pub caption: String,
    /// What to draw.
    #[serde(skip)]
    pub chart: Chart,
}

/// A named sequence of `(x, y)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry.
    pub label: String,
    /// The points, drawn in order.
    pub points: Vec<(f64, f64)>,
}

/// A labelled point in a scatter plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Position.
    pub xy: (f64, f64),
    /// Text drawn beside the point (empty for none).
    pub label: String,
}

/// A group of points sharing a colour and a legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PointGroup {
    /// Legend entry.
    pub label: String,
    /// The points.
    pub points: Vec<Point>,
}

/// An arrow from one point to another, with a legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrow {
    /// Legend entry (arrows with the same label share a colour).
    pub label: String,
    /// Tail.
    pub from: (f64, f64),
    /// Head.
    pub to: (f64, f64),
}

/// The kinds of chart the report can draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Line chart; `markers` also draws a dot on every point.
    Lines {
        /// The curves.
        series: Vec<Series>,
        /// Draw a marker at each point.
        markers: bool,
    },
    /// A matrix as coloured cells (viridis), row 0 at the top, with a colour bar.
    Heatmap {
        /// Row-major values.
        values: Vec<Vec<f64>>,
        /// Optional tick labels for the columns (empty: indices).
        column_labels: Vec<String>,
        /// Optional tick labels for the rows (empty: indices).
        row_labels: Vec<String>,
        /// Label of the colour bar.
        value_label: String,
    },
    /// Scatter plot of labelled point groups, with optional lines (a fitted
    /// trend, a reference diagonal) and arrows on top.
    Scatter {
        /// The point groups.
        groups: Vec<PointGroup>,
        /// Lines drawn under the points, e.g. a least-squares trend.
        lines: Vec<Series>,
        /// Arrows drawn over the points.
        arrows: Vec<Arrow>,
    },
    /// Overlaid histograms of several samples on shared bins.
    Histogram {
        /// `(legend label, sample)` pairs.
        samples: Vec<(String, Vec<f64>)>,
        /// Number of equal-width bins spanning all samples.
        bins: usize,
    },
    /// [`Chart::Histogram`] with the counts on a logarithmic axis: for samples
    /// where one bin towers over the rest (a fine-tune's drift, most tokens
    /// at cosine 1), so the few in the other bins still show.
    LogHistogram {
        /// `(legend label, sample)` pairs.
        samples: Vec<(String, Vec<f64>)>,
        /// Number of equal-width bins spanning all samples.
        bins: usize,
    },
    /// Grouped bar chart: one group per category, one bar per series.
    Bars {
        /// Category names along the horizontal axis.
        categories: Vec<String>,
        /// `(legend label, one value per category)` pairs.
        series: Vec<(String, Vec<f64>)>,
    },
    /// Dot plot (Cleveland's): one row per category, the first on top, a dot
    /// per series at its value on the horizontal axis (NaN: no dot), a row's
    /// dots joined by a thin line, and a line at zero when the values have
    /// both signs. For named things measured on one scale, where a scatter
    /// would need a made-up vertical axis.
    Dots {
        /// Category names, one row each, top to bottom.
        categories: Vec<String>,
        /// `(legend label, one value per category)` pairs.
        series: Vec<(String, Vec<f64>)>,
    },
}

impl Chart {
    /// Whether the chart has at least one finite value to draw (a chart
    /// without one cannot be drawn: its axes would have no range).
    ///
    /// # Examples
    /// ```
    /// use embspace::chart::Chart;
    /// assert!(!Chart::Histogram { samples: vec![], bins: 10 }.has_data());
    /// assert!(Chart::Histogram { samples: vec![("a".into(), vec![0.5])], bins: 10 }.has_data());
    /// ```
    pub fn has_data(&self) -> bool {
        let finite = |x: &f64| x.is_finite();
        match self {
            Chart::Lines { series, .. } => series
                .iter()
                .flat_map(|s| &s.points)
                .any(|p| finite(&p.0) && finite(&p.1)),
            Chart::Heatmap { values, .. } => values.iter().flatten().any(finite),
            Chart::Scatter { groups, .. } => groups
                .iter()
                .flat_map(|g| &g.points)
                .any(|p| finite(&p.xy.0) && finite(&p.xy.1)),
            Chart::Histogram { samples, .. } | Chart::LogHistogram { samples, .. } => {
                samples.iter().flat_map(|s| &s.1).any(finite)
            }
            Chart::Bars { series, .. } | Chart::Dots { series, .. } => {
                series.iter().flat_map(|s| &s.1).any(finite)
            }
        }
    }
}

impl Figure {
    /// A figure with the given name, title and axis labels; set the chart with
    /// [`Figure::chart`] and the alt text with [`Figure::caption`].
    ///
    /// # Examples
    /// ```
    /// use embspace::chart::{Chart, Figure, Series};
    /// let fig = Figure::new("curve", "A line", "x", "y")
    ///     .caption("A straight line through the origin.")
    ///     .chart(Chart::Lines { series: vec![Series::new("y = x", [(0.0, 0.0), (1.0, 1.0)])], markers: false });
    /// assert_eq!(fig.name, "curve");
    /// ```
    pub fn new(name: &str, title: &str, x_label: &str, y_label: &str) -> Self {
        Figure {
            name: name.into(),
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            caption: title.into(),
            chart: Chart::Lines {
                series: Vec::new(),
                markers: false,
            },
        }
    }

    /// Set what the figure draws.
    pub fn chart(mut self, chart: Chart) -> Self {
        self.chart = chart;
        self
    }

    /// Set the one-sentence description used as alt text.
    pub fn caption(mut self, caption: &str) -> Self {
        self.caption = caption.into();
        self
    }
}

impl Series {
    /// A series from a label and points.
    pub fn new(label: &str, points: impl IntoIterator<Item = (f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points: points.into_iter().collect(),
        }
    }

    /// A series whose x values are `0, 1, 2, …`.
    ///
    /// # Examples
    /// ```
    /// let s = embspace::chart::Series::indexed("loss", [3.0, 2.0]);
    /// assert_eq!(s.points, vec![(0.0, 3.0), (1.0, 2.0)]);
    /// ```
    pub fn indexed(label: &str, ys: impl IntoIterator<Item = f64>) -> Self {
        Series::new(label, ys.into_iter().enumerate().map(|(i, y)| (i as f64, y)))
    }
}

impl Chart {
    /// A heatmap of a matrix with index tick labels.
    ///
    /// # Examples
    /// ```
    /// let c = embspace::chart::Chart::heatmap(ndarray::Array2::eye(2).view(), "value");
    /// assert!(matches!(c, embspace::chart::Chart::Heatmap { .. }));
    /// ```
    pub fn heatmap(values: ndarray::ArrayView2<f64>, value_label: &str) -> Self {
        Chart::Heatmap {
            values: values.rows().into_iter().map(|r| r.to_vec()).collect(),
            column_labels: Vec::new(),
            row_labels: Vec::new(),
            value_label: value_label.into(),
        }
    }
}

impl PointGroup {
    /// A group from a legend label and points.
    pub fn new(label: &str, points: Vec<Point>) -> Self {
        PointGroup {
            label: label.into(),
            points,
        }
    }
}

impl Arrow {
    /// An arrow from `from` to `to` with a legend label.
    pub fn new(label: &str, from: (f64, f64), to: (f64, f64)) -> Self {
        Arrow {
            label: label.into(),
            from,
            to,
        }
    }
}

impl Point {
    /// A point with a text label.
    pub fn new(x: f64, y: f64, label: &str) -> Self {
        Point {
            xy: (x, y),
            label: label.into(),
        }
    }
}

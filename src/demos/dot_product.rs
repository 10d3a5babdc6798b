//! # Dot product
//!
//! The dot product $u \cdot v = \sum_i u_i v_i$ is the basic score of a
//! language model: attention compares queries with keys by it, and the output
//! layer scores every token by it. Geometrically it is
//! $u \cdot v = \lVert u \rVert \, \lVert v \rVert \cos\theta$: an agreement of
//! direction, $\cos\theta$, multiplied by both lengths. The first check
//! confirms this identity for 2-D vectors given by length and angle, where
//! $\theta$ is simply the difference of their angles.
//!
//! Because length multiplies in, the dot product rewards norm. Here the query
//! *kitten* has a close neighbour *cat* (5 degrees away, similar length) and a
//! generic word *the* at 50 degrees but four times as long, standing in for a
//! frequent token whose vector has grown large. Ranked by dot product, *the*
//! wins; ranked by cosine, *cat* does. The checks confirm this flip, and that
//! normalising every vector to length 1 first makes the dot product rank like
//! the cosine. Which one is right depends on the job: for similarity search we
//! want cosine, while in an output layer a large norm acts as a learnt prior
//! that makes a token likely in many contexts.

use ndarray::{Array1, Array2, Axis};

use crate::chart::{Chart, Figure, Point, PointGroup, Series};
use crate::demos::Ctx;
use crate::format::{fixed, list};
use crate::math::{cosine_matrix, normalize_rows, row_norms};

/// Dot product against cosine for a query, a close word and a long generic word.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    // Each word as (length, angle in degrees) in a 2-D space.
    let words = ["cat", "puppy", "the", "of", "car", "stock"];
    let polar = [
        (1.1, 25.0),
        (1.0, 50.0),
        (4.0, 70.0),
        (3.5, 105.0),
        (1.2, -35.0),
        (0.9, 160.0),
    ];
    let (query_len, query_angle) = (1.0, 20.0_f64); // "kitten"
    let xy = |(r, deg): (f64, f64)| [r * deg.to_radians().cos(), r * deg.to_radians().sin()];
    let table = Array2::from_shape_fn((words.len(), 2), |(i, j)| xy(polar[i])[j]);
    let query = Array1::from(xy((query_len, query_angle)).to_vec());

    // u·v = |u| |v| cos θ, with θ the difference of the two angles.
    let dots = table.dot(&query);
    let geometric = polar.map(|(r, deg)| query_len * r * (deg - query_angle).to_radians().cos());
    let worst = dots
        .iter()
        .zip(&geometric)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    ctx.check_close("dot product = |u| |v| cos(angle between them)", worst, 0.0, 1e-12);

    let cosines = cosine_matrix(table.view(), query.view().insert_axis(Axis(0)))?
        .column(0)
        .to_owned();
    let norms = row_norms(table.view());
    ctx.say(format!("Norms:  {}\nDot:    {}", list(&norms, 3), list(&dots, 3)));
    ctx.say(format!("Cosine: {}", list(&cosines, 3)));
    let best = |s: &Array1<f64>| {
        words[(0..words.len())
            .max_by(|&a, &b| s[a].total_cmp(&s[b]))
            .unwrap_or(0)]
    };
    ctx.check_eq(
        "top dot-product neighbour of kitten is the long generic word",
        best(&dots),
        "the",
    );
    ctx.check_eq(
        "top cosine neighbour of kitten is the similar word",
        best(&cosines),
        "cat",
    );
    let unit_dots = normalize_rows(table.view()).dot(&query) / query_len;
    let gap = (&unit_dots - &cosines).mapv(f64::abs).sum();
    ctx.check_close("dot product of unit vectors is the cosine", gap, 0.0, 1e-12);

    // Curves of equal dot product through cat and the: cos = score / (|q| |v|).
    let contour = |w: usize| {
        let radii = (0..=40)
            .map(|k| 0.8 + 0.1 * k as f64)
            .filter(|r| dots[w] / (query_len * r) <= 1.0);
        let label = format!("dot = {} ({})", fixed(dots[w], 2), words[w]);
        Series::new(&label, radii.map(|r| (r, dots[w] / (query_len * r))))
    };
    let points = words
        .iter()
        .enumerate()
        .map(|(i, w)| Point::new(norms[i], cosines[i], w))
        .collect();
    ctx.figure(
        Figure::new(
            "norm-vs-cosine",
            "Length and direction of each word",
            "norm |v|",
            "cosine with kitten",
        )
        .caption(
            "cat has the highest cosine, but the, four times longer, lies on a higher dot-product curve.",
        )
        .chart(Chart::Scatter {
            groups: vec![PointGroup::new("word", points)],
            lines: vec![contour(0), contour(2)],
            arrows: vec![],
        }),
    );
    ctx.figure(
        Figure::new("scores", "Scores against kitten", "word", "score")
            .caption("The dot product ranks the long generic word the first; cosine ranks cat first.")
            .chart(Chart::Bars {
                categories: words.iter().map(|w| w.to_string()).collect(),
                series: vec![
                    ("dot product".into(), dots.to_vec()),
                    ("cosine".into(), cosines.to_vec()),
                ],
            }),
    );
    // ANCHOR_END: demo
    Ok(())
}

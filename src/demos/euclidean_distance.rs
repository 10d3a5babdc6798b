//! # Euclidean distance
//!
//! Euclidean distance $\lVert u - v \rVert$ measures how far apart two points
//! are, so unlike cosine it feels their lengths. Expanding the square gives
//! $\lVert u - v \rVert^2 = \lVert u \rVert^2 + \lVert v \rVert^2 - 2\,u \cdot v$,
//! and for unit vectors this becomes
//! $\lVert u - v \rVert^2 = 2 - 2\cos(u, v)$. Distance is then a decreasing
//! function of cosine alone, $d = \sqrt{2 - 2\cos}$, so ranking neighbours by
//! ascending distance and by descending cosine must give the same list.
//!
//! On raw vectors the two can disagree. We take 20 random 8-dimensional
//! vectors, with word 0 as the query, and plant two cases: word 1 points
//! almost the way the query does but is four times longer (as frequent words
//! often are), word 2 is short and unrelated. Cosine ranks word 1 first;
//! distance ranks word 2 above it, because a short vector sits close to
//! everything near the origin. The checks confirm the identity on all 190
//! normalised pairs, identical rankings after normalising, and the planted
//! disagreement before. The scatter plots each word's distance from the
//! query against its cosine: normalised words lie exactly on the curve
//! $d = \sqrt{2 - 2\cos}$, raw words do not. This is
//! why retrieval systems normalise embeddings before using a Euclidean index.

use ndarray::Array2;
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure, Point, PointGroup, Series};
use crate::demos::Ctx;
use crate::format::fixed;
use crate::math::{cosine_matrix, euclidean_matrix, normalize_rows};

/// Words 1..n ranked by ascending `key`; ties keep the lower index first.
fn ranking(key: impl Fn(usize) -> f64, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (1..n).collect();
    order.sort_by(|&i, &j| key(i).total_cmp(&key(j)));
    order
}

/// ‖u − v‖² = 2 − 2 cos on unit vectors, and rankings by distance and by cosine.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let mut raw = Array2::<f64>::random_using((20, 8), StandardNormal, ctx.rng());
    // Word 1: nearly the query's direction, four times longer. Word 2: short and unrelated.
    let long = (&raw.row(0) + &(&raw.row(1) * 0.2)) * 4.0;
    raw.row_mut(1).assign(&long);
    raw.row_mut(2).mapv_inplace(|v| v * 0.1);
    let unit = normalize_rows(raw.view());

    let dist = euclidean_matrix(unit.view(), unit.view())?;
    let cos = cosine_matrix(unit.view(), unit.view())?;
    let gap = (dist.mapv(|d| d * d) - cos.mapv(|c| 2.0 - 2.0 * c)).fold(0.0f64, |m, g| m.max(g.abs()));
    ctx.check_close("unit vectors: |u - v|^2 = 2 - 2 cos(u, v)", gap, 0.0, 1e-12);
    let (by_dist, by_cos) = (ranking(|i| dist[[0, i]], 20), ranking(|i| -cos[[0, i]], 20));
    ctx.say(format!(
        "Normalised, by distance: {by_dist:?}\nNormalised, by cosine:   {by_cos:?}"
    ));
    ctx.check_eq(
        "normalised: distance and cosine rank alike",
        format!("{by_dist:?}"),
        format!("{by_cos:?}"),
    );

    let raw_dist = euclidean_matrix(raw.view(), raw.view())?;
    let raw_cos = cosine_matrix(raw.view(), raw.view())?;
    let (by_dist, by_cos) = (
        ranking(|i| raw_dist[[0, i]], 20),
        ranking(|i| -raw_cos[[0, i]], 20),
    );
    ctx.say(format!(
        "Raw, by distance: {by_dist:?}\nRaw, by cosine:   {by_cos:?}"
    ));
    for w in [1, 2] {
        let (c, d) = (fixed(raw_cos[[0, w]], 4), fixed(raw_dist[[0, w]], 4));
        ctx.say(format!("word {w}: cosine {c}, distance {d}"));
    }
    let place = |w: usize| {
        by_dist
            .iter()
            .position(|&i| i == w)
            .expect("every word is ranked") as f64
    };
    ctx.check_eq("raw: cosine ranks the long parallel word 1 first", by_cos[0], 1);
    ctx.check_below(
        "raw: distance ranks the short word 2 above word 1",
        place(2),
        place(1),
    );

    // The query's 19 pairs as points (cosine, distance), raw and normalised; the planted words get labels.
    let points = |c: &Array2<f64>, d: &Array2<f64>, tag: bool| -> Vec<Point> {
        let label = |j| match (tag, j) {
            (true, 1) => "word 1 (long)",
            (true, 2) => "word 2 (short)",
            _ => "",
        };
        (1..20)
            .map(|j| Point::new(c[[0, j]], d[[0, j]], label(j)))
            .collect()
    };
    let curve = (0..=100)
        .map(|k| -1.0 + 0.02 * k as f64)
        .map(|c| (c, (2.0 - 2.0 * c).sqrt()));
    let raw_points = PointGroup::new("raw vectors", points(&raw_cos, &raw_dist, true));
    let groups = vec![
        raw_points,
        PointGroup::new("normalised vectors", points(&cos, &dist, false)),
    ];
    ctx.figure(
        Figure::new(
            "distance-vs-cosine",
            "Distance from word 0 against cosine to it",
            "cosine",
            "distance",
        )
        .caption("Normalised words lie on d = √(2 − 2 cos); raw word 1 is the most similar yet the farthest.")
        .chart(Chart::Scatter {
            groups,
            lines: vec![Series::new("d = √(2 − 2 cos)", curve)],
            arrows: vec![],
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

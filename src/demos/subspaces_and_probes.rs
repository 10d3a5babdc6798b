//! # Subspaces and probes
//!
//! An embedding space has far more dimensions than we can look at, but much
//! of its structure lives in a few directions. Principal component analysis
//! finds them: centre the rows, take the singular value decomposition
//! $X_c = U S V^\top$, and project onto the first columns of $V$; the shares
//! $s_i^2 / \sum_j s_j^2$ say how much variance each component keeps. The
//! first checks reproduce the seed notebook's PCA of 20 random vectors.
//!
//! A *probe* asks whether a property is linearly readable from the vectors: fit
//! a logistic regression $p(y = 1 \mid x) = \sigma(w^\top x + b)$ on some
//! vectors and test it on others. We plant a binary attribute along one
//! hidden direction of 200 vectors in 16 dimensions. The probe recovers it on
//! held-out vectors (accuracy at least 0.9). Then we project the probe's
//! direction out, $x \mapsto x - (x^\top \hat w)\hat w$, and train a fresh probe: it
//! falls to chance. This is the logic of concept-erasure methods such as INLP,
//! and a warning for interpretation: high probe accuracy shows information is
//! present, not that the model uses it.

use ndarray::{Array1, Array2, Axis, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure, Point, PointGroup};
use crate::demos::Ctx;
use crate::format::{fixed, list, shape};
use crate::math::{LogisticProbe, ProbeParams, center, pca, project_out};

/// PCA of random vectors, then a linear probe before and after erasing its direction.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let x = Array2::<f64>::random_using((20, 5), StandardNormal, ctx.rng());
    let p = pca(x.view(), 2)?;
    ctx.say(format!("PCA coords shape: {}", shape(p.coords.shape())));
    ctx.say(format!(
        "Top singular values: {}",
        list(p.singular_values.slice(s![..3]), 4)
    ));
    ctx.check_eq(
        "PCA projection is two-dimensional",
        shape(p.coords.shape()),
        "(20, 2)",
    );
    let total_variance: f64 = center(x.view()).0.iter().map(|v| v * v).sum();
    let kept: f64 = p.singular_values.iter().map(|s| s * s).sum();
    ctx.check_close(
        "squared singular values sum to the total variance",
        kept,
        total_variance,
        1e-9,
    );

    // 200 vectors; the attribute is the sign of their coordinate along a hidden unit direction.
    let hidden = Array1::from_shape_fn(16, |i| if i < 4 { 0.5 } else { 0.0 });
    let mut data = Array2::<f64>::random_using((200, 16), StandardNormal, ctx.rng());
    let labels: Vec<bool> = data.dot(&hidden).iter().map(|&v| v > 0.0).collect();
    for (mut row, &label) in data.rows_mut().into_iter().zip(&labels) {
        row.scaled_add(if label { 1.0 } else { -1.0 }, &hidden); // widen the margin a little
    }
    let (train, test) = (data.slice(s![..100, ..]), data.slice(s![100.., ..]));
    let probe = LogisticProbe::fit(train, &labels[..100], ProbeParams::default())?;
    let before = probe.accuracy(test, &labels[100..])?;

    let erased = project_out(data.view(), probe.weights.view())?;
    let retrained = LogisticProbe::fit(
        erased.slice(s![..100, ..]),
        &labels[..100],
        ProbeParams::default(),
    )?;
    let after = retrained.accuracy(erased.slice(s![100.., ..]), &labels[100..])?;
    ctx.say(format!(
        "Held-out probe accuracy: {} before erasure, {} after",
        fixed(before, 3),
        fixed(after, 3)
    ));
    ctx.check_above(
        "a linear probe reads the planted attribute (accuracy > 0.9)",
        before,
        0.9,
    );
    ctx.check_below(
        "after projecting its direction out, a new probe is near chance",
        after,
        0.65,
    );

    let view = pca(data.view(), 2)?;
    let group = |wanted: bool, name: &str| {
        let points = view
            .coords
            .axis_iter(Axis(0))
            .zip(&labels)
            .filter(|(_, l)| **l == wanted);
        PointGroup::new(name, points.map(|(r, _)| Point::new(r[0], r[1], "")).collect())
    };
    ctx.figure(
        Figure::new(
            "attribute",
            "Top two principal components, coloured by the planted attribute",
            "PC 1",
            "PC 2",
        )
        .caption(
            "The two classes separate along one direction of the cloud: the attribute is linearly readable.",
        )
        .chart(Chart::Scatter {
            groups: vec![group(true, "attribute = 1"), group(false, "attribute = 0")],
            lines: vec![],
            arrows: vec![],
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

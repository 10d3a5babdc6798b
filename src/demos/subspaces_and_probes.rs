//! # Subspaces and probes
//!
//! An embedding space has far more dimensions than we can look at, but much
//! of its structure lives in a few directions. Principal component analysis
//! finds them: centre the rows, take the singular value decomposition
//! $X_c = U S V^\top$, and the first columns of $V$ are the directions of
//! largest variance. Projecting onto the top two, $X_c V_2$, gives the 2-D
//! picture practitioners draw of their embeddings; the squared singular
//! values $s_i^2 / \sum_j s_j^2$ say how much of the variance each picture
//! keeps.
//!
//! This demo projects 20 random 5-dimensional vectors onto two components.
//! The checks confirm the projection's shape, that the squared singular
//! values add up to the total variance (nothing is lost by the rotation
//! itself), and that the projected coordinates are centred. Random Gaussian
//! data has no preferred direction, so the explained-variance shares are
//! close to each other; trained embeddings look very different, with a few
//! dominant directions.

use ndarray::Array2;
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure, Point, PointGroup};
use crate::demos::Ctx;
use crate::format::{list, shape};
use crate::math::{center, pca};

/// PCA of 20 random 5-D points down to two dimensions.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let x = Array2::<f64>::random_using((20, 5), StandardNormal, ctx.rng());
    let p = pca(x.view(), 2)?;
    ctx.say(format!("PCA coords shape: {}", shape(p.coords.shape())));
    ctx.say(format!("Top singular values: {}", list(p.singular_values.slice(ndarray::s![..3]), 4)));
    ctx.say(format!("Explained variance ratio: {}", list(&p.explained_variance_ratio, 4)));
    ctx.check_eq("PCA projection is two-dimensional", shape(p.coords.shape()), "(20, 2)");

    let total_variance: f64 = center(x.view()).0.iter().map(|v| v * v).sum();
    let kept: f64 = p.singular_values.iter().map(|s| s * s).sum();
    ctx.check_close("squared singular values sum to the total variance", kept, total_variance, 1e-9);
    ctx.check_close("projected coordinates are centred", p.coords.sum().abs(), 0.0, 1e-9);

    let points = p.coords.rows().into_iter().enumerate().map(|(i, r)| Point::new(r[0], r[1], &format!("{i}"))).collect();
    ctx.figure(
        Figure::new("projection", "20 random 5-D vectors on their top two principal components", "PC 1", "PC 2")
            .caption("Random Gaussian points projected on PC 1 and PC 2: a round cloud with no structure.")
            .chart(Chart::Scatter { groups: vec![PointGroup::new("row", points)], lines: vec![], arrows: vec![] }),
    );
    // ANCHOR_END: demo
    Ok(())
}

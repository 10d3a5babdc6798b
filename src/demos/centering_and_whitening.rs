//! # Centering and whitening
//!
//! Raw embeddings share a large mean vector and put most of their variance
//! in a few directions. Three post-processing steps undo this. *Centering*
//! subtracts the mean, $\tilde x_i = x_i - \bar x$. *Whitening* also
//! rescales: with the covariance $C = E \Lambda E^\top$, PCA whitening maps
//! $\tilde x$ to $\Lambda^{-1/2} E^\top \tilde x$ and ZCA whitening to
//! $E \Lambda^{-1/2} E^\top \tilde x$; either way the new covariance is the
//! identity. *All-but-the-top* (Mu and Viswanath, 2018) is gentler: centre,
//! then remove the projections on the top $D$ principal directions,
//! $x' = \tilde x - \sum_{i \le D} (u_i^\top \tilde x)\, u_i$.
//!
//! Our data: 400 points in 10 dimensions with standard deviations 4, 3, 2 on
//! the first three axes, 1 elsewhere, and a shared mean of norm about 5.3
//! lying in the low-variance axes. The checks confirm the zero mean after
//! centering and the identity covariance after both whitenings. The order of
//! steps in all-but-the-top matters: a widely copied version takes the
//! directions from the *uncentred* data, whose top direction is the mean
//! itself. It spends one of its $D = 3$ removals on a direction centering
//! already emptied and leaves the variance-4 axis in place; the checks and
//! the spectrum show it, and the isotropy score (1 for a perfectly even
//! space) separates the two versions.
//!
//! ## On real embeddings
//!
//! Mu & Viswanath (2018) found that trained word vectors share a large mean
//! vector, and that subtracting it, the first step of all-but-the-top, leaves
//! rows that no longer lean one way. We take 2 000 random pairs of rows from
//! each table and compute their cosine before and after subtracting the
//! table's mean $\bar x$, from dot products of the two rows and the mean
//! alone,
//!
//! $$(x_i - \bar x)\cdot(x_j - \bar x) = x_i\cdot x_j - x_i\cdot\bar x - x_j\cdot\bar x + \lVert\bar x\rVert^2,$$
//!
//! so the centred table is never built. The mean squared row length splits
//! into $\lVert\bar x\rVert^2$ plus the centred rows' mean squared length,
//! so the first part's share (estimated on the sampled rows) says how much of
//! the rows the shared vector is. In GloVe it is a fifth (0.206), and random
//! pairs average a cosine of 0.22; after centering, 0.002. The MiniLM token
//! table has little to remove (a share of 0.025, raw mean cosine 0.026) and
//! ends at 0.001. The claim holds on both, and must for any table of many
//! rows: centred rows sum to zero, so their dot products over all pairs (a
//! row with itself included) average exactly zero, and cosines, the same
//! products divided by lengths, average near zero. Whitening and the second
//! step of all-but-the-top, removing the top principal directions, need the
//! covariance's eigenvectors, which at 384 dimensions cost more than this
//! report spends on a demo; the constructed data above shows them.

use ndarray::{Array1, Array2, array};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;
use rand::Rng;

use crate::chart::{Chart, Figure, Series};
use crate::demos::Ctx;
use crate::format::{fixed, list};
use crate::math::{
    Whitening, all_but_the_top, all_but_the_top_uncentred, center, covariance, eigenvalue_spectrum,
    isotropy_score, mean_std, mean_vector, whiten,
};
use crate::real::{Claim, GLOVE, MINILM};

/// Centering, PCA/ZCA whitening and all-but-the-top on anisotropic data.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let stds = array![4.0, 3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    let mean = array![0.0, 0.0, 0.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0];
    let x = Array2::<f64>::random_using((400, 10), StandardNormal, ctx.rng()) * &stds + &mean;
    let (centred, _) = center(x.view());
    let (before, after) = (mean_vector(x.view()), mean_vector(centred.view()));
    let (before, after) = (before.dot(&before).sqrt(), after.dot(&after).sqrt());
    ctx.say(format!(
        "Mean norm: raw {}, centred {}",
        fixed(before, 4),
        fixed(after, 4)
    ));
    ctx.check_close("centred rows have zero mean", after, 0.0, 1e-12);

    let mut whitened = Array2::zeros((0, 10));
    for (name, method) in [("PCA", Whitening::Pca), ("ZCA", Whitening::Zca)] {
        whitened = whiten(x.view(), method, 0.0)?.rows;
        let gap = (covariance(whitened.view())? - Array2::<f64>::eye(10)).fold(0.0f64, |m, v| m.max(v.abs()));
        ctx.check_close(
            &format!("{name}-whitened covariance is the identity"),
            gap,
            0.0,
            1e-10,
        );
    }

    // All-but-the-top with D = 3: centre first, or (copied variant) take directions from raw rows.
    let right = all_but_the_top(x.view(), 3)?;
    let variant = all_but_the_top_uncentred(x.view(), 3)?;
    let versions = [
        ("raw or centred", &x),
        ("PCA or ZCA whitened", &whitened),
        ("all-but-the-top", &right),
        ("uncentred variant", &variant),
    ];
    let mut series = Vec::new();
    for (name, data) in versions {
        let spectrum = eigenvalue_spectrum(data.view())?;
        let iso = isotropy_score(data.view())?;
        ctx.say(format!(
            "{name}: eigenvalues {}, isotropy {}",
            list(&spectrum, 2),
            fixed(iso, 4)
        ));
        series.push(Series::new(
            name,
            spectrum.iter().enumerate().map(|(i, &v)| (i as f64 + 1.0, v)),
        ));
    }
    let largest = |m: &Array2<f64>| -> crate::Result<f64> { Ok(eigenvalue_spectrum(m.view())?[0]) };
    ctx.check_below(
        "all-but-the-top leaves no dominant direction",
        largest(&right)?,
        1.5,
    );
    ctx.check_above(
        "the uncentred variant keeps the variance-4 axis",
        largest(&variant)?,
        2.5,
    );
    let (iso_right, iso_variant) = (isotropy_score(right.view())?, isotropy_score(variant.view())?);
    ctx.check_above(
        "centring first is at least twice as isotropic",
        iso_right,
        2.0 * iso_variant,
    );

    ctx.figure(
        Figure::new(
            "spectra",
            "Covariance eigenvalues before and after processing",
            "component",
            "eigenvalue",
        )
        .caption(
            "Raw: 16, 9, 4, then 1s; whitened: all 1; all-but-the-top drops the top 3; the variant keeps 4.",
        )
        .chart(Chart::Lines {
            series,
            markers: true,
        }),
    );
    // ANCHOR_END: demo
    real(ctx)
}

/// Random-pair cosines of the real tables before and after centering.
fn real(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: real
    const CENTRED: Claim = Claim::below(
        "after subtracting the mean vector, random pairs of rows have a mean cosine near zero (|mean| below 0.02)",
        "Mu & Viswanath 2018",
        0.02,
    )
    .expecting(&[(GLOVE, true), (MINILM, true)]);

    let mut bars = Vec::new();
    for table in ctx.real_tables() {
        let x = table.vectors();
        // Both cosines of a pair from dot products of its two rows and the mean μ:
        // (x_i − μ)·(x_j − μ) = x_i·x_j − x_i·μ − x_j·μ + μ·μ.
        let mu = mean_vector(x);
        let mm = mu.dot(&mu);
        let mut rng = table.rng();
        let (mut raw, mut centred, mut squares) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..if x.nrows() < 2 { 0 } else { 2_000 } {
            let i = rng.random_range(0..x.nrows());
            let j = (i + rng.random_range(1..x.nrows())) % x.nrows(); // any row but i
            let (xi, xj) = (x.row(i), x.row(j));
            let (along_i, along_j, product) = (xi.dot(&mu), xj.dot(&mu), xi.dot(&xj));
            let (square_i, square_j) = (xi.dot(&xi), xj.dot(&xj));
            let norms = (square_i * square_j).sqrt();
            let centred_norms = ((square_i - 2.0 * along_i + mm) * (square_j - 2.0 * along_j + mm)).sqrt();
            if norms > 0.0 && centred_norms > 0.0 {
                raw.push(product / norms);
                centred.push((product - along_i - along_j + mm) / centred_norms);
            }
            squares.extend([square_i, square_j]);
        }
        let (raw, centred) = (
            mean_std(Array1::from(raw).view()),
            mean_std(Array1::from(centred).view()),
        );
        let share = mm / mean_std(Array1::from(squares).view()).0; // over the sampled rows
        ctx.say(format!(
            "{}: mean cosine of 2 000 random pairs {} raw, {} centred; ‖mean‖² is {} of the rows' mean squared norm",
            table.name(),
            fixed(raw.0, 4),
            fixed(centred.0, 4),
            fixed(share, 3)
        ));
        let measured = if centred.0.is_nan() {
            Err(crate::Error::parameter(
                "table",
                "the table needs two rows that differ from zero and from the mean",
            ))
        } else {
            Ok(centred.0.abs())
        };
        ctx.claim(&table, &CENTRED, measured);
        bars.push((table.name().to_string(), vec![raw.0, centred.0]));
    }
    ctx.figure(
        Figure::new(
            "real-centring",
            "Mean cosine of random pairs in trained tables",
            "",
            "mean cosine of 2 000 random pairs",
        )
        .caption("GloVe's random pairs average 0.22, MiniLM's 0.03; after subtracting the mean vector both are within 0.003 of 0.")
        .chart(Chart::Bars {
            categories: vec!["raw rows".into(), "after subtracting the mean vector".into()],
            series: bars,
        }),
    );
    // ANCHOR_END: real
    Ok(())
}

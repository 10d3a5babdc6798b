//! # Isotropy and anisotropy
//!
//! In an isotropic space every direction is used equally, and two unrelated
//! vectors are close to orthogonal. Trained embeddings are famously
//! anisotropic: they share a large common component, so they crowd into a
//! narrow cone and even unrelated words have cosine similarity well above
//! zero. Cosine then measures closeness to the shared mean more than
//! relatedness.
//!
//! We build that situation on purpose: 40 Gaussian vectors in 8 dimensions,
//! all shifted by 3 along the first axis. Their mean vector has norm near 3,
//! and the average cosine between two different rows is large. Centering,
//! $\tilde x_i = x_i - \bar x$ with $\bar x = \frac{1}{n}\sum_i x_i$,
//! removes the shared component: the mean of the centred rows is the zero
//! vector, and the average pairwise cosine falls to about
//! $-\frac{1}{n-1}$ (centred rows must sum to zero, so on average they point
//! slightly away from each other). A second, global measure is the isotropy
//! score of Mu & Viswanath (2018), $I = \min_c Z(c) / \max_c Z(c)$ with
//! $Z(c) = \sum_w \exp(c^\top w)$ over the principal directions $c$: 1 when
//! no direction is preferred, near 0 when one dominates. The checks confirm
//! all three effects; the histogram shows the cosine distribution before and
//! after.
//!
//! ## On real embeddings
//!
//! Ethayarajh (2019) measured the cone on contextual representations, and Mu
//! & Viswanath (2018) on static word vectors (word2vec and GloVe): random
//! pairs of trained vectors have a clearly positive average cosine. We draw
//! 10 000 random pairs of rows from each shipped table and also report how
//! long the mean vector is next to the average row, the size of the shared
//! component. GloVe behaves as the textbook says: its random pairs average a
//! cosine of about 0.2 and its mean vector is almost half as long as a typical
//! word. The token embeddings of all-MiniLM-L6-v2 do not: their random pairs
//! average about 0.02 and their mean is short. The cone is a property of how a
//! table was trained, not a law: the famous cones are the hidden states and
//! output embeddings of language models (GPT-2, BERT's upper layers), where
//! the softmax pushes every rare token the same way (Gao et al. 2019); a
//! sentence encoder's input table, tuned with a contrastive objective, keeps
//! its tokens spread out.

use ndarray::{Array1, Array2, ArrayView2};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::{fixed, short};
use crate::math::{
    center, cosine_matrix, isotropy_score, mean_std, mean_vector, random_pair_cosines, row_norms,
};
use crate::real::{Claim, GLOVE, MINILM};

/// The cosines between every pair of distinct rows.
fn pairwise_cosines(x: ArrayView2<f64>) -> crate::Result<Vec<f64>> {
    let c = cosine_matrix(x, x)?;
    Ok(c.indexed_iter()
        .filter(|((i, j), _)| i < j)
        .map(|(_, &v)| v)
        .collect())
}

/// A shifted Gaussian cloud before and after centering.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let mut shift = Array1::zeros(8);
    shift[0] = 3.0;
    let x = Array2::<f64>::random_using((40, 8), StandardNormal, ctx.rng()) + &shift;
    let (centred, _) = center(x.view());
    let norm = |v: Array1<f64>| v.dot(&v).sqrt();
    let (before, after) = (norm(mean_vector(x.view())), norm(mean_vector(centred.view())));
    ctx.say(format!("Mean norm before: {}", short(before, 4)));
    ctx.say(format!("Mean norm after centering: {}", short(after, 8)));
    ctx.check_below("centering removes dominant mean direction", after, before);

    let (raw, fixed_up) = (pairwise_cosines(x.view())?, pairwise_cosines(centred.view())?);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    ctx.say(format!("Mean pairwise cosine before: {}", fixed(mean(&raw), 4)));
    ctx.say(format!(
        "Mean pairwise cosine after: {}",
        fixed(mean(&fixed_up), 4)
    ));
    ctx.check_above(
        "shifted rows share a direction (mean cosine > 0.5)",
        mean(&raw),
        0.5,
    );
    ctx.check_close(
        "centred rows are near-orthogonal on average",
        mean(&fixed_up),
        -1.0 / 39.0,
        0.05,
    );

    let (score_raw, score_centred) = (isotropy_score(x.view())?, isotropy_score(centred.view())?);
    ctx.say(format!(
        "Isotropy score I before: {}, after: {}",
        fixed(score_raw, 4),
        fixed(score_centred, 4)
    ));
    ctx.check_below(
        "the shifted cloud is far from isotropic (I < 0.01)",
        score_raw,
        0.01,
    );
    ctx.check_above(
        "centering raises the isotropy score",
        score_centred,
        10.0 * score_raw,
    );

    ctx.figure(
        Figure::new("cosines", "Pairwise cosine similarity before and after centering", "cosine", "pairs")
            .caption("Before centering most pairs have cosine between 0.4 and 0.9; after centering they spread around 0.")
            .chart(Chart::Histogram { samples: vec![("raw".into(), raw), ("centred".into(), fixed_up)], bins: 30 }),
    );
    // ANCHOR_END: demo
    real(ctx)
}

/// The cone measured on the real tables.
fn real(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: real
    const CONE: Claim = Claim::above(
        "random pairs of trained vectors have a clearly positive mean cosine (above 0.05)",
        "Ethayarajh 2019; Mu & Viswanath 2018",
        0.05,
    )
    .expecting(&[(GLOVE, true), (MINILM, false)]);

    let mut samples = Vec::new();
    for table in ctx.real_tables() {
        let cosines = match random_pair_cosines(table.vectors(), 10_000, &mut table.rng()) {
            Ok(cosines) => cosines,
            Err(e) => {
                ctx.claim(&table, &CONE, Err(e));
                continue;
            }
        };
        let (mean, sd) = mean_std(cosines.view());
        let common = mean_vector(table.vectors());
        let common = common.dot(&common).sqrt() / mean_std(row_norms(table.vectors()).view()).0;
        ctx.say(format!(
            "{}: mean cosine of 10 000 random pairs {} (sd {}); |mean vector| / mean |row| = {}",
            table.name(),
            fixed(mean, 4),
            fixed(sd, 4),
            fixed(common, 3)
        ));
        ctx.claim(&table, &CONE, Ok(mean));
        samples.push((table.name().to_string(), cosines.to_vec()));
    }
    ctx.figure(
        Figure::new(
            "real-cosines",
            "Cosine of random pairs of rows in trained tables",
            "cosine",
            "pairs",
        )
        .caption("GloVe's random pairs lean positive (the cone); the MiniLM token table's centre on zero.")
        .chart(Chart::Histogram { samples, bins: 40 }),
    );
    // ANCHOR_END: real
    Ok(())
}

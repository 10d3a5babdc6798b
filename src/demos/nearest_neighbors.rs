//! # Nearest neighbors
//!
//! "Which words are most similar to *cat*?" is answered by scoring the query
//! against every row of the embedding matrix and keeping the $k$ best. With
//! the rows scaled to unit length, $\hat E$, all $V$ cosines come from one
//! matrix–vector product, $s = \hat E \, \hat q$ with
//! $\hat q = q / \lVert q \rVert$, followed by a partial sort. This is what
//! `top_k_cosine` does, and the same product with many queries at once is
//! the core of every embedding-retrieval system.
//!
//! Two details decide whether the answer is usable. The query word is its
//! own nearest neighbour (cosine 1), so it must be excluded. And equal
//! scores must be ordered by a fixed rule — here the lower row index first
//! — or the same search can return different lists from run to run.
//!
//! The vocabulary has 300 random 32-dimensional vectors, with three
//! identical copies of one vector planted near row 5 at rows 210, 60 and
//! 140. The checks compare the product-based top 8 with a brute-force loop
//! over `cosine` for 30 queries, confirm the query is absent from its own
//! list (and on top when not excluded), and find the three tied copies in
//! index order. The bar chart shows the top 8 for row 5.

use ndarray::{Array1, Array2};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::fixed;
use crate::math::{Neighbour, cosine, top_k_cosine};

/// Top-k by one normalised product against a brute-force loop, exclusion and ties.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let (n, k, query) = (300, 8, 5);
    let mut vocab = Array2::<f64>::random_using((n, 32), StandardNormal, ctx.rng());
    let near = &vocab.row(query) + &(Array1::<f64>::random_using(32, StandardNormal, ctx.rng()) * 0.4);
    for copy in [210, 60, 140] {
        vocab.row_mut(copy).assign(&near);
    }

    // Brute force: one cosine per row, sorted descending; the stable sort keeps lower indices first on ties.
    let brute = |q: usize| -> crate::Result<Vec<Neighbour>> {
        let mut all = Vec::new();
        for index in (0..n).filter(|&i| i != q) {
            all.push(Neighbour {
                index,
                similarity: cosine(vocab.row(q), vocab.row(index))?,
            });
        }
        all.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        Ok(all[..k].to_vec())
    };
    let (mut wrong_index, mut worst) = (0, 0.0f64);
    for q in (0..n).step_by(10) {
        let (fast, slow) = (top_k_cosine(vocab.view(), vocab.row(q), k, &[q])?, brute(q)?);
        for (f, s) in fast.iter().zip(&slow) {
            wrong_index += usize::from(f.index != s.index);
            worst = worst.max((f.similarity - s.similarity).abs());
        }
    }
    ctx.check_eq(
        "top-k by matrix product matches brute force (30 queries)",
        wrong_index,
        0,
    );
    ctx.check_close("and so do the similarities", worst, 0.0, 1e-12);

    let hits = top_k_cosine(vocab.view(), vocab.row(query), k, &[query])?;
    let listed: Vec<_> = hits
        .iter()
        .map(|h| format!("{} ({})", h.index, fixed(h.similarity, 4)))
        .collect();
    ctx.say(format!("Top {k} for row {query}: {}", listed.join(", ")));
    let first = top_k_cosine(vocab.view(), vocab.row(query), 1, &[])?[0];
    ctx.say(format!(
        "Without exclusion: row {} (cosine {})",
        first.index,
        fixed(first.similarity, 4)
    ));
    ctx.check_eq(
        "without exclusion the query is its own nearest neighbour",
        first.index,
        query,
    );
    ctx.check_eq(
        "with exclusion the query is absent",
        hits.iter().any(|h| h.index == query),
        false,
    );
    let tied: Vec<usize> = hits[..3].iter().map(|h| h.index).collect();
    ctx.check_eq(
        "tied copies come lowest index first",
        format!("{tied:?}"),
        "[60, 140, 210]",
    );

    let categories = hits.iter().map(|h| format!("row {}", h.index)).collect();
    let values = hits.iter().map(|h| h.similarity).collect();
    ctx.figure(
        Figure::new(
            "top-k",
            "The 8 nearest neighbours of row 5",
            "neighbour",
            "cosine similarity to row 5",
        )
        .caption("Three planted copies tie at the top in index order, far above the random rows.")
        .chart(Chart::Bars {
            categories,
            series: vec![("cosine to the query".into(), values)],
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

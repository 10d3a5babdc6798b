//! # Embedding space as model memory
//!
//! The embedding matrix is the model's memory of its vocabulary: $V \cdot d$
//! numbers, learnt once and consulted for every token. What it remembers is
//! not stored in any single coordinate but in directions. Two tokens the model
//! treats alike end up pointing the same way, and we read that back with the
//! cosine similarity $\cos(u, v) = \frac{u \cdot v}{\lVert u \rVert \lVert v \rVert}$.
//!
//! Retrieval from this memory is a nearest-neighbour query: normalise every
//! row, multiply by the normalised query, and sort. Here three tokens live in
//! two dimensions: *cat* and *dog* point almost the same way, *car* points
//! elsewhere. The check asks the memory which token is closest to *cat*
//! (leaving *cat* itself out) and expects *dog*: direction, not position in
//! the table, decides what is related. Real models do the same over tens of
//! thousands of rows, which is why a trained embedding matrix can be probed
//! for synonyms, topics and misspellings without running the rest of the
//! network.

use ndarray::array;

use crate::chart::{Arrow, Chart, Figure, Point, PointGroup};
use crate::demos::Ctx;
use crate::format::matrix;
use crate::math::{cosine_matrix, top_k_cosine};

/// Nearest neighbour of "cat" among three 2-D tokens.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let tokens = ["cat", "dog", "car"];
    let x = array![[1.0, 0.9], [0.9, 1.0], [-1.0, 0.2]];
    ctx.say(format!(
        "Parameters stored: V x d = {} x {} = {}",
        x.nrows(),
        x.ncols(),
        x.len()
    ));

    let sims = cosine_matrix(x.view(), x.view())?;
    ctx.say(format!("Cosine matrix: {}", matrix(sims.view(), 3)));
    let nearest = top_k_cosine(x.view(), x.row(0), 1, &[0])?[0];
    ctx.say(format!("Nearest to cat: {}", tokens[nearest.index]));
    ctx.check_eq(
        "nearest neighbor reflects direction",
        tokens[nearest.index],
        "dog",
    );
    ctx.check_close("cosine(cat, dog)", nearest.similarity, sims[[0, 1]], 1e-12);

    let points = tokens
        .iter()
        .zip(x.rows())
        .map(|(t, r)| Point::new(r[0], r[1], t))
        .collect();
    let arrows = x
        .rows()
        .into_iter()
        .map(|r| Arrow::new("direction", (0.0, 0.0), (r[0], r[1])))
        .collect();
    ctx.figure(
        Figure::new(
            "tokens",
            "Three tokens in a 2-D embedding space",
            "dimension 1",
            "dimension 2",
        )
        .caption("cat and dog point in almost the same direction; car points away from both.")
        .chart(Chart::Scatter {
            groups: vec![PointGroup::new("token", points)],
            lines: vec![],
            arrows,
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

//! # Batch sequence tensor shapes
//!
//! Inside a transformer the activations are a $B \times T \times d$ tensor:
//! batch, time, model width. Attention compares every position with every
//! other one, producing $B \times T \times T$ scores $q_m \cdot k_n / \sqrt{d}$;
//! the first checks follow a batch of ids through lookup, positions and
//! scores and confirm each shape. Rotary
//! position embeddings (RoPE) inject position into exactly those scores:
//! before the dot product, each pair of coordinates of the query at position
//! $m$ is rotated by the angle $m\,\theta_i$ with $\theta_i = 10000^{-2i/d}$,
//! and the key at position $n$ by $n\,\theta_i$.
//!
//! Because a rotation keeps lengths, RoPE changes no vector's norm: the first
//! check rotates $x = (1, 0, 0.5, -0.5)$ to position 7 and compares norms.
//! Because rotations compose, $\langle R_m q, R_n k \rangle = \langle q, R_{n-m} k \rangle$:
//! the score depends only on the offset $m - n$, never on the absolute
//! positions, so a model learns "three tokens back" once and applies it
//! everywhere in the sequence. The second set of checks shifts both positions
//! by several amounts and finds the same score; the figure draws score
//! against offset for three different query positions, and the curves lie on
//! top of each other.

use ndarray::{Array2, Array3, array, s};

use crate::chart::{Chart, Figure, Series};
use crate::demos::Ctx;
use crate::format::{fixed, shape};
use crate::math::{DEFAULT_BASE, dot_matrix, lookup, rope_rotate, rope_sequence};

/// RoPE keeps norms, and its scores depend only on the relative offset.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    // B = 2 sequences of T = 5 ids -> B x T x d vectors -> RoPE -> B x T x T scores.
    let (vocab, d) = (12, 8);
    let table = Array2::from_shape_fn((vocab, d), |(i, j)| ((i + 2 * j) as f64 * 0.41).cos());
    let ids = array![[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]];
    let x = lookup(table.view(), ids.view())?;
    let mut scores = Array3::zeros((ids.nrows(), ids.ncols(), ids.ncols()));
    for b in 0..ids.nrows() {
        let rotated = rope_sequence(x.slice(s![b, .., ..]), DEFAULT_BASE)?;
        let qk = dot_matrix(rotated.view(), rotated.view())? / (d as f64).sqrt();
        scores.slice_mut(s![b, .., ..]).assign(&qk);
    }
    ctx.say(format!(
        "ids {} -> vectors {} -> scores {}",
        shape(ids.shape()),
        shape(x.shape()),
        shape(scores.shape())
    ));
    ctx.check_eq("lookup gives B x T x d", shape(x.shape()), "(2, 5, 8)");
    ctx.check_eq(
        "attention scores are B x T x T",
        shape(scores.shape()),
        "(2, 5, 5)",
    );

    let x = array![1.0, 0.0, 0.5, -0.5];
    let rotated = rope_rotate(x.view(), 7.0, DEFAULT_BASE)?;
    let (before, after) = (x.dot(&x).sqrt(), rotated.dot(&rotated).sqrt());
    ctx.say(format!("Original norm: {}", fixed(before, 6)));
    ctx.say(format!("Rotated norm: {}", fixed(after, 6)));
    ctx.check_close("rotation preserves norm", after, before, 1e-8);

    // Attention score between a query at position m and a key at position n.
    let (q, k) = (array![0.3, -1.0, 0.8, 0.2], array![1.0, 0.5, -0.4, 0.9]);
    let score = |m: f64, n: f64| -> crate::Result<f64> {
        Ok(rope_rotate(q.view(), m, DEFAULT_BASE)?.dot(&rope_rotate(k.view(), n, DEFAULT_BASE)?))
    };
    let reference = score(5.0, 2.0)?;
    for shift in [1.0, 10.0, 100.0] {
        let shifted = score(5.0 + shift, 2.0 + shift)?;
        ctx.say(format!(
            "score(m = {}, n = {}) = {}",
            5.0 + shift,
            2.0 + shift,
            fixed(shifted, 6)
        ));
        ctx.check_close(
            &format!("score depends only on m - n (shift {shift})"),
            shifted,
            reference,
            1e-10,
        );
    }

    let mut curves = Vec::new();
    for m in [8.0, 16.0, 24.0] {
        let points: crate::Result<Vec<(f64, f64)>> = (0..=8)
            .map(|offset| Ok((offset as f64, score(m, m - offset as f64)?)))
            .collect();
        curves.push(Series::new(&format!("query at m = {m}"), points?));
    }
    ctx.figure(
        Figure::new(
            "score-vs-offset",
            "RoPE attention score against offset m - n",
            "offset m - n",
            "q·k after rotation",
        )
        .caption("Three query positions give the same score curve: only the offset matters.")
        .chart(Chart::Lines {
            series: curves,
            markers: true,
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

//! # From token ids to vectors
//!
//! A language model never sees text. A tokenizer turns text into integer ids,
//! and the first thing the model does is replace every id by a row of its
//! embedding matrix $E \in \mathbb{R}^{V \times d}$: the vector of token $i$ is
//! simply $E_{i}$. For a batch of $B$ sequences of $T$ tokens, the id matrix of
//! shape $B \times T$ becomes a tensor $X = E[\text{ids}]$ of shape
//! $B \times T \times d$, with $X_{b,t} = E_{\text{ids}_{b,t}}$.
//!
//! Lookup is indexing, not arithmetic: the same id always yields the same
//! vector, wherever it appears, and an id outside $0 \dots V-1$ has no row at
//! all. The checks confirm the shape of the result, that the first vector is
//! exactly row 1 of $E$, that a repeated token receives an identical vector,
//! and that an out-of-range id is refused with an error instead of reading
//! memory that belongs to nothing. Every later demo starts from this step:
//! whatever geometry the model learns lives in the rows of $E$.

use ndarray::{Array2, array, s};

use crate::demos::Ctx;
use crate::format::{list, shape};
use crate::math::lookup;

/// Look up a 2×3 batch of ids in a 10×3 table.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    // Ten tokens with three dimensions each: E[i] = (3i, 3i + 1, 3i + 2) / 10.
    let table = Array2::from_shape_fn((10, 3), |(i, j)| (3 * i + j) as f64 / 10.0);
    let ids = array![[1, 2, 1], [3, 4, 5]];
    let x = lookup(table.view(), ids.view())?;
    ctx.say(format!(
        "ids shape: {} embedding shape: {}",
        shape(ids.shape()),
        shape(x.shape())
    ));
    ctx.say(format!("First vector: {}", list(x.slice(s![0, 0, ..]), 4)));
    ctx.check_eq("lookup creates B x T x d tensor", shape(x.shape()), "(2, 3, 3)");
    ctx.check_eq(
        "first vector is row 1 of E",
        list(x.slice(s![0, 0, ..]), 4),
        "[0.3, 0.4, 0.5]",
    );

    // Token 1 appears twice in the first sequence: both positions get the same row.
    let gap = (&x.slice(s![0, 0, ..]) - &x.slice(s![0, 2, ..]))
        .mapv(f64::abs)
        .sum();
    ctx.check_close("a repeated id gets an identical vector", gap, 0.0, 0.0);

    // There is no row 10 in a 10-token table.
    let refused = lookup(table.view(), array![[10]].view());
    ctx.say(format!(
        "Looking up id 10: {}",
        refused.as_ref().map_or_else(|e| e.to_string(), |_| "ok".into())
    ));
    ctx.check_eq("an id outside the vocabulary is an error", refused.is_err(), true);
    // ANCHOR_END: demo
    Ok(())
}

//! # One-hot lookup equivalence
//!
//! Textbooks often describe the embedding layer as a matrix product: write
//! token $i$ as the one-hot row vector $e_i$ (a 1 in position $i$, zeros
//! elsewhere) and multiply, $e_i E = E_i$. The product picks out row $i$
//! because every other row is multiplied by zero. This view explains why the
//! embedding layer is "just a linear layer" and why its gradient only touches
//! the rows that were used.
//!
//! No framework computes it that way. The product costs $V \cdot d$
//! multiply-adds (almost all of them by zero) and needs a $V$-long vector per
//! token; the lookup copies $d$ numbers. With a 50,000-token vocabulary that is
//! a factor of 50,000. The checks confirm that both give the same vector,
//! exactly, and count the operations each needs rather than timing them, so
//! the ratio is the same on every machine: $V$.

use ndarray::Array2;

use crate::demos::Ctx;
use crate::format::list;
use crate::math::one_hot;

/// Row 3 of a 5×4 table, by indexing and by one-hot product.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let table = Array2::from_shape_fn((5, 4), |(i, j)| (4 * i + j) as f64);
    let id = 3;
    let lookup = table.row(id);
    let product = one_hot(id, table.nrows())?.dot(&table);
    ctx.say(format!("lookup: {}", list(lookup, 4)));
    ctx.say(format!("one-hot product: {}", list(&product, 4)));
    let difference = (&product - &lookup).mapv(f64::abs).sum();
    ctx.check_close("one-hot multiplication equals row lookup", difference, 0.0, 1e-12);

    // Operation counts: the product does V·d multiply-adds, the lookup copies d numbers.
    let (v, d) = table.dim();
    let (product_ops, lookup_ops) = (v * d, d);
    ctx.say(format!(
        "Multiply-adds for the product: V*d = {product_ops}; copies for the lookup: d = {lookup_ops}"
    ));
    ctx.say(format!("For V = 50000, d = 768: {} vs {}", 50_000 * 768, 768));
    ctx.check_eq(
        "the product costs V times the lookup",
        product_ops / lookup_ops,
        v,
    );
    // ANCHOR_END: demo
    Ok(())
}

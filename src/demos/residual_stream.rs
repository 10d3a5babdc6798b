//! # Residual stream initialization
//!
//! The residual stream is the running sum every transformer layer reads from
//! and writes to. It starts as $x_0 = E[\text{ids}] + P$: token vectors plus
//! position vectors. ALiBi (Attention with Linear Biases) takes the other
//! road: it adds nothing to the stream and instead subtracts a penalty from
//! the attention score of query $i$ and key $j$ that grows with distance,
//! $b_{ij} = -m\,(i - j)$ for $j \le i$.
//!
//! With slope $m = 0.25$ a key four steps back loses exactly 1 from its score,
//! which the check confirms; the seed notebook writes the same bias with a
//! signed slope of $-0.25$. Each attention head gets its own slope, a
//! geometric sequence $2^{-8/n}, 2^{-16/n}, \dots, 2^{-8}$ for $n$ heads, so
//! some heads look far back and others only at their neighbours. Because the
//! penalty is a simple function of distance, ALiBi models extrapolate to
//! sequences longer than those they were trained on. The heatmap shows the
//! causal bias: zero on the diagonal, darker further into the past.

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::{list, matrix};
use crate::math::{alibi_bias, alibi_slopes};

/// The ALiBi bias of one head, and the per-head slopes.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let bias = alibi_bias(5, 0.25);
    ctx.say(format!("Bias matrix: {}", matrix(bias.view(), 2)));
    ctx.check_close("farther past receives larger penalty", bias[[4, 0]], -1.0, 1e-8);

    let slopes = alibi_slopes(8)?;
    ctx.say(format!("Slopes for 8 heads: {}", list(&slopes, 6)));
    let ratios_equal = slopes.windows(2).all(|w| (w[1] / w[0] - slopes[0]).abs() < 1e-12);
    ctx.check_eq("the 8 head slopes form a geometric sequence with ratio 2^(-1)", ratios_equal, true);
    ctx.check_close("the last head's slope is 2^(-8)", slopes[7], 2f64.powi(-8), 1e-15);

    let picture = alibi_bias(10, 0.25);
    ctx.figure(
        Figure::new("bias", "ALiBi causal distance bias (slope 0.25)", "key position", "query position")
            .caption("Zero on the diagonal, falling linearly with distance into the past; future keys are masked.")
            .chart(Chart::heatmap(picture.view(), "bias")),
    );
    // ANCHOR_END: demo
    Ok(())
}

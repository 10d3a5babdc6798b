//! # Residual stream initialization
//!
//! The residual stream is the running sum every transformer layer reads from
//! and writes to. It starts as $x_0 = E[\text{ids}] + P$: token vectors plus
//! position vectors, and their relative sizes decide which one the first
//! layer hears. A $d$-dimensional row drawn from $\mathcal{N}(0, \sigma^2)$
//! has norm close to $\sigma\sqrt{d}$, while every sinusoidal row has norm
//! $\sqrt{d/2}$. With GPT-2's $\sigma = 0.02$ at $d = 512$ tokens are 35 times
//! quieter than sinusoidal positions; the original transformer therefore
//! scaled embeddings by $\sqrt{d}$. The first checks measure these norms.
//! ALiBi (Attention with Linear Biases) takes the other
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
//! longer sequences. The heatmap shows what the scores receive: the bias on
//! and below the diagonal, and the causal mask ($-\infty$, so a weight of 0
//! after the softmax) on the future keys above it.

use ndarray::Array2;
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::Normal;

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::{fixed, list, matrix};
use crate::math::{alibi_bias, alibi_slopes, row_norms, sinusoidal};

/// The ALiBi bias of one head, and the per-head slopes.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    // Norms of token rows under common initialisations, against sinusoidal positions.
    let (t, d) = (64, 512);
    let position_norm = row_norms(sinusoidal(t, d).view()).mean().unwrap_or(0.0);
    let schemes = [
        ("std 0.02 (GPT-2)", 0.02, 1.0),
        ("std 1/sqrt(d)", 1.0 / (d as f64).sqrt(), 1.0),
        ("1/sqrt(d), x sqrt(d)", 1.0 / (d as f64).sqrt(), (d as f64).sqrt()),
    ];
    let mut token_norms = Vec::new();
    for (name, std, scale) in schemes {
        let tokens =
            Array2::<f64>::random_using((t, d), Normal::new(0.0, std).expect("std > 0"), ctx.rng()) * scale;
        let mean_norm = row_norms(tokens.view()).mean().unwrap_or(0.0);
        ctx.say(format!(
            "{name}: token norm {}, position norm {}",
            fixed(mean_norm, 3),
            fixed(position_norm, 3)
        ));
        ctx.check_close(
            &format!("{name}: token norm is about std * scale * sqrt(d)"),
            mean_norm / (std * scale * (d as f64).sqrt()),
            1.0,
            0.02,
        );
        token_norms.push(mean_norm);
    }
    ctx.check_close(
        "sinusoidal rows have norm sqrt(d/2)",
        position_norm,
        (d as f64 / 2.0).sqrt(),
        1e-9,
    );
    ctx.figure(
        Figure::new("norms", "What the first layer hears: token vs position norms (d = 512)", "initialisation", "row norm")
            .caption("With std 0.02 the position signal dwarfs the token signal; scaling by sqrt(d) brings them level.")
            .chart(Chart::Bars {
                categories: schemes.iter().map(|s| s.0.to_owned()).collect(),
                series: vec![("token rows".into(), token_norms), ("sinusoidal positions".into(), vec![position_norm; 3])],
            }),
    );

    let bias = alibi_bias(5, 0.25);
    ctx.say(format!("Bias matrix: {}", matrix(bias.view(), 2)));
    ctx.check_close("farther past receives larger penalty", bias[[4, 0]], -1.0, 1e-8);

    let slopes = alibi_slopes(8)?;
    ctx.say(format!("Slopes for 8 heads: {}", list(&slopes, 6)));
    let ratios_equal = slopes.windows(2).all(|w| (w[1] / w[0] - slopes[0]).abs() < 1e-12);
    ctx.check_eq(
        "the 8 head slopes form a geometric sequence with ratio 2^(-1)",
        ratios_equal,
        true,
    );
    ctx.check_close("the last head's slope is 2^(-8)", slopes[7], 2f64.powi(-8), 1e-15);

    // What the scores receive: the bias, and −∞ where the causal mask removes a future key.
    let mut picture = alibi_bias(10, 0.25);
    picture
        .indexed_iter_mut()
        .filter(|((i, j), _)| j > i)
        .for_each(|(_, v)| *v = f64::NEG_INFINITY);
    ctx.figure(
        Figure::new(
            "bias",
            "ALiBi causal distance bias (slope 0.25)",
            "key position",
            "query position",
        )
        .caption(
"Zero on the diagonal, falling linearly with distance into the past; future keys (grey) are masked: −∞ before the softmax.",
        )
        .chart(Chart::heatmap(picture.view(), "bias")),
    );
    // ANCHOR_END: demo
    Ok(())
}

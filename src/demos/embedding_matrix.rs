//! # Embedding matrix
//!
//! The embedding layer is one matrix $E \in \mathbb{R}^{V \times d}$: a row of
//! width $d$ for each of the $V$ tokens in the vocabulary. Its size is simply
//! $V \cdot d$ parameters, times 4 bytes in f32 or 2 bytes in bf16. For GPT-2
//! small ($50257 \times 768$) that is a modest table, but vocabularies have
//! grown: Llama 3 quadrupled Llama 2's 32000 tokens, and at width 4096 its
//! input table alone holds half a billion parameters.
//!
//! Training touches the table sparsely. The forward pass copies rows,
//! $X_k = E_{\text{ids}_k}$, so the backward pass adds each upstream gradient
//! back into the row it came from:
//! $\frac{\partial L}{\partial E_v} = \sum_{k : \text{ids}_k = v} \frac{\partial L}{\partial X_k}$.
//! Rows of tokens absent from the batch receive exactly zero, and a token used
//! twice collects both contributions. The checks confirm that the untouched
//! rows are exactly zero, that the number of rows with gradient equals the
//! number of distinct ids, and that the scatter-add matches central finite
//! differences of the loss $L = \frac{1}{2} \sum_k \lVert X_k - Y_k \rVert^2$
//! in every entry of $E$. This is why frameworks offer sparse embedding
//! gradients, and why rare tokens are updated rarely and learnt slowly.

use std::collections::BTreeSet;

use ndarray::Array2;
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::fixed;
use crate::math::{lookup_backward, lookup_rows};

/// Size of real embedding tables, and the sparse gradient of a lookup.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    // (model, vocabulary size V, width d) of four real input tables; f32 takes 4 bytes, bf16 2.
    let models = [
        ("GPT-2 small", 50257, 768),
        ("BERT-base", 30522, 768),
        ("Llama-2-7B", 32000, 4096),
        ("Llama-3-8B", 128256, 4096),
    ];
    let f32_mb: Vec<f64> = models.iter().map(|&(_, v, d)| (4 * v * d) as f64 / 1e6).collect();
    for (&(name, v, d), &mb) in models.iter().zip(&f32_mb) {
        let sizes = format!("{} MB f32, {} MB bf16", fixed(mb, 1), fixed(mb / 2.0, 1));
        ctx.say(format!("{name}: {v} x {d} = {} parameters, {sizes}", v * d));
    }

    // Gradient of L = ½ Σ ‖E[ids_k] − Y_k‖² with respect to a 10×4 table.
    let (vocab, width) = (10, 4);
    let table = Array2::<f64>::random_using((vocab, width), StandardNormal, ctx.rng());
    let ids = [2, 5, 5, 7, 2, 0]; // a batch of six positions, four distinct tokens
    let targets = Array2::<f64>::random_using((ids.len(), width), StandardNormal, ctx.rng());
    let loss = |e: &Array2<f64>| -> crate::Result<f64> {
        Ok(0.5 * (lookup_rows(e.view(), &ids)? - &targets).mapv(|v| v * v).sum())
    };
    let upstream = lookup_rows(table.view(), &ids)? - &targets; // ∂L/∂X
    let grad = lookup_backward(&ids, upstream.view(), vocab)?;

    let touched: Vec<usize> = (0..vocab)
        .filter(|&v| grad.row(v).iter().any(|&g| g != 0.0))
        .collect();
    let distinct: Vec<usize> = ids.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
    let outside: f64 = (0..vocab)
        .filter(|v| !ids.contains(v))
        .map(|v| grad.row(v).mapv(f64::abs).sum())
        .sum();
    ctx.say(format!("Rows with a gradient: {touched:?} of {vocab}"));
    ctx.check_close(
        "rows outside the batch get exactly zero gradient",
        outside,
        0.0,
        0.0,
    );
    ctx.check_eq(
        "the rows with a gradient are the distinct ids",
        format!("{touched:?}"),
        format!("{distinct:?}"),
    );
    let share = fixed(8192.0 / 50257.0, 3);
    ctx.say(format!(
        "A GPT-2 batch of 8 x 1024 tokens touches at most 8192 of 50257 rows: {share}"
    ));

    let (eps, mut worst) = (1e-4, 0.0f64); // exact for a quadratic loss, up to rounding
    for ((i, j), &analytic) in grad.indexed_iter() {
        let (mut plus, mut minus) = (table.clone(), table.clone());
        plus[[i, j]] += eps;
        minus[[i, j]] -= eps;
        worst = worst.max((analytic - (loss(&plus)? - loss(&minus)?) / (2.0 * eps)).abs());
    }
    ctx.check_close(
        "scatter-add gradient matches finite differences",
        worst,
        0.0,
        1e-8,
    );

    let bf16_mb = f32_mb.iter().map(|mb| mb / 2.0).collect();
    ctx.figure(
        Figure::new(
            "memory",
            "Input embedding table memory",
            "model",
            "megabytes (10^6 bytes)",
        )
        .caption("Tables grow with vocabulary and width; bf16 halves them; Llama-3-8B's tops 2 GB in f32.")
        .chart(Chart::Bars {
            categories: models.iter().map(|(name, _, _)| name.to_string()).collect(),
            series: vec![("f32".into(), f32_mb), ("bf16".into(), bf16_mb)],
        }),
    );
    ctx.figure(
        Figure::new(
            "gradient",
            "|dL/dE| after one batch",
            "embedding dimension",
            "token id (row of E)",
        )
        .caption(
            "Only rows 0, 2, 5 and 7, the tokens in the batch, get a gradient; the rest are exactly zero.",
        )
        .chart(Chart::heatmap(grad.mapv(f64::abs).view(), "|gradient|")),
    );
    // ANCHOR_END: demo
    Ok(())
}

//! # Input output and tied embeddings
//!
//! A language model has two vocabulary tables. The input table $E$ turns ids
//! into vectors; the output layer scores a hidden state $h$ against one row
//! per token, $z = W h$. *Tying* reuses the input table as the output layer,
//! $W = E$, so the logits are $z = E h$ and $V \cdot d$ parameters are saved.
//! GPT-2 and BERT tie their tables this way.
//!
//! Tying makes $E$ appear twice in the loss, so its gradient is a sum. The
//! output side, $(p - e_y)\, h^\top$, reaches every row. The input side flows
//! back through $h$: with $h$ the mean of $n$ looked-up rows, each context
//! position adds $\frac{1}{n} E^\top (p - e_y)$ to its own row. Here
//! $h$ is the mean of the context vectors of "the cat sat on the", the target
//! is *mat*, and $L = -\log p_{\text{mat}}$ with $p = \mathrm{softmax}(E h)$.
//! The check compares the summed gradient with central finite differences of
//! $L$ in every entry of an 8×4 table, and shows that either term alone is
//! wrong. The figure separates the two contributions row by row: the
//! context words receive both, every other word only the output-side one.

use ndarray::{Array1, Array2, Axis};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::{fixed, short};
use crate::math::{log_softmax, lookup_backward, lookup_rows, output_gradients, row_norms};

/// Gradient of a tied table: output side plus input side, checked by finite differences.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let vocab = ["the", "cat", "sat", "on", "mat", "dog", "ran", "away"];
    let table = Array2::<f64>::random_using((vocab.len(), 4), StandardNormal, ctx.rng()) * 0.5;
    let (context, target) = ([0, 1, 2, 3, 0], 4); // "the cat sat on the" -> "mat"
    // Tied model: h = mean of E[context], logits = E h, loss = -log p(target).
    let n = context.len() as f64;
    let hidden = |e: &Array2<f64>| -> crate::Result<Array1<f64>> {
        Ok(lookup_rows(e.view(), &context)?.sum_axis(Axis(0)) / n)
    };
    let loss =
        |e: &Array2<f64>| -> crate::Result<f64> { Ok(-log_softmax(e.dot(&hidden(e)?).view())[target]) };
    let out = output_gradients(table.view(), hidden(&table)?.view(), target)?;
    // Input side: each context position receives dL/dh / n, scattered into its row.
    let per_position = Array2::from_shape_fn((context.len(), table.ncols()), |(_, j)| out.d_hidden[j] / n);
    let input_side = lookup_backward(&context, per_position.view(), vocab.len())?;
    let tied = &out.d_output_embedding + &input_side;
    ctx.say(format!(
        "Loss {}, p(mat) = {}",
        fixed(out.loss, 4),
        fixed(out.probabilities[target], 4)
    ));

    let eps = 1e-6;
    let mut numeric = Array2::zeros(table.dim());
    for ((i, j), slot) in numeric.indexed_iter_mut() {
        let (mut plus, mut minus) = (table.clone(), table.clone());
        plus[[i, j]] += eps;
        minus[[i, j]] -= eps;
        *slot = (loss(&plus)? - loss(&minus)?) / (2.0 * eps);
    }
    let worst = |g: &Array2<f64>| (g - &numeric).mapv(f64::abs).fold(0.0, |m: f64, &v| m.max(v));
    let (output_only, input_only) = (worst(&out.d_output_embedding), worst(&input_side));
    ctx.say(format!(
        "Largest error: output side only {}, input side only {}",
        short(output_only, 4),
        short(input_only, 4)
    ));
    ctx.check_close(
        "tied gradient = output side + input side",
        worst(&tied),
        0.0,
        1e-8,
    );
    ctx.check_above("the output-side gradient alone is wrong", output_only, 1e-3);
    ctx.check_above("the input-side gradient alone is wrong", input_only, 1e-3);
    let (v, d) = (50257, 768);
    ctx.say(format!(
        "GPT-2 small ties its {v} x {d} table: {} parameters instead of {}",
        v * d,
        2 * v * d
    ));

    ctx.figure(
        Figure::new(
            "gradient-rows",
            "Where the tied gradient comes from",
            "token (row of E)",
            "norm of row gradient",
        )
        .caption(
            "Every row gets an output-side gradient; context words also get an input-side one (the: twice).",
        )
        .chart(Chart::Bars {
            categories: vocab.iter().map(|w| w.to_string()).collect(),
            series: vec![
                (
                    "output side".into(),
                    row_norms(out.d_output_embedding.view()).to_vec(),
                ),
                ("input side".into(), row_norms(input_side.view()).to_vec()),
                ("tied (sum)".into(), row_norms(tied.view()).to_vec()),
            ],
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

//! # Language-model loss gradients
//!
//! A language model predicts the next token with logits $z = W h$: the hidden
//! state $h$ scored against every row of the output embedding $W$. Softmax
//! turns logits into probabilities $p = \mathrm{softmax}(z)$ and training
//! minimises the cross-entropy $L = -\log p_y$ of the true token $y$. Its
//! gradient has a famously simple form: $\partial L / \partial z = p - e_y$,
//! hence $\partial L / \partial W = (p - e_y)\, h^\top$ and
//! $\partial L / \partial h = W^\top (p - e_y)$.
//!
//! Read row by row, the gradient is a tug of war. The target row has
//! coefficient $p_y - 1 < 0$, so a gradient-descent step moves it *toward*
//! $h$; every other row moves away from $h$ in proportion to the probability
//! it wrongly received. The checks confirm the seed notebook's claim on the
//! target row, compare every analytic gradient entry with a central finite
//! difference of the loss, and train $W$ for 30 small steps to show the loss
//! falling. This is the whole mechanism by which output embeddings of
//! tokens that follow similar contexts become similar.

use ndarray::array;

use crate::chart::{Chart, Figure, Series};
use crate::demos::Ctx;
use crate::format::list;
use crate::math::{log_softmax, output_gradients};

/// The softmax cross-entropy gradient of a 3-token output layer.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let h = array![1.0, -1.0];
    let mut w = array![[0.2, 0.0], [-0.1, 0.3], [0.4, -0.2]];
    let target = 2;
    let g = output_gradients(w.view(), h.view(), target)?;
    ctx.say(format!("Probabilities: {}", list(&g.probabilities, 4)));
    ctx.say(format!("Target-row gradient: {}", list(g.d_output_embedding.row(target), 4)));
    ctx.check_below("target row moves toward hidden state under gradient descent", g.d_output_embedding[[target, 0]], 0.0);

    // Central finite differences of L = -log p_y, entry by entry.
    let loss = |w: &ndarray::Array2<f64>| -log_softmax(w.dot(&h).view())[target];
    let eps = 1e-6;
    let mut worst: f64 = 0.0;
    for ((i, j), analytic) in g.d_output_embedding.indexed_iter() {
        let (mut plus, mut minus) = (w.clone(), w.clone());
        plus[[i, j]] += eps;
        minus[[i, j]] -= eps;
        worst = worst.max((analytic - (loss(&plus) - loss(&minus)) / (2.0 * eps)).abs());
    }
    ctx.check_close("dL/dW matches finite differences", worst, 0.0, 1e-8);

    // Thirty steps of gradient descent on W alone.
    let mut losses = Vec::new();
    for _ in 0..30 {
        let step = output_gradients(w.view(), h.view(), target)?;
        losses.push(step.loss);
        w.scaled_add(-0.5, &step.d_output_embedding);
    }
    ctx.say(format!("Loss over training: {} -> {}", list(&losses[..1], 4), list(&losses[29..], 4)));
    ctx.check_below("gradient descent lowers the loss", losses[29], losses[0]);
    ctx.figure(
        Figure::new("loss", "Cross-entropy while training the output embedding", "step", "loss -log p(target)")
            .caption("The loss falls steadily as the target row turns toward the hidden state.")
            .chart(Chart::Lines { series: vec![Series::indexed("loss", losses)], markers: true }),
    );
    // ANCHOR_END: demo
    Ok(())
}

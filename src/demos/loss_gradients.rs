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
//! target row, compare every analytic gradient — with respect to the logits,
//! the hidden state and the output embedding — with central finite
//! differences of the loss, and train $W$ for 30 steps to show the loss
//! falling. This is the whole mechanism by which output embeddings of
//! tokens that follow similar contexts become similar.

use ndarray::{Array1, Array2, array};

use crate::chart::{Chart, Figure, Series};
use crate::demos::Ctx;
use crate::format::list;
use crate::math::{log_softmax, max_finite_difference_error, output_gradients};

/// The softmax cross-entropy gradient of a 3-token output layer.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let h = array![1.0, -1.0];
    let mut w = array![[0.2, 0.0], [-0.1, 0.3], [0.4, -0.2]];
    let target = 2;
    let g = output_gradients(w.view(), h.view(), target)?;
    ctx.say(format!("Probabilities: {}", list(&g.probabilities, 4)));
    ctx.say(format!(
        "Target-row gradient: {}",
        list(g.d_output_embedding.row(target), 4)
    ));
    ctx.check_below(
        "target row moves toward hidden state under gradient descent",
        g.d_output_embedding[[target, 0]],
        0.0,
    );

    // Central finite differences of L = -log p_y for logits, hidden state and W.
    let eps = 1e-6;
    let loss_of_logits = |z: &Array1<f64>| -log_softmax(z.view())[target];
    let loss_of_hidden = |h: &Array1<f64>| -log_softmax(w.dot(h).view())[target];
    let loss_of_weights = |w: &Array2<f64>| -log_softmax(w.dot(&h).view())[target];
    let worst_logits = max_finite_difference_error(&g.logits, &g.d_logits, eps, loss_of_logits);
    let worst_hidden = max_finite_difference_error(&h, &g.d_hidden, eps, loss_of_hidden);
    let worst_weights = max_finite_difference_error(&w, &g.d_output_embedding, eps, loss_of_weights);
    ctx.check_close(
        "dL/dz = p - onehot(y) matches finite differences",
        worst_logits,
        0.0,
        1e-8,
    );
    ctx.check_close("dL/dh matches finite differences", worst_hidden, 0.0, 1e-8);
    ctx.check_close("dL/dW matches finite differences", worst_weights, 0.0, 1e-8);

    // Thirty steps of gradient descent on W alone.
    let mut losses = Vec::new();
    for _ in 0..30 {
        let step = output_gradients(w.view(), h.view(), target)?;
        losses.push(step.loss);
        w.scaled_add(-0.5, &step.d_output_embedding);
    }
    ctx.say(format!(
        "Loss over training: {} -> {}",
        list(&losses[..1], 4),
        list(&losses[29..], 4)
    ));
    ctx.check_below("gradient descent lowers the loss", losses[29], losses[0]);
    ctx.figure(
        Figure::new(
            "loss",
            "Cross-entropy while training the output embedding",
            "step",
            "loss -log p(target)",
        )
        .caption("The loss falls steadily as the target row turns toward the hidden state.")
        .chart(Chart::Lines {
            series: vec![Series::indexed("loss", losses)],
            markers: true,
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

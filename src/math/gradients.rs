//! Softmax, log-softmax and the gradients of the softmax cross-entropy loss
//! of a language model's output layer.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::error::{Error, Result};

fn max(x: ArrayView1<f64>) -> f64 {
    x.fold(f64::NEG_INFINITY, |m, &v| m.max(v))
}

/// Softmax `pᵢ = exp(zᵢ) / Σⱼ exp(zⱼ)`, computed after subtracting the largest
/// logit so that large logits do not overflow.
///
/// An empty input gives an empty output.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let p = embspace::math::softmax(array![1000.0, 1000.0].view());
/// assert_eq!(p, array![0.5, 0.5]);
/// ```
pub fn softmax(logits: ArrayView1<f64>) -> Array1<f64> {
    let m = max(logits);
    let shifted = logits.mapv(|z| (z - m).exp());
    let total = shifted.sum();
    shifted / total
}

/// Log-softmax `zᵢ − log Σⱼ exp(zⱼ)`, by the same max shift (log-sum-exp).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let l = embspace::math::log_softmax(array![0.0, 0.0].view());
/// assert!((l[0] - 0.5f64.ln()).abs() < 1e-15);
/// ```
pub fn log_softmax(logits: ArrayView1<f64>) -> Array1<f64> {
    let m = max(logits);
    let log_total = logits.mapv(|z| (z - m).exp()).sum().ln() + m;
    logits.mapv(|z| z - log_total)
}

/// Loss and gradients of one next-token prediction through an output embedding.
///
/// With output embedding `W` (`V×d`), hidden state `h` (`d`), logits
/// `z = W·h`, probabilities `p = softmax(z)` and target `y`, the loss is
/// `L = −log p_y` and
/// - `∂L/∂z = p − onehot(y)`,
/// - `∂L/∂h = Wᵀ(p − onehot(y))`,
/// - `∂L/∂W = (p − onehot(y)) hᵀ`: row `y` moves toward `h`, every other row away from it,
///   in proportion to its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputGradients {
    /// The logits `W·h`.
    pub logits: Array1<f64>,
    /// `softmax(logits)`.
    pub probabilities: Array1<f64>,
    /// Cross-entropy `−log p_y`.
    pub loss: f64,
    /// `∂L/∂z`.
    pub d_logits: Array1<f64>,
    /// `∂L/∂h`.
    pub d_hidden: Array1<f64>,
    /// `∂L/∂W`, the same shape as `W`.
    pub d_output_embedding: Array2<f64>,
}

/// Softmax cross-entropy of `target` given hidden state `hidden` and output
/// embedding `output` (`V×d`), with its gradients (see [`OutputGradients`]).
///
/// # Errors
/// [`Error::Shape`] when `hidden` is not of length `d`; [`Error::OutOfRange`]
/// when `target >= V`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let w = array![[0.2, 0.0], [-0.1, 0.3], [0.4, -0.2]];
/// let g = embspace::math::output_gradients(w.view(), array![1.0, -1.0].view(), 2)?;
/// assert!(g.d_output_embedding[[2, 0]] < 0.0); // the target row moves toward h
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn output_gradients(
    output: ArrayView2<f64>,
    hidden: ArrayView1<f64>,
    target: usize,
) -> Result<OutputGradients> {
    if hidden.len() != output.ncols() {
        return Err(Error::shape(
            "output_gradients hidden state",
            format!("d = {}", output.ncols()),
            format!("d = {}", hidden.len()),
        ));
    }
    if target >= output.nrows() {
        return Err(Error::OutOfRange {
            what: "target token",
            index: target,
            len: output.nrows(),
        });
    }
    let logits = output.dot(&hidden);
    let probabilities = softmax(logits.view());
    let loss = -log_softmax(logits.view())[target];
    let mut d_logits = probabilities.clone();
    d_logits[target] -= 1.0;
    let d_hidden = output.t().dot(&d_logits);
    let d_output_embedding = outer(d_logits.view(), hidden);
    Ok(OutputGradients {
        logits,
        probabilities,
        loss,
        d_logits,
        d_hidden,
        d_output_embedding,
    })
}

/// Outer product `u vᵀ`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(embspace::math::outer(array![1.0, 2.0].view(), array![3.0].view()), array![[3.0], [6.0]]);
/// ```
pub fn outer(u: ArrayView1<f64>, v: ArrayView1<f64>) -> Array2<f64> {
    Array2::from_shape_fn((u.len(), v.len()), |(i, j)| u[i] * v[j])
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn softmax_sums_to_one_and_survives_huge_logits() {
        let p = softmax(array![1e308, 1e308 - 1e292, -1e308].view());
        assert!(p.iter().all(|v| v.is_finite()));
        assert_abs_diff_eq!(p.sum(), 1.0, epsilon = 1e-12);
    }

    #[test]
    fn softmax_is_shift_invariant() {
        let z = array![0.3, -1.2, 2.5];
        assert_abs_diff_eq!(softmax(z.view()), softmax((&z + 100.0).view()), epsilon = 1e-14);
    }

    #[test]
    fn log_softmax_is_the_log_of_softmax_even_for_large_logits() {
        let z = array![800.0, 799.0, 0.0];
        let l = log_softmax(z.view());
        assert!(l.iter().all(|v| v.is_finite()));
        // Logits near 800 carry an absolute rounding error of ~1e-13.
        assert_abs_diff_eq!(l.mapv(f64::exp), softmax(z.view()), epsilon = 1e-12);
    }

    fn loss(w: &Array2<f64>, h: &Array1<f64>, y: usize) -> f64 {
        -log_softmax(w.dot(h).view())[y]
    }

    #[test]
    fn gradients_match_central_finite_differences() {
        let w = array![
            [0.2, 0.0, 0.5],
            [-0.1, 0.3, 0.1],
            [0.4, -0.2, -0.3],
            [0.0, 0.7, 0.2]
        ];
        let h = array![1.0, -1.0, 0.5];
        let y = 2;
        let g = output_gradients(w.view(), h.view(), y).unwrap();
        assert_abs_diff_eq!(g.loss, loss(&w, &h, y), epsilon = 1e-14);
        let eps = 1e-6;
        for ((i, j), analytic) in g.d_output_embedding.indexed_iter() {
            let (mut plus, mut minus) = (w.clone(), w.clone());
            plus[[i, j]] += eps;
            minus[[i, j]] -= eps;
            let numeric = (loss(&plus, &h, y) - loss(&minus, &h, y)) / (2.0 * eps);
            assert_abs_diff_eq!(*analytic, numeric, epsilon = 1e-8);
        }
        for k in 0..h.len() {
            let (mut plus, mut minus) = (h.clone(), h.clone());
            plus[k] += eps;
            minus[k] -= eps;
            let numeric = (loss(&w, &plus, y) - loss(&w, &minus, y)) / (2.0 * eps);
            assert_abs_diff_eq!(g.d_hidden[k], numeric, epsilon = 1e-8);
        }
    }

    #[test]
    fn logit_gradient_sums_to_zero() {
        let g = output_gradients(array![[1.0], [2.0], [3.0]].view(), array![0.5].view(), 0).unwrap();
        assert_abs_diff_eq!(g.d_logits.sum(), 0.0, epsilon = 1e-15);
    }

    #[test]
    fn bad_shapes_and_targets_are_errors() {
        let w = Array2::<f64>::zeros((3, 2));
        assert!(matches!(
            output_gradients(w.view(), array![1.0].view(), 0),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(
            output_gradients(w.view(), array![1.0, 0.0].view(), 3),
            Err(Error::OutOfRange { .. })
        ));
    }
}

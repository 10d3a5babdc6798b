//! Scaled dot-product attention (Vaswani et al. 2017): how one attention head
//! turns a sequence of static token vectors into contextual ones, each output a
//! weighted average of the sequence.

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};
use crate::math::gradients::softmax;

/// What one attention head computed: its mixing weights and the mixed vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Attention {
    /// `n_queries × n_keys`; row `i` is a probability distribution (non-negative,
    /// summing to 1) saying how much query `i` reads from each key.
    pub weights: Array2<f64>,
    /// `n_queries × d_values`; row `i` is `Σⱼ weights[i, j] · values[j]`.
    pub output: Array2<f64>,
}

/// Single-head scaled dot-product attention
/// `softmax(Q Kᵀ / √d) V`, the softmax taken along each row.
///
/// `queries` is `n×d`, `keys` is `m×d` and `values` is `m×d_v`. Row `i` of the
/// weights is `softmax(qᵢ·k₁/√d, …, qᵢ·kₘ/√d)`; dividing by `√d` keeps the
/// scores of random unit-variance vectors at unit scale, so the softmax does not
/// saturate as the width grows. There is no mask: every query sees every key.
/// A query orthogonal to every key spreads its weight uniformly.
///
/// # Errors
/// [`Error::Shape`] when queries and keys differ in width or keys and values
/// in number of rows; [`Error::Parameter`] when there are no keys or the width
/// `d` is 0 (the scale `1/√d` is undefined).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let keys = array![[1.0, 0.0], [0.0, 1.0]];
/// let values = array![[10.0], [20.0]];
/// let a = embspace::math::scaled_dot_product_attention(array![[0.0, 0.0]].view(), keys.view(), values.view())?;
/// assert_eq!(a.weights, array![[0.5, 0.5]]); // no preference: the plain average
/// assert_eq!(a.output, array![[15.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn scaled_dot_product_attention(
    queries: ArrayView2<f64>,
    keys: ArrayView2<f64>,
    values: ArrayView2<f64>,
) -> Result<Attention> {
    if queries.ncols() != keys.ncols() {
        return Err(Error::shape(
            "attention keys",
            format!("d = {} (the queries' width)", queries.ncols()),
            format!("d = {}", keys.ncols()),
        ));
    }
    if keys.nrows() != values.nrows() {
        return Err(Error::shape(
            "attention values",
            format!("{} rows (one a key)", keys.nrows()),
            format!("{} rows", values.nrows()),
        ));
    }
    if keys.nrows() == 0 {
        return Err(Error::parameter("keys", "needs at least one key"));
    }
    if keys.ncols() == 0 {
        return Err(Error::parameter("keys", "width d must be at least 1"));
    }
    let scores = queries.dot(&keys.t()) / (keys.ncols() as f64).sqrt();
    let mut weights = Array2::zeros(scores.dim());
    for (mut row, score) in weights.rows_mut().into_iter().zip(scores.rows()) {
        row.assign(&softmax(score));
    }
    let output = weights.dot(&values);
    Ok(Attention { weights, output })
}

/// Self-attention of a sequence with itself and no learnt projections:
/// `softmax(X Xᵀ / √d) X`.
///
/// Every token is replaced by an average of the sequence weighted by how well it
/// aligns with each token, so the same static vector comes out differently in
/// different sentences. Real heads first map `X` through learnt query, key and
/// value matrices; leaving them out (identity projections) keeps the mixing
/// itself in view. Permuting the rows of `x` permutes the rows of the output
/// (and rows and columns of the weights) the same way: attention alone knows no
/// word order.
///
/// # Errors
/// As [`scaled_dot_product_attention`]: an empty sequence or zero width is an
/// [`Error::Parameter`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]];
/// let a = embspace::math::attention_mix(x.view())?;
/// for row in a.weights.rows() {
///     assert!((row.sum() - 1.0).abs() < 1e-12);
/// }
/// assert_eq!(a.output.dim(), (3, 2));
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn attention_mix(x: ArrayView2<f64>) -> Result<Attention> {
    scaled_dot_product_attention(x, x, x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::{Array1, Axis, array};
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn random(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
        Array2::random_using((rows, cols), StandardNormal, &mut ChaCha8Rng::seed_from_u64(seed))
    }

    #[test]
    fn every_row_of_weights_is_a_probability_distribution() {
        let (q, k, v) = (random(5, 4, 1), random(7, 4, 2), random(7, 3, 3));
        let a = scaled_dot_product_attention(q.view(), k.view(), v.view()).unwrap();
        assert_eq!((a.weights.dim(), a.output.dim()), ((5, 7), (5, 3)));
        assert!(a.weights.iter().all(|&w| w > 0.0));
        assert_abs_diff_eq!(a.weights.sum_axis(Axis(1)), Array1::ones(5), epsilon = 1e-12);
    }

    #[test]
    fn weights_match_a_hand_computed_softmax_of_scaled_scores() {
        // Scores q·k/√2 = (2/√2, 0): weights e^√2 / (e^√2 + 1) and 1 / (e^√2 + 1).
        let q = array![[1.0, 1.0]];
        let k = array![[1.0, 1.0], [1.0, -1.0]];
        let v = array![[1.0, 0.0], [0.0, 1.0]];
        let a = scaled_dot_product_attention(q.view(), k.view(), v.view()).unwrap();
        let e = 2f64.sqrt().exp();
        assert_abs_diff_eq!(
            a.weights,
            array![[e / (e + 1.0), 1.0 / (e + 1.0)]],
            epsilon = 1e-15
        );
        assert_abs_diff_eq!(a.output, a.weights, epsilon = 1e-15); // V is the identity
    }

    #[test]
    fn self_attention_is_permutation_equivariant() {
        let x = random(6, 4, 4);
        let order = [3, 0, 5, 1, 4, 2];
        let permuted = x.select(Axis(0), &order);
        let (a, b) = (
            attention_mix(x.view()).unwrap(),
            attention_mix(permuted.view()).unwrap(),
        );
        assert_abs_diff_eq!(b.output, a.output.select(Axis(0), &order), epsilon = 1e-12);
        let weights = a.weights.select(Axis(0), &order).select(Axis(1), &order);
        assert_abs_diff_eq!(b.weights, weights, epsilon = 1e-12);
    }

    #[test]
    fn outputs_stay_inside_the_range_of_the_values() {
        // Each output is a convex combination of the value rows.
        let x = random(8, 3, 5);
        let a = attention_mix(x.view()).unwrap();
        for (j, column) in x.columns().into_iter().enumerate() {
            let lo = column.fold(f64::INFINITY, |m, &v| m.min(v));
            let hi = column.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            assert!(
                a.output
                    .column(j)
                    .iter()
                    .all(|&o| o >= lo - 1e-12 && o <= hi + 1e-12)
            );
        }
    }

    #[test]
    fn a_single_key_passes_its_value_through() {
        let a = scaled_dot_product_attention(
            random(3, 2, 6).view(),
            array![[0.3, -0.2]].view(),
            array![[4.0, 5.0, 6.0]].view(),
        )
        .unwrap();
        assert_eq!(a.weights, Array2::<f64>::ones((3, 1)));
        assert_eq!(
            a.output,
            array![[4.0, 5.0, 6.0], [4.0, 5.0, 6.0], [4.0, 5.0, 6.0]]
        );
    }

    #[test]
    fn mismatched_or_empty_inputs_are_refused() {
        let x = random(3, 2, 7);
        let shape = |r: Result<Attention>| matches!(r, Err(Error::Shape { .. }));
        let parameter = |r: Result<Attention>| matches!(r, Err(Error::Parameter { .. }));
        assert!(shape(scaled_dot_product_attention(
            x.view(),
            random(3, 4, 8).view(),
            x.view()
        )));
        assert!(shape(scaled_dot_product_attention(
            x.view(),
            x.view(),
            random(2, 2, 9).view()
        )));
        assert!(parameter(attention_mix(Array2::zeros((0, 2)).view())));
        assert!(parameter(attention_mix(Array2::zeros((3, 0)).view())));
    }
}

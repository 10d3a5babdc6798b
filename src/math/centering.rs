//! Centering: removing the common mean vector that dominates raw embedding spaces.

use ndarray::{Array1, Array2, ArrayView2, Axis};

/// The mean of the rows (length `d`); zeros for an empty matrix.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(embspace::math::mean_vector(array![[1.0, 2.0], [3.0, 4.0]].view()), array![2.0, 3.0]);
/// ```
pub fn mean_vector(x: ArrayView2<f64>) -> Array1<f64> {
    x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(x.ncols()))
}

/// Subtract the mean row from every row; returns the centred matrix and the mean.
///
/// After centering the mean vector is zero (up to rounding), which removes the
/// shared direction that makes every pair of raw embeddings look similar.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let (c, mean) = embspace::math::center(array![[1.0, 2.0], [3.0, 4.0]].view());
/// assert_eq!(mean, array![2.0, 3.0]);
/// assert_eq!(c, array![[-1.0, -1.0], [1.0, 1.0]]);
/// ```
pub fn center(x: ArrayView2<f64>) -> (Array2<f64>, Array1<f64>) {
    let mean = mean_vector(x);
    let centred = &x - &mean.view().insert_axis(Axis(0));
    (centred, mean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn centred_rows_have_zero_mean_and_keep_their_differences() {
        let x = Array2::from_shape_fn((7, 3), |(i, j)| 3.0 + (i * j) as f64 * 0.7 - j as f64);
        let (c, mean) = center(x.view());
        assert_abs_diff_eq!(mean_vector(c.view()), Array1::zeros(3), epsilon = 1e-12);
        assert_abs_diff_eq!(&c + &mean.view().insert_axis(Axis(0)), x, epsilon = 1e-12);
    }

    #[test]
    fn an_empty_matrix_has_a_zero_mean() {
        assert_eq!(
            mean_vector(Array2::<f64>::zeros((0, 2)).view()),
            Array1::<f64>::zeros(2)
        );
    }
}

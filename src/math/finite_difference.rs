//! Gradient checking by central finite differences: the standard way to
//! confirm an analytic gradient.

use ndarray::{Array, Dimension};

/// Central finite-difference estimate of `∂f/∂x` at `x`, entry by entry:
/// `(f(x + ε eᵢ) − f(x − ε eᵢ)) / 2ε`. The error is `O(ε²)` for smooth `f`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let g = embspace::math::finite_difference_gradient(&array![1.0, 2.0], 1e-6, |x| x.dot(x));
/// assert!((g[0] - 2.0).abs() < 1e-8 && (g[1] - 4.0).abs() < 1e-8);
/// ```
pub fn finite_difference_gradient<D: Dimension>(
    x: &Array<f64, D>,
    eps: f64,
    f: impl Fn(&Array<f64, D>) -> f64,
) -> Array<f64, D> {
    // A standard-layout copy, so entry i is slice element i for x, probe and gradient alike.
    let mut probe = x.as_standard_layout().into_owned();
    let mut gradient = Array::zeros(x.raw_dim());
    for i in 0..x.len() {
        let original = probe.as_slice().expect("standard layout")[i];
        probe.as_slice_mut().expect("standard layout")[i] = original + eps;
        let plus = f(&probe);
        probe.as_slice_mut().expect("standard layout")[i] = original - eps;
        let minus = f(&probe);
        probe.as_slice_mut().expect("standard layout")[i] = original;
        gradient.as_slice_mut().expect("standard layout")[i] = (plus - minus) / (2.0 * eps);
    }
    gradient
}

/// The largest absolute difference between `analytic` and the central
/// finite-difference gradient of `f` at `x` (0 for an empty `x`).
///
/// If the shapes differ, the comparison covers the common prefix of entries in
/// memory order; give arrays of the same shape.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[1.0, -2.0]];
/// let analytic = x.mapv(|v| 3.0 * v * v); // d/dx of Σ x³
/// let err = embspace::math::max_finite_difference_error(&x, &analytic, 1e-5, |x| x.mapv(|v| v.powi(3)).sum());
/// assert!(err < 1e-8);
/// ```
pub fn max_finite_difference_error<D: Dimension>(
    x: &Array<f64, D>,
    analytic: &Array<f64, D>,
    eps: f64,
    f: impl Fn(&Array<f64, D>) -> f64,
) -> f64 {
    let numeric = finite_difference_gradient(x, eps, f);
    numeric
        .iter()
        .zip(analytic.as_standard_layout().iter())
        .fold(0.0, |worst, (n, a)| worst.max((n - a).abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_gradient_of_a_quadratic_form_is_exact_up_to_rounding() {
        // f(x) = xᵀAx with symmetric A has gradient 2Ax.
        let a = array![[2.0, 0.5], [0.5, 1.0]];
        let x = array![0.3, -1.2];
        let g = finite_difference_gradient(&x, 1e-5, |x| x.dot(&a.dot(x)));
        let exact = a.dot(&x) * 2.0;
        assert!((&g - &exact).iter().all(|d| d.abs() < 1e-9));
    }

    #[test]
    fn a_wrong_gradient_is_caught() {
        let x = array![1.0, 2.0, 3.0];
        let wrong = array![1.0, 1.0, 1.0];
        assert!(max_finite_difference_error(&x, &wrong, 1e-6, |x| x.dot(x)) > 1.0);
    }
}

//! Covariance, whitening (PCA and ZCA), the eigenvalue spectrum, and Mu &
//! Viswanath's "all-but-the-top" post-processing of an embedding matrix.
//!
//! All eigendecompositions are of symmetric matrices and come from `nalgebra`.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::{Error, Result};
use crate::math::centering::center;
use crate::math::pca::{pca, to_nalgebra};

/// Eigendecomposition of a symmetric matrix `a = E Λ Eᵀ`.
///
/// Returns the eigenvalues in descending order (ties by solver order) and the
/// eigenvectors as the matching columns of `E`, each with its largest-magnitude
/// entry positive so the output does not depend on the solver's sign choice.
pub(crate) fn symmetric_eigen(what: &'static str, a: ArrayView2<f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    let fail = |reason: &str| Error::Numerical {
        what,
        reason: reason.into(),
    };
    if !a.iter().all(|v| v.is_finite()) {
        return Err(fail("the matrix has NaN or infinite entries"));
    }
    let eig = to_nalgebra(a)
        .try_symmetric_eigen(f64::EPSILON, 10_000)
        .ok_or_else(|| fail("the eigendecomposition did not converge"))?;
    let mut order: Vec<usize> = (0..eig.eigenvalues.len()).collect();
    order.sort_by(|&i, &j| eig.eigenvalues[j].total_cmp(&eig.eigenvalues[i]).then(i.cmp(&j)));
    let values = Array1::from_iter(order.iter().map(|&i| eig.eigenvalues[i]));
    let mut e = Array2::from_shape_fn((a.nrows(), order.len()), |(r, c)| eig.eigenvectors[(r, order[c])]);
    for mut col in e.columns_mut() {
        let pivot = col
            .iter()
            .fold(0.0f64, |best, &v| if v.abs() > best.abs() { v } else { best });
        if pivot < 0.0 {
            col.mapv_inplace(|v| -v);
        }
    }
    Ok((values, e))
}

/// Sample covariance of the rows of `x` (`n×d`), with the unbiased `n − 1` denominator.
///
/// `C = (X − 1μᵀ)ᵀ(X − 1μᵀ) / (n − 1)`, a symmetric `d×d` matrix.
///
/// # Errors
/// [`Error::Shape`] when `x` has fewer than 2 rows (the `n − 1` estimate is undefined).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let c = embspace::math::covariance(array![[1.0, 2.0], [3.0, 0.0]].view())?;
/// assert_eq!(c, array![[2.0, -2.0], [-2.0, 2.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn covariance(x: ArrayView2<f64>) -> Result<Array2<f64>> {
    if x.nrows() < 2 {
        return Err(Error::shape(
            "covariance",
            "at least 2 rows",
            format!("{} rows", x.nrows()),
        ));
    }
    let (centred, _) = center(x);
    Ok(centred.t().dot(&centred) / (x.nrows() - 1) as f64)
}

/// Eigenvalues of the sample [`covariance`] of `x`, descending: the variance
/// along each principal direction (length `d`), e.g. to plot before and after post-processing.
///
/// Rounding can make the eigenvalues of a singular covariance slightly
/// negative; they are clamped to 0.
///
/// # Errors
/// [`Error::Shape`] when `x` has fewer than 2 rows or no columns;
/// [`Error::Numerical`] on non-finite input or if the eigensolver fails.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
/// let s = embspace::math::eigenvalue_spectrum(x.view())?;
/// assert!((s[0] - 8.0 / 3.0).abs() < 1e-12 && (s[1] - 2.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn eigenvalue_spectrum(x: ArrayView2<f64>) -> Result<Array1<f64>> {
    if x.ncols() == 0 {
        return Err(Error::shape(
            "eigenvalue_spectrum",
            "at least 1 column",
            "0 columns",
        ));
    }
    let (values, _) = symmetric_eigen("eigenvalue_spectrum", covariance(x)?.view())?;
    Ok(values.mapv(|v| v.max(0.0)))
}

/// Which whitening transform [`whiten`] builds from the covariance `C = E Λ Eᵀ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whitening {
    /// `W = Λ^{-1/2} Eᵀ`: rotate onto the principal axes (descending variance),
    /// then scale each to unit variance.
    Pca,
    /// `W = E Λ^{-1/2} Eᵀ` (Mahalanobis / zero-phase whitening): symmetric, and of all
    /// whitening transforms the one whose output stays closest to the centred input.
    Zca,
}

/// The result of [`whiten`]: whitened rows plus the fitted transform, so new rows
/// can be mapped the same way with [`Whitened::transform`].
#[derive(Debug, Clone, PartialEq)]
pub struct Whitened {
    /// The whitened rows `(X − 1μᵀ) Wᵀ`, `n×d`; their sample covariance is the identity when `eps = 0`.
    pub rows: Array2<f64>,
    /// The whitening matrix `W` (`d×d`), acting on column vectors: `y = W (x − μ)`.
    pub matrix: Array2<f64>,
    /// The column means `μ` that were subtracted.
    pub mean: Array1<f64>,
    /// The method that built `matrix`.
    pub method: Whitening,
}

/// Whiten the rows of `x`: centre them and decorrelate them to unit variance.
///
/// With the sample covariance `C = E Λ Eᵀ` (see [`covariance`]), eigenvalues are
/// regularised as `λ + eps` and `W` is built as described in [`Whitening`]. With
/// `eps = 0` the whitened rows have covariance exactly `I` (up to rounding); with
/// `eps > 0` the covariance is `diag(λ/(λ + eps))` in the principal basis.
/// Eigenvectors are ordered by descending eigenvalue and sign-fixed (largest-magnitude
/// entry positive), so the output is deterministic.
///
/// # Errors
/// [`Error::Parameter`] when `eps` is negative or not finite; [`Error::Shape`] when `x`
/// has fewer than 2 rows or no columns; [`Error::Numerical`] when some `λ + eps` is
/// numerically zero (at most `d · f64::EPSILON · λ_max`), i.e. the covariance is singular
/// (e.g. `n ≤ d`) and `eps` is too small to regularise it, or when the eigensolver fails.
///
/// # Examples
/// ```
/// use embspace::math::{Whitening, covariance, whiten};
/// use ndarray::{Array2, array};
/// let x = array![[1.0, 2.0], [2.0, 3.5], [0.0, 0.5], [4.0, 1.0]];
/// let w = whiten(x.view(), Whitening::Zca, 0.0)?;
/// let c = covariance(w.rows.view())?;
/// assert!((c - Array2::<f64>::eye(2)).iter().all(|v| v.abs() < 1e-10));
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn whiten(x: ArrayView2<f64>, method: Whitening, eps: f64) -> Result<Whitened> {
    if !(eps.is_finite() && eps >= 0.0) {
        return Err(Error::parameter(
            "eps",
            format!("must be finite and >= 0, got {eps}"),
        ));
    }
    if x.ncols() == 0 {
        return Err(Error::shape("whiten", "at least 1 column", "0 columns"));
    }
    let cov = covariance(x)?;
    let (values, e) = symmetric_eigen("whiten", cov.view())?;
    let largest = values[0].max(0.0);
    let floor = largest * f64::EPSILON * values.len() as f64;
    let mut inv_sqrt = Array1::zeros(values.len());
    for (k, &lambda) in values.iter().enumerate() {
        let scale = lambda.max(0.0) + eps;
        if scale <= floor || scale <= 0.0 {
            return Err(Error::Numerical {
                what: "whiten",
                reason: format!(
                    "the covariance is singular (eigenvalue {lambda:e} + eps {eps:e} is ~0); pass a larger eps"
                ),
            });
        }
        inv_sqrt[k] = scale.sqrt().recip();
    }
    // Λ^{-1/2} Eᵀ: row k is eigenvector k scaled by 1/√(λₖ + eps).
    let pca_matrix = &e.t() * &inv_sqrt.view().insert_axis(Axis(1));
    let matrix = match method {
        Whitening::Pca => pca_matrix,
        Whitening::Zca => {
            let w = e.dot(&pca_matrix);
            // E Λ^{-1/2} Eᵀ is symmetric in exact arithmetic; make it so bit for bit.
            (&w + &w.t()) * 0.5
        }
    };
    let (centred, mean) = center(x);
    let rows = centred.dot(&matrix.t());
    Ok(Whitened {
        rows,
        matrix,
        mean,
        method,
    })
}

impl Whitened {
    /// Apply the fitted whitening to new rows (`m×d`): `(X − 1μᵀ) Wᵀ`.
    ///
    /// # Errors
    /// [`Error::Shape`] when the width differs from the fitted data's.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::{Whitening, whiten};
    /// use ndarray::array;
    /// let x = array![[1.0, 2.0], [2.0, 3.5], [0.0, 0.5], [4.0, 1.0]];
    /// let w = whiten(x.view(), Whitening::Pca, 0.0)?;
    /// assert!((w.transform(x.view())? - &w.rows).iter().all(|v| v.abs() < 1e-12));
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.mean.len() {
            let expected = format!("{} columns", self.mean.len());
            return Err(Error::shape(
                "Whitened::transform",
                expected,
                format!("{} columns", x.ncols()),
            ));
        }
        Ok((&x - &self.mean.view().insert_axis(Axis(0))).dot(&self.matrix.t()))
    }
}

/// Mu & Viswanath's (2018) "all-but-the-top" post-processing: centre the rows, then
/// remove their projections on the top `d_remove` principal directions.
///
/// `x̃ = x − μ`, `u₁…u_D` = the top `D` principal directions **of the centred data**
/// (via [`pca`]), and `x' = x̃ − Σᵢ (uᵢᵀx̃) uᵢ`. The output has zero mean and zero
/// projection on every `uᵢ`. (A widely copied variant takes the directions of the
/// uncentred data, whose first direction is then mostly the mean that centring already
/// removed; this is not that variant.) `d_remove = 0` returns the centred data. The
/// paper suggests `D ≈ d/100`.
///
/// # Errors
/// [`Error::Parameter`] when `d_remove > min(n, d)`; [`Error::Numerical`] if the SVD
/// does not converge.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[10.0, 3.0, 0.1], [10.0, -3.0, 0.1], [10.0, 0.0, -0.2]];
/// let y = embspace::math::all_but_the_top(x.view(), 1)?;
/// assert!(y.column(0).iter().all(|v| v.abs() < 1e-12)); // the mean 10 is gone
/// assert!(y.column(1).iter().all(|v| v.abs() < 1e-9)); // so is the top direction
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn all_but_the_top(x: ArrayView2<f64>, d_remove: usize) -> Result<Array2<f64>> {
    let centred = centred_for_removal(x, d_remove)?;
    if d_remove == 0 {
        return Ok(centred);
    }
    let p = pca(x, d_remove)?;
    // p.coords = x̃ Uᵀ, so x̃ Uᵀ U is the part of x̃ in the removed directions.
    Ok(centred - p.coords.dot(&p.components))
}

/// The widely copied variant of [`all_but_the_top`], kept to compare against: it centres
/// the rows but takes the `d_remove` directions from the **uncentred** data.
///
/// `x̃ = x − μ` as before, but `u₁…u_D` are the top eigenvectors of the second-moment
/// matrix `XᵀX` (what an SVD of the raw rows gives, e.g. a truncated SVD that does not
/// centre), and `x' = x̃ − Σᵢ (uᵢᵀx̃) uᵢ`. When the mean is large, `u₁` is mostly the mean
/// direction, which centring has already removed, so that removal is wasted and one
/// more high-variance direction survives than [`all_but_the_top`] leaves. On data whose
/// mean is zero the two functions agree (`XᵀX` is then `(n − 1)` times the covariance).
/// `d_remove = 0` returns the centred data. Eigenvectors come in descending order of
/// eigenvalue; ties are split as the solver splits them.
///
/// # Errors
/// [`Error::Parameter`] when `d_remove > min(n, d)`; [`Error::Numerical`] on non-finite
/// input or if the eigensolver fails.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use embspace::math::{all_but_the_top, all_but_the_top_uncentred};
/// // A mean of 10 on axis 2, most variance on axis 0, less on axis 1.
/// let x = array![[3.0, 1.0, 10.0], [-3.0, -1.0, 10.0], [3.0, -1.0, 10.0], [-3.0, 1.0, 10.0]];
/// let right = all_but_the_top(x.view(), 1)?;
/// let wrong = all_but_the_top_uncentred(x.view(), 1)?;
/// assert!(right.column(0).iter().all(|v| v.abs() < 1e-9)); // the top direction is gone
/// assert!(wrong.column(0).iter().all(|v| v.abs() > 2.9)); // it spent the removal on the mean
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn all_but_the_top_uncentred(x: ArrayView2<f64>, d_remove: usize) -> Result<Array2<f64>> {
    let centred = centred_for_removal(x, d_remove)?;
    if d_remove == 0 {
        return Ok(centred);
    }
    let (_, e) = symmetric_eigen("all_but_the_top_uncentred", x.t().dot(&x).view())?;
    let top = e.slice(ndarray::s![.., ..d_remove]); // d×D, orthonormal columns
    Ok(&centred - &centred.dot(&top).dot(&top.t()))
}

/// Both all-but-the-top variants: refuse `d_remove > min(n, d)`, then centre.
fn centred_for_removal(x: ArrayView2<f64>, d_remove: usize) -> Result<Array2<f64>> {
    let rank_bound = x.nrows().min(x.ncols());
    if d_remove > rank_bound {
        return Err(Error::parameter(
            "d_remove",
            format!("must be at most min(n, d) = {rank_bound}, got {d_remove}"),
        ));
    }
    Ok(center(x).0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Correlated Gaussian rows with a non-zero mean, `n×4`.
    fn correlated(n: usize, seed: u64) -> Array2<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let z = Array2::random_using((n, 4), StandardNormal, &mut rng);
        let mix = array![
            [2.0, 0.5, 0.0, 0.1],
            [0.0, 1.0, 0.3, 0.0],
            [0.0, 0.0, 0.5, 0.2],
            [0.0, 0.0, 0.0, 0.1]
        ];
        z.dot(&mix) + array![1.0, -2.0, 3.0, 0.5].view().insert_axis(Axis(0))
    }

    fn frobenius(a: &Array2<f64>) -> f64 {
        a.iter().map(|v| v * v).sum::<f64>().sqrt()
    }

    fn cov(x: &Array2<f64>) -> Array2<f64> {
        covariance(x.view()).unwrap()
    }

    #[test]
    fn covariance_matches_the_definition_entry_by_entry() {
        let x = correlated(30, 1);
        let (c, mean) = (cov(&x), x.mean_axis(Axis(0)).unwrap());
        for (i, j) in [(0, 0), (0, 1), (2, 3), (3, 3)] {
            let s: f64 = x
                .rows()
                .into_iter()
                .map(|r| (r[i] - mean[i]) * (r[j] - mean[j]))
                .sum();
            assert_abs_diff_eq!(c[[i, j]], s / 29.0, epsilon = 1e-12);
        }
        assert_abs_diff_eq!(c, c.t(), epsilon = 1e-14);
        let one_row = covariance(array![[1.0, 2.0]].view());
        assert!(matches!(one_row, Err(Error::Shape { .. })));
    }

    #[test]
    fn spectrum_equals_squared_singular_values_over_n_minus_one() {
        let x = correlated(40, 2);
        let spectrum = eigenvalue_spectrum(x.view()).unwrap();
        let from_svd = pca(x.view(), 4).unwrap().singular_values.mapv(|s| s * s / 39.0);
        assert_abs_diff_eq!(spectrum, from_svd, epsilon = 1e-10);
        assert!(spectrum.windows(2).into_iter().all(|w| w[0] >= w[1]));
    }

    #[test]
    fn whitened_covariance_is_the_identity() {
        let x = correlated(50, 3);
        let eye = Array2::eye(4);
        for method in [Whitening::Pca, Whitening::Zca] {
            let w = whiten(x.view(), method, 0.0).unwrap();
            assert_abs_diff_eq!(cov(&w.rows), eye, epsilon = 1e-10);
            assert_abs_diff_eq!(
                w.rows.mean_axis(Axis(0)).unwrap(),
                Array1::zeros(4),
                epsilon = 1e-12
            );
            // W C Wᵀ = I is the same fact stated on the transform itself.
            let wcw = w.matrix.dot(&cov(&x)).dot(&w.matrix.t());
            assert_abs_diff_eq!(wcw, eye, epsilon = 1e-10);
            // The stored transform maps the training rows to the whitened rows.
            assert_abs_diff_eq!(w.transform(x.view()).unwrap(), w.rows, epsilon = 1e-12);
            assert!(w.transform(array![[1.0, 2.0]].view()).is_err());
        }
    }

    #[test]
    fn zca_matrix_is_symmetric_and_pca_matrix_is_not() {
        let x = correlated(50, 4);
        let zca = whiten(x.view(), Whitening::Zca, 0.0).unwrap();
        assert_eq!(zca.matrix, zca.matrix.t());
        let pca_w = whiten(x.view(), Whitening::Pca, 0.0).unwrap();
        assert!(frobenius(&(&pca_w.matrix - &pca_w.matrix.t())) > 1e-3);
    }

    #[test]
    fn zca_output_is_the_whitening_closest_to_the_centred_data() {
        // Every whitening is Q·W_zca for an orthogonal Q; ZCA minimises ‖Y − X̃‖ over all of them.
        let x = correlated(60, 5);
        let (centred, _) = center(x.view());
        let zca = whiten(x.view(), Whitening::Zca, 0.0).unwrap();
        let pca_w = whiten(x.view(), Whitening::Pca, 0.0).unwrap();
        let best = frobenius(&(&zca.rows - &centred));
        assert!(best < frobenius(&(&pca_w.rows - &centred)));
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        for _ in 0..5 {
            let g = Array2::<f64>::random_using((4, 4), StandardNormal, &mut rng);
            let q = to_nalgebra(g.view()).qr().q();
            let rotated = zca.rows.dot(&Array2::from_shape_fn((4, 4), |(i, j)| q[(j, i)]));
            assert_abs_diff_eq!(cov(&rotated), Array2::eye(4), epsilon = 1e-10);
            assert!(best < frobenius(&(&rotated - &centred)));
        }
    }

    #[test]
    fn singular_covariance_needs_a_positive_eps() {
        // Three rows in four dimensions: rank at most 2 after centring.
        let x = correlated(3, 8);
        let white = |eps| whiten(x.view(), Whitening::Zca, eps);
        assert!(matches!(white(0.0), Err(Error::Numerical { .. })));
        assert!(white(1e-6).unwrap().rows.iter().all(|v| v.is_finite()));
        assert!(matches!(white(-1.0), Err(Error::Parameter { .. })));
        assert!(matches!(white(f64::NAN), Err(Error::Parameter { .. })));
    }

    #[test]
    fn all_but_the_top_output_is_centred_and_orthogonal_to_the_removed_directions() {
        let x = correlated(50, 9);
        let removed = pca(x.view(), 2).unwrap().components;
        let y = all_but_the_top(x.view(), 2).unwrap();
        assert_abs_diff_eq!(y.mean_axis(Axis(0)).unwrap(), Array1::zeros(4), epsilon = 1e-12);
        assert_abs_diff_eq!(y.dot(&removed.t()), Array2::zeros((50, 2)), epsilon = 1e-10);
        // What is left is exactly the variance on the remaining directions.
        let spectrum = eigenvalue_spectrum(x.view()).unwrap();
        let left = eigenvalue_spectrum(y.view()).unwrap();
        assert_abs_diff_eq!(left.sum(), spectrum[2] + spectrum[3], epsilon = 1e-10);
    }

    #[test]
    fn all_but_the_top_differs_from_pca_on_uncentred_data_when_the_mean_is_large() {
        // Variances 9, 4, 1, 1 on the axes; a mean of 20 along the last axis.
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        let z = Array2::<f64>::random_using((200, 4), StandardNormal, &mut rng);
        let x = z * array![3.0, 2.0, 1.0, 1.0].view().insert_axis(Axis(0))
            + array![0.0, 0.0, 0.0, 20.0].view().insert_axis(Axis(0));
        let right = all_but_the_top(x.view(), 1).unwrap();
        // The wrong order: top direction of the uncentred second moment XᵀX, removed from centred rows.
        let (_, e) = symmetric_eigen("test", x.t().dot(&x).view()).unwrap();
        let u = e.column(0);
        assert!(u[3].abs() > 0.99, "the uncentred top direction is the mean: {u}");
        let (centred, _) = center(x.view());
        let wrong = &centred - &centred.dot(&u).insert_axis(Axis(1)).dot(&u.insert_axis(Axis(0)));
        assert!(frobenius(&(&right - &wrong)) > 10.0);
        // The right result removed the high-variance axis 0; the wrong one kept it.
        let var0 = |m: &Array2<f64>| m.column(0).dot(&m.column(0)) / 199.0;
        assert!(var0(&right) < 0.5, "{}", var0(&right));
        assert!(var0(&wrong) > 5.0, "{}", var0(&wrong));
    }

    #[test]
    fn uncentred_variant_agrees_with_all_but_the_top_on_zero_mean_data() {
        // With a zero mean, XᵀX = (n − 1) C: both variants remove the same directions.
        let (x, _) = center(correlated(60, 12).view());
        let right = all_but_the_top(x.view(), 2).unwrap();
        let variant = all_but_the_top_uncentred(x.view(), 2).unwrap();
        assert_abs_diff_eq!(right, variant, epsilon = 1e-9);
        assert_eq!(
            all_but_the_top_uncentred(x.view(), 0).unwrap(),
            center(x.view()).0
        );
        assert!(matches!(
            all_but_the_top_uncentred(x.view(), 5),
            Err(Error::Parameter { .. })
        ));
    }

    #[test]
    fn uncentred_variant_spends_a_removal_on_the_mean_and_keeps_a_dominant_direction() {
        // Variances 16, 9, 4, 1, 1 on the axes; a mean of norm 20 along the last axis.
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        let z = Array2::<f64>::random_using((300, 5), StandardNormal, &mut rng);
        let x = z * array![4.0, 3.0, 2.0, 1.0, 1.0].view().insert_axis(Axis(0))
            + array![0.0, 0.0, 0.0, 0.0, 20.0].view().insert_axis(Axis(0));
        let variant = all_but_the_top_uncentred(x.view(), 2).unwrap();
        let right = all_but_the_top(x.view(), 2).unwrap();
        // The output is still centred, but only axis 0 was removed: axis 1 (variance 9) survives.
        assert_abs_diff_eq!(
            variant.mean_axis(Axis(0)).unwrap(),
            Array1::zeros(5),
            epsilon = 1e-10
        );
        let top_left = |m: &Array2<f64>| eigenvalue_spectrum(m.view()).unwrap()[0];
        assert!(top_left(&variant) > 6.0, "{}", top_left(&variant));
        assert!(top_left(&right) < 5.0, "{}", top_left(&right));
    }

    #[test]
    fn removing_nothing_centres_and_removing_too_much_is_refused() {
        let x = correlated(10, 11);
        assert_eq!(all_but_the_top(x.view(), 0).unwrap(), center(x.view()).0);
        assert!(matches!(
            all_but_the_top(x.view(), 5),
            Err(Error::Parameter { .. })
        ));
    }
}

//! Isotropy diagnostics of an embedding space: how uniformly its vectors point in all
//! directions. Raw embeddings usually share a large common direction, so random pairs
//! look similar (high mean cosine) and the partition-function isotropy score is near 0.

use ndarray::{Array1, ArrayView1, ArrayView2};
use rand::Rng;

use crate::error::{Error, Result};
use crate::math::similarity::{ZERO_NORM, row_norms};
use crate::math::whitening::symmetric_eigen;

/// Cosine similarities of `n_pairs` random pairs of distinct rows of `x`.
///
/// Rows with norm below [`ZERO_NORM`] are excluded before sampling (their cosine is
/// undefined). Each pair is drawn independently and uniformly among the ordered pairs
/// `(i, j)`, `i ≠ j`, of the remaining rows, so the same pair may appear more than once.
/// The draws consume `rng` in a fixed order: the result is deterministic for a seed.
///
/// # Errors
/// [`Error::Parameter`] when `n_pairs` is 0 or `x` has fewer than two non-zero rows.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use rand::SeedableRng;
/// let x = array![[1.0, 0.0], [0.0, 0.0], [3.0, 0.0]]; // the zero row is skipped
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let c = embspace::math::random_pair_cosines(x.view(), 5, &mut rng)?;
/// assert!(c.iter().all(|&v| v == 1.0));
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn random_pair_cosines(x: ArrayView2<f64>, n_pairs: usize, rng: &mut impl Rng) -> Result<Array1<f64>> {
    if n_pairs == 0 {
        return Err(Error::parameter("n_pairs", "must be at least 1"));
    }
    let norms = row_norms(x);
    let nonzero: Vec<usize> = norms
        .iter()
        .enumerate()
        .filter(|(_, n)| **n >= ZERO_NORM)
        .map(|(i, _)| i)
        .collect();
    let m = nonzero.len();
    if m < 2 {
        return Err(Error::parameter(
            "x",
            format!("needs at least two non-zero rows, has {m}"),
        ));
    }
    // Each pair's cosine from the rows and their norms: no normalised copy of
    // the table (a 100k-row table would be copied for 10 000 pairs).
    let cosines = (0..n_pairs).map(|_| {
        let i = rng.random_range(0..m);
        let j = rng.random_range(0..m - 1);
        let j = if j >= i { j + 1 } else { j };
        let (i, j) = (nonzero[i], nonzero[j]);
        (x.row(i).dot(&x.row(j)) / (norms[i] * norms[j])).clamp(-1.0, 1.0)
    });
    Ok(Array1::from_iter(cosines))
}

/// Summary of [`random_pair_cosines`]: the mean and spread of random-pair cosines.
///
/// A mean near 0 means no shared direction (isotropic); a mean near 1 means every
/// vector points roughly the same way (anisotropic).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Anisotropy {
    /// Mean cosine over the sampled pairs.
    pub mean: f64,
    /// Standard deviation of the sampled cosines (divisor `n_pairs`, 0 for a single pair).
    pub std: f64,
}

/// Mean and standard deviation of the cosines of `n_pairs` random pairs of distinct,
/// non-zero rows of `x` (see [`random_pair_cosines`] for the sampling).
///
/// # Errors
/// As [`random_pair_cosines`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// use rand::SeedableRng;
/// let x = array![[1.0, 0.1], [1.0, -0.1], [1.0, 0.0]];
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let a = embspace::math::anisotropy(x.view(), 100, &mut rng)?;
/// assert!(a.mean > 0.98 && a.std < 0.02);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn anisotropy(x: ArrayView2<f64>, n_pairs: usize, rng: &mut impl Rng) -> Result<Anisotropy> {
    let c = random_pair_cosines(x, n_pairs, rng)?;
    let mean = c.mean().expect("n_pairs >= 1");
    let std = c.std(0.0);
    Ok(Anisotropy { mean, std })
}

/// `log Σ exp(vᵢ)`, shifted by the maximum so that nothing overflows.
fn log_sum_exp(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = v.clone().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.map(|z| (z - m).exp()).sum::<f64>().ln()
}

/// Mu & Viswanath's (2018) isotropy score `I = min_c Z(c) / max_c Z(c)`, in `(0, 1]`.
///
/// `Z(c) = Σ_w exp(cᵀw)` is the partition function of the rows `w` of `x` (used raw,
/// not centred: a common mean is exactly what the score detects). The paper defines `I`
/// over all unit `c` and approximates it by letting `c` range over the eigenvectors
/// `u₁…u_d` of `XᵀX`. An eigenvector's sign is arbitrary and `Z(u) ≠ Z(−u)` in
/// general, so this evaluates **both** signs: `c ∈ {±u₁, …, ±u_d}` (`2d` values). This
/// makes the score independent of the solver's sign choice; implementations that use
/// one sign per eigenvector (whatever their solver returns) report a value at least
/// as large. `log Z(c)` is computed by log-sum-exp, so large norms cannot overflow, and
/// `I = exp(min log Z − max log Z)`.
///
/// The score is 1 for a perfectly isotropic set such as the rows `±eᵢ`, and near 0 when
/// the rows share a large mean. When `XᵀX` has repeated eigenvalues its eigenvectors
/// are only defined up to a rotation within each eigenspace, and the approximation
/// depends on the basis the solver picks there (the paper's approximation shares this).
/// A zero matrix scores 1 (`Z(c) = n` for every `c`).
///
/// # Errors
/// [`Error::Shape`] when `x` has no rows or no columns; [`Error::Numerical`] on
/// non-finite input or if the eigensolver fails.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let plus_minus = array![[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
/// assert!((embspace::math::isotropy_score(plus_minus.view())? - 1.0).abs() < 1e-12);
/// let shifted = plus_minus + 5.0;
/// assert!(embspace::math::isotropy_score(shifted.view())? < 1e-3);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn isotropy_score(x: ArrayView2<f64>) -> Result<f64> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(Error::shape(
            "isotropy_score",
            "at least 1 row and 1 column",
            format!("{:?}", x.dim()),
        ));
    }
    let (_, eigenvectors) = symmetric_eigen("isotropy_score", x.t().dot(&x).view())?;
    Ok(isotropy_score_along(x, eigenvectors.view()))
}

/// [`isotropy_score`] with `c` ranging over the given unit `directions`
/// (columns, both signs) instead of all eigenvectors of `XᵀX`: e.g. only the
/// leading ones, when a `d×d` eigendecomposition is too dear (`d` in the
/// thousands). The minimum over fewer directions is larger, so the score is
/// an upper bound on the one over all of them.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]] + 5.0;
/// let along_x = array![[1.0], [0.0]];
/// let score = embspace::math::isotropy_score_along(x.view(), along_x.view());
/// assert!((score - (-10.0f64).exp()).abs() < 1e-6); // Z(−x̂)/Z(x̂) ≈ e⁻⁵/e⁵
/// ```
pub fn isotropy_score_along(x: ArrayView2<f64>, directions: ArrayView2<f64>) -> f64 {
    let logits = x.dot(&directions); // column k holds uₖᵀw for every row w
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for col in logits.columns() {
        for log_z in [log_z(col, 1.0), log_z(col, -1.0)] {
            lo = lo.min(log_z);
            hi = hi.max(log_z);
        }
    }
    (lo - hi).exp()
}

/// `log Z(sign·u)` from the projections `uᵀw` of all rows.
fn log_z(projections: ArrayView1<f64>, sign: f64) -> f64 {
    log_sum_exp(projections.iter().map(move |&p| sign * p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::{Array2, Axis, array};
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// The rows `±eᵢ` of `ℝᵈ`: a perfectly isotropic set.
    fn plus_minus_basis(d: usize) -> Array2<f64> {
        let eye = Array2::<f64>::eye(d);
        ndarray::concatenate(Axis(0), &[eye.view(), (-&eye).view()]).unwrap()
    }

    fn gaussian(n: usize, d: usize, seed: u64) -> Array2<f64> {
        Array2::random_using((n, d), StandardNormal, &mut ChaCha8Rng::seed_from_u64(seed))
    }

    #[test]
    fn isotropy_of_plus_minus_basis_rows_is_one() {
        for d in [1, 2, 5, 16] {
            assert_abs_diff_eq!(
                isotropy_score(plus_minus_basis(d).view()).unwrap(),
                1.0,
                epsilon = 1e-12
            );
        }
    }

    #[test]
    fn isotropy_drops_below_a_tenth_after_adding_a_large_common_mean() {
        let d = 8;
        let mean = Array1::from_elem(d, 4.0 / (d as f64).sqrt()); // norm 4
        let shifted = plus_minus_basis(d) + mean.view().insert_axis(Axis(0));
        let score = isotropy_score(shifted.view()).unwrap();
        assert!(score < 0.1, "{score}");
        // Along the mean, Z(±m̂) ≈ n·exp(±4): the score is at most about exp(−8).
        assert!(score < (-7.0f64).exp(), "{score}");
    }

    #[test]
    fn isotropy_score_does_not_overflow_for_huge_norms() {
        // exp(1000) overflows f64; log-sum-exp does not.
        let big = plus_minus_basis(4) * 1000.0;
        assert_abs_diff_eq!(isotropy_score(big.view()).unwrap(), 1.0, epsilon = 1e-12);
        let shifted = big + 1.0;
        let score = isotropy_score(shifted.view()).unwrap();
        assert!(score.is_finite() && (0.0..1.0).contains(&score), "{score}");
    }

    #[test]
    fn isotropy_score_is_invariant_to_flipping_the_sign_of_all_rows() {
        // Z(c) for −X equals Z(−c) for X; with both signs evaluated the score cannot change.
        let x = gaussian(30, 5, 1) + 0.5;
        let a = isotropy_score(x.view()).unwrap();
        let b = isotropy_score((-&x).view()).unwrap();
        assert_abs_diff_eq!(a, b, epsilon = 1e-10);
        assert!(a > 0.0 && a <= 1.0);
    }

    #[test]
    fn isotropy_score_refuses_empty_input() {
        assert!(matches!(
            isotropy_score(Array2::zeros((0, 3)).view()),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(
            isotropy_score(Array2::zeros((3, 0)).view()),
            Err(Error::Shape { .. })
        ));
    }

    #[test]
    fn random_pair_mean_cosine_is_near_zero_for_isotropic_gaussians_and_large_when_shifted() {
        let x = gaussian(500, 50, 2);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let iso = anisotropy(x.view(), 2000, &mut rng).unwrap();
        // Cosines of independent Gaussians in d = 50 have sd ≈ 1/√50; the mean of 2000 is within ±0.02.
        assert!(iso.mean.abs() < 0.02, "{iso:?}");
        assert_abs_diff_eq!(iso.std, 50f64.sqrt().recip(), epsilon = 0.02);
        let shifted = x + 5.0; // ‖μ‖² = 1250 against a noise of 50: cos ≈ 1250/1300
        let aniso = anisotropy(shifted.view(), 2000, &mut rng).unwrap();
        assert!(aniso.mean > 0.9, "{aniso:?}");
    }

    #[test]
    fn random_pairs_are_deterministic_for_a_seed_and_distinct_rows() {
        let x = gaussian(5, 3, 4);
        let a = random_pair_cosines(x.view(), 50, &mut ChaCha8Rng::seed_from_u64(9)).unwrap();
        let b = random_pair_cosines(x.view(), 50, &mut ChaCha8Rng::seed_from_u64(9)).unwrap();
        assert_eq!(a, b);
        // A pair of a row with itself would give exactly 1; Gaussian rows never do.
        assert!(a.iter().all(|&c| (-1.0..1.0 - 1e-9).contains(&c)));
    }

    #[test]
    fn zero_rows_are_excluded_from_the_pairs() {
        // Only rows 0 and 3 are non-zero and they are parallel: every sampled cosine is 1, never 0.
        let x = array![[1.0, 2.0], [0.0, 0.0], [0.0, 0.0], [2.0, 4.0]];
        let c = random_pair_cosines(x.view(), 20, &mut ChaCha8Rng::seed_from_u64(5)).unwrap();
        assert_abs_diff_eq!(c, Array1::ones(20), epsilon = 1e-12);
    }

    #[test]
    fn too_few_rows_or_pairs_is_a_parameter_error() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let one = array![[1.0, 0.0], [0.0, 0.0]];
        assert!(matches!(
            random_pair_cosines(one.view(), 3, &mut rng),
            Err(Error::Parameter { .. })
        ));
        let two = array![[1.0, 0.0], [0.0, 1.0]];
        assert!(matches!(
            anisotropy(two.view(), 0, &mut rng),
            Err(Error::Parameter { .. })
        ));
    }
}

//! Semantic drift between two embedding spaces of the same vocabulary (two
//! training runs, two decades of text): per-row cosine drift, and the
//! orthogonal Procrustes alignment that must come first, because two
//! separately trained spaces agree at best up to a rotation.

use ndarray::{Array1, Array2, ArrayView2};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;
use rand::Rng;

use crate::error::{Error, Result};
use crate::math::pca::to_nalgebra;
use crate::math::similarity::normalize_rows;

/// The result of [`procrustes`].
#[derive(Debug, Clone, PartialEq)]
pub struct Procrustes {
    /// The orthogonal `d×d` matrix `R` minimising `‖source·R − target‖_F`
    /// (`RᵀR = I`, `det R = ±1`: reflections are allowed).
    pub rotation: Array2<f64>,
    /// The minimum itself, `‖source·R − target‖_F`.
    pub residual: f64,
}

fn same_shape(what: &'static str, a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<()> {
    if a.dim() != b.dim() {
        return Err(Error::shape(
            what,
            format!("{:?}", a.dim()),
            format!("{:?}", b.dim()),
        ));
    }
    Ok(())
}

/// Cosine drift `1 − cos(aᵢ, bᵢ)` between corresponding rows, in `[0, 2]`.
///
/// 0 means row `i` points the same way in both spaces, 1 orthogonal, 2
/// opposite. A zero row has cosine 0 with everything (see
/// [`crate::math::normalize_rows`]), so its drift is 1. Only meaningful when
/// both spaces share axes: align them with [`procrustes`] first.
///
/// # Errors
/// [`Error::Shape`] when `a` and `b` differ in shape.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let a = array![[1.0, 0.0], [0.0, 1.0]];
/// let b = array![[2.0, 0.0], [0.0, -1.0]];
/// assert_eq!(embspace::math::row_cosine_drift(a.view(), b.view())?, array![0.0, 2.0]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn row_cosine_drift(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array1<f64>> {
    same_shape("row_cosine_drift", a, b)?;
    let products = normalize_rows(a) * normalize_rows(b);
    Ok(products
        .sum_axis(ndarray::Axis(1))
        .mapv(|cos| 1.0 - cos.clamp(-1.0, 1.0)))
}

/// Orthogonal Procrustes: the orthogonal `R` minimising `‖source·R − target‖_F`.
///
/// With the SVD `sourceᵀ·target = U Σ Vᵀ` (from `nalgebra`), the minimiser is
/// `R = U Vᵀ` (Schönemann 1966). Both matrices are `n×d` with row `i` the same
/// word in both spaces. When `sourceᵀ·target` is rank-deficient (fewer than `d`
/// independent rows), `R` is one of several equally good minimisers.
///
/// # Errors
/// [`Error::Shape`] when the shapes differ; [`Error::Parameter`] when there
/// are no rows or no columns; [`Error::Numerical`] if the SVD does not converge.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let source = array![[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]];
/// let quarter_turn = array![[0.0, 1.0], [-1.0, 0.0]];
/// let p = embspace::math::procrustes(source.view(), source.dot(&quarter_turn).view())?;
/// assert!((&p.rotation - &quarter_turn).iter().all(|v| v.abs() < 1e-12));
/// assert!(p.residual < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn procrustes(source: ArrayView2<f64>, target: ArrayView2<f64>) -> Result<Procrustes> {
    same_shape("procrustes", source, target)?;
    if source.is_empty() {
        return Err(Error::parameter(
            "source",
            "needs at least one row and one column",
        ));
    }
    let rotation = procrustes_rotation(source.t().dot(&target).view())?;
    let residual = (source.dot(&rotation) - target).mapv(|v| v * v).sum().sqrt();
    Ok(Procrustes { rotation, residual })
}

/// The orthogonal Procrustes solution `R = U Vᵀ` from the cross-covariance
/// `cross = sourceᵀ·target = U Σ Vᵀ` (`d×d`) alone.
///
/// [`procrustes`] is this after one product; a caller with more rows than
/// memory for an `f64` copy accumulates `cross` over blocks of rows instead.
///
/// The SVD is nalgebra's, or above [`FAER_ABOVE`] dimensions, when the crate
/// is built with `analyze`, faer's: the same factorisation to round-off, on
/// every core, minutes faster at the sizes of LLM embeddings (see
/// ARCHITECTURE.md, "Procrustes at LLM sizes").
///
/// # Errors
/// [`Error::Shape`] unless `cross` is square; [`Error::Numerical`] if the SVD
/// does not converge.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let cross = array![[0.0, 2.0], [-3.0, 0.0]]; // sourceᵀ·target for a quarter turn
/// let r = embspace::math::procrustes_rotation(cross.view())?;
/// assert!((&r - &array![[0.0, 1.0], [-1.0, 0.0]]).iter().all(|v| v.abs() < 1e-12));
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn procrustes_rotation(cross: ArrayView2<f64>) -> Result<Array2<f64>> {
    Ok(procrustes_rotation_and_spectrum(cross)?.0)
}

/// [`procrustes_rotation`], and the singular values `Σ` of `cross` (in no
/// particular order): how firmly the rows determine each direction of the
/// rotation. One several orders of magnitude below the largest leaves its
/// direction to rounding.
///
/// # Errors
/// As [`procrustes_rotation`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let cross = array![[0.0, 2.0], [-3.0, 0.0]];
/// let (_, mut spectrum) = embspace::math::procrustes_rotation_and_spectrum(cross.view())?;
/// spectrum.sort_by(f64::total_cmp);
/// assert!((spectrum[0] - 2.0).abs() < 1e-12 && (spectrum[1] - 3.0).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn procrustes_rotation_and_spectrum(cross: ArrayView2<f64>) -> Result<(Array2<f64>, Vec<f64>)> {
    let d = cross.nrows();
    if cross.ncols() != d {
        return Err(Error::shape(
            "procrustes_rotation",
            "a square matrix",
            format!("{:?}", cross.dim()),
        ));
    }
    #[cfg(feature = "analyze")]
    if d > FAER_ABOVE {
        return faer_rotation(cross);
    }
    nalgebra_rotation(cross)
}

/// Above this many dimensions [`procrustes_rotation`] takes faer's SVD (when
/// built with `analyze`). Below it nalgebra's takes milliseconds, and every
/// demo stays below it, so the notebooks (built without faer) print the same
/// numbers as the report.
pub const FAER_ABOVE: usize = 128;

/// faer splits its parallel work into this many tasks whatever the number of
/// threads, so its round-off, and the output, do not depend on the machine.
#[cfg(feature = "analyze")]
const FAER_TASKS: usize = 8;

fn svd_failed() -> Error {
    Error::Numerical {
        what: "procrustes",
        reason: "the SVD did not converge".into(),
    }
}

fn nalgebra_rotation(cross: ArrayView2<f64>) -> Result<(Array2<f64>, Vec<f64>)> {
    let svd = to_nalgebra(cross)
        .try_svd(true, true, f64::EPSILON, 10_000)
        .ok_or_else(svd_failed)?;
    let u = svd.u.expect("u was requested");
    let v_t = svd.v_t.expect("v_t was requested");
    let r = u * v_t;
    let rotation = Array2::from_shape_fn(cross.dim(), |(i, j)| r[(i, j)]);
    Ok((rotation, svd.singular_values.iter().copied().collect()))
}

#[cfg(feature = "analyze")]
fn faer_rotation(cross: ArrayView2<f64>) -> Result<(Array2<f64>, Vec<f64>)> {
    use faer::diag::Diag;
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::svd::{ComputeSvdVectors, svd, svd_scratch};
    use faer::{Accum, Mat, MatMut, Par};

    let d = cross.nrows();
    let par = Par::rayon(FAER_TASKS);
    let m = Mat::from_fn(d, d, |i, j| cross[(i, j)]);
    let (mut s, mut u, mut v) = (
        Diag::<f64>::zeros(d),
        Mat::<f64>::zeros(d, d),
        Mat::<f64>::zeros(d, d),
    );
    let full = ComputeSvdVectors::Full;
    let mut scratch = MemBuffer::new(svd_scratch::<f64>(d, d, full, full, par, Default::default()));
    svd(
        m.as_ref(),
        s.as_mut(),
        Some(u.as_mut()),
        Some(v.as_mut()),
        par,
        MemStack::new(&mut scratch),
        Default::default(),
    )
    .map_err(|_| svd_failed())?;
    let mut r = Array2::<f64>::zeros((d, d));
    let out = MatMut::from_row_major_slice_mut(r.as_slice_mut().expect("a fresh array is contiguous"), d, d);
    faer::linalg::matmul::matmul(out, Accum::Replace, u.as_ref(), v.transpose(), 1.0, par);
    Ok((r, (0..d).map(|i| s[i]).collect()))
}

/// Map `source` into the target space: `source · R`.
///
/// # Errors
/// [`Error::Shape`] unless `rotation` is `d×d` for the `d` columns of `source`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let flip = array![[0.0, 1.0], [1.0, 0.0]];
/// assert_eq!(embspace::math::align(array![[1.0, 2.0]].view(), flip.view())?, array![[2.0, 1.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn align(source: ArrayView2<f64>, rotation: ArrayView2<f64>) -> Result<Array2<f64>> {
    let d = source.ncols();
    if rotation.dim() != (d, d) {
        return Err(Error::shape(
            "align rotation",
            format!("({d}, {d})"),
            format!("{:?}", rotation.dim()),
        ));
    }
    Ok(source.dot(&rotation))
}

/// A random `d×d` orthogonal matrix, uniformly distributed over all rotations
/// and reflections (the Haar measure on `O(d)`).
///
/// Computed as the `Q` factor of the QR decomposition of a matrix of
/// independent standard normals, with each column's sign chosen so that the
/// diagonal of `R` is positive: that QR is unique, and its `Q` is exactly
/// Haar-distributed (Mezzadri 2007). (`nalgebra` already returns `R` in that
/// form; the sign step keeps the guarantee whatever the QR convention.)
/// `QᵀQ = I` up to rounding, and `det Q = ±1` with equal probability.
///
/// Useful to build "the same space in other axes", as two training runs of
/// one model produce. `d = 0` gives an empty matrix. The same `rng` state
/// gives the same matrix.
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// use rand::SeedableRng;
/// let q = embspace::math::random_orthogonal(4, &mut rand_chacha::ChaCha8Rng::seed_from_u64(42));
/// let identity = q.t().dot(&q);
/// assert!((&identity - &Array2::<f64>::eye(4)).iter().all(|v| v.abs() < 1e-12));
/// ```
pub fn random_orthogonal(d: usize, rng: &mut impl Rng) -> Array2<f64> {
    let gaussian = Array2::<f64>::random_using((d, d), StandardNormal, rng);
    let qr = to_nalgebra(gaussian.view()).qr();
    let (q, r) = (qr.q(), qr.r());
    let sign = |j: usize| if r[(j, j)] < 0.0 { -1.0 } else { 1.0 };
    Array2::from_shape_fn((d, d), |(i, j)| sign(j) * q[(i, j)])
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

    fn gaussian(rng: &mut ChaCha8Rng, n: usize, d: usize) -> Array2<f64> {
        Array2::random_using((n, d), StandardNormal, rng)
    }

    fn det(m: &Array2<f64>) -> f64 {
        to_nalgebra(m.view()).determinant()
    }

    #[test]
    fn procrustes_recovers_a_random_rotation_or_reflection_exactly() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let source = gaussian(&mut rng, 40, 6);
        let mut q = random_orthogonal(6, &mut rng);
        for flip in [false, true] {
            if flip {
                q.column_mut(0).mapv_inplace(|v| -v); // det changes sign
            }
            let p = procrustes(source.view(), source.dot(&q).view()).unwrap();
            assert!(p.residual < 1e-9, "residual {}", p.residual);
            assert_abs_diff_eq!(p.rotation, q, epsilon = 1e-9);
            assert_abs_diff_eq!(p.rotation.t().dot(&p.rotation), Array2::eye(6), epsilon = 1e-12);
            assert_abs_diff_eq!(det(&p.rotation).abs(), 1.0, epsilon = 1e-12);
            assert_abs_diff_eq!(det(&p.rotation), det(&q), epsilon = 1e-9);
        }
    }

    #[test]
    fn random_orthogonal_is_orthogonal_and_covers_both_determinants() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut signs = [0usize; 2];
        for _ in 0..200 {
            let q = random_orthogonal(5, &mut rng);
            assert_abs_diff_eq!(q.t().dot(&q), Array2::eye(5), epsilon = 1e-12);
            assert_abs_diff_eq!(det(&q).abs(), 1.0, epsilon = 1e-12);
            signs[usize::from(det(&q) > 0.0)] += 1;
        }
        // Haar measure: rotations and reflections equally likely (binomial sd ≈ 7 of 100).
        assert!(signs.iter().all(|&n| (70..=130).contains(&n)), "{signs:?}");
        assert_eq!(random_orthogonal(0, &mut rng).dim(), (0, 0));
    }

    #[test]
    fn random_orthogonal_moves_a_fixed_vector_uniformly_over_the_sphere() {
        // Under the Haar measure Q·e₁ is uniform on the sphere, so every coordinate
        // has mean 0 and variance 1/d (a QR whose R may have negative diagonal
        // entries, left unfixed, can pin the sign of a coordinate and fail this).
        let (d, n) = (3, 6000);
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let mut sums = Array2::<f64>::zeros((2, d));
        for _ in 0..n {
            let column = random_orthogonal(d, &mut rng).column(0).to_owned();
            for k in 0..d {
                sums[[0, k]] += column[k];
                sums[[1, k]] += column[k] * column[k];
            }
        }
        for k in 0..d {
            assert_abs_diff_eq!(sums[[0, k]] / n as f64, 0.0, epsilon = 0.03);
            assert_abs_diff_eq!(sums[[1, k]] / n as f64, 1.0 / d as f64, epsilon = 0.02);
        }
    }

    #[cfg(feature = "analyze")]
    #[test]
    fn faer_and_nalgebra_give_the_same_rotation() {
        // Above FAER_ABOVE the SVD is faer's; nalgebra's is the reference. A
        // cross-covariance of full rank, then one of rank 100 < d: there the
        // minimiser is not unique, so compare what any minimiser must give,
        // orthogonality and the same fit.
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let d = FAER_ABOVE + 72;
        for rows in [3 * d, 100] {
            let source = gaussian(&mut rng, rows, d);
            let target = source.dot(&random_orthogonal(d, &mut rng)) + gaussian(&mut rng, rows, d) * 0.3;
            let cross = source.t().dot(&target);
            let ((fast, mut fast_spectrum), (reference, mut spectrum)) = (
                faer_rotation(cross.view()).unwrap(),
                nalgebra_rotation(cross.view()).unwrap(),
            );
            fast_spectrum.sort_by(f64::total_cmp);
            spectrum.sort_by(f64::total_cmp);
            let largest = spectrum[d - 1];
            for (a, b) in fast_spectrum.iter().zip(&spectrum) {
                assert_abs_diff_eq!(a, b, epsilon = 1e-12 * largest);
            }
            assert_abs_diff_eq!(fast.t().dot(&fast), Array2::eye(d), epsilon = 1e-12);
            let fit = |r: &Array2<f64>| (source.dot(r) - &target).mapv(|v| v * v).sum();
            assert_abs_diff_eq!(fit(&fast), fit(&reference), epsilon = 1e-9 * fit(&reference));
            if rows > d {
                assert_abs_diff_eq!(fast, reference, epsilon = 1e-11);
            }
            assert_eq!(procrustes_rotation(cross.view()).unwrap(), fast);
        }
    }

    #[test]
    fn procrustes_beats_every_other_orthogonal_map() {
        // The same noisy target: no orthogonal matrix fits better than the SVD solution.
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let source = gaussian(&mut rng, 25, 4);
        let target = source.dot(&random_orthogonal(4, &mut rng)) + gaussian(&mut rng, 25, 4) * 0.3;
        let best = procrustes(source.view(), target.view()).unwrap();
        let fit = |r: &Array2<f64>| (source.dot(r) - &target).mapv(|v| v * v).sum().sqrt();
        assert_abs_diff_eq!(best.residual, fit(&best.rotation), epsilon = 1e-12);
        assert!(best.residual <= fit(&Array2::eye(4)));
        for _ in 0..50 {
            assert!(best.residual <= fit(&random_orthogonal(4, &mut rng)) + 1e-12);
        }
    }

    #[test]
    fn a_rotated_copy_drifts_before_alignment_and_not_after() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let source = gaussian(&mut rng, 50, 8);
        let target = source.dot(&random_orthogonal(8, &mut rng));
        let before = row_cosine_drift(source.view(), target.view()).unwrap();
        assert!(
            before.mean().unwrap() > 0.5,
            "mean drift before {}",
            before.mean().unwrap()
        );
        let p = procrustes(source.view(), target.view()).unwrap();
        let after = row_cosine_drift(
            align(source.view(), p.rotation.view()).unwrap().view(),
            target.view(),
        )
        .unwrap();
        assert!(after.iter().all(|&v| v.abs() < 1e-12));
    }

    #[test]
    fn after_alignment_the_rows_that_really_moved_drift_the_most() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let source = gaussian(&mut rng, 60, 8);
        let mut target = source.dot(&random_orthogonal(8, &mut rng)) + gaussian(&mut rng, 60, 8) * 0.05;
        let moved = [5, 17, 42];
        for &i in &moved {
            let fresh = gaussian(&mut rng, 1, 8);
            target.row_mut(i).assign(&fresh.row(0));
        }
        let p = procrustes(source.view(), target.view()).unwrap();
        let drift = row_cosine_drift(
            align(source.view(), p.rotation.view()).unwrap().view(),
            target.view(),
        )
        .unwrap();
        let mut order: Vec<usize> = (0..60).collect();
        order.sort_by(|&a, &b| drift[b].total_cmp(&drift[a]));
        let mut top = order[..3].to_vec();
        top.sort();
        assert_eq!(top, moved);
    }

    #[test]
    fn drift_of_zero_rows_is_one_and_shapes_must_agree() {
        let drift = row_cosine_drift(array![[0.0, 0.0]].view(), array![[1.0, 0.0]].view()).unwrap();
        assert_eq!(drift, array![1.0]);
        let (a, b) = (Array2::<f64>::zeros((3, 2)), Array2::<f64>::zeros((2, 2)));
        assert!(matches!(
            row_cosine_drift(a.view(), b.view()),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(procrustes(a.view(), b.view()), Err(Error::Shape { .. })));
        let empty = Array2::<f64>::zeros((0, 2));
        assert!(matches!(
            procrustes(empty.view(), empty.view()),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            align(a.view(), Array2::<f64>::eye(3).view()),
            Err(Error::Shape { .. })
        ));
    }
}

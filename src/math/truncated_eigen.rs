//! The leading eigenpairs of a Gram matrix `XᵀX / s` without forming it:
//! block subspace iteration from a seeded random start (Halko, Martinsson &
//! Tropp 2011, Algorithm 4.4) with a Rayleigh–Ritz step each round.
//!
//! A full symmetric eigendecomposition of a `d×d` covariance is `O(d³)` (at
//! `d = 4096` nalgebra's takes minutes) and forming the covariance of `n`
//! rows is `n·d²`; when only the top `k` directions are needed, each round
//! here costs two products of `X` with a `d×l` block (`l = k` plus an
//! oversampling margin), `4·n·d·l` multiply-adds. Rounds stop when every
//! wanted pair's residual `‖Cv − λv‖` is below `tolerance · λ₁`; the
//! eigenvalues are then far more accurate than that (their error is of the
//! order of the squared residual over the gap to the next eigenvalue).
//!
//! Products run on every core in blocks of a fixed number of rows, so the
//! result does not depend on the number of threads.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, Axis, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::math::pca::to_nalgebra;
use crate::math::whitening::symmetric_eigen;

/// Rows of the left factor each product task takes: fixed, so the sums do
/// not depend on how many threads share the tasks.
const ROWS_PER_TASK: usize = 256;

/// Rows whose part of `Xᵀy` one task sums: fixed for the same reason, and
/// large, as each part is a `d×l` matrix kept until the parts are added.
const ROWS_PER_SUM: usize = 8192;

/// The knobs of [`leading_eigen`].
#[derive(Debug, Clone, PartialEq)]
pub struct TruncatedEigenParams {
    /// Extra directions iterated beyond the `k` wanted (they speed up convergence).
    pub oversample: usize,
    /// Stop when every checked residual `‖Cv − λv‖` is at most this times `λ₁`.
    pub tolerance: f64,
    /// How many leading pairs the tolerance applies to (`None`: all `k`);
    /// the others are returned as far as they got.
    pub checked: Option<usize>,
    /// Rounds at most (the result of the last round is returned).
    pub max_rounds: usize,
    /// Seed of the random start.
    pub seed: u64,
}

impl Default for TruncatedEigenParams {
    fn default() -> Self {
        TruncatedEigenParams {
            oversample: 16,
            tolerance: 1e-6,
            checked: None,
            max_rounds: 60,
            seed: 42,
        }
    }
}

/// The top eigenpairs [`leading_eigen`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct TruncatedEigen {
    /// The `k` largest eigenvalues, descending.
    pub values: Array1<f64>,
    /// Their unit eigenvectors as columns (`d×k`), each with its
    /// largest-magnitude entry positive.
    pub vectors: Array2<f64>,
    /// Rounds taken.
    pub rounds: usize,
    /// The largest residual `‖Cv − λv‖ / λ₁` over the checked pairs.
    pub residual: f64,
}

/// The `k` leading eigenpairs of `C = XᵀX / divisor` (`X` is `n×d`; for a
/// sample covariance pass centred rows and `n − 1`).
///
/// `start` columns, when given, begin the iteration (a warm start, e.g. the
/// directions of a related matrix); seeded Gaussian columns fill the rest.
///
/// # Errors
/// [`Error::Parameter`] when `k` is 0 or exceeds `min(n, d)`, or `divisor`
/// is not positive; [`Error::Numerical`] on non-finite input.
///
/// # Examples
/// ```
/// use embspace::math::{TruncatedEigenParams, leading_eigen};
/// use ndarray::array;
/// // Variance 4 along x, 1 along y, 0 along z (divisor 1).
/// let x = array![[2.0, 0.0, 0.0], [-2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, -1.0, 0.0]];
/// let top = leading_eigen(x.view(), 2.0, 1, None, &TruncatedEigenParams::default())?;
/// assert!((top.values[0] - 4.0).abs() < 1e-12);
/// assert!((top.vectors[[0, 0]] - 1.0).abs() < 1e-9);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn leading_eigen(
    x: ArrayView2<f64>,
    divisor: f64,
    k: usize,
    start: Option<ArrayView2<f64>>,
    params: &TruncatedEigenParams,
) -> Result<TruncatedEigen> {
    let (n, d) = x.dim();
    check_input(x, None, divisor, k)?;
    let rows = CentredRows { x, mean: None };
    let l = (k + params.oversample).min(n).min(d);
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut block = Array2::<f64>::random_using((d, l), StandardNormal, &mut rng);
    if let Some(start) = start {
        let m = start.ncols().min(l);
        block.slice_mut(s![.., ..m]).assign(&start.slice(s![.., ..m]));
    }
    let mut q = orthonormal(block.view());
    let mut rounds = 0;
    loop {
        rounds += 1;
        // Rayleigh–Ritz on span(Q): B = QᵀCQ = (XQ)ᵀ(XQ) / divisor.
        let y = rows.times(q.view());
        let b = y.t().dot(&y) / divisor;
        let (theta, s) = symmetric_eigen("leading_eigen", b.view())?;
        let ritz = q.dot(&s);
        // C·V = Xᵀ(XQ)S / divisor: the next block, and the residuals.
        let cv = rows.transposed_times(y.dot(&s).view()) / divisor;
        let scale = theta[0].abs().max(f64::MIN_POSITIVE);
        let residual = (0..params.checked.unwrap_or(k).min(k))
            .map(|i| {
                let r = &cv.column(i) - &(&ritz.column(i) * theta[i]);
                r.dot(&r).sqrt() / scale
            })
            .fold(0.0, f64::max);
        if residual <= params.tolerance || rounds >= params.max_rounds {
            let mut vectors = ritz.slice_move(s![.., ..k]);
            vectors.columns_mut().into_iter().for_each(largest_entry_positive);
            return Ok(TruncatedEigen {
                values: theta.slice_move(s![..k]),
                vectors,
                rounds,
                residual,
            });
        }
        q = orthonormal(cv.view());
    }
}

/// Columns of each block of [`leading_eigenvector`]'s Krylov basis: more
/// than one, so two nearly equal leading eigenvalues (a nearly isotropic
/// table) do not stall it.
const KRYLOV_BLOCK: usize = 8;

/// The leading eigenpair of `C = (X − 1μᵀ)ᵀ(X − 1μᵀ) / divisor` for rows of
/// any float type (an `f32` embedding matrix as it was read), centred on
/// `mean` on the fly when it is given — no `f64` or centred copy of `X`, only
/// blocks of its rows widened in turn — by block Krylov iteration: the
/// Rayleigh–Ritz step runs on the whole span of `Q, CQ, C²Q, …` (each block
/// orthogonalised twice against the ones before), not only on the newest
/// block. One product with `C` (two passes over the rows) per round, as there,
/// but the error falls with a Chebyshev polynomial of the round count instead
/// of a power of it: on MiniLM's 30 522 × 384 rows, 15 rounds of 8 columns
/// against 26 rounds of 17 for a residual below 10⁻¹¹.
/// `params.oversample` is not used; `params.max_rounds` bounds the rounds,
/// and the basis (8 columns a round) stops growing at `d` columns, where the
/// pair is exact.
///
/// # Errors
/// As [`leading_eigen`]; [`Error::Shape`] when `mean`'s length is not `d`.
///
/// # Examples
/// ```
/// use embspace::math::{TruncatedEigenParams, leading_eigenvector};
/// use ndarray::array;
/// let x = array![[-2.0f32, 5.0], [0.0, 5.1], [2.0, 4.9]];
/// let mean = array![0.0, 5.0];
/// let top = leading_eigenvector(x.view(), Some(mean.view()), 2.0, &TruncatedEigenParams::default())?;
/// assert!((top.vectors[[0, 0]] - 1.0).abs() < 1e-2);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn leading_eigenvector<T: Copy + Into<f64> + Sync>(
    x: ArrayView2<T>,
    mean: Option<ArrayView1<f64>>,
    divisor: f64,
    params: &TruncatedEigenParams,
) -> Result<TruncatedEigen> {
    let (n, d) = x.dim();
    check_input(x, mean, divisor, 1)?;
    let rows = CentredRows { x, mean };
    let width = KRYLOV_BLOCK.min(n).min(d);
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let start = Array2::<f64>::random_using((d, width), StandardNormal, &mut rng);
    let mut basis = orthonormal(start.view()); // d × m, orthonormal
    let mut images = Array2::<f64>::zeros((d, 0)); // C·basis
    let mut rounds = 0;
    loop {
        rounds += 1;
        let image = rows.gram_times(basis.slice(s![.., images.ncols()..])) / divisor;
        images = ndarray::concatenate(Axis(1), &[images.view(), image.view()]).expect("d rows each");
        // Rayleigh–Ritz on the whole basis: B = KᵀCK, symmetric up to rounding.
        let b = basis.t().dot(&images);
        let b = (&b + &b.t()) / 2.0;
        let (theta, s) = symmetric_eigen("leading_eigenvector", b.view())?;
        let top = s.column(0);
        let mut vector = basis.dot(&top);
        let cv = images.dot(&top);
        let residual = {
            let r = &cv - &(&vector * theta[0]);
            r.dot(&r).sqrt() / theta[0].abs().max(f64::MIN_POSITIVE)
        };
        let room = d - basis.ncols(); // 0: the basis spans everything, the pair is exact
        if residual <= params.tolerance || rounds >= params.max_rounds || room == 0 {
            largest_entry_positive(vector.view_mut());
            return Ok(TruncatedEigen {
                values: theta.slice_move(s![..1]),
                vectors: vector.insert_axis(Axis(1)),
                rounds,
                residual,
            });
        }
        // The next block: the image of the newest one, made orthogonal to the
        // basis twice (once loses orthogonality to rounding), then orthonormal.
        let mut next = image;
        for _ in 0..2 {
            next -= &basis.dot(&basis.t().dot(&next));
        }
        let next = orthonormal(next.slice(s![.., ..width.min(room)]));
        let next = &next - &basis.dot(&basis.t().dot(&next));
        basis = ndarray::concatenate(Axis(1), &[basis.view(), orthonormal(next.view()).view()])
            .expect("d rows each");
    }
}

/// The errors [`leading_eigen`] and [`leading_eigenvector`] return for their input.
fn check_input<T: Copy + Into<f64>>(
    x: ArrayView2<T>,
    mean: Option<ArrayView1<f64>>,
    divisor: f64,
    k: usize,
) -> Result<()> {
    let (n, d) = x.dim();
    if k == 0 || k > n.min(d) {
        return Err(Error::parameter(
            "k",
            format!(
                "must be between 1 and min(rows, columns) = {}, found {k}",
                n.min(d)
            ),
        ));
    }
    if divisor.is_nan() || divisor <= 0.0 {
        return Err(Error::parameter(
            "divisor",
            format!("must be positive, found {divisor}"),
        ));
    }
    if let Some(mean) = mean
        && mean.len() != d
    {
        return Err(Error::shape(
            "leading_eigen mean",
            format!("{d} values"),
            mean.len().to_string(),
        ));
    }
    if !x.iter().all(|&v| v.into().is_finite()) {
        return Err(Error::Numerical {
            what: "leading_eigen",
            reason: "the matrix has NaN or infinite entries".into(),
        });
    }
    Ok(())
}

/// Flips `vector`'s sign so that its largest-magnitude entry is positive:
/// one sign for an eigenvector, whatever the start.
fn largest_entry_positive(mut vector: ArrayViewMut1<f64>) {
    let pivot = vector
        .iter()
        .fold(0.0f64, |best, &v| if v.abs() > best.abs() { v } else { best });
    if pivot < 0.0 {
        vector.mapv_inplace(|v| -v);
    }
}

/// An orthonormal basis of the columns of `a` (thin QR, Householder).
fn orthonormal(a: ArrayView2<f64>) -> Array2<f64> {
    let q = to_nalgebra(a).qr().q();
    Array2::from_shape_fn((q.nrows(), q.ncols()), |(i, j)| q[(i, j)])
}

/// The rows `X` (any float type), less `mean` when given: the two products
/// the iteration needs, on every core, in blocks of rows widened to `f64`.
struct CentredRows<'a, T> {
    x: ArrayView2<'a, T>,
    mean: Option<ArrayView1<'a, f64>>,
}

impl<T: Copy + Into<f64> + Sync> CentredRows<'_, T> {
    /// Rows `rows` of `X`, as `f64`.
    fn widened(&self, rows: std::ops::Range<usize>) -> Array2<f64> {
        self.x.slice(s![rows, ..]).mapv(Into::into)
    }

    /// `(X − 1μᵀ)·b`: each task a block of output rows.
    fn times(&self, b: ArrayView2<f64>) -> Array2<f64> {
        let n = self.x.nrows();
        let mut out = Array2::<f64>::zeros((n, b.ncols()));
        let tasks: Vec<_> = out
            .axis_chunks_iter_mut(Axis(0), ROWS_PER_TASK)
            .enumerate()
            .collect();
        for_each_on_cores(tasks, |(task, mut out)| {
            let start = task * ROWS_PER_TASK;
            let rows = self.widened(start..start + out.nrows());
            general_mat_mul(1.0, &rows, &b, 0.0, &mut out);
        });
        if let Some(mean) = self.mean {
            out -= &mean.dot(&b);
        }
        out
    }

    /// `(X − 1μᵀ)ᵀ·y`: a sum over fixed chunks of rows, each chunk's part on
    /// one core and the parts added in chunk order, so the sum does not
    /// depend on the number of threads.
    fn transposed_times(&self, y: ArrayView2<f64>) -> Array2<f64> {
        let (n, d) = self.x.dim();
        let mut parts: Vec<Array2<f64>> = (0..n.div_ceil(ROWS_PER_SUM))
            .map(|_| Array2::zeros((d, y.ncols())))
            .collect();
        let tasks: Vec<_> = parts.iter_mut().enumerate().collect();
        for_each_on_cores(tasks, |(chunk, part)| {
            let chunk = chunk * ROWS_PER_SUM..n.min((chunk + 1) * ROWS_PER_SUM);
            for start in chunk.clone().step_by(ROWS_PER_TASK) {
                let end = chunk.end.min(start + ROWS_PER_TASK);
                let rows = self.widened(start..end);
                general_mat_mul(1.0, &rows.t(), &y.slice(s![start..end, ..]), 1.0, part);
            }
        });
        self.sum_parts(parts, y)
    }

    /// `(X − 1μᵀ)ᵀ(X − 1μᵀ)·b`, bit for bit `transposed_times(times(b))`
    /// (the same blocks, sums and order), in one pass over the rows: each
    /// block is read and widened once for both products. On a Qwen-sized
    /// table a pass is most of a round's time.
    fn gram_times(&self, b: ArrayView2<f64>) -> Array2<f64> {
        let (n, d) = self.x.dim();
        let shift = self.mean.map(|mean| mean.dot(&b));
        let mut y = Array2::<f64>::zeros((n, b.ncols()));
        let mut parts: Vec<Array2<f64>> = (0..n.div_ceil(ROWS_PER_SUM))
            .map(|_| Array2::zeros((d, b.ncols())))
            .collect();
        let tasks: Vec<_> = parts
            .iter_mut()
            .zip(y.axis_chunks_iter_mut(Axis(0), ROWS_PER_SUM))
            .enumerate()
            .collect();
        for_each_on_cores(tasks, |(chunk, (part, mut y))| {
            for (block, mut y) in y.axis_chunks_iter_mut(Axis(0), ROWS_PER_TASK).enumerate() {
                let start = chunk * ROWS_PER_SUM + block * ROWS_PER_TASK;
                let rows = self.widened(start..start + y.nrows());
                general_mat_mul(1.0, &rows, &b, 0.0, &mut y);
                if let Some(shift) = &shift {
                    y -= shift;
                }
                general_mat_mul(1.0, &rows.t(), &y, 1.0, part);
            }
        });
        self.sum_parts(parts, y.view())
    }

    /// `Σ parts` in chunk order, centred: minus `μ` times each column sum of `y`.
    fn sum_parts(&self, parts: Vec<Array2<f64>>, y: ArrayView2<f64>) -> Array2<f64> {
        let mut sum = parts
            .into_iter()
            .reduce(|sum, part| sum + part)
            .expect("at least one row");
        if let Some(mean) = self.mean {
            let column_sums = y.sum_axis(Axis(0));
            for (mut column, total) in sum.columns_mut().into_iter().zip(column_sums) {
                column.scaled_add(-total, &mean);
            }
        }
        sum
    }
}

/// Runs `work` on every task, the tasks shared out over the cores: each
/// thread takes the next task when it is free.
pub(crate) fn for_each_on_cores<W: Send>(tasks: Vec<W>, work: impl Fn(W) + Sync) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(tasks.len())
        .max(1);
    let next = std::sync::Mutex::new(tasks.into_iter());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let task = next.lock().expect("no task panics").next();
                    let Some(task) = task else { break };
                    work(task);
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use approx::assert_abs_diff_eq;

    use super::*;
    use crate::math::covariance;

    /// `n×d` rows `U diag(σ) Vᵀ` with orthonormal `U`, `V`: `XᵀX` has
    /// eigenvalues `σᵢ²` exactly, along the columns of `V`.
    fn known_spectrum(n: usize, d: usize, sigma: &[f64], seed: u64) -> (Array2<f64>, Array2<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let u = orthonormal(Array2::<f64>::random_using((n, sigma.len()), StandardNormal, &mut rng).view());
        let v = orthonormal(Array2::<f64>::random_using((d, sigma.len()), StandardNormal, &mut rng).view());
        let scaled = &u * &Array1::from(sigma.to_vec());
        (scaled.dot(&v.t()), v)
    }

    /// On a matrix whose spectrum is known (slowly decaying, as in trained
    /// embeddings: `σᵢ² = 1/(1 + i/10)`), the top 20 eigenvalues agree with
    /// the truth to 1e-9 relative and the vectors span the same directions.
    #[test]
    fn top_eigenvalues_match_a_known_spectrum() {
        let sigma: Vec<f64> = (0..200).map(|i| (1.0 / (1.0 + i as f64 / 10.0)).sqrt()).collect();
        let (x, v) = known_spectrum(1000, 300, &sigma, 1);
        let top = leading_eigen(x.view(), 1.0, 20, None, &TruncatedEigenParams::default()).unwrap();
        assert!(top.residual <= 1e-6, "{}", top.residual);
        for (i, &value) in top.values.iter().enumerate() {
            assert_abs_diff_eq!(value, sigma[i] * sigma[i], epsilon = 1e-9 * sigma[0] * sigma[0]);
            let cosine = top.vectors.column(i).dot(&v.column(i)).abs();
            assert_abs_diff_eq!(cosine, 1.0, epsilon = 1e-6);
        }
    }

    /// The same pairs as the exact solver on a sample covariance.
    #[test]
    fn it_agrees_with_the_exact_eigendecomposition_of_a_covariance() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let scales = Array1::from_iter((0..64).map(|j| 1.0 / (1.0 + j as f64)));
        let x = Array2::<f64>::random_using((500, 64), StandardNormal, &mut rng) * &scales;
        let centred = &x - &x.mean_axis(Axis(0)).unwrap();
        let (exact, axes) = symmetric_eigen("test", covariance(x.view()).unwrap().view()).unwrap();
        let top = leading_eigen(centred.view(), 499.0, 5, None, &TruncatedEigenParams::default()).unwrap();
        for i in 0..5 {
            assert_abs_diff_eq!(top.values[i], exact[i], epsilon = 1e-10 * exact[0]);
            assert_abs_diff_eq!(top.vectors.column(i), axes.column(i), epsilon = 1e-5);
        }
    }

    /// The one-pass product is the two passes' product, bit for bit, over
    /// more rows than one summing chunk, centred or not.
    #[test]
    fn one_pass_gram_product_equals_the_two_passes() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let x = (Array2::<f64>::random_using((ROWS_PER_SUM + 300, 17), StandardNormal, &mut rng) + 2.0)
            .mapv(|v| v as f32);
        let b = Array2::<f64>::random_using((17, 3), StandardNormal, &mut rng);
        let mean = x.mapv(f64::from).mean_axis(Axis(0)).unwrap();
        for mean in [None, Some(mean.view())] {
            let rows = CentredRows { x: x.view(), mean };
            let two = rows.transposed_times(rows.times(b.view()).view());
            assert_eq!(rows.gram_times(b.view()), two);
        }
    }

    /// `f32` rows centred on the fly give the leading pair of their
    /// explicitly centred `f64` copy, over more rows than one summing chunk.
    #[test]
    fn centring_on_the_fly_equals_centring_a_copy() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let scales = Array1::from_iter((0..24).map(|j| 1.0 / (1.0 + j as f64)));
        let x = (Array2::<f64>::random_using((ROWS_PER_SUM + 300, 24), StandardNormal, &mut rng) * &scales
            + 3.0)
            .mapv(|v| v as f32);
        let widened = x.mapv(f64::from);
        let mean = widened.mean_axis(Axis(0)).unwrap();
        let centred = &widened - &mean;
        let params = TruncatedEigenParams::default();
        let divisor = (x.nrows() - 1) as f64;
        let copy = leading_eigen(centred.view(), divisor, 1, None, &params).unwrap();
        let fly = leading_eigenvector(x.view(), Some(mean.view()), divisor, &params).unwrap();
        assert_abs_diff_eq!(fly.values[0], copy.values[0], epsilon = 1e-10 * copy.values[0]);
        assert_abs_diff_eq!(fly.vectors.column(0), copy.vectors.column(0), epsilon = 1e-6);
        let wrong = Array1::<f64>::zeros(23);
        assert!(leading_eigenvector(x.view(), Some(wrong.view()), divisor, &params).is_err());
    }

    /// Block Krylov finds the same leading pair as subspace iteration, in
    /// fewer rounds, and the exact one when the basis fills the space.
    #[test]
    fn the_krylov_leading_pair_equals_subspace_iteration_s() {
        let sigma: Vec<f64> = (0..200).map(|i| (1.0 / (1.0 + i as f64 / 10.0)).sqrt()).collect();
        let (x, v) = known_spectrum(3000, 300, &sigma, 5);
        let params = TruncatedEigenParams {
            tolerance: 1e-11,
            ..TruncatedEigenParams::default()
        };
        let krylov = leading_eigenvector(x.view(), None, 1.0, &params).unwrap();
        let subspace = leading_eigen(x.view(), 1.0, 1, None, &params).unwrap();
        assert!(krylov.residual <= 1e-11, "{}", krylov.residual);
        assert!(
            krylov.rounds < subspace.rounds,
            "{} against {}",
            krylov.rounds,
            subspace.rounds
        );
        assert_abs_diff_eq!(krylov.values[0], sigma[0] * sigma[0], epsilon = 1e-12);
        assert_abs_diff_eq!(
            krylov.vectors.column(0).dot(&v.column(0)).abs(),
            1.0,
            epsilon = 1e-12
        );
        // Six columns: the first block of 8 is cut to the space, and the pair is exact at once.
        let small = Array2::from_shape_fn((40, 6), |(i, j)| ((i * 7 + j * 3) % 11) as f64 - 5.0);
        let exact = leading_eigenvector(small.view(), None, 1.0, &params).unwrap();
        let (values, _) = symmetric_eigen("test", small.t().dot(&small).view()).unwrap();
        assert_eq!(exact.rounds, 1);
        assert_abs_diff_eq!(exact.values[0], values[0], epsilon = 1e-9 * values[0]);
    }

    #[test]
    fn a_warm_start_at_the_answer_converges_in_one_round() {
        let sigma = [3.0, 2.0, 1.0, 0.5];
        let (x, v) = known_spectrum(50, 10, &sigma, 3);
        let top = leading_eigen(x.view(), 1.0, 2, Some(v.view()), &TruncatedEigenParams::default()).unwrap();
        assert_eq!(top.rounds, 1);
        assert_abs_diff_eq!(top.values[1], 4.0, epsilon = 1e-12);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let x = Array2::<f64>::ones((3, 2));
        let params = TruncatedEigenParams::default();
        assert!(leading_eigen(x.view(), 1.0, 0, None, &params).is_err());
        assert!(leading_eigen(x.view(), 1.0, 3, None, &params).is_err());
        assert!(leading_eigen(x.view(), 0.0, 1, None, &params).is_err());
    }
}

//! Under-trained tokens: the weight-based indicators of Land & Bartolo
//! (2024), "Fishing for Magikarp: Automatically Detecting Under-trained
//! Tokens in Large Language Models" (EMNLP 2024, §2.2–2.3), as their reference
//! code (github.com/cohere-ai/magikarp, `magikarp/utils.py` and
//! `magikarp/model.py`) computes them.
//!
//! A token the model never saw keeps whatever the optimiser left in its row:
//! its initialisation, shrunk by weight decay, plus the push every output row
//! gets towards a low logit. So its row looks like the rows of tokens known to
//! be unused. Two indicators, low meaning under-trained:
//!
//! - **input-embedding norm** `‖Eᵢ‖` (untied models, magikarp's `E_{in} L2
//!   Norm`): an input row only moves when its token is read;
//! - **cosine distance to the unused mean** (the output, or tied, matrix `U`):
//!   remove the first principal component `u₁` of `U` from every row,
//!   `U' = U − (U u₁) u₁ᵀ` (the component is found on the centred rows, as
//!   scikit-learn's `PCA` finds it, and removed from the raw rows), take the
//!   mean `m'` of the reference unused rows of `U'`, and score each row by
//!   `1 − U'ᵢ·m' / max(‖U'ᵢ‖ ‖m'‖, 10⁻⁶)` (the `10⁻⁶` clip is theirs, for
//!   zero rows). The first component is removed because training gives every
//!   output row a shared direction (the residual stream's constant vector that
//!   pushes unused logits down), which would otherwise dominate the cosine.
//!
//! The paper gives no threshold on the indicator itself: it verifies, by
//! prompting, the tokens among the lowest [`CANDIDATE_PERCENTILE`] % of the
//! indicator (magikarp's `DEFAULT_THRESHOLD_PERCENTILE = 2.0`, through
//! `numpy.percentile`, then every token at or below it). Here the percentile
//! is taken over the rows outside the reference set: magikarp takes it over the
//! tokens that survive its tokenizer round trip, which the unused ones never do.

use ndarray::{Array1, ArrayView1, ArrayView2, Axis};

use super::stats::percentile;
use super::truncated_eigen::{TruncatedEigenParams, leading_eigenvector};
use crate::error::{Error, Result};

/// The share of rows, in percent, with the lowest indicator that the paper
/// verifies as candidates (§2.3; magikarp's `DEFAULT_THRESHOLD_PERCENTILE`).
pub const CANDIDATE_PERCENTILE: f64 = 2.0;

/// magikarp's floor on `‖U'ᵢ‖ ‖m'‖` in the cosine distance, so a zero row has
/// distance 1 instead of NaN.
pub const COSINE_FLOOR: f64 = 1e-6;

/// The first principal component's residual `‖Cu − λu‖ / λ`: its direction
/// is then good to about this over the relative gap to the second eigenvalue,
/// so the indicator equals the one from an exact SVD to ~1e-11
/// (`scripts/check_undertrained_minilm.sh` holds it to 1e-9; a residual of
/// 1e-8 left 2e-9). MiniLM's tied matrix takes 15 rounds.
const PC_TOLERANCE: f64 = 1e-11;

/// Which indicator ranks the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// `‖Eᵢ‖` of the input embedding.
    InputNorm,
    /// The cosine distance to the mean reference row after removing the first
    /// principal component, on the output (or tied) matrix.
    UnusedDistance,
}

/// Both cosine distances to the mean of the reference rows, one per row.
#[derive(Debug, Clone, PartialEq)]
pub struct UnusedDistances {
    /// The first principal component `u₁` removed (unit length; its sign is
    /// the eigensolver's, which no distance depends on).
    pub first_component: Array1<f64>,
    /// `1 − cos(U'ᵢ, m')`, the paper's indicator (magikarp's
    /// `cosine_distance_without_first_pc`).
    pub without_first_component: Array1<f64>,
    /// `1 − cos(Uᵢ, m)` on the raw rows (magikarp's `cosine_distance`, the one
    /// its reports rank tied models by).
    pub raw: Array1<f64>,
}

/// The indicators of every row, the ranking and the paper's candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct Undertrained {
    /// The indicator the ranking uses.
    pub indicator: Indicator,
    /// `‖Eᵢ‖` of every input row.
    pub input_norms: Array1<f64>,
    /// The distances, when there were reference rows (on the output matrix
    /// when one was given, else on the input matrix).
    pub distances: Option<UnusedDistances>,
    /// Why an untied model's output matrix gave no distances although there
    /// were reference rows (too few rows, say); its ranking by input norm
    /// does not need them.
    pub distances_not_computed: Option<String>,
    /// The ranking indicator of every row.
    pub values: Array1<f64>,
    /// The rows outside the reference set, lowest indicator first (ties by row).
    pub ranking: Vec<usize>,
    /// The [`CANDIDATE_PERCENTILE`]-th percentile of the indicator over the
    /// rows outside the reference set.
    pub threshold: f64,
    /// How many rows of [`Undertrained::ranking`] are at or below the
    /// threshold: the paper's candidates are `ranking[..candidates]`.
    pub candidates: usize,
}

/// `‖xᵢ‖` of every row, accumulated in `f64`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let norms = embspace::math::input_norms(array![[3.0f32, 4.0], [0.0, 0.0]].view());
/// assert_eq!(norms, array![5.0, 0.0]);
/// ```
pub fn input_norms<T: Copy + Into<f64> + Sync>(x: ArrayView2<T>) -> Array1<f64> {
    x.rows()
        .into_iter()
        .map(|row| row.iter().map(|&v| v.into().powi(2)).sum::<f64>().sqrt())
        .collect()
}

/// The first principal component of the rows of `x`: the leading eigenvector
/// of their sample covariance (the rows centred), as scikit-learn's
/// `PCA(n_components=1)` finds it. Found by block Krylov iteration on the
/// rows themselves ([`leading_eigenvector`]), centred on the fly: no `d × d`
/// covariance (`n d²` to form, `O(d³)` to decompose: minutes at `d = 4096`)
/// and no `f64` copy of `x`; each round is two passes over the rows.
///
/// # Errors
/// [`Error::Shape`] when `x` has fewer than 2 rows or no columns;
/// [`Error::Numerical`] when the eigensolver fails.
///
/// # Examples
/// ```
/// use ndarray::array;
/// // Spread along x, offset along y: the component is x, whatever the offset.
/// let x = array![[-2.0, 5.0], [0.0, 5.1], [2.0, 4.9]];
/// let u = embspace::math::first_principal_component(x.view())?;
/// assert!((u[0].abs() - 1.0).abs() < 1e-2 && u[1].abs() < 0.1);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn first_principal_component<T: Copy + Into<f64> + Sync>(x: ArrayView2<T>) -> Result<Array1<f64>> {
    let (n, d) = x.dim();
    if n < 2 || d == 0 {
        return Err(Error::shape(
            "first_principal_component",
            "at least 2 rows and 1 column",
            format!("{n}×{d}"),
        ));
    }
    let mut mean = Array1::<f64>::zeros(d);
    for row in x.rows() {
        mean.zip_mut_with(&row, |m, &v| *m += v.into());
    }
    mean /= n as f64;
    let params = TruncatedEigenParams {
        tolerance: PC_TOLERANCE,
        ..TruncatedEigenParams::default()
    };
    let top = leading_eigenvector(x, Some(mean.view()), (n - 1) as f64, &params)?;
    Ok(top.vectors.column(0).to_owned())
}

/// The cosine distances of every row of `x` to the mean of its `reference`
/// rows, raw and after removing the first principal component (see the
/// module docs; magikarp's `embedding_distance_metrics`).
///
/// # Errors
/// [`Error::Parameter`] when `reference` is empty or names a row outside
/// `x`; [`Error::Shape`] when `x` has no more rows than columns (magikarp
/// asserts the same: a principal component of fewer rows than dimensions
/// says little); what [`first_principal_component`] returns.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[1.0, 0.0, 0.1], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.1, 0.0, 1.0], [0.0, 0.2, 0.9]];
/// let d = embspace::math::unused_distances(x.view(), &[0])?;
/// assert!(d.raw[0].abs() < 1e-12); // the reference row itself
/// assert!(d.raw[1] < d.raw[2]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn unused_distances<T: Copy + Into<f64> + Sync>(
    x: ArrayView2<T>,
    reference: &[usize],
) -> Result<UnusedDistances> {
    let (n, d) = x.dim();
    if reference.is_empty() {
        return Err(Error::parameter("reference", "needs at least one reference row"));
    }
    if let Some(&row) = reference.iter().find(|&&r| r >= n) {
        return Err(Error::parameter(
            "reference",
            format!("row {row} is outside the {n} rows"),
        ));
    }
    if n <= d {
        return Err(Error::shape(
            "unused_distances",
            format!("more rows than the {d} dimensions"),
            format!("{n} rows"),
        ));
    }
    let u = first_principal_component(x)?;
    let mut mean = Array1::<f64>::zeros(d);
    for &r in reference {
        mean.zip_mut_with(&x.row(r), |m, &v| *m += v.into());
    }
    mean /= reference.len() as f64;
    // The mean of the rows without u₁ is the mean without u₁.
    let mean_without = &mean - &(mean.dot(&u) * &u);
    let (mean_norm, mean_without_norm) = (norm(mean.view()), norm(mean_without.view()));
    let mut raw = Array1::zeros(n);
    let mut without = Array1::zeros(n);
    for (i, row) in x.rows().into_iter().enumerate() {
        let (mut squared, mut along_u, mut dot_mean, mut dot_without) = (0.0, 0.0, 0.0, 0.0);
        for (j, &v) in row.iter().enumerate() {
            let v: f64 = v.into();
            squared += v * v;
            along_u += v * u[j];
            dot_mean += v * mean[j];
            dot_without += v * mean_without[j];
        }
        // Uᵢ' = Uᵢ − (Uᵢ·u₁) u₁: Uᵢ'·m' = Uᵢ·m' (m' ⟂ u₁) and ‖Uᵢ'‖² = ‖Uᵢ‖² − (Uᵢ·u₁)².
        let row_without_norm = (squared - along_u * along_u).max(0.0).sqrt();
        raw[i] = 1.0 - dot_mean / (squared.sqrt() * mean_norm).max(COSINE_FLOOR);
        without[i] = 1.0 - dot_without / (row_without_norm * mean_without_norm).max(COSINE_FLOOR);
    }
    Ok(UnusedDistances {
        first_component: u,
        without_first_component: without,
        raw,
    })
}

fn norm(v: ArrayView1<f64>) -> f64 {
    v.dot(&v).sqrt()
}

/// Ranks the rows of a model's embeddings by how under-trained they look.
///
/// `input` is the input embedding; `output` the output matrix (LM head) of an
/// untied model, `None` for a tied model or a lone table. `reference` lists
/// rows known to be unused. The indicator follows magikarp's `ModelAnalyzer`:
/// with an output matrix, the input norm (the distances on the output matrix
/// are computed beside it when there are reference rows); without one, the
/// distance after removing the first component when there are reference rows,
/// else the input norm, which the paper does not propose for tied models
/// (magikarp refuses a tied model without reference rows): the caller says so.
///
/// # Errors
/// [`Error::Shape`] when `output` has another number of rows than `input`, or
/// when fewer than one row lies outside the reference set; what
/// [`unused_distances`] returns on a tied matrix (an untied model's output
/// matrix that gives none leaves its reason in
/// [`Undertrained::distances_not_computed`]).
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// use embspace::math::{Indicator, undertrained_tokens};
/// // Rows 0 and 1 kept a tiny shared initial vector; the rest were trained.
/// let x = Array2::from_shape_fn((40, 3), |(i, j)| {
///     if i < 2 { 0.01 } else { ((i * 7 + j * 13) % 11) as f64 - 5.0 }
/// });
/// let found = undertrained_tokens(x.view(), None, &[])?;
/// assert_eq!(found.indicator, Indicator::InputNorm);
/// assert_eq!(&found.ranking[..2], &[0, 1]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn undertrained_tokens<T: Copy + Into<f64> + Sync>(
    input: ArrayView2<T>,
    output: Option<ArrayView2<T>>,
    reference: &[usize],
) -> Result<Undertrained> {
    if let Some(output) = output
        && output.nrows() != input.nrows()
    {
        return Err(Error::shape(
            "undertrained_tokens",
            format!("an output matrix of {} rows, one per input row", input.nrows()),
            format!("{} rows", output.nrows()),
        ));
    }
    let input_norms = input_norms(input);
    let (distances, distances_not_computed) = match (reference.is_empty(), output) {
        (true, _) => (None, None),
        (false, Some(output)) => match unused_distances(output, reference) {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(e.to_string())),
        },
        (false, None) => (Some(unused_distances(input, reference)?), None),
    };
    let (indicator, values) = match (&distances, output) {
        (Some(d), None) => (Indicator::UnusedDistance, d.without_first_component.clone()),
        _ => (Indicator::InputNorm, input_norms.clone()),
    };
    let mut is_reference = vec![false; input.nrows()];
    for &r in reference {
        is_reference[r] = true;
    }
    let mut ranking: Vec<usize> = (0..input.nrows()).filter(|&r| !is_reference[r]).collect();
    if ranking.is_empty() {
        return Err(Error::shape(
            "undertrained_tokens",
            "at least one row outside the reference set",
            "none",
        ));
    }
    ranking.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let ranked = values.select(Axis(0), &ranking);
    let threshold = percentile(ranked.view(), CANDIDATE_PERCENTILE)?;
    let candidates = ranked.iter().take_while(|&&v| v <= threshold).count();
    Ok(Undertrained {
        indicator,
        input_norms,
        distances,
        distances_not_computed,
        values,
        ranking,
        threshold,
        candidates,
    })
}

#[cfg(test)]
mod tests {
    use approx::assert_abs_diff_eq;
    use ndarray::{Array2, array};
    use ndarray_rand::rand_distr::{Distribution, Normal};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::math::{covariance, pca, symmetric_eigen};

    /// A planted matrix: `n` rows of dimension `d`. Trained rows carry a strong
    /// token-specific structure and some of a shared constant direction; the
    /// rows in `untrained` keep a small random initialisation, minus `push`
    /// times the constant direction: 0 for an input row (read by nothing, so
    /// never moved), 2 for an output row, which every step pushes towards a low
    /// logit along the constant direction.
    fn planted(n: usize, d: usize, untrained: &[usize], push: f64, seed: u64) -> Array2<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let init = Normal::new(0.0, 0.02).unwrap();
        let trained = Normal::new(0.0, 1.0).unwrap();
        let constant: Array1<f64> = (0..d).map(|j| if j % 2 == 0 { 1.0 } else { -0.5 }).collect();
        Array2::from_shape_fn((n, d), |(i, j)| {
            if untrained.contains(&i) {
                init.sample(&mut rng) - push * constant[j]
            } else {
                trained.sample(&mut rng) * (1.0 + (j % 3) as f64) + 0.5 * constant[j] * rng.random::<f64>()
            }
        })
    }

    #[test]
    fn rows_left_at_their_initialisation_rank_first_by_every_indicator() {
        let untrained: Vec<usize> = vec![3, 17, 40, 41, 77, 150, 151, 152, 199, 250];
        let (input, output) = (
            planted(300, 16, &untrained, 0.0, 42),
            planted(300, 16, &untrained, 2.0, 7),
        );
        let sorted_head = |ranking: &[usize], k: usize| {
            let mut head = ranking[..k].to_vec();
            head.sort_unstable();
            head
        };
        // Tied: half the untrained rows are the reference; the other half must lead the ranking.
        let (reference, held_out) = (&untrained[..5], &untrained[5..]);
        let tied = undertrained_tokens(output.view(), None, reference).unwrap();
        assert_eq!(tied.indicator, Indicator::UnusedDistance);
        assert_eq!(sorted_head(&tied.ranking, 5), held_out);
        // An input matrix without a reference: the norm finds all ten.
        let by_norm = undertrained_tokens(input.view(), None, &[]).unwrap();
        assert_eq!(by_norm.indicator, Indicator::InputNorm);
        assert_eq!(sorted_head(&by_norm.ranking, 10), untrained);
        // Untied: the input norm ranks; the distances on the output matrix, kept
        // beside it, put the held-out rows below every trained row too.
        let untied = undertrained_tokens(input.view(), Some(output.view()), reference).unwrap();
        assert_eq!(untied.indicator, Indicator::InputNorm);
        assert_eq!(untied.values, untied.input_norms);
        assert_eq!(sorted_head(&untied.ranking, 5), held_out);
        let on_output = &untied.distances.as_ref().unwrap().without_first_component;
        let worst_held_out = held_out.iter().map(|&r| on_output[r]).fold(f64::MIN, f64::max);
        let trained_best = (0..300)
            .filter(|r| !untrained.contains(r))
            .map(|r| on_output[r])
            .fold(f64::MAX, f64::min);
        assert!(worst_held_out < trained_best, "{worst_held_out} ≥ {trained_best}");
    }

    #[test]
    fn the_candidates_are_the_rows_at_or_below_the_second_percentile() {
        let x = planted(500, 8, &[1, 2, 3], 2.0, 3);
        let found = undertrained_tokens(x.view(), None, &[1]).unwrap();
        let others: Vec<f64> = found.ranking.iter().map(|&r| found.values[r]).collect();
        let threshold = percentile(Array1::from(others.clone()).view(), 2.0).unwrap();
        assert_eq!(found.threshold, threshold);
        // 499 rows: numpy's position (499 − 1)·0.02 = 9.96, so 10 rows lie at or below it.
        assert_eq!(found.candidates, 10);
        assert!(others.windows(2).all(|w| w[0] <= w[1]), "ranked ascending");
        assert!(!found.ranking.contains(&1), "reference rows are not ranked");
    }

    #[test]
    fn the_first_component_is_the_leading_eigenvector_of_the_covariance() {
        let x = planted(400, 6, &[0, 1, 2], 2.0, 9);
        let u = first_principal_component(x.view()).unwrap();
        let (values, vectors) = symmetric_eigen("test", covariance(x.view()).unwrap().view()).unwrap();
        assert!(values[0] > values[1] * 1.01, "a clear leading direction");
        let agreement = u.dot(&vectors.column(0)).abs();
        assert_abs_diff_eq!(agreement, 1.0, epsilon = 1e-12);
        // pca() (an SVD of the centred rows) finds the same direction.
        let by_svd = pca(x.view(), 1).unwrap().components.row(0).to_owned();
        assert_abs_diff_eq!(u.dot(&by_svd).abs(), 1.0, epsilon = 1e-9);
        // Past one summing chunk (8 192 rows), wider than the iteration's block, and in f32:
        // the same direction as the exact eigenvector of the f32 rows' covariance.
        let long = planted(9000, 40, &[], 2.0, 9).mapv(|v| v as f32);
        let widened = long.mapv(f64::from);
        let (_, exact) = symmetric_eigen("test", covariance(widened.view()).unwrap().view()).unwrap();
        let found = first_principal_component(long.view()).unwrap();
        assert_abs_diff_eq!(found.dot(&exact.column(0)).abs(), 1.0, epsilon = 1e-12);
    }

    #[test]
    fn distances_equal_the_definition_on_an_explicit_copy_without_the_component() {
        let x = planted(120, 5, &[4, 5, 6], 2.0, 11);
        let reference = [4, 6];
        let d = unused_distances(x.view(), &reference).unwrap();
        let u = &d.first_component;
        let projected = &x - &(x.dot(u).insert_axis(Axis(1)) * u.view().insert_axis(Axis(0)));
        let mean = (&projected.row(4) + &projected.row(6)) / 2.0;
        for i in [0, 5, 50, 119] {
            let row = projected.row(i);
            let cosine = row.dot(&mean) / (norm(row) * norm(mean.view()));
            assert_abs_diff_eq!(d.without_first_component[i], 1.0 - cosine, epsilon = 1e-12);
        }
        // A zero row is clipped to distance 1, as magikarp's `clip(min=1e-6)` makes it.
        let mut with_zero = x.clone();
        with_zero.row_mut(7).fill(0.0);
        let d = unused_distances(with_zero.view(), &reference).unwrap();
        assert_eq!((d.raw[7], d.without_first_component[7]), (1.0, 1.0));
    }

    #[test]
    fn f32_tables_give_the_f64_values() {
        let x = planted(200, 6, &[0, 1], 2.0, 5);
        let narrow = x.mapv(|v| v as f32);
        let wide = narrow.mapv(f64::from);
        let a = undertrained_tokens(narrow.view(), None, &[0]).unwrap();
        let b = undertrained_tokens(wide.view(), None, &[0]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn degenerate_input_is_an_error_not_a_panic() {
        let x = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
        assert!(matches!(
            unused_distances(x.view(), &[]),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            unused_distances(x.view(), &[3]),
            Err(Error::Parameter { .. })
        ));
        let wide = Array2::<f64>::eye(3);
        assert!(matches!(
            unused_distances(wide.view(), &[0]),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(
            undertrained_tokens(x.view(), None, &[0, 1, 2]),
            Err(Error::Shape { .. })
        ));
        let short = array![[1.0, 0.0]];
        assert!(matches!(
            undertrained_tokens(x.view(), Some(short.view()), &[]),
            Err(Error::Shape { .. })
        ));
        assert!(first_principal_component(short.view()).is_err());
    }
}

//! Count-based word vectors: windowed co-occurrence counts, pointwise mutual
//! information (PMI and positive PMI) and truncated-SVD embeddings of a PPMI matrix.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::{Error, Result};
use crate::math::pca::to_nalgebra;

/// How much a co-occurrence at distance `δ` (1 = adjacent) adds to the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceWeighting {
    /// `1/δ`, as in GloVe: near neighbours count more.
    Harmonic,
    /// `1` for every distance inside the window, as in word2vec with a fixed window.
    Uniform,
}

/// Context-distribution smoothing exponent that leaves PMI unsmoothed.
pub const DEFAULT_CONTEXT_SMOOTHING: f64 = 1.0;

/// Eigenvalue weighting `p` of [`ppmi_svd_embeddings`] suggested by Levy, Goldberg & Dagan (2015).
pub const DEFAULT_EIGENVALUE_WEIGHT: f64 = 0.5;

/// Symmetric windowed co-occurrence counts `X` (`V×V`) of a token-id stream.
///
/// Every pair of positions `s < t` with `t − s = δ ≤ window` adds the weight of
/// `δ` to both `X[a, b]` and `X[b, a]` (`a`, `b` the ids at `s` and `t`), so `X`
/// is symmetric, a word repeated within the window adds twice the weight to its
/// diagonal entry, and
/// `Σ X = 2 Σ_{δ=1..window} (n − δ)·weight(δ)` for a stream of `n ≥ window` tokens.
/// The window crosses sentence boundaries (the stream has none).
/// Fewer than two tokens give a zero matrix.
///
/// # Errors
/// [`Error::Parameter`] when `window` is 0; [`Error::OutOfRange`] when an id is `>= vocab_size`.
///
/// # Examples
/// ```
/// use embspace::math::{DistanceWeighting, cooccurrence_matrix};
/// let x = cooccurrence_matrix(&[0, 1, 2], 3, 2, DistanceWeighting::Harmonic)?;
/// assert_eq!((x[[0, 1]], x[[0, 2]], x[[2, 0]]), (1.0, 0.5, 0.5));
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn cooccurrence_matrix(
    ids: &[usize],
    vocab_size: usize,
    window: usize,
    weighting: DistanceWeighting,
) -> Result<Array2<f64>> {
    if window == 0 {
        return Err(Error::parameter("window", "must be at least 1"));
    }
    if let Some(&bad) = ids.iter().find(|&&id| id >= vocab_size) {
        return Err(Error::OutOfRange {
            what: "token id",
            index: bad,
            len: vocab_size,
        });
    }
    // Every entry written before the counts are added: `zeros` would hand
    // back untouched pages from `calloc`, and adding into one first maps the
    // shared zero page for the read, then faults again to copy it for the
    // write, flushing every core's TLB (about 2% of a report's CPU).
    // `black_box` keeps the compiler from folding the writes into a `calloc`.
    let mut x = Array2::from_shape_simple_fn((vocab_size, vocab_size), || std::hint::black_box(0.0));
    for (s, &a) in ids.iter().enumerate() {
        for (offset, &b) in ids[s + 1..].iter().take(window).enumerate() {
            let weight = match weighting {
                DistanceWeighting::Harmonic => 1.0 / (offset + 1) as f64,
                DistanceWeighting::Uniform => 1.0,
            };
            x[[a, b]] += weight;
            x[[b, a]] += weight;
        }
    }
    Ok(x)
}

fn check_counts(counts: ArrayView2<f64>, context_smoothing: f64) -> Result<()> {
    if !(context_smoothing.is_finite() && context_smoothing > 0.0) {
        return Err(Error::parameter(
            "context_smoothing",
            format!("must be finite and > 0, got {context_smoothing}"),
        ));
    }
    if let Some(((i, j), v)) = counts
        .indexed_iter()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(Error::parameter(
            "counts",
            format!("entries must be finite and >= 0, found {v} at ({i}, {j})"),
        ));
    }
    if counts.sum() <= 0.0 {
        return Err(Error::parameter("counts", "all counts are zero"));
    }
    Ok(())
}

/// Pointwise mutual information of a word-by-context count matrix, with
/// context-distribution smoothing.
///
/// `PMI(w, c) = log P(w, c) / (P(w) P_α(c))` with `P(w, c) = X_wc / Σ X`,
/// `P(w) = X_w* / Σ X` and the smoothed context distribution
/// `P_α(c) = X_*c^α / Σ_c' X_*c'^α` (`α = 1`, [`DEFAULT_CONTEXT_SMOOTHING`], is plain PMI;
/// `α = 0.75` mirrors word2vec's noise distribution, Levy, Goldberg & Dagan 2015).
/// The matrix may be rectangular. Unobserved pairs (`X_wc = 0`) get `−∞`.
///
/// # Errors
/// [`Error::Parameter`] when an entry is negative or not finite, all entries are
/// zero, or `context_smoothing` is not finite and positive.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let m = embspace::math::pmi(array![[2.0, 0.0], [1.0, 1.0]].view(), 1.0)?;
/// assert!((m[[0, 0]] - (2.0f64 * 4.0 / (2.0 * 3.0)).ln()).abs() < 1e-12);
/// assert_eq!(m[[0, 1]], f64::NEG_INFINITY);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn pmi(counts: ArrayView2<f64>, context_smoothing: f64) -> Result<Array2<f64>> {
    check_counts(counts, context_smoothing)?;
    let row_sums = counts.sum_axis(Axis(1));
    let smoothed: Array1<f64> = counts.sum_axis(Axis(0)).mapv(|c| c.powf(context_smoothing));
    let log_context_total = smoothed.sum().ln();
    Ok(Array2::from_shape_fn(counts.dim(), |(w, c)| {
        let x = counts[[w, c]];
        if x > 0.0 {
            x.ln() - row_sums[w].ln() - smoothed[c].ln() + log_context_total
        } else {
            f64::NEG_INFINITY
        }
    }))
}

/// Positive PMI: `max(PMI(w, c), 0)`, with unobserved pairs at 0 (see [`pmi`]).
///
/// # Errors
/// As [`pmi`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let m = embspace::math::ppmi(array![[2.0, 0.0], [1.0, 1.0]].view(), 1.0)?;
/// assert!(m.iter().all(|&v| v >= 0.0));
/// assert_eq!((m[[0, 1]], m[[1, 0]]), (0.0, 0.0)); // unobserved; log(4/6) < 0
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn ppmi(counts: ArrayView2<f64>, context_smoothing: f64) -> Result<Array2<f64>> {
    Ok(pmi(counts, context_smoothing)?.mapv(|v| v.max(0.0)))
}

/// Word vectors from a truncated SVD of a (P)PMI matrix: `U_k S_k^p` (`n×k`).
///
/// With `M = U S Vᵀ` and singular values sorted descending, row `w` of the result
/// is word `w`'s embedding. `p = 1` gives the rows of the best rank-`k`
/// approximation in the right singular basis; `p = 0.5`
/// ([`DEFAULT_EIGENVALUE_WEIGHT`]) makes `E Eᵀ = U_k S_k U_kᵀ`, which for a
/// symmetric positive semi-definite `M` is its best rank-`k` approximation;
/// `p = 0` keeps only the directions. Each column's sign is fixed so that its
/// largest-magnitude entry is positive (deterministic output).
///
/// # Errors
/// [`Error::Parameter`] when `k` is 0 or above `min(n, m)`, `eigenvalue_weight`
/// is negative or not finite, or an entry of `matrix` is not finite (PMI with
/// `−∞` must be turned into PPMI first); [`Error::Numerical`] if the SVD fails.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let m = array![[2.0, 0.0], [0.0, 1.0]];
/// let e = embspace::math::ppmi_svd_embeddings(m.view(), 1, 0.5)?;
/// assert!((e[[0, 0]] - 2f64.sqrt()).abs() < 1e-12 && e[[1, 0]].abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn ppmi_svd_embeddings(matrix: ArrayView2<f64>, k: usize, eigenvalue_weight: f64) -> Result<Array2<f64>> {
    let rank_bound = matrix.nrows().min(matrix.ncols());
    if k == 0 || k > rank_bound {
        return Err(Error::parameter(
            "k",
            format!("must be between 1 and min(n, m) = {rank_bound}, got {k}"),
        ));
    }
    if !(eigenvalue_weight.is_finite() && eigenvalue_weight >= 0.0) {
        return Err(Error::parameter(
            "eigenvalue_weight",
            format!("must be finite and >= 0, got {eigenvalue_weight}"),
        ));
    }
    if matrix.iter().any(|v| !v.is_finite()) {
        return Err(Error::parameter(
            "matrix",
            "entries must be finite (use ppmi, not pmi)",
        ));
    }
    let svd = to_nalgebra(matrix)
        .try_svd(true, false, f64::EPSILON, 10_000)
        .ok_or_else(|| Error::Numerical {
            what: "ppmi_svd_embeddings",
            reason: "the SVD did not converge".into(),
        })?;
    let u = svd.u.expect("u was requested");
    let s = &svd.singular_values;
    let mut order: Vec<usize> = (0..s.len()).collect();
    order.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
    let mut e = Array2::from_shape_fn((matrix.nrows(), k), |(w, c)| u[(w, order[c])]);
    for (mut column, &i) in e.columns_mut().into_iter().zip(&order) {
        let pivot = column
            .iter()
            .fold(0.0f64, |best, &v| if v.abs() > best.abs() { v } else { best });
        let scale = s[i].powf(eigenvalue_weight) * if pivot < 0.0 { -1.0 } else { 1.0 };
        column.mapv_inplace(|v| v * scale);
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn cooccurrence_is_symmetric_with_harmonic_distance_weights() {
        let ids = [0, 1, 2, 0, 3];
        let x = cooccurrence_matrix(&ids, 4, 2, DistanceWeighting::Harmonic).unwrap();
        assert_abs_diff_eq!(x, x.t(), epsilon = 0.0);
        // Pairs: (0,1)@1 (0,2)@2 (1,2)@1 (1,0)@2 (2,0)@1 (2,3)@2 (0,3)@1.
        let expected = array![
            [0.0, 1.5, 1.5, 1.0],
            [1.5, 0.0, 1.0, 0.0],
            [1.5, 1.0, 0.0, 0.5],
            [1.0, 0.0, 0.5, 0.0]
        ];
        assert_abs_diff_eq!(x, expected, epsilon = 1e-15);
    }

    #[test]
    fn total_count_is_twice_the_weighted_number_of_pairs() {
        let ids: Vec<usize> = (0..50).map(|i| (i * 7 + i / 3) % 5).collect();
        let n = ids.len() as f64;
        let x = cooccurrence_matrix(&ids, 5, 3, DistanceWeighting::Harmonic).unwrap();
        let expected: f64 = (1..=3).map(|d| 2.0 * (n - d as f64) / d as f64).sum();
        assert_abs_diff_eq!(x.sum(), expected, epsilon = 1e-9);
        let u = cooccurrence_matrix(&ids, 5, 3, DistanceWeighting::Uniform).unwrap();
        assert_abs_diff_eq!(u.sum(), 2.0 * (3.0 * n - 6.0), epsilon = 1e-9);
        // A repeated word lands on the diagonal twice.
        let d = cooccurrence_matrix(&[1, 1], 2, 1, DistanceWeighting::Uniform).unwrap();
        assert_eq!(d, array![[0.0, 0.0], [0.0, 2.0]]);
    }

    #[test]
    fn cooccurrence_rejects_a_zero_window_and_unknown_ids() {
        assert!(matches!(
            cooccurrence_matrix(&[0], 1, 0, DistanceWeighting::Uniform),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            cooccurrence_matrix(&[0, 4], 3, 1, DistanceWeighting::Uniform),
            Err(Error::OutOfRange { .. })
        ));
    }

    #[test]
    fn pmi_of_independent_counts_is_zero() {
        // X = N p qᵀ: words and contexts independent, so P(w, c) = P(w) P(c).
        let p = array![0.5, 0.3, 0.2];
        let q = array![0.1, 0.6, 0.1, 0.2];
        let x = Array2::from_shape_fn((3, 4), |(i, j)| 1000.0 * p[i] * q[j]);
        assert_abs_diff_eq!(
            pmi(x.view(), 1.0).unwrap(),
            Array2::zeros((3, 4)),
            epsilon = 1e-12
        );
        // Smoothing raises rare contexts: PMI(w, c) = log P(c) − log P_α(c), the same in every row.
        let smoothed = pmi(x.view(), 0.75).unwrap();
        let norm: f64 = q.mapv(|v: f64| v.powf(0.75)).sum();
        for ((_, c), v) in smoothed.indexed_iter() {
            assert_abs_diff_eq!(*v, q[c].ln() - (q[c].powf(0.75) / norm).ln(), epsilon = 1e-12);
        }
    }

    #[test]
    fn ppmi_is_non_negative_and_equals_positive_part_of_pmi() {
        let x = array![[4.0, 1.0, 0.0], [1.0, 0.0, 3.0], [0.0, 3.0, 2.0]];
        let full = pmi(x.view(), 0.75).unwrap();
        let positive = ppmi(x.view(), 0.75).unwrap();
        assert!(positive.iter().all(|&v| v >= 0.0));
        assert!(full.iter().any(|&v| v.is_finite() && v < 0.0));
        for (a, b) in full.iter().zip(&positive) {
            assert_eq!(*b, a.max(0.0));
        }
    }

    #[test]
    fn pmi_rejects_bad_counts_and_smoothing() {
        let bad = [array![[1.0, -1.0]], array![[f64::NAN, 1.0]], array![[0.0, 0.0]]];
        for x in bad {
            assert!(matches!(pmi(x.view(), 1.0), Err(Error::Parameter { .. })));
        }
        assert!(matches!(
            ppmi(array![[1.0]].view(), 0.0),
            Err(Error::Parameter { .. })
        ));
    }

    fn spd() -> Array2<f64> {
        let a = Array2::from_shape_fn((5, 5), |(i, j)| ((i * 3 + j * 5) % 7) as f64 - 2.5);
        a.t().dot(&a) + Array2::<f64>::eye(5)
    }

    #[test]
    fn half_weighted_full_rank_embeddings_reproduce_a_positive_definite_matrix() {
        let m = spd();
        let e = ppmi_svd_embeddings(m.view(), 5, 0.5).unwrap();
        assert_abs_diff_eq!(e.dot(&e.t()), m, epsilon = 1e-9);
    }

    #[test]
    fn svd_embedding_columns_are_scaled_singular_vectors_in_descending_order() {
        let m = array![[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 4.0, 1.0], [2.0, 0.0, 1.0]];
        let unit = ppmi_svd_embeddings(m.view(), 2, 0.0).unwrap();
        assert_abs_diff_eq!(unit.t().dot(&unit), Array2::eye(2), epsilon = 1e-10);
        let full = ppmi_svd_embeddings(m.view(), 2, 1.0).unwrap();
        let s = full.map_axis(Axis(0), |c| c.dot(&c).sqrt());
        assert!(s[0] >= s[1]);
        // Column j is c = s_j u_j and M Mᵀ u_j = s_j² u_j, so cᵀ M Mᵀ c = s_j⁴.
        let mmt = m.dot(&m.t());
        for j in 0..2 {
            let c = full.column(j);
            assert_abs_diff_eq!(c.dot(&mmt.dot(&c)), s[j].powi(4), epsilon = 1e-8);
        }
    }

    #[test]
    fn svd_embeddings_reject_bad_rank_weight_and_infinite_entries() {
        let m = spd();
        assert!(matches!(
            ppmi_svd_embeddings(m.view(), 0, 0.5),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            ppmi_svd_embeddings(m.view(), 6, 0.5),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            ppmi_svd_embeddings(m.view(), 2, -1.0),
            Err(Error::Parameter { .. })
        ));
        let with_inf = pmi(array![[1.0, 0.0], [0.0, 1.0]].view(), 1.0).unwrap();
        assert!(matches!(
            ppmi_svd_embeddings(with_inf.view(), 1, 0.5),
            Err(Error::Parameter { .. })
        ));
    }

    #[test]
    fn svd_of_corpus_ppmi_puts_words_of_a_topic_together() {
        use crate::math::{TRAINING_CORPUS, Vocabulary, cosine_matrix, tokenize};
        let tokens = tokenize(TRAINING_CORPUS);
        let vocab = Vocabulary::new(&tokens, 5);
        let x = cooccurrence_matrix(
            &vocab.encode(&tokens),
            vocab.len(),
            3,
            DistanceWeighting::Harmonic,
        )
        .unwrap();
        let e = ppmi_svd_embeddings(
            ppmi(x.view(), 0.75).unwrap().view(),
            32,
            DEFAULT_EIGENVALUE_WEIGHT,
        )
        .unwrap();
        let cos = cosine_matrix(e.view(), e.view()).unwrap();
        let ids = |words: &[&str]| words.iter().map(|w| vocab.id(w).unwrap()).collect::<Vec<_>>();
        let (animals, food) = (
            ids(&["dog", "cat", "horse", "cow"]),
            ids(&["bread", "cheese", "rice", "soup"]),
        );
        let mean = |a: &[usize], b: &[usize]| {
            let pairs: Vec<f64> = a
                .iter()
                .flat_map(|&i| b.iter().filter(move |&&j| j != i).map(move |&j| (i, j)))
                .map(|(i, j)| cos[[i, j]])
                .collect();
            pairs.iter().sum::<f64>() / pairs.len() as f64
        };
        let (within, across) = (
            (mean(&animals, &animals) + mean(&food, &food)) / 2.0,
            mean(&animals, &food),
        );
        // Measured: 0.883 within a topic, 0.038 across.
        assert!(within > across + 0.3, "within {within}, across {across}");
    }
}

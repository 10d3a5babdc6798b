//! Nearest neighbours by cosine similarity, and analogies by vector offset.

use std::cmp::Ordering;
use std::ops::{Add, Div, Mul};

use ndarray::{Array1, ArrayView1, ArrayView2, Zip};

use crate::error::{Error, Result};
use crate::math::similarity::{ZERO_NORM, normalize_rows};

/// One retrieved row: its index in the matrix and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Neighbour {
    /// Row index in the searched matrix.
    pub index: usize,
    /// Cosine similarity to the query, in `[-1, 1]`; for [`analogy_cos_mul`]
    /// the 3CosMul score instead, in `[0, 1/ε]`.
    pub similarity: f64,
}

/// Order by descending similarity, ties by ascending index, so results are deterministic.
fn by_similarity(a: &Neighbour, b: &Neighbour) -> Ordering {
    b.similarity
        .partial_cmp(&a.similarity)
        .unwrap_or(Ordering::Equal)
        .then(a.index.cmp(&b.index))
}

/// The `k` rows of `matrix` most cosine-similar to `query`, best first.
///
/// Rows listed in `exclude` (typically the query word itself) are skipped.
/// Ties are broken by the lower row index. If fewer than `k` rows remain, all
/// of them are returned. A zero query or a zero row has similarity 0.
///
/// # Errors
/// [`Error::Shape`] when `query` does not have the matrix's width.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[1.0, 0.9], [0.9, 1.0], [-1.0, 0.2]];
/// let best = embspace::math::top_k_cosine(x.view(), x.row(0), 1, &[0])?;
/// assert_eq!(best[0].index, 1);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn top_k_cosine(
    matrix: ArrayView2<f64>,
    query: ArrayView1<f64>,
    k: usize,
    exclude: &[usize],
) -> Result<Vec<Neighbour>> {
    if query.len() != matrix.ncols() {
        return Err(Error::shape(
            "top_k_cosine query",
            format!("d = {}", matrix.ncols()),
            format!("d = {}", query.len()),
        ));
    }
    let qnorm = query.dot(&query).sqrt();
    let unit_query = if qnorm >= ZERO_NORM {
        query.to_owned() / qnorm
    } else {
        Array1::zeros(query.len())
    };
    let sims = normalize_rows(matrix).dot(&unit_query);
    let mut hits: Vec<Neighbour> = sims
        .iter()
        .enumerate()
        .filter(|(i, _)| !exclude.contains(i))
        .map(|(index, &s)| Neighbour {
            index,
            similarity: s.clamp(-1.0, 1.0),
        })
        .collect();
    hits.sort_by(by_similarity);
    hits.truncate(k);
    Ok(hits)
}

/// The analogy target vector `b − a + c` ("a is to b as c is to ?").
///
/// For `king − man + woman` call `analogy_offset(man, king, woman)`.
///
/// # Errors
/// [`Error::Shape`] when the three vectors differ in length.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let (man, woman) = (array![1.0, 0.0], array![-1.0, 0.0]);
/// let king = array![1.0, 1.0];
/// let target = embspace::math::analogy_offset(man.view(), king.view(), woman.view())?;
/// assert_eq!(target, array![-1.0, 1.0]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn analogy_offset(a: ArrayView1<f64>, b: ArrayView1<f64>, c: ArrayView1<f64>) -> Result<Array1<f64>> {
    if a.len() != b.len() || a.len() != c.len() {
        return Err(Error::shape(
            "analogy_offset",
            format!("three vectors of d = {}", a.len()),
            format!("d = {}, {}, {}", a.len(), b.len(), c.len()),
        ));
    }
    Ok(&b - &a + c)
}

/// The three query rows of an analogy must exist.
fn check_analogy_rows(matrix: ArrayView2<f64>, rows: [usize; 3]) -> Result<()> {
    match rows.into_iter().find(|&index| index >= matrix.nrows()) {
        Some(index) => Err(Error::OutOfRange {
            what: "analogy row",
            index,
            len: matrix.nrows(),
        }),
        None => Ok(()),
    }
}

/// Solve "row `a` is to row `b` as row `c` is to ?" by 3CosAdd: the `k` rows
/// nearest (by cosine) to `b − a + c` in the row-normalised matrix, excluding
/// the three query rows themselves (as word2vec and gensim do).
///
/// # Errors
/// [`Error::OutOfRange`] for an index outside the matrix.
///
/// # Examples
/// ```
/// use ndarray::array;
/// // man, woman, king, queen
/// let x = array![[1.0, 0.0], [-1.0, 0.0], [1.0, 1.0], [-1.0, 1.0]];
/// let best = embspace::math::analogy(x.view(), 0, 2, 1, 1)?;
/// assert_eq!(best[0].index, 3);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn analogy(matrix: ArrayView2<f64>, a: usize, b: usize, c: usize, k: usize) -> Result<Vec<Neighbour>> {
    check_analogy_rows(matrix, [a, b, c])?;
    let unit = normalize_rows(matrix);
    let target = analogy_offset(unit.row(a), unit.row(b), unit.row(c))?;
    top_k_cosine(unit.view(), target.view(), k, &[a, b, c])
}

/// The `ε` that keeps [`analogy_cos_mul`]'s denominator positive: `1e-6`, as
/// in gensim's `most_similar_cosmul` (Levy & Goldberg 2014 used `0.001`).
pub const COS_MUL_EPSILON: f64 = 1e-6;

/// The 3CosMul score of a row from its cosines with `b`, `c` and `a`:
/// `s_b · s_c / (s_a + ε)` with `s = (1 + cos)/2`. Generic over the float
/// type, so a search can rank in `f32` and rescore in `f64` with one formula.
///
/// # Examples
/// ```
/// use embspace::math::{COS_MUL_EPSILON, cos_mul_score};
/// let score = cos_mul_score(1.0, 1.0, -1.0, COS_MUL_EPSILON);
/// assert!((score - 1e6).abs() < 1e-6); // close to b and c, opposite a
/// assert_eq!(cos_mul_score(0.0f32, 0.0, 0.0, 0.0), 0.5);
/// ```
pub fn cos_mul_score<T>(b: T, c: T, a: T, epsilon: T) -> T
where
    T: Copy + From<f32> + Add<Output = T> + Mul<Output = T> + Div<Output = T>,
{
    let shifted = |cos: T| (T::from(1.0) + cos) / T::from(2.0);
    shifted(b) * shifted(c) / (shifted(a) + epsilon)
}

/// Solve "row `a` is to row `b` as row `c` is to ?" by 3CosMul (Levy &
/// Goldberg 2014): the `k` rows `d` with the largest
/// `s(d, b) · s(d, c) / (s(d, a) + ε)`, where `s = (cos + 1)/2` shifts cosines
/// to `[0, 1]` and `ε` is [`COS_MUL_EPSILON`], as gensim's `most_similar_cosmul` does.
///
/// Unlike 3CosAdd ([`analogy`]), whose sum lets one large similarity outweigh
/// the others, the product rewards a row that is close to both `b` and `c`.
/// The returned [`Neighbour::similarity`] holds the 3CosMul score, not a
/// cosine. The three query rows are excluded; ties go to the lower index; a
/// zero row has cosine 0 with everything.
///
/// # Errors
/// [`Error::OutOfRange`] for an index outside the matrix.
///
/// # Examples
/// ```
/// use ndarray::array;
/// // man, woman, king, queen
/// let x = array![[1.0, 0.0, 0.2], [-1.0, 0.0, 0.2], [1.0, 1.0, 0.2], [-1.0, 1.0, 0.2]];
/// let best = embspace::math::analogy_cos_mul(x.view(), 0, 2, 1, 1)?;
/// assert_eq!(best[0].index, 3);
/// assert!(best[0].similarity > 1.0); // a score, not a cosine
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn analogy_cos_mul(
    matrix: ArrayView2<f64>,
    a: usize,
    b: usize,
    c: usize,
    k: usize,
) -> Result<Vec<Neighbour>> {
    check_analogy_rows(matrix, [a, b, c])?;
    let unit = normalize_rows(matrix);
    let cosines = |row: usize| unit.dot(&unit.row(row)).mapv(|cos| cos.clamp(-1.0, 1.0));
    let scores = Zip::from(&cosines(b))
        .and(&cosines(c))
        .and(&cosines(a))
        .map_collect(|&b, &c, &a| cos_mul_score(b, c, a, COS_MUL_EPSILON));
    let mut hits: Vec<Neighbour> = scores
        .iter()
        .enumerate()
        .filter(|(i, _)| ![a, b, c].contains(i))
        .map(|(index, &similarity)| Neighbour { index, similarity })
        .collect();
    hits.sort_by(by_similarity);
    hits.truncate(k);
    Ok(hits)
}

/// The indices of the `k` highest `scores`, best first, leaving out index
/// `skip` (a query's own row); ties go to the lower index (the more frequent
/// token). Fewer than `k` when there are fewer scores; NaN ranks below every number.
///
/// # Examples
/// ```
/// let top = embspace::math::top_indices(&[0.2, 0.9, 0.5, 0.9], 2, Some(3));
/// assert_eq!(top, [1, 2]);
/// ```
pub fn top_indices(scores: &[f64], k: usize, skip: Option<usize>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).filter(|&j| Some(j) != skip).collect();
    let key = |j: usize| {
        if scores[j].is_nan() {
            f64::NEG_INFINITY
        } else {
            scores[j]
        }
    };
    let best_first = |a: &usize, b: &usize| key(*b).total_cmp(&key(*a)).then(a.cmp(b));
    if order.len() > k {
        order.select_nth_unstable_by(k, best_first);
        order.truncate(k);
    }
    order.sort_by(best_first);
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::cosine;
    use approx::assert_abs_diff_eq;
    use ndarray::{Array2, array};

    #[test]
    fn top_k_agrees_with_sorting_every_pairwise_cosine() {
        let x = array![
            [1.0, 0.2, 0.0],
            [0.1, 1.0, 0.3],
            [0.9, 0.1, 0.1],
            [-1.0, 0.0, 0.5],
            [0.5, 0.5, 0.5]
        ];
        let q = x.row(0);
        let mut brute: Vec<(usize, f64)> = (1..5).map(|i| (i, cosine(q, x.row(i)).unwrap())).collect();
        brute.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap());
        let fast = top_k_cosine(x.view(), q, 4, &[0]).unwrap();
        let order: Vec<usize> = fast.iter().map(|n| n.index).collect();
        assert_eq!(order, brute.iter().map(|b| b.0).collect::<Vec<_>>());
    }

    #[test]
    fn excluded_rows_never_appear_and_k_past_the_end_returns_the_rest() {
        let x = array![[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
        let hits = top_k_cosine(x.view(), x.row(0), 10, &[0]).unwrap();
        assert_eq!(hits.len(), 2);
        assert!(hits.iter().all(|h| h.index != 0));
    }

    #[test]
    fn ties_are_broken_by_lower_index() {
        let x = array![[0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [2.0, 0.0]];
        let hits = top_k_cosine(x.view(), array![1.0, 0.0].view(), 3, &[]).unwrap();
        assert_eq!(hits.iter().map(|h| h.index).collect::<Vec<_>>(), vec![1, 2, 3]);
    }

    #[test]
    fn analogy_recovers_a_planted_offset_and_skips_query_rows() {
        // queen = king - man + woman exactly; the query rows would otherwise rank high.
        let x = array![
            [1.0, 0.0, 0.1],
            [-1.0, 0.0, 0.1],
            [1.0, 1.0, 0.2],
            [-1.0, 1.0, 0.2],
            [0.0, -1.0, 0.0]
        ];
        let best = analogy(x.view(), 0, 2, 1, 2).unwrap();
        assert_eq!(best[0].index, 3);
        assert!(best.iter().all(|n| ![0, 1, 2].contains(&n.index)));
    }

    #[test]
    fn cos_mul_agrees_with_a_brute_force_score_of_every_row() {
        let x = Array2::from_shape_fn((12, 4), |(i, j)| {
            ((i * 5 + j * 3) % 7) as f64 - 2.5 + 0.1 * (i * j) as f64
        });
        let (a, b, c) = (1, 4, 7);
        let s = |i: usize, j: usize| (cosine(x.row(i), x.row(j)).unwrap() + 1.0) / 2.0;
        let mut brute: Vec<(usize, f64)> = (0..12)
            .filter(|i| ![a, b, c].contains(i))
            .map(|d| (d, s(d, b) * s(d, c) / (s(d, a) + 1e-6)))
            .collect();
        brute.sort_by(|p, q| q.1.total_cmp(&p.1).then(p.0.cmp(&q.0)));
        let fast = analogy_cos_mul(x.view(), a, b, c, 20).unwrap();
        assert_eq!(fast.len(), 9);
        for (hit, (index, score)) in fast.iter().zip(&brute) {
            assert_eq!(hit.index, *index);
            assert_abs_diff_eq!(hit.similarity, *score, epsilon = 1e-12);
        }
    }

    #[test]
    fn cos_mul_recovers_a_planted_analogy_and_skips_query_rows() {
        // Gender along axis 0, royalty along axis 1, noise rows elsewhere; queen = king − man + woman.
        let x = array![
            [1.0, 0.0, 0.3, 0.0],
            [-1.0, 0.0, 0.3, 0.0],
            [1.0, 1.0, 0.3, 0.0],
            [-1.0, 1.0, 0.3, 0.0],
            [0.0, 0.2, 0.0, 1.0],
            [0.1, -1.0, 0.1, 0.2],
            [0.9, 0.1, 0.3, 0.1]
        ];
        let best = analogy_cos_mul(x.view(), 0, 2, 1, 3).unwrap();
        assert_eq!(best[0].index, 3);
        assert!(best.iter().all(|n| ![0, 1, 2].contains(&n.index)));
        assert!(best.windows(2).all(|w| w[0].similarity >= w[1].similarity));
        assert!(matches!(
            analogy_cos_mul(x.view(), 0, 2, 7, 1),
            Err(Error::OutOfRange { .. })
        ));
    }
}

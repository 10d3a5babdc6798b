//! Nearest neighbours by cosine similarity, and analogies by vector offset.

use std::cmp::Ordering;

use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::error::{Error, Result};
use crate::math::similarity::{ZERO_NORM, normalize_rows};

/// One retrieved row: its index in the matrix and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Neighbour {
    /// Row index in the searched matrix.
    pub index: usize,
    /// Cosine similarity to the query, in `[-1, 1]`.
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
    for index in [a, b, c] {
        if index >= matrix.nrows() {
            return Err(Error::OutOfRange {
                what: "analogy row",
                index,
                len: matrix.nrows(),
            });
        }
    }
    let unit = normalize_rows(matrix);
    let target = analogy_offset(unit.row(a), unit.row(b), unit.row(c))?;
    top_k_cosine(unit.view(), target.view(), k, &[a, b, c])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::cosine;
    use ndarray::array;

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
}

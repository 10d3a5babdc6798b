//! How well a 2-D layout keeps a table's neighbourhoods: trustworthiness
//! (Venna & Kaski 2001, scikit-learn's `trustworthiness`) and kNN recall,
//! against cosine neighbourhoods in the input and Euclidean ones in the layout.
//!
//! Both compare every row with every other (`n²` cosines), so callers
//! measure a sample of rows (the map's benchmark uses 5 000).

use ndarray::{Array2, ArrayView2, Axis, s};

use crate::error::{Error, Result};
use crate::math::knn_graph::nearest;
use crate::math::similarity::normalize_rows;

/// Rows whose cosines with every row are computed in one product.
const ROW_BLOCK: usize = 256;

/// Trustworthiness at `k`: 1 when every row's `k` nearest rows in the layout
/// are among its `k` nearest in the input, lower as the layout brings in rows
/// that were far. With `r(i, j)` the rank of `j` among `i`'s input
/// neighbours (1 for the nearest; by cosine, ties to the lower index),
///
/// $$T(k) = 1 - \frac{2}{n k (2n - 3k - 1)} \sum_i \sum_{j \in N_k^{layout}(i)} \max(0, r(i, j) - k).$$
///
/// `layout` neighbours are by Euclidean distance, ties to the lower index.
///
/// # Errors
/// [`Error::Shape`] when the two tables differ in rows; [`Error::Parameter`]
/// unless `1 ≤ k < n / 2` (scikit-learn's condition).
///
/// # Examples
/// ```
/// use ndarray::array;
/// // Directions at 0°, 10°, 90°, 100°, 180°, 190° laid out on a line in the same order.
/// let angles = [0.0f64, 10.0, 90.0, 100.0, 180.0, 190.0];
/// let x = ndarray::Array2::from_shape_fn((6, 2), |(i, j)| {
///     let a = angles[i].to_radians();
///     if j == 0 { a.cos() } else { a.sin() }
/// });
/// let layout = ndarray::Array2::from_shape_fn((6, 2), |(i, j)| if j == 0 { angles[i] } else { 0.0 });
/// assert_eq!(embspace::math::trustworthiness(x.view(), layout.view(), 1)?, 1.0);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn trustworthiness(input: ArrayView2<f64>, layout: ArrayView2<f64>, k: usize) -> Result<f64> {
    let n = check(input, layout, k)?;
    let mut penalty = 0.0;
    for_each_row(input, layout, k, |i, cosines, _, near_in_layout| {
        for &j in near_in_layout {
            let s = cosines[j];
            let rank = 1 + cosines
                .iter()
                .enumerate()
                .filter(|&(l, &c)| l != i && (c > s || (c == s && l < j)))
                .count();
            penalty += rank.saturating_sub(k) as f64;
        }
    });
    let (n, k) = (n as f64, k as f64);
    Ok(1.0 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty)
}

/// kNN recall at `k`: the share of each row's `k` nearest input rows (by
/// cosine) that are among its `k` nearest in the layout (Euclidean),
/// averaged over the rows; ties to the lower index on both sides.
///
/// # Errors
/// As [`trustworthiness`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9], [-1.0, 0.0]];
/// // The layout swaps the pairs' partners: no row keeps its neighbour.
/// let layout = array![[0.0, 0.0], [5.0, 0.0], [0.1, 0.0], [5.1, 0.0], [9.0, 0.0]];
/// assert_eq!(embspace::math::knn_recall(x.view(), layout.view(), 1)?, 0.0);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn knn_recall(input: ArrayView2<f64>, layout: ArrayView2<f64>, k: usize) -> Result<f64> {
    let n = check(input, layout, k)?;
    let mut found = 0usize;
    for_each_row(input, layout, k, |_, _, near_in_input, near_in_layout| {
        found += near_in_input
            .iter()
            .filter(|j| near_in_layout.contains(j))
            .count();
    });
    Ok(found as f64 / (n * k) as f64)
}

/// The number of rows, after checking that both tables have it and `1 ≤ k < n/2`.
fn check(input: ArrayView2<f64>, layout: ArrayView2<f64>, k: usize) -> Result<usize> {
    let n = input.nrows();
    if layout.nrows() != n {
        return Err(Error::shape(
            "layout",
            format!("{n} rows"),
            format!("{} rows", layout.nrows()),
        ));
    }
    if k == 0 || 2 * k >= n {
        return Err(Error::parameter(
            "k",
            format!("must be at least 1 and below n / 2 = {}, got {k}", n / 2),
        ));
    }
    Ok(n)
}

/// Calls `visit(i, cosines of row i with every row, i's k nearest input rows,
/// i's k nearest layout rows)` for every row `i`, itself excluded from both lists.
fn for_each_row(
    input: ArrayView2<f64>,
    layout: ArrayView2<f64>,
    k: usize,
    mut visit: impl FnMut(usize, &[f64], &[usize], &[usize]),
) {
    let unit = normalize_rows(input);
    let n = unit.nrows();
    for start in (0..n).step_by(ROW_BLOCK) {
        let block: Array2<f64> = unit
            .slice(s![start..(start + ROW_BLOCK).min(n), ..])
            .dot(&unit.t());
        for (r, cosines) in block.axis_iter(Axis(0)).enumerate() {
            let i = start + r;
            let near_in_input: Vec<usize> =
                nearest(cosines, k, Some(i)).into_iter().map(|(j, _)| j).collect();
            let here = layout.row(i);
            let closeness = layout
                .rows()
                .into_iter()
                .map(|p| -p.iter().zip(&here).map(|(a, b)| (a - b) * (a - b)).sum::<f64>());
            let closeness = ndarray::Array1::from_iter(closeness);
            let near_in_layout: Vec<usize> = nearest(closeness.view(), k, Some(i))
                .into_iter()
                .map(|(j, _)| j)
                .collect();
            visit(
                i,
                cosines.as_slice().expect("a fresh row is contiguous"),
                &near_in_input,
                &near_in_layout,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Points on a circle laid out where they are: cosine and Euclidean
    /// distance order the neighbours alike, so both measures are 1 (k even, so
    /// the k nearest are `i ± 1 … i ± k/2` on both sides, no tie at the edge).
    #[test]
    fn a_layout_that_keeps_the_order_on_a_circle_scores_one() {
        let n = 50;
        let circle = Array2::from_shape_fn((n, 2), |(i, j)| {
            let a = std::f64::consts::TAU * i as f64 / n as f64;
            if j == 0 { a.cos() } else { a.sin() }
        });
        assert_eq!(trustworthiness(circle.view(), circle.view(), 4).unwrap(), 1.0);
        assert_eq!(knn_recall(circle.view(), circle.view(), 4).unwrap(), 1.0);
    }

    /// A layout unrelated to the input draws each row's layout neighbours
    /// uniformly: their expected rank excess is about `(n − k)²/2n`, so `T` is
    /// about `1 − (n − k)²/(n(2n − 3k − 1))` = 0.504 here, and recall about `k/(n − 1)`.
    #[test]
    fn a_random_layout_scores_near_one_half() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let x = Array2::<f64>::random_using((600, 10), StandardNormal, &mut rng);
        let layout = Array2::<f64>::random_using((600, 2), StandardNormal, &mut rng);
        let t = trustworthiness(x.view(), layout.view(), 10).unwrap();
        // Random neighbours have mean excess rank ≈ n/2 − k; the normalisation makes that ≈ 0.5.
        assert!((t - 0.5).abs() < 0.03, "{t}");
        // A random row is among the 10 nearest of 599 with probability 10/599.
        let recall = knn_recall(x.view(), layout.view(), 10).unwrap();
        assert!(recall < 3.0 * 10.0 / 599.0, "{recall}");
    }

    #[test]
    fn k_must_be_below_half_the_rows() {
        let x = Array2::<f64>::eye(6);
        assert!(trustworthiness(x.view(), x.view(), 3).is_err());
        assert!(knn_recall(x.view(), x.view(), 0).is_err());
        assert!(knn_recall(x.view(), x.slice(s![..5, ..]), 1).is_err());
        assert!(trustworthiness(x.view(), x.view(), 2).is_ok());
    }
}

//! Embedding lookup: token ids to vectors, its one-hot equivalent, and its
//! backward pass (the gradient a loss sends back into the table).

use ndarray::{Array1, Array2, Array3, ArrayView2};

use crate::error::{Error, Result};

fn check_id(id: usize, vocab: usize) -> Result<()> {
    if id < vocab {
        Ok(())
    } else {
        Err(Error::OutOfRange {
            what: "token id",
            index: id,
            len: vocab,
        })
    }
}

/// Look up a batch of token ids: `E[ids]` turns a `B×T` id matrix into a `B×T×d` tensor.
///
/// # Errors
/// [`Error::OutOfRange`] when an id is not a row of `table` (`V×d`).
///
/// # Examples
/// ```
/// use ndarray::{array, Array2};
/// let table = Array2::from_shape_fn((10, 3), |(i, j)| (3 * i + j) as f64 / 10.0);
/// let x = embspace::math::lookup(table.view(), array![[1, 2, 1], [3, 4, 5]].view())?;
/// assert_eq!(x.shape(), &[2, 3, 3]);
/// assert_eq!(x[[0, 0, 0]], 0.3);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn lookup(table: ArrayView2<f64>, ids: ArrayView2<usize>) -> Result<Array3<f64>> {
    let (batch, steps) = ids.dim();
    let mut out = Array3::zeros((batch, steps, table.ncols()));
    for ((b, t), &id) in ids.indexed_iter() {
        check_id(id, table.nrows())?;
        out.slice_mut(ndarray::s![b, t, ..]).assign(&table.row(id));
    }
    Ok(out)
}

/// Look up a flat list of ids: the `n×d` matrix whose row `k` is `E[ids[k]]`.
///
/// # Errors
/// [`Error::OutOfRange`] when an id is not a row of `table`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let rows = embspace::math::lookup_rows(array![[1.0, 0.0], [0.0, 1.0]].view(), &[1, 1, 0])?;
/// assert_eq!(rows, array![[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn lookup_rows(table: ArrayView2<f64>, ids: &[usize]) -> Result<Array2<f64>> {
    for &id in ids {
        check_id(id, table.nrows())?;
    }
    Ok(table.select(ndarray::Axis(0), ids))
}

/// The gradient of a loss with respect to the table, given its gradient with
/// respect to the looked-up rows: a scatter-add.
///
/// If `X = lookup_rows(E, ids)` (`n×d`) and `upstream = ∂L/∂X`, then `∂L/∂E` is
/// the `vocab×d` matrix whose row `v` is `Σ_{k : ids[k] = v} upstream[k]`. Rows
/// that were never looked up get exactly zero, and an id used several times
/// collects the sum of its upstream rows. This is the adjoint (transpose) of
/// the lookup: `⟨lookup_rows(E, ids), G⟩ = ⟨E, lookup_backward(ids, G, V)⟩` for
/// every `E` and `G`. No ids give a zero `vocab×d` matrix.
///
/// # Errors
/// [`Error::Shape`] when `upstream` does not have one row per id;
/// [`Error::OutOfRange`] when an id is `>= vocab`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let upstream = array![[1.0, 2.0], [10.0, 20.0], [0.5, 0.5]];
/// let grad = embspace::math::lookup_backward(&[2, 0, 2], upstream.view(), 4)?;
/// assert_eq!(grad, array![[10.0, 20.0], [0.0, 0.0], [1.5, 2.5], [0.0, 0.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn lookup_backward(ids: &[usize], upstream: ArrayView2<f64>, vocab: usize) -> Result<Array2<f64>> {
    if upstream.nrows() != ids.len() {
        return Err(Error::shape(
            "lookup_backward upstream",
            format!("{} rows (one per id)", ids.len()),
            format!("{} rows", upstream.nrows()),
        ));
    }
    let mut grad = Array2::zeros((vocab, upstream.ncols()));
    for (&id, row) in ids.iter().zip(upstream.rows()) {
        check_id(id, vocab)?;
        let mut target = grad.row_mut(id);
        target += &row;
    }
    Ok(grad)
}

/// The one-hot vector of length `size` with a 1 at `index`.
///
/// # Errors
/// [`Error::OutOfRange`] when `index >= size`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(embspace::math::one_hot(1, 3)?, array![0.0, 1.0, 0.0]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn one_hot(index: usize, size: usize) -> Result<Array1<f64>> {
    check_id(index, size)?;
    let mut v = Array1::zeros(size);
    v[index] = 1.0;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn one_hot_times_table_is_the_looked_up_row() {
        let table = Array2::from_shape_fn((5, 4), |(i, j)| (4 * i + j) as f64);
        for id in 0..5 {
            let product = one_hot(id, 5).unwrap().dot(&table);
            assert_eq!(product, table.row(id));
        }
    }

    #[test]
    fn batch_lookup_matches_row_lookup_per_position() {
        let table = Array2::from_shape_fn((6, 2), |(i, j)| i as f64 - j as f64 * 0.5);
        let ids = array![[5, 0], [2, 2]];
        let x = lookup(table.view(), ids.view()).unwrap();
        let flat = lookup_rows(table.view(), &[5, 0, 2, 2]).unwrap();
        assert_eq!(x.into_shape_with_order((4, 2)).unwrap(), flat);
    }

    #[test]
    fn an_id_past_the_vocabulary_is_an_error_naming_it() {
        let table = Array2::<f64>::zeros((3, 2));
        let err = lookup(table.view(), array![[0, 3]].view()).unwrap_err();
        assert_eq!(
            err,
            Error::OutOfRange {
                what: "token id",
                index: 3,
                len: 3
            }
        );
        assert!(lookup_rows(table.view(), &[7]).is_err());
        assert!(one_hot(3, 3).is_err());
    }

    #[test]
    fn lookup_backward_is_the_adjoint_of_lookup() {
        // ⟨lookup_rows(E, ids), G⟩ = ⟨E, lookup_backward(ids, G, V)⟩ for any E and G.
        let table = Array2::from_shape_fn((7, 3), |(i, j)| ((i * 3 + j) as f64 * 0.37).sin());
        let ids = [4, 1, 4, 6, 0, 4];
        let upstream = Array2::from_shape_fn((6, 3), |(k, j)| ((k * 5 + j) as f64 * 0.61).cos());
        let forward = lookup_rows(table.view(), &ids).unwrap();
        let back = lookup_backward(&ids, upstream.view(), 7).unwrap();
        assert_abs_diff_eq!(
            (&forward * &upstream).sum(),
            (&table * &back).sum(),
            epsilon = 1e-12
        );
    }

    #[test]
    fn lookup_backward_matches_finite_differences_and_leaves_unused_rows_zero() {
        // L(E) = ½ Σₖ ‖E[idsₖ] − Yₖ‖², so ∂L/∂X = X − Y.
        let table = Array2::from_shape_fn((5, 2), |(i, j)| i as f64 * 0.3 - j as f64 * 0.7);
        let ids = [3, 1, 3];
        let target = array![[0.2, -0.1], [1.0, 0.5], [-0.4, 0.3]];
        let loss = |e: &Array2<f64>| {
            0.5 * (lookup_rows(e.view(), &ids).unwrap() - &target)
                .mapv(|v| v * v)
                .sum()
        };
        let upstream = lookup_rows(table.view(), &ids).unwrap() - &target;
        let grad = lookup_backward(&ids, upstream.view(), 5).unwrap();
        let eps = 1e-6;
        for ((i, j), &analytic) in grad.indexed_iter() {
            let (mut plus, mut minus) = (table.clone(), table.clone());
            plus[[i, j]] += eps;
            minus[[i, j]] -= eps;
            assert_abs_diff_eq!(
                analytic,
                (loss(&plus) - loss(&minus)) / (2.0 * eps),
                epsilon = 1e-8
            );
        }
        for unused in [0, 2, 4] {
            assert!(grad.row(unused).iter().all(|&g| g == 0.0));
        }
    }

    #[test]
    fn lookup_backward_refuses_bad_ids_and_shapes() {
        let upstream = Array2::<f64>::ones((2, 3));
        assert!(matches!(
            lookup_backward(&[0], upstream.view(), 4),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(
            lookup_backward(&[0, 4], upstream.view(), 4),
            Err(Error::OutOfRange { index: 4, len: 4, .. })
        ));
        let none = Array2::<f64>::zeros((0, 3));
        assert_eq!(
            lookup_backward(&[], none.view(), 2).unwrap(),
            Array2::<f64>::zeros((2, 3))
        );
    }
}

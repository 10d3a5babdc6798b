//! Embedding lookup: token ids to vectors, and its one-hot equivalent.

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
}

//! Principal component analysis by singular value decomposition of the
//! centred data (the SVD comes from `nalgebra`).

use nalgebra::DMatrix;
use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::{Error, Result};
use crate::math::centering::center;

/// The result of [`pca`].
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// The column means that were subtracted, length `d`.
    pub mean: Array1<f64>,
    /// The principal directions as rows, `k×d`, orthonormal. Each row's sign is
    /// fixed so that its largest-magnitude entry is positive (deterministic output).
    pub components: Array2<f64>,
    /// The data in component coordinates, `n×k`.
    pub coords: Array2<f64>,
    /// All `min(n, d)` singular values of the centred data, descending.
    pub singular_values: Array1<f64>,
    /// Share of the total variance on each of the `k` components.
    pub explained_variance_ratio: Array1<f64>,
}

/// Convert an ndarray matrix to nalgebra's column-major `DMatrix`.
pub(crate) fn to_nalgebra(x: ArrayView2<f64>) -> DMatrix<f64> {
    DMatrix::from_fn(x.nrows(), x.ncols(), |i, j| x[[i, j]])
}

/// Fit PCA with `k` components to the rows of `x` (`n×d`).
///
/// The data is centred, decomposed as `X_c = U S Vᵀ`, and projected on the
/// first `k` right singular vectors: `coords = X_c V_k`. The explained
/// variance ratio of component `i` is `sᵢ² / Σ s²` (0 when the data has no variance).
///
/// # Errors
/// [`Error::Parameter`] when `k` is 0 or larger than `min(n, d)`;
/// [`Error::Numerical`] if the SVD does not converge.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
/// let p = embspace::math::pca(x.view(), 1)?;
/// assert_eq!(p.coords.dim(), (4, 1));
/// assert!((p.explained_variance_ratio[0] - 0.8).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn pca(x: ArrayView2<f64>, k: usize) -> Result<Pca> {
    let rank_bound = x.nrows().min(x.ncols());
    if k == 0 || k > rank_bound {
        return Err(Error::parameter(
            "k",
            format!("must be between 1 and min(n, d) = {rank_bound}, got {k}"),
        ));
    }
    let (centred, mean) = center(x);
    let svd = to_nalgebra(centred.view())
        .try_svd(false, true, f64::EPSILON, 10_000)
        .ok_or_else(|| Error::Numerical {
            what: "pca",
            reason: "the SVD did not converge".into(),
        })?;
    let v_t = svd.v_t.expect("v_t was requested");
    // nalgebra does not promise an order: sort the singular triplets descending.
    let mut order: Vec<usize> = (0..svd.singular_values.len()).collect();
    order.sort_by(|&a, &b| {
        svd.singular_values[b]
            .total_cmp(&svd.singular_values[a])
            .then(a.cmp(&b))
    });
    let singular_values = Array1::from_iter(order.iter().map(|&i| svd.singular_values[i]));
    let mut components = Array2::from_shape_fn((k, x.ncols()), |(c, j)| v_t[(order[c], j)]);
    for mut row in components.rows_mut() {
        let pivot = row
            .iter()
            .fold(0.0f64, |best, &v| if v.abs() > best.abs() { v } else { best });
        if pivot < 0.0 {
            row.mapv_inplace(|v| -v);
        }
    }
    let coords = centred.dot(&components.t());
    let total: f64 = singular_values.iter().map(|s| s * s).sum();
    let explained_variance_ratio = singular_values
        .slice(ndarray::s![..k])
        .mapv(|s| if total > 0.0 { s * s / total } else { 0.0 });
    Ok(Pca {
        mean,
        components,
        coords,
        singular_values,
        explained_variance_ratio,
    })
}

impl Pca {
    /// Project new rows (`m×d`) into the fitted component coordinates (`m×k`).
    ///
    /// # Errors
    /// [`Error::Shape`] when the width differs from the fitted data's.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// let p = embspace::math::pca(array![[1.0, 0.0], [-1.0, 0.0], [0.0, 0.1]].view(), 1)?;
    /// assert_eq!(p.transform(array![[2.0, 0.0]].view())?.dim(), (1, 1));
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn transform(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.mean.len() {
            return Err(Error::shape(
                "Pca::transform",
                format!("{} columns", self.mean.len()),
                format!("{} columns", x.ncols()),
            ));
        }
        Ok((&x - &self.mean.view().insert_axis(Axis(0))).dot(&self.components.t()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    fn sample() -> Array2<f64> {
        Array2::from_shape_fn((12, 4), |(i, j)| {
            ((i * 7 + j * 3) % 11) as f64 * 0.3 + (i as f64) * (j as f64) * 0.05
        })
    }

    #[test]
    fn components_are_orthonormal() {
        let p = pca(sample().view(), 3).unwrap();
        assert_abs_diff_eq!(
            p.components.dot(&p.components.t()),
            Array2::eye(3),
            epsilon = 1e-10
        );
    }

    #[test]
    fn singular_values_squared_sum_to_the_total_sum_of_squares() {
        let x = sample();
        let p = pca(x.view(), 2).unwrap();
        let (centred, _) = center(x.view());
        let total: f64 = centred.iter().map(|v| v * v).sum();
        assert_abs_diff_eq!(p.singular_values.mapv(|s| s * s).sum(), total, epsilon = 1e-9);
        assert!(p.singular_values.windows(2).into_iter().all(|w| w[0] >= w[1]));
    }

    #[test]
    fn coordinates_have_variance_of_the_singular_values() {
        let p = pca(sample().view(), 2).unwrap();
        for c in 0..2 {
            let col = p.coords.column(c);
            assert_abs_diff_eq!(col.sum(), 0.0, epsilon = 1e-10);
            assert_abs_diff_eq!(col.dot(&col).sqrt(), p.singular_values[c], epsilon = 1e-10);
        }
    }

    #[test]
    fn full_rank_projection_reconstructs_the_data() {
        let x = sample();
        let p = pca(x.view(), 4).unwrap();
        let back = p.coords.dot(&p.components) + p.mean.view().insert_axis(Axis(0));
        assert_abs_diff_eq!(back, x, epsilon = 1e-10);
        assert_abs_diff_eq!(p.explained_variance_ratio.sum(), 1.0, epsilon = 1e-12);
    }

    #[test]
    fn transform_of_the_training_data_equals_its_coordinates() {
        let x = sample();
        let p = pca(x.view(), 2).unwrap();
        assert_abs_diff_eq!(p.transform(x.view()).unwrap(), p.coords, epsilon = 1e-12);
    }

    #[test]
    fn too_many_components_is_a_parameter_error() {
        assert!(matches!(
            pca(array![[1.0, 2.0]].view(), 2),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(pca(sample().view(), 0), Err(Error::Parameter { .. })));
    }
}

//! Similarity and distance between embedding vectors: dot product, cosine,
//! Euclidean distance, for one pair and for whole matrices of rows.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Zip};

use crate::error::{Error, Result};

/// Rows shorter than this are treated as zero vectors when normalising.
pub const ZERO_NORM: f64 = 1e-12;

/// Euclidean norm of every row.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let norms = embspace::math::row_norms(array![[3.0, 4.0], [0.0, 0.0]].view());
/// assert_eq!(norms, array![5.0, 0.0]);
/// ```
pub fn row_norms(x: ArrayView2<f64>) -> Array1<f64> {
    x.map_axis(Axis(1), |row| row.dot(&row).sqrt())
}

/// Scale every row to unit Euclidean norm.
///
/// A row whose norm is below [`ZERO_NORM`] (a zero vector) stays exactly zero
/// instead of becoming NaN, so cosine similarities with it are 0.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let unit = embspace::math::normalize_rows(array![[3.0, 4.0], [0.0, 0.0]].view());
/// assert_eq!(unit, array![[0.6, 0.8], [0.0, 0.0]]);
/// ```
pub fn normalize_rows(x: ArrayView2<f64>) -> Array2<f64> {
    let mut out = x.to_owned();
    for mut row in out.rows_mut() {
        let norm = row.dot(&row).sqrt();
        if norm >= ZERO_NORM {
            row /= norm;
        } else {
            row.fill(0.0);
        }
    }
    out
}

fn same_length(what: &'static str, u: ArrayView1<f64>, v: ArrayView1<f64>) -> Result<()> {
    if u.len() == v.len() {
        Ok(())
    } else {
        Err(Error::shape(
            what,
            format!("d = {}", u.len()),
            format!("d = {}", v.len()),
        ))
    }
}

fn same_width(what: &'static str, a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<()> {
    if a.ncols() == b.ncols() {
        Ok(())
    } else {
        Err(Error::shape(
            what,
            format!("{} columns", a.ncols()),
            format!("{} columns", b.ncols()),
        ))
    }
}

/// Dot product `u·v = Σ uᵢvᵢ`.
///
/// # Errors
/// [`Error::Shape`] when the lengths differ.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(embspace::math::dot(array![1.0, 2.0].view(), array![3.0, 4.0].view())?, 11.0);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn dot(u: ArrayView1<f64>, v: ArrayView1<f64>) -> Result<f64> {
    same_length("dot", u, v)?;
    Ok(u.dot(&v))
}

/// Cosine similarity `u·v / (‖u‖‖v‖)`, in `[-1, 1]`.
///
/// If either vector is zero the angle is undefined; this returns `0.0`
/// (no similarity) rather than NaN.
///
/// # Errors
/// [`Error::Shape`] when the lengths differ.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let c = embspace::math::cosine(array![1.0, 0.0].view(), array![2.0, 2.0].view())?;
/// assert!((c - 0.5f64.sqrt()).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn cosine(u: ArrayView1<f64>, v: ArrayView1<f64>) -> Result<f64> {
    same_length("cosine", u, v)?;
    let norms = u.dot(&u).sqrt() * v.dot(&v).sqrt();
    if norms < ZERO_NORM * ZERO_NORM {
        return Ok(0.0);
    }
    Ok((u.dot(&v) / norms).clamp(-1.0, 1.0))
}

/// Euclidean distance `‖u − v‖`.
///
/// # Errors
/// [`Error::Shape`] when the lengths differ.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(embspace::math::euclidean(array![0.0, 0.0].view(), array![3.0, 4.0].view())?, 5.0);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn euclidean(u: ArrayView1<f64>, v: ArrayView1<f64>) -> Result<f64> {
    same_length("euclidean", u, v)?;
    Ok(Zip::from(&u)
        .and(&v)
        .fold(0.0, |acc, a, b| acc + (a - b) * (a - b))
        .sqrt())
}

/// All dot products between the rows of `a` (`n×d`) and the rows of `b` (`m×d`): `a·bᵀ`, `n×m`.
///
/// # Errors
/// [`Error::Shape`] when the widths differ.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let g = embspace::math::dot_matrix(array![[1.0, 2.0]].view(), array![[3.0, 4.0], [1.0, 0.0]].view())?;
/// assert_eq!(g, array![[11.0, 1.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn dot_matrix(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>> {
    same_width("dot_matrix", a, b)?;
    Ok(a.dot(&b.t()))
}

/// All cosine similarities between the rows of `a` and the rows of `b`, `n×m`.
///
/// Zero rows give similarity 0 with everything (see [`normalize_rows`]).
///
/// # Errors
/// [`Error::Shape`] when the widths differ.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[1.0, 0.0], [0.0, 2.0]];
/// let c = embspace::math::cosine_matrix(x.view(), x.view())?;
/// assert_eq!(c, array![[1.0, 0.0], [0.0, 1.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn cosine_matrix(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>> {
    same_width("cosine_matrix", a, b)?;
    let c = normalize_rows(a).dot(&normalize_rows(b).t());
    Ok(c.mapv(|x| x.clamp(-1.0, 1.0)))
}

/// All Euclidean distances between the rows of `a` and the rows of `b`, `n×m`.
///
/// Computed directly as `‖aᵢ − bⱼ‖` (not through `‖a‖² + ‖b‖² − 2a·b`, which
/// loses precision for nearby points).
///
/// # Errors
/// [`Error::Shape`] when the widths differ.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let d = embspace::math::euclidean_matrix(array![[0.0, 0.0]].view(), array![[3.0, 4.0]].view())?;
/// assert_eq!(d, array![[5.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn euclidean_matrix(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>> {
    same_width("euclidean_matrix", a, b)?;
    Ok(Array2::from_shape_fn((a.nrows(), b.nrows()), |(i, j)| {
        Zip::from(a.row(i))
            .and(b.row(j))
            .fold(0.0, |acc, x, y| acc + (x - y) * (x - y))
            .sqrt()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn normalised_rows_have_unit_norm_and_zero_rows_stay_zero() {
        let x = array![[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [-1.0, 1.0, 1.0]];
        let unit = normalize_rows(x.view());
        let norms = row_norms(unit.view());
        assert_abs_diff_eq!(norms, array![1.0, 0.0, 1.0], epsilon = 1e-12);
        assert!(unit.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn dot_equals_norms_times_cosine() {
        let u: Array1<f64> = array![1.0, -2.0, 0.5];
        let v: Array1<f64> = array![0.3, 0.7, -4.0];
        let nu = u.dot(&u).sqrt();
        let nv = v.dot(&v).sqrt();
        let lhs = dot(u.view(), v.view()).unwrap();
        let rhs = nu * nv * cosine(u.view(), v.view()).unwrap();
        assert_abs_diff_eq!(lhs, rhs, epsilon = 1e-12);
    }

    #[test]
    fn cosine_is_scale_invariant_and_zero_for_zero_vectors() {
        let u = array![1.0, 2.0, 3.0];
        let v = array![-2.0, 0.5, 1.0];
        let c = cosine(u.view(), v.view()).unwrap();
        assert_abs_diff_eq!(
            cosine((&u * 7.5).view(), (&v * 0.01).view()).unwrap(),
            c,
            epsilon = 1e-12
        );
        assert_eq!(cosine(u.view(), array![0.0, 0.0, 0.0].view()).unwrap(), 0.0);
    }

    #[test]
    fn unit_vectors_satisfy_squared_distance_is_two_minus_two_cosine() {
        let x = normalize_rows(array![[1.0, 2.0], [-3.0, 1.0], [0.5, 0.5]].view());
        let d = euclidean_matrix(x.view(), x.view()).unwrap();
        let c = cosine_matrix(x.view(), x.view()).unwrap();
        assert_abs_diff_eq!(d.mapv(|v| v * v), c.mapv(|v| 2.0 - 2.0 * v), epsilon = 1e-12);
    }

    #[test]
    fn matrix_forms_agree_with_pairwise_forms() {
        let a = array![[1.0, 2.0], [0.0, -1.0]];
        let b = array![[0.5, 0.5], [2.0, 0.0], [-1.0, 3.0]];
        let dots = dot_matrix(a.view(), b.view()).unwrap();
        let cos = cosine_matrix(a.view(), b.view()).unwrap();
        let dist = euclidean_matrix(a.view(), b.view()).unwrap();
        for i in 0..2 {
            for j in 0..3 {
                assert_abs_diff_eq!(dots[[i, j]], dot(a.row(i), b.row(j)).unwrap(), epsilon = 1e-12);
                assert_abs_diff_eq!(cos[[i, j]], cosine(a.row(i), b.row(j)).unwrap(), epsilon = 1e-12);
                assert_abs_diff_eq!(
                    dist[[i, j]],
                    euclidean(a.row(i), b.row(j)).unwrap(),
                    epsilon = 1e-12
                );
            }
        }
    }

    #[test]
    fn mismatched_lengths_are_a_shape_error() {
        let err = cosine(array![1.0].view(), array![1.0, 2.0].view()).unwrap_err();
        assert!(matches!(err, Error::Shape { .. }), "{err}");
        assert!(dot_matrix(array![[1.0]].view(), array![[1.0, 2.0]].view()).is_err());
    }
}

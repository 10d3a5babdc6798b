//! Hard debiasing of word embeddings (Bolukbasi et al. 2016, "Man is to Computer
//! Programmer as Woman is to Homemaker?"): find a bias direction from definitional
//! pairs, neutralise words along it, and equalise pairs around it.
//!
//! The paper works with unit-length embeddings; [`neutralize`] and [`equalize`] return
//! unit vectors. Normalise your rows first (e.g. with [`crate::math::normalize_rows`])
//! to follow it exactly.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{Error, Result};
use crate::math::pca::pca;
use crate::math::similarity::{ZERO_NORM, normalize_rows};

/// The bias direction: the first principal component of definitional pairs, each
/// centred on its own mean.
///
/// For every pair `(a, b)` with mean `μ = (a + b)/2`, the rows `a − μ` and `b − μ`
/// (`= ±(a − b)/2`) are stacked and the first principal direction `g` of those `2n`
/// rows is returned (this is the paper's `C = Σᵢ Σ_{w∈Dᵢ} (w − μᵢ)(w − μᵢ)ᵀ / |Dᵢ|`
/// for pairs, and what its reference code does). Vectors are used as given (the paper
/// normalises them to unit length first). `g` has unit length and its sign is fixed so
/// that the first members lie on the positive side on the whole: `Σᵢ (aᵢ − bᵢ)·g ≥ 0`
/// (with `("she", "he")` pairs, `g` points from "he" to "she"); if that sum is exactly 0
/// the largest-magnitude entry of `g` is made positive.
///
/// # Errors
/// [`Error::Parameter`] when `pairs` is empty or its vectors have length 0;
/// [`Error::Shape`] when the vectors' lengths differ; [`Error::Numerical`] when every
/// pair has two equal vectors (no direction), or if the SVD fails.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let (she, he) = (array![0.1, 1.0, 0.3], array![0.1, -1.0, 0.3]);
/// let (queen, king) = (array![0.8, 0.9, 0.0], array![0.8, -1.1, 0.0]);
/// let g = embspace::math::bias_direction(&[(she.view(), he.view()), (queen.view(), king.view())])?;
/// assert!((g[1] - 1.0).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn bias_direction(pairs: &[(ArrayView1<f64>, ArrayView1<f64>)]) -> Result<Array1<f64>> {
    let Some((first, _)) = pairs.first() else {
        return Err(Error::parameter("pairs", "needs at least one definitional pair"));
    };
    let d = first.len();
    if d == 0 {
        return Err(Error::parameter("pairs", "the vectors have length 0"));
    }
    let mut centred = Array2::zeros((2 * pairs.len(), d));
    let mut difference_sum = Array1::zeros(d);
    for (k, (a, b)) in pairs.iter().enumerate() {
        for v in [a, b] {
            if v.len() != d {
                return Err(Error::shape(
                    "bias_direction pair",
                    format!("d = {d}"),
                    format!("d = {}", v.len()),
                ));
            }
        }
        let mean = (a + b) * 0.5;
        centred.row_mut(2 * k).assign(&(a - &mean));
        centred.row_mut(2 * k + 1).assign(&(b - &mean));
        difference_sum += &(a - b);
    }
    let p = pca(centred.view(), 1)?;
    if p.singular_values[0] < ZERO_NORM {
        return Err(Error::Numerical {
            what: "bias_direction",
            reason: "the two words of every pair are equal, so there is no direction".into(),
        });
    }
    let g = p.components.row(0).to_owned();
    Ok(if difference_sum.dot(&g) < 0.0 { -g } else { g })
}

/// [`bias_direction`] for pairs given as row indices `(a, b)` into the matrix `x`.
///
/// # Errors
/// [`Error::OutOfRange`] when an index is not a row of `x`; otherwise as [`bias_direction`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[0.0, 1.0], [0.0, -1.0], [5.0, 0.0]];
/// let g = embspace::math::bias_direction_from_rows(x.view(), &[(0, 1)])?;
/// assert_eq!(g, array![0.0, 1.0]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn bias_direction_from_rows(x: ArrayView2<f64>, pairs: &[(usize, usize)]) -> Result<Array1<f64>> {
    let row = |i: usize| {
        if i < x.nrows() {
            Ok(x.row(i))
        } else {
            Err(Error::OutOfRange {
                what: "pair row",
                index: i,
                len: x.nrows(),
            })
        }
    };
    let views = pairs
        .iter()
        .map(|&(a, b)| Ok((row(a)?, row(b)?)))
        .collect::<Result<Vec<_>>>()?;
    bias_direction(&views)
}

/// `direction` scaled to unit length.
fn unit_direction(direction: ArrayView1<f64>, d: usize, what: &'static str) -> Result<Array1<f64>> {
    if direction.len() != d {
        return Err(Error::shape(
            what,
            format!("direction of length {d}"),
            format!("length {}", direction.len()),
        ));
    }
    let norm = direction.dot(&direction).sqrt();
    if !(norm >= ZERO_NORM && norm.is_finite()) {
        return Err(Error::parameter(
            "direction",
            format!("must be a finite non-zero vector, has norm {norm}"),
        ));
    }
    Ok(direction.to_owned() / norm)
}

/// Scalar projection `v·g / ‖g‖` of `v` on `direction` (its signed length along it).
///
/// # Errors
/// [`Error::Shape`] when the lengths differ; [`Error::Parameter`] when `direction` is zero.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(embspace::math::project(array![3.0, 4.0].view(), array![0.0, 2.0].view())?, 4.0);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn project(v: ArrayView1<f64>, direction: ArrayView1<f64>) -> Result<f64> {
    Ok(v.dot(&unit_direction(direction, v.len(), "project")?))
}

/// Neutralise the rows of `x`: remove their component along `direction`, then
/// re-normalise to unit length, as the paper does (`w ← (w − w_B)/‖w − w_B‖`,
/// `w_B = (w·ĝ)ĝ`).
///
/// Every output row is a unit vector orthogonal to the direction (projection 0 up to
/// rounding, `~1e-16`). The re-normalisation means input norms are not kept: the
/// method assumes unit-length embeddings. A row lying entirely along the direction
/// (nothing left after the removal) becomes the zero row.
///
/// # Errors
/// [`Error::Shape`] when the direction's length is not `x`'s width; [`Error::Parameter`]
/// when `direction` is zero.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let n = embspace::math::neutralize(array![[3.0, 4.0]].view(), array![0.0, 1.0].view())?;
/// assert_eq!(n, array![[1.0, 0.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn neutralize(x: ArrayView2<f64>, direction: ArrayView1<f64>) -> Result<Array2<f64>> {
    let g = unit_direction(direction, x.ncols(), "neutralize")?;
    let along = x.dot(&g);
    let removed = &x - &along.insert_axis(Axis(1)).dot(&g.view().insert_axis(Axis(0)));
    Ok(normalize_rows(removed.view()))
}

/// Equalise a pair: place both words symmetrically about the neutral hyperplane
/// (orthogonal to `direction`), with unit norm, so any neutral word is equidistant
/// from the two.
///
/// With `μ = (a + b)/2` and `ν = μ − (μ·ĝ)ĝ` (the shared, neutral part), the paper sets
/// `w ← ν + √(1 − ‖ν‖²) · (w_B − μ_B)/‖w_B − μ_B‖`, i.e. `a' = ν + s z ĝ` and
/// `b' = ν − s z ĝ` with `z = √(1 − ‖ν‖²)` and `s = sign((a − b)·ĝ)`: each word keeps
/// its side. When `a` and `b` project equally (`s` undefined) `a` is put on the positive
/// side, as the reference code does. Both results have unit norm and the same neutral
/// part, so `‖n − a'‖ = ‖n − b'‖` for every `n` orthogonal to `ĝ`.
///
/// # Errors
/// [`Error::Shape`] when the lengths differ; [`Error::Parameter`] when `direction` is
/// zero or `‖ν‖ > 1` (the pair is not of unit-length vectors; normalise it first).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let (a, b) = (array![0.6, 0.8], array![0.8, -0.6]);
/// let (a2, b2) = embspace::math::equalize((a.view(), b.view()), array![0.0, 1.0].view())?;
/// assert!((a2[1] + b2[1]).abs() < 1e-12 && (a2[0] - b2[0]).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn equalize(
    pair: (ArrayView1<f64>, ArrayView1<f64>),
    direction: ArrayView1<f64>,
) -> Result<(Array1<f64>, Array1<f64>)> {
    let (a, b) = pair;
    if a.len() != b.len() {
        return Err(Error::shape(
            "equalize pair",
            format!("d = {}", a.len()),
            format!("d = {}", b.len()),
        ));
    }
    let g = unit_direction(direction, a.len(), "equalize")?;
    let mu = (&a + &b) * 0.5;
    let nu = &mu - &(&g * mu.dot(&g));
    let nu_sq = nu.dot(&nu);
    if nu_sq > 1.0 + 1e-10 {
        return Err(Error::parameter(
            "pair",
            format!(
                "the neutral part of the mean has norm {} > 1; equalize expects unit vectors",
                nu_sq.sqrt()
            ),
        ));
    }
    let z = (1.0 - nu_sq).max(0.0).sqrt();
    let side = if (&a - &b).dot(&g) < 0.0 { -z } else { z };
    Ok((&nu + &(&g * side), &nu - &(&g * side)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    const D: usize = 20;

    fn unit(v: Array1<f64>) -> Array1<f64> {
        let n = v.dot(&v).sqrt();
        v / n
    }

    type Pair = (Array1<f64>, Array1<f64>);

    /// A planted unit direction and `n` noisy pairs `(base + t g + ε, base − t g + ε')`.
    fn planted(n: usize, seed: u64) -> (Array1<f64>, Vec<Pair>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let g = unit(Array1::random_using(D, StandardNormal, &mut rng));
        let pairs = (0..n)
            .map(|k| {
                let base = Array1::<f64>::random_using(D, StandardNormal, &mut rng);
                let t = 1.0 + 0.1 * k as f64;
                let mut noise = || Array1::<f64>::random_using(D, StandardNormal, &mut rng) * 0.05;
                (&base + &(&g * t) + noise(), &base - &(&g * t) + noise())
            })
            .collect();
        (g, pairs)
    }

    fn views(pairs: &[Pair]) -> Vec<(ArrayView1<'_, f64>, ArrayView1<'_, f64>)> {
        pairs.iter().map(|(a, b)| (a.view(), b.view())).collect()
    }

    #[test]
    fn bias_direction_recovers_a_planted_direction_from_noisy_pairs() {
        let (g, pairs) = planted(10, 1);
        let found = bias_direction(&views(&pairs)).unwrap();
        assert_abs_diff_eq!(found.dot(&found), 1.0, epsilon = 1e-12);
        // The first members carry +g, so the sign convention makes the cosine positive.
        assert!(found.dot(&g) > 0.99, "{}", found.dot(&g));
    }

    #[test]
    fn swapping_every_pair_flips_the_bias_direction() {
        let (_, pairs) = planted(6, 2);
        let swapped: Vec<_> = pairs.iter().map(|(a, b)| (b.clone(), a.clone())).collect();
        let g = bias_direction(&views(&pairs)).unwrap();
        assert_abs_diff_eq!(bias_direction(&views(&swapped)).unwrap(), -g, epsilon = 1e-12);
    }

    #[test]
    fn indexed_pairs_give_the_same_direction_as_views() {
        let (_, pairs) = planted(4, 3);
        let rows: Vec<_> = pairs.iter().flat_map(|(a, b)| [a.view(), b.view()]).collect();
        let x = ndarray::stack(Axis(0), &rows).unwrap();
        let indexed = bias_direction_from_rows(x.view(), &[(0, 1), (2, 3), (4, 5), (6, 7)]).unwrap();
        assert_abs_diff_eq!(indexed, bias_direction(&views(&pairs)).unwrap(), epsilon = 1e-12);
        let err = bias_direction_from_rows(x.view(), &[(0, 8)]).unwrap_err();
        assert!(matches!(err, Error::OutOfRange { index: 8, len: 8, .. }), "{err}");
    }

    #[test]
    fn degenerate_pairs_are_refused() {
        assert!(matches!(bias_direction(&[]), Err(Error::Parameter { .. })));
        let a = array![1.0, 2.0];
        assert!(matches!(
            bias_direction(&[(a.view(), a.view())]),
            Err(Error::Numerical { .. })
        ));
        let b = array![1.0, 2.0, 3.0];
        assert!(matches!(
            bias_direction(&[(a.view(), b.view())]),
            Err(Error::Shape { .. })
        ));
    }

    #[test]
    fn neutralized_rows_have_zero_projection_and_unit_norm() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let x = normalize_rows(Array2::<f64>::random_using((30, D), StandardNormal, &mut rng).view());
        let g = Array1::<f64>::random_using(D, StandardNormal, &mut rng) * 3.0; // not unit: still fine
        let n = neutralize(x.view(), g.view()).unwrap();
        for row in n.rows() {
            assert_abs_diff_eq!(project(row, g.view()).unwrap(), 0.0, epsilon = 1e-14);
            assert_abs_diff_eq!(row.dot(&row), 1.0, epsilon = 1e-12);
        }
    }

    #[test]
    fn a_row_along_the_direction_neutralizes_to_zero() {
        let n = neutralize(array![[0.0, 2.0], [1.0, 1.0]].view(), array![0.0, 1.0].view()).unwrap();
        assert_eq!(n, array![[0.0, 0.0], [1.0, 0.0]]);
        assert!(matches!(
            neutralize(n.view(), array![0.0, 0.0].view()),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            neutralize(n.view(), array![1.0].view()),
            Err(Error::Shape { .. })
        ));
    }

    #[test]
    fn equalized_pair_is_symmetric_and_equidistant_from_every_neutral_word() {
        let (g, pairs) = planted(1, 5);
        let (a, b) = (unit(pairs[0].0.clone()), unit(pairs[0].1.clone()));
        let (a2, b2) = equalize((a.view(), b.view()), g.view()).unwrap();
        // Unit norms, opposite projections, a keeps its (positive) side, the same neutral part.
        assert_abs_diff_eq!(a2.dot(&a2), 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(b2.dot(&b2), 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(a2.dot(&g), -b2.dot(&g), epsilon = 1e-12);
        assert!(a2.dot(&g) > 0.0);
        assert_abs_diff_eq!(
            &a2 - &(&g * a2.dot(&g)),
            &b2 - &(&g * b2.dot(&g)),
            epsilon = 1e-12
        );
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let words = neutralize(
            Array2::<f64>::random_using((10, D), StandardNormal, &mut rng).view(),
            g.view(),
        );
        for w in words.unwrap().rows() {
            let (da, db) = ((&w - &a2), (&w - &b2));
            assert_abs_diff_eq!(da.dot(&da).sqrt(), db.dot(&db).sqrt(), epsilon = 1e-12);
        }
    }

    #[test]
    fn equalize_refuses_vectors_whose_neutral_mean_exceeds_unit_norm() {
        let (a, b) = (array![3.0, 1.0], array![3.0, -1.0]);
        let err = equalize((a.view(), b.view()), array![0.0, 1.0].view()).unwrap_err();
        assert!(matches!(err, Error::Parameter { name: "pair", .. }), "{err}");
    }
}

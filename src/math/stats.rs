//! Descriptive statistics for evaluating embeddings: Pearson and Spearman
//! correlation (as `scipy.stats` computes them), average ranks, mean and
//! standard deviation, percentiles (as `numpy.percentile` interpolates them),
//! histograms (as `numpy.histogram` bins them) and a least-squares line.

use ndarray::{Array1, ArrayView1};

use crate::error::{Error, Result};

/// Refuse two samples that cannot be correlated: different lengths, fewer
/// than two values, or a value that is not finite.
fn check_pair(what: &'static str, x: ArrayView1<f64>, y: ArrayView1<f64>) -> Result<()> {
    if x.len() != y.len() {
        return Err(Error::shape(
            what,
            format!("n = {}", x.len()),
            format!("n = {}", y.len()),
        ));
    }
    if x.len() < 2 {
        return Err(Error::parameter(
            "x",
            format!("{what} needs at least 2 values, got {}", x.len()),
        ));
    }
    if x.iter().chain(y.iter()).any(|v| !v.is_finite()) {
        return Err(Error::parameter("x", format!("{what} needs finite values")));
    }
    Ok(())
}

/// Refuse a constant sample (every value equal to the first, as scipy tests it).
fn check_varies(what: &'static str, name: &str, x: ArrayView1<f64>) -> Result<()> {
    if x.iter().all(|&v| v == x[0]) {
        return Err(Error::Numerical {
            what,
            reason: format!("`{name}` is constant: zero variance"),
        });
    }
    Ok(())
}

/// The mean of a non-empty sample and its deviations from it.
fn deviations(x: ArrayView1<f64>) -> (f64, Array1<f64>) {
    let mean = x.sum() / x.len() as f64;
    (mean, x.mapv(|v| v - mean))
}

/// Pearson's correlation coefficient `r = Σ(xᵢ−x̄)(yᵢ−ȳ) / √(Σ(xᵢ−x̄)² Σ(yᵢ−ȳ)²)`, in `[-1, 1]`.
///
/// The deviations are scaled to unit length before their dot product (as
/// `scipy.stats.pearsonr` does) and the result is clipped to `[-1, 1]`.
///
/// # Errors
/// [`Error::Shape`] when the lengths differ; [`Error::Parameter`] for fewer
/// than two values or a non-finite value; [`Error::Numerical`] when either
/// sample is constant (zero variance), where `r` is undefined (scipy returns NaN).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let r = embspace::math::pearson(array![1.0, 2.0, 3.0].view(), array![2.0, 4.0, 7.0].view())?;
/// assert!((r - 0.9933992677987828).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn pearson(x: ArrayView1<f64>, y: ArrayView1<f64>) -> Result<f64> {
    check_pair("pearson", x, y)?;
    check_varies("pearson", "x", x)?;
    check_varies("pearson", "y", y)?;
    let (_, dx) = deviations(x);
    let (_, dy) = deviations(y);
    let (nx, ny) = (dx.dot(&dx).sqrt(), dy.dot(&dy).sqrt());
    if nx == 0.0 || ny == 0.0 {
        return Err(Error::Numerical {
            what: "pearson",
            reason: "zero variance after centring".into(),
        });
    }
    Ok((dx / nx).dot(&(dy / ny)).clamp(-1.0, 1.0))
}

/// Spearman's rank correlation: Pearson's `r` of the average ranks
/// ([`ranks`]), exactly as `scipy.stats.spearmanr` computes it, ties included.
///
/// # Errors
/// As [`pearson`]; a sample whose values are all tied is constant and gives
/// [`Error::Numerical`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// // Any increasing relation has rank correlation 1.
/// let rho = embspace::math::spearman(array![1.0, 2.0, 3.0, 4.0].view(), array![1.0, 8.0, 27.0, 64.0].view())?;
/// assert_eq!(rho, 1.0);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn spearman(x: ArrayView1<f64>, y: ArrayView1<f64>) -> Result<f64> {
    check_pair("spearman", x, y)?;
    check_varies("spearman", "x", x)?;
    check_varies("spearman", "y", y)?;
    pearson(ranks(x).view(), ranks(y).view())
}

/// Average ranks, 1-based: the smallest value gets rank 1, and tied values
/// share the mean of the ranks they span (`scipy.stats.rankdata(method="average")`).
///
/// Values are ordered by [`f64::total_cmp`] and grouped as ties by `==`, so
/// `-0.0` and `0.0` tie; a NaN ties with nothing and ranks after every number
/// (a negative NaN before). An empty input gives an empty output.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(embspace::math::ranks(array![10.0, 30.0, 20.0, 20.0].view()), array![1.0, 4.0, 2.5, 2.5]);
/// ```
pub fn ranks(x: ArrayView1<f64>) -> Array1<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut out = Array1::zeros(x.len());
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1 ..= end; their mean:
        let average = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = average;
        }
        start = end;
    }
    out
}

/// Mean and population standard deviation `√(Σ(xᵢ−x̄)²/n)` (numpy's default
/// `ddof = 0`, not the sample estimate with `n − 1`).
///
/// Computed in two passes (mean first, then squared deviations), so a large
/// common offset does not cancel the variance away. An empty input gives
/// `(NaN, NaN)`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let (mean, std) = embspace::math::mean_std(array![2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0].view());
/// assert_eq!((mean, std), (5.0, 2.0));
/// ```
pub fn mean_std(x: ArrayView1<f64>) -> (f64, f64) {
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let (mean, dx) = deviations(x);
    (mean, (dx.dot(&dx) / x.len() as f64).sqrt())
}

/// The `p`-th percentile of `values` (`p` in `[0, 100]`), with
/// `numpy.percentile`'s default (`linear`) interpolation: sorted, the value at
/// position `h = (n − 1)·p/100`, interpolated between its two neighbours.
///
/// # Errors
/// [`Error::Parameter`] when `values` is empty or holds a value that is not
/// finite, or when `p` is outside `[0, 100]`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![4.0, 1.0, 3.0, 2.0];
/// assert_eq!(embspace::math::percentile(x.view(), 50.0)?, 2.5); // numpy.percentile(x, 50)
/// assert!((embspace::math::percentile(x.view(), 2.0)? - 1.06).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn percentile(values: ArrayView1<f64>, p: f64) -> Result<f64> {
    if !(0.0..=100.0).contains(&p) {
        return Err(Error::parameter("p", format!("must be in [0, 100], got {p}")));
    }
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return Err(Error::parameter(
            "values",
            "a percentile needs at least one value, all finite",
        ));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * p / 100.0;
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    Ok(sorted[below] + (h - below as f64) * (sorted[above] - sorted[below]))
}

/// Equal-width bins and how many values fell in each; see [`histogram`].
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// The `bins + 1` bin edges, increasing.
    pub edges: Array1<f64>,
    /// The number of values in each of the `bins` bins.
    pub counts: Array1<usize>,
}

/// Count values in `bins` equal-width bins, with `numpy.histogram` semantics.
///
/// Bin `i` is the half-open interval `[edgesᵢ, edgesᵢ₊₁)`, except the last,
/// which is closed: the range's upper end is counted. Edges are
/// `lo + i·(hi − lo)/bins` with the last set to `hi` exactly (numpy's `linspace`).
/// With `range = None` the range is `(min, max)` of the values, or `(0, 1)`
/// when there are none; a range with `lo == hi` is widened to `(lo − ½, hi + ½)`.
/// Values outside the range (and NaNs) are not counted.
///
/// # Errors
/// [`Error::Parameter`] when `bins` is 0, when a given range is not finite or
/// has `lo > hi`, or when `range` is `None` and a value is not finite.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let h = embspace::math::histogram(array![0.0, 0.5, 1.0, 1.5, 2.0].view(), 2, None)?;
/// assert_eq!(h.edges, array![0.0, 1.0, 2.0]);
/// assert_eq!(h.counts, array![2, 3]); // 2.0 falls in the closed last bin
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn histogram(values: ArrayView1<f64>, bins: usize, range: Option<(f64, f64)>) -> Result<Histogram> {
    if bins == 0 {
        return Err(Error::parameter("bins", "must be at least 1"));
    }
    let (mut lo, mut hi) = match range {
        Some((lo, hi)) if !(lo.is_finite() && hi.is_finite()) => {
            return Err(Error::parameter(
                "range",
                format!("must be finite, got ({lo}, {hi})"),
            ));
        }
        Some((lo, hi)) if lo > hi => {
            return Err(Error::parameter(
                "range",
                format!("needs lo <= hi, got ({lo}, {hi})"),
            ));
        }
        Some(given) => given,
        None if values.is_empty() => (0.0, 1.0),
        None if values.iter().any(|v| !v.is_finite()) => {
            return Err(Error::parameter(
                "values",
                "a range cannot be inferred from non-finite values",
            ));
        }
        None => values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        }),
    };
    if lo == hi {
        (lo, hi) = (lo - 0.5, hi + 0.5);
    }
    let step = (hi - lo) / bins as f64;
    let mut edges = Array1::from_shape_fn(bins + 1, |i| i as f64 * step + lo);
    edges[bins] = hi;
    let mut counts = Array1::zeros(bins);
    let norm = bins as f64 / (hi - lo);
    for &v in values.iter().filter(|&&v| v >= lo && v <= hi) {
        // numpy's fast path: scale to a bin index, then correct it against the edges.
        let mut i = (((v - lo) * norm) as usize).min(bins - 1);
        if v < edges[i] {
            i -= 1;
        } else if v >= edges[i + 1] && i != bins - 1 {
            i += 1;
        }
        counts[i] += 1;
    }
    Ok(Histogram { edges, counts })
}

/// Least-squares line `y ≈ slope·x + intercept`: `slope = Σ(xᵢ−x̄)(yᵢ−ȳ) / Σ(xᵢ−x̄)²`,
/// `intercept = ȳ − slope·x̄`. Returns `(slope, intercept)`.
///
/// A constant `y` is fine (slope 0).
///
/// # Errors
/// As [`pearson`], except that only a constant `x` (a vertical line) gives
/// [`Error::Numerical`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let (slope, intercept) = embspace::math::linear_fit(array![0.0, 1.0, 2.0].view(), array![1.0, 3.0, 5.0].view())?;
/// assert!((slope - 2.0).abs() < 1e-12 && (intercept - 1.0).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn linear_fit(x: ArrayView1<f64>, y: ArrayView1<f64>) -> Result<(f64, f64)> {
    check_pair("linear_fit", x, y)?;
    check_varies("linear_fit", "x", x)?;
    let (mx, dx) = deviations(x);
    let (my, dy) = deviations(y);
    let sxx = dx.dot(&dx);
    if sxx == 0.0 {
        return Err(Error::Numerical {
            what: "linear_fit",
            reason: "zero variance in x after centring".into(),
        });
    }
    let slope = dx.dot(&dy) / sxx;
    Ok((slope, my - slope * mx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn percentiles_interpolate_between_sorted_values_as_numpy_does() {
        // numpy.percentile([10, 7, 4, 1, 20], [0, 2, 25, 50, 90, 100])
        let x = array![10.0, 7.0, 4.0, 1.0, 20.0];
        let numpy = [
            (0.0, 1.0),
            (2.0, 1.24),
            (25.0, 4.0),
            (50.0, 7.0),
            (90.0, 16.0),
            (100.0, 20.0),
        ];
        for (p, expected) in numpy {
            assert_abs_diff_eq!(percentile(x.view(), p).unwrap(), expected, epsilon = 1e-12);
        }
        assert_eq!(percentile(array![3.5].view(), 2.0).unwrap(), 3.5);
        assert!(percentile(array![1.0].view(), 101.0).is_err());
        assert!(percentile(Array1::<f64>::zeros(0).view(), 2.0).is_err());
        assert!(percentile(array![1.0, f64::NAN].view(), 2.0).is_err());
    }

    #[test]
    fn pearson_matches_scipy_and_is_invariant_to_affine_maps() {
        // scipy.stats.pearsonr([1, 2, 3, 4, 5], [2, 1, 4, 3, 7]).statistic
        let (x, y) = (array![1.0, 2.0, 3.0, 4.0, 5.0], array![2.0, 1.0, 4.0, 3.0, 7.0]);
        let r = pearson(x.view(), y.view()).unwrap();
        assert_abs_diff_eq!(r, 0.8241633836921339, epsilon = 1e-12);
        let moved = pearson((&x * 3.0 + 100.0).view(), (&y * 0.01 - 5.0).view()).unwrap();
        assert_abs_diff_eq!(moved, r, epsilon = 1e-12);
        assert_abs_diff_eq!(pearson(x.view(), (-&y).view()).unwrap(), -r, epsilon = 1e-12);
    }

    #[test]
    fn average_ranks_match_scipy_rankdata_with_ties() {
        // scipy.stats.rankdata([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])
        let x = array![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
        let expected = array![4.5, 1.5, 6.0, 1.5, 8.0, 11.0, 3.0, 10.0, 8.0, 4.5, 8.0];
        assert_eq!(ranks(x.view()), expected);
        // Ranks always sum to n(n+1)/2, however the ties fall.
        assert_abs_diff_eq!(ranks(x.view()).sum(), 66.0, epsilon = 1e-12);
        assert_eq!(ranks(array![0.0, -0.0].view()), array![1.5, 1.5]);
    }

    #[test]
    fn spearman_with_ties_matches_scipy_spearmanr() {
        // scipy.stats.spearmanr(x, y).statistic for these two tied samples.
        let x = array![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
        let y = array![2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0, 2.0, 8.0, 4.0];
        let rho = spearman(x.view(), y.view()).unwrap();
        assert_abs_diff_eq!(rho, 0.1384567651467695, epsilon = 1e-12);
        let by_definition = pearson(ranks(x.view()).view(), ranks(y.view()).view()).unwrap();
        assert_abs_diff_eq!(rho, by_definition, epsilon = 1e-15);
    }

    #[test]
    fn spearman_without_ties_equals_the_squared_rank_difference_formula() {
        // ρ = 1 − 6 Σ dᵢ² / (n(n² − 1)) holds when there are no ties.
        let x = array![0.3, -1.2, 2.5, 0.9, 4.1, -0.4, 1.7];
        let y = array![1.0, 0.2, 0.1, 3.3, 2.2, -5.0, 0.0];
        let d = ranks(x.view()) - ranks(y.view());
        let n = x.len() as f64;
        let formula = 1.0 - 6.0 * d.dot(&d) / (n * (n * n - 1.0));
        assert_abs_diff_eq!(spearman(x.view(), y.view()).unwrap(), formula, epsilon = 1e-12);
    }

    #[test]
    fn degenerate_samples_are_errors() {
        let (a, b, constant) = (array![1.0, 2.0, 3.0], array![1.0, 2.0], array![0.1, 0.1, 0.1]);
        let numerical = |r: Result<f64>| matches!(r, Err(Error::Numerical { .. }));
        let parameter = |r: Result<f64>| matches!(r, Err(Error::Parameter { .. }));
        assert!(matches!(pearson(a.view(), b.view()), Err(Error::Shape { .. })));
        assert!(parameter(spearman(array![1.0].view(), array![2.0].view())));
        assert!(parameter(pearson(array![1.0, f64::NAN].view(), b.view())));
        assert!(numerical(pearson(a.view(), constant.view())));
        assert!(numerical(spearman(constant.view(), a.view())));
        assert!(matches!(
            linear_fit(constant.view(), a.view()),
            Err(Error::Numerical { .. })
        ));
    }

    #[test]
    fn population_std_divides_by_n_and_ignores_a_large_offset() {
        let x = array![1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0, 1e9 + 4.0];
        let (mean, std) = mean_std(x.view());
        assert_abs_diff_eq!(mean, 1e9 + 2.5, epsilon = 1e-6);
        assert_abs_diff_eq!(std, 1.25f64.sqrt(), epsilon = 1e-9);
        assert!(mean_std(Array1::<f64>::zeros(0).view()).0.is_nan());
    }

    #[test]
    fn histogram_matches_numpy_edges_and_counts() {
        // numpy.histogram([0.1, 0.2, 0.2, 0.7, 1.0, -3.0, 2.0], bins=3, range=(0, 1))
        let v = array![0.1, 0.2, 0.2, 0.7, 1.0, -3.0, 2.0];
        let h = histogram(v.view(), 3, Some((0.0, 1.0))).unwrap();
        assert_abs_diff_eq!(h.edges, array![0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0], epsilon = 1e-15);
        assert_eq!(h.counts, array![3, 0, 2]);
        // Values on an inner edge go to the bin on their right.
        let on_edges = histogram(array![0.0, 0.25, 0.5, 0.75, 1.0].view(), 4, None).unwrap();
        assert_eq!(on_edges.counts, array![1, 1, 1, 2]);
        // numpy.histogram([0.1 * i for i in range(31)], bins=7, range=(0.3, 2.9)): edges rounding.
        let tenths = Array1::from_shape_fn(31, |i| i as f64 * 0.1);
        let h = histogram(tenths.view(), 7, Some((0.3, 2.9))).unwrap();
        assert_eq!(h.counts, array![4, 4, 4, 3, 4, 4, 3]);
    }

    #[test]
    fn histogram_counts_every_value_once_when_the_range_is_inferred() {
        let v = Array1::from_shape_fn(1000, |i| ((i * 7919) % 1013) as f64 * 0.37 - 50.0);
        let h = histogram(v.view(), 17, None).unwrap();
        assert_eq!(h.counts.sum(), v.len());
        for (i, &count) in h.counts.iter().enumerate() {
            let (lo, hi) = (h.edges[i], h.edges[i + 1]);
            let last = i == h.counts.len() - 1;
            let inside = v
                .iter()
                .filter(|&&x| x >= lo && (x < hi || (last && x <= hi)))
                .count();
            assert_eq!(count, inside);
        }
    }

    #[test]
    fn histogram_degenerate_ranges_follow_numpy() {
        let h = histogram(array![2.0, 2.0].view(), 2, None).unwrap();
        assert_eq!(h.edges, array![1.5, 2.0, 2.5]);
        assert_eq!(h.counts, array![0, 2]);
        assert_eq!(
            histogram(Array1::<f64>::zeros(0).view(), 2, None).unwrap().edges,
            array![0.0, 0.5, 1.0]
        );
        assert!(histogram(array![1.0].view(), 0, None).is_err());
        assert!(histogram(array![1.0].view(), 2, Some((1.0, 0.0))).is_err());
        assert!(histogram(array![1.0, f64::INFINITY].view(), 2, None).is_err());
    }

    #[test]
    fn linear_fit_recovers_a_line_and_agrees_with_pearson() {
        let x = array![0.0, 1.0, 2.5, 4.0, 7.0];
        let (slope, intercept) = linear_fit(x.view(), (&x * -1.5 + 0.25).view()).unwrap();
        assert_abs_diff_eq!(slope, -1.5, epsilon = 1e-12);
        assert_abs_diff_eq!(intercept, 0.25, epsilon = 1e-12);
        // With noise, slope = r · std(y) / std(x).
        let y = array![0.3, 1.1, 2.0, 4.4, 6.1];
        let (slope, _) = linear_fit(x.view(), y.view()).unwrap();
        let r = pearson(x.view(), y.view()).unwrap();
        let (std_x, std_y) = (mean_std(x.view()).1, mean_std(y.view()).1);
        assert_abs_diff_eq!(slope, r * std_y / std_x, epsilon = 1e-12);
        let flat = Array1::from_elem(5, 3.0);
        assert_eq!(linear_fit(x.view(), flat.view()).unwrap(), (0.0, 3.0));
    }
}

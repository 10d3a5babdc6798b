//! The geometry of a user's embedding table: norms, the common direction,
//! anisotropy, isotropy, principal components and what centring and
//! all-but-the-top do to them.
//!
//! Norms and the mean vector use every row, read as `f32` and summed in `f64`.
//! Everything that needs a covariance works on a **sample**: the first
//! `sample_rows` non-zero rows (the most frequent tokens in word2vec, GloVe and
//! fastText files), widened to `f64`. That bounds the extra memory by the
//! sample, not the vocabulary, and keeps the long tail of rare, noisy vectors
//! from dominating, as in Mu & Viswanath (2018), who post-process the top of
//! the vocabulary. The sample is transformed in place (raw, then centred,
//! then all-but-the-top), so one copy of it exists at a time.
//!
//! Up to [`EXACT_DIM`] dimensions the sample's covariance is decomposed
//! whole. Above, a `d×d` eigendecomposition is the trap (minutes at
//! `d = 4096`): only the leading principal directions are computed, by
//! subspace iteration on the sample itself ([`leading_eigen`]), enough for
//! the reported components and all-but-the-top; the isotropy score then
//! ranges over those directions (an upper bound on the score over all of
//! them), and a share of the variance the computed components do not reach
//! is reported as not reached.
//!
//! A table with fewer than 3 non-zero rows, or of dimension 1, has no pair
//! statistics or principal plane to speak of: it gets its shape and norms, the
//! cosine of its two rows when it has two, and the reason the rest is not
//! computed ([`SampleStatistics::NotComputed`]).

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::math::{
    Anisotropy, TruncatedEigenParams, ZERO_NORM, cosine, covariance, isotropy_score, isotropy_score_along,
    leading_eigen, mean_std, random_pair_cosines, symmetric_eigen,
};
use crate::real::{MIN_NON_ZERO_ROWS, too_small};

/// Dimensions up to which the sample's covariance is decomposed whole (at
/// 1 024 nalgebra takes about a second); above it only the leading
/// directions are computed.
pub const EXACT_DIM: usize = 1024;

/// Leading directions computed above [`EXACT_DIM`] at least (more when
/// more components are reported or removed): what the isotropy score ranges
/// over there.
const TRUNCATED_DIRECTIONS: usize = 64;

/// The knobs of [`diagnose`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiagnoseParams {
    /// Rows in the covariance sample (the first non-zero rows), at least 3.
    pub sample_rows: usize,
    /// Random pairs drawn for each anisotropy estimate.
    pub pairs: usize,
    /// Principal directions all-but-the-top removes; `None`: `d/100` rounded,
    /// at least 1 (Mu & Viswanath's rule).
    pub remove_components: Option<usize>,
    /// Leading principal components reported.
    pub components: usize,
    /// Most frequent tokens placed in the 2-D PCA scatter.
    pub scatter_tokens: usize,
    /// Seed of the pair sampler.
    pub seed: u64,
}

impl Default for DiagnoseParams {
    fn default() -> Self {
        DiagnoseParams {
            sample_rows: 10_000,
            pairs: 10_000,
            remove_components: None,
            components: 20,
            scatter_tokens: 40,
            seed: 42,
        }
    }
}

/// Summary statistics of the row norms (zero rows included).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormStats {
    /// Smallest norm.
    pub min: f64,
    /// Largest norm.
    pub max: f64,
    /// Mean norm.
    pub mean: f64,
    /// Median norm.
    pub median: f64,
    /// Population standard deviation of the norms.
    pub std: f64,
}

/// Anisotropy and isotropy of one version of the sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Geometry {
    /// Which version: raw, centred, all-but-the-top.
    pub label: String,
    /// Mean and spread of random-pair cosines.
    pub anisotropy: Anisotropy,
    /// Mu & Viswanath's `min Z / max Z` over the principal directions (1 = isotropic).
    pub isotropy: f64,
    /// The sampled pair cosines behind `anisotropy`, for the histogram.
    #[serde(skip)]
    pub cosines: Vec<f64>,
}

/// A token placed by its first two principal coordinates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScatterPoint {
    /// The token.
    pub token: String,
    /// Row in the table (frequency rank − 1).
    pub row: usize,
    /// Coordinate on the first principal component.
    pub x: f64,
    /// Coordinate on the second principal component.
    pub y: f64,
}

/// Everything [`diagnose`] measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostics {
    /// Number of rows.
    pub rows: usize,
    /// Vector dimension.
    pub dim: usize,
    /// Bytes of the `f32` matrix.
    pub matrix_bytes: usize,
    /// Rows whose norm is below [`ZERO_NORM`]: excluded from every cosine statistic.
    pub zero_rows: usize,
    /// Norm of every row, in row order.
    #[serde(skip)]
    pub norms: Vec<f64>,
    /// Summary of `norms`.
    pub norm_stats: NormStats,
    /// Norm of the mean vector over all rows.
    pub mean_vector_norm: f64,
    /// `mean_vector_norm / norm_stats.mean`: near 1 when every vector shares one
    /// direction, near 0 when they cancel out.
    pub mean_vector_ratio: f64,
    /// Rows in the covariance sample (all the non-zero rows of a table too
    /// small for one).
    pub sample_rows: usize,
    /// What the sample shows, or why the table is too small for it (its
    /// fields sit beside the others in JSON).
    #[serde(flatten)]
    pub sample: SampleStatistics,
}

/// The statistics measured on the covariance sample, or the reason a table
/// too small for them does not get them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SampleStatistics {
    /// Measured.
    Computed(SampleGeometry),
    /// Not computed: fewer than 3 non-zero rows, or dimension 1.
    NotComputed {
        /// Why, e.g. "needs at least 3 non-zero rows; the table has 2".
        not_computed: String,
        /// The cosine of the two non-zero rows when there are exactly two:
        /// the one pair there is.
        #[serde(skip_serializing_if = "Option::is_none")]
        cosine_of_the_two_rows: Option<f64>,
    },
}

impl SampleStatistics {
    /// The statistics, when the table was large enough for them.
    pub fn computed(&self) -> Option<&SampleGeometry> {
        match self {
            SampleStatistics::Computed(geometry) => Some(geometry),
            SampleStatistics::NotComputed { .. } => None,
        }
    }
}

/// Anisotropy, isotropy and principal components of the covariance sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleGeometry {
    /// Directions removed by all-but-the-top.
    pub removed_components: usize,
    /// Principal directions computed: all `dim` up to `EXACT_DIM` (1 024), the
    /// leading ones above (what the isotropy scores range over).
    pub principal_directions: usize,
    /// Share of the sample's variance on each leading principal component.
    pub explained_variance: Vec<f64>,
    /// How many components carry half of the variance; `None` when the
    /// computed directions carry less.
    pub components_for_half: Option<usize>,
    /// How many components carry 90% of the variance; `None` when the
    /// computed directions carry less.
    pub components_for_90_percent: Option<usize>,
    /// Raw, centred and all-but-the-top versions of the sample.
    pub geometry: Vec<Geometry>,
    /// The most frequent tokens on the first two principal components.
    pub scatter: Vec<ScatterPoint>,
}

/// Why `table` is too small for the statistics of a sample of rows (random
/// pairs, principal components, a 2-D map), or `None` when it is large
/// enough: at least [`MIN_NON_ZERO_ROWS`] rows with a direction (norm at
/// least [`ZERO_NORM`]) and dimension 2. Reads rows only until it has found
/// enough.
///
/// # Examples
/// ```
/// use embspace::analyze::too_small_for_sample;
/// use embspace::embeddings::Embeddings;
/// use embspace::ndarray::array;
///
/// let tokens = ["a", "b", "c"].map(String::from).to_vec();
/// let (table, _) = Embeddings::new(tokens, array![[1.0f32, 0.0], [0.0, 0.0], [0.0, 1.0]])?;
/// let reason = too_small_for_sample(&table);
/// assert_eq!(reason.as_deref(), Some("needs at least 3 non-zero rows; the table has 2"));
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn too_small_for_sample(table: &Embeddings) -> Option<String> {
    let non_zero = table
        .vectors()
        .rows()
        .into_iter()
        .filter(|&row| has_direction(row_norm(row)))
        .take(MIN_NON_ZERO_ROWS)
        .count();
    too_small(non_zero, table.dim())
}

/// Whether a row of this norm has a direction (and enters the sample).
fn has_direction(norm: f64) -> bool {
    norm >= ZERO_NORM
}

/// The Euclidean norm of an `f32` row, summed in `f64`.
fn row_norm(row: ArrayView1<f32>) -> f64 {
    row.iter()
        .map(|&v| f64::from(v) * f64::from(v))
        .sum::<f64>()
        .sqrt()
}

/// Measure the geometry of `table` (see the module docs for what uses which rows).
///
/// A table with fewer than 3 non-zero rows or of dimension 1 gets its shape
/// and norms, and [`SampleStatistics::NotComputed`] with the reason (see
/// [`too_small_for_sample`]).
///
/// # Errors
/// [`Error::Parameter`] when `pairs` or `components` is 0 or `sample_rows`
/// below 3; [`Error::Numerical`] if the eigensolver fails.
///
/// # Examples
/// ```
/// use embspace::analyze::{DiagnoseParams, diagnose};
/// use embspace::embeddings::Embeddings;
/// use embspace::ndarray::array;
///
/// let tokens = ["a", "b", "c", "d"].map(String::from).to_vec();
/// let vectors = array![[3.0f32, 1.0], [3.0, -1.0], [4.0, 1.0], [4.0, -1.0]];
/// let (table, _) = Embeddings::new(tokens, vectors)?;
/// let d = diagnose(&table, &DiagnoseParams::default())?;
/// let geometry = d.sample.computed().expect("4 non-zero rows of dimension 2");
/// let (raw, centred) = (&geometry.geometry[0], &geometry.geometry[1]);
/// assert!(raw.anisotropy.mean > 0.8); // all point right
/// assert!(centred.anisotropy.mean < raw.anisotropy.mean); // centring removes that
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn diagnose(table: &Embeddings, params: &DiagnoseParams) -> Result<Diagnostics> {
    for (name, value, min) in [
        ("sample_rows", params.sample_rows, MIN_NON_ZERO_ROWS),
        ("pairs", params.pairs, 1),
        ("components", params.components, 1),
    ] {
        if value < min {
            return Err(Error::parameter(name, format!("must be at least {min}")));
        }
    }
    let (rows, dim) = (table.len(), table.dim());
    let norms: Vec<f64> = table.vectors().rows().into_iter().map(row_norm).collect();
    let zero_rows = norms.iter().filter(|&&n| n < ZERO_NORM).count();
    let norm_stats = norm_stats(&norms);
    let mean_vector = mean_vector(table.vectors());
    let mean_vector_norm = mean_vector.dot(&mean_vector).sqrt();
    let sample = sample(table.vectors(), &norms, params.sample_rows);
    let sample_rows = sample.nrows();
    let non_zero = norms.iter().filter(|&&n| has_direction(n)).count();
    let sample = match too_small(non_zero, dim) {
        Some(reason) => SampleStatistics::NotComputed {
            not_computed: reason,
            cosine_of_the_two_rows: match non_zero {
                2 => Some(cosine(sample.row(0), sample.row(1))?),
                _ => None,
            },
        },
        None => SampleStatistics::Computed(sample_geometry(table, &norms, sample, params)?),
    };
    Ok(Diagnostics {
        rows,
        dim,
        matrix_bytes: rows * dim * std::mem::size_of::<f32>(),
        zero_rows,
        mean_vector_ratio: if norm_stats.mean > 0.0 {
            mean_vector_norm / norm_stats.mean
        } else {
            0.0
        },
        norms,
        norm_stats,
        mean_vector_norm,
        sample_rows,
        sample,
    })
}

/// Anisotropy, isotropy, principal components and the scatter of `sample`
/// (at least 3 rows of dimension 2), transformed in place.
fn sample_geometry(
    table: &Embeddings,
    norms: &[f64],
    mut sample: Array2<f64>,
    params: &DiagnoseParams,
) -> Result<SampleGeometry> {
    let dim = table.dim();
    let removed = params
        .remove_components
        .unwrap_or(((dim as f64) / 100.0).round() as usize)
        .clamp(1, dim - 1);
    let n = sample.nrows();
    let exact = dim <= EXACT_DIM;
    let k = TRUNCATED_DIRECTIONS
        .max(params.components)
        .max(removed)
        .min(n - 1)
        .min(dim);
    // Directions deep in a flat bulk of the spectrum converge slowly and
    // matter little (any basis of a near-degenerate subspace serves the
    // isotropy score); the ones reported or removed by all-but-the-top must
    // meet 1e-4, and their eigenvalues are then good to ~1e-8.
    let solver = TruncatedEigenParams {
        tolerance: 1e-4,
        checked: Some(params.components.max(removed)),
        max_rounds: 20,
        ..TruncatedEigenParams::default()
    };

    let mut geometry = Vec::new();
    let mut measure = |label: &str, x: ArrayView2<f64>, isotropy: f64| -> Result<()> {
        // The same pairs for every version, so the differences are the transform's alone.
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let cosines = random_pair_cosines(x, params.pairs, &mut rng)?;
        let (mean, std) = mean_std(cosines.view());
        geometry.push(Geometry {
            label: label.into(),
            anisotropy: Anisotropy { mean, std },
            isotropy,
            cosines: cosines.to_vec(),
        });
        Ok(())
    };
    // Raw: the isotropy score's directions are those of the raw second
    // moment XᵀX, not of the covariance.
    let (raw_isotropy, raw_axes) = if exact {
        (isotropy_score(sample.view())?, None)
    } else {
        let top = leading_eigen(sample.view(), 1.0, k, None, &solver)?;
        (
            isotropy_score_along(sample.view(), top.vectors.view()),
            Some(top.vectors),
        )
    };
    measure("raw", sample.view(), raw_isotropy)?;
    let covariance = if exact {
        Some(covariance(sample.view())?)
    } else {
        None
    };

    let mean = sample.mean_axis(Axis(0)).expect("the sample has rows");
    sample -= &mean;
    let mut centred = sample;
    // The principal axes of the centred sample, descending, and the total
    // variance; above EXACT_DIM started from the raw second moment's axes,
    // which span nearly the same space.
    let (eigenvalues, axes, total) = match (covariance, raw_axes) {
        (Some(covariance), _) => {
            let (values, axes) = symmetric_eigen("principal axes of the sample", covariance.view())?;
            let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
            (values, axes, total)
        }
        (None, start) => {
            let start = start.as_ref().map(|s| s.view());
            let top = leading_eigen(centred.view(), (n - 1) as f64, k, start, &solver)?;
            let total = centred.iter().map(|v| v * v).sum::<f64>() / (n - 1) as f64;
            (top.values, top.vectors, total)
        }
    };
    let ratios: Vec<f64> = eigenvalues
        .iter()
        .map(|v| if total > 0.0 { v.max(0.0) / total } else { 0.0 })
        .collect();
    let components_for = |share: f64| {
        let mut cumulative = 0.0;
        let below = ratios
            .iter()
            .take_while(|&&r| {
                cumulative += r;
                cumulative < share
            })
            .count();
        // Exact: rounding may leave the total a hair below 1, and all `d` carry it all.
        (exact || below < ratios.len()).then(|| (below + 1).min(ratios.len()))
    };
    let (components_for_half, components_for_90_percent) = (components_for(0.5), components_for(0.9));

    let isotropy = |x: ArrayView2<f64>| {
        if exact {
            isotropy_score(x)
        } else {
            // XᵀX of the centred (and all-but-the-top) sample has the
            // covariance's eigenvectors (the removed ones with eigenvalue 0).
            Ok(isotropy_score_along(x, axes.view()))
        }
    };
    measure("centred", centred.view(), isotropy(centred.view())?)?;

    let shown = params.scatter_tokens.min(n);
    let plane = centred.slice(s![..shown, ..]).dot(&axes.slice(s![.., ..2]));
    let scatter = sample_rows(norms, params.sample_rows)
        .take(shown)
        .zip(plane.rows())
        .map(|(row, xy)| ScatterPoint {
            token: table.token(row).to_string(),
            row,
            x: xy[0],
            y: xy[1],
        })
        .collect();

    // All-but-the-top in place: x − (x·U)Uᵀ, the top `removed` axes U.
    let top = axes.slice(s![.., ..removed]);
    let along_top = centred.dot(&top);
    general_mat_mul(-1.0, &along_top, &top.t(), 1.0, &mut centred);
    let abtt = centred;
    measure("all-but-the-top", abtt.view(), isotropy(abtt.view())?)?;
    drop(abtt);

    Ok(SampleGeometry {
        removed_components: removed,
        principal_directions: axes.ncols(),
        explained_variance: ratios.into_iter().take(params.components).collect(),
        components_for_half,
        components_for_90_percent,
        geometry,
        scatter,
    })
}

/// Row indices of the sample: the first `limit` rows with a non-zero norm.
fn sample_rows(norms: &[f64], limit: usize) -> impl Iterator<Item = usize> + '_ {
    norms
        .iter()
        .enumerate()
        .filter(|(_, n)| has_direction(**n))
        .map(|(i, _)| i)
        .take(limit)
}

fn sample(vectors: ArrayView2<f32>, norms: &[f64], limit: usize) -> Array2<f64> {
    let rows: Vec<usize> = sample_rows(norms, limit).collect();
    Array2::from_shape_fn((rows.len(), vectors.ncols()), |(i, j)| {
        f64::from(vectors[[rows[i], j]])
    })
}

fn mean_vector(vectors: ArrayView2<f32>) -> Array1<f64> {
    let mut sum = Array1::<f64>::zeros(vectors.ncols());
    for row in vectors.rows() {
        sum.zip_mut_with(&row, |s, &v| *s += f64::from(v));
    }
    sum / vectors.nrows().max(1) as f64
}

fn norm_stats(norms: &[f64]) -> NormStats {
    let (mean, std) = if norms.is_empty() {
        (0.0, 0.0)
    } else {
        mean_std(ndarray::ArrayView1::from(norms))
    };
    let mut sorted = norms.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = match sorted.len() {
        0 => 0.0,
        len if len % 2 == 1 => sorted[len / 2],
        len => (sorted[len / 2 - 1] + sorted[len / 2]) / 2.0,
    };
    NormStats {
        min: sorted.first().copied().unwrap_or(0.0),
        max: sorted.last().copied().unwrap_or(0.0),
        mean,
        median,
        std,
    }
}

#[cfg(test)]
mod tests {
    use approx::assert_abs_diff_eq;
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;

    use super::*;

    fn table(vectors: Array2<f32>) -> Embeddings {
        let tokens = (0..vectors.nrows()).map(|i| format!("w{i}")).collect();
        Embeddings::new(tokens, vectors).unwrap().0
    }

    fn measured(d: &Diagnostics) -> &SampleGeometry {
        d.sample
            .computed()
            .expect("a table large enough for the sample statistics")
    }

    fn gaussian(rows: usize, dim: usize, seed: u64) -> Array2<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Array2::<f64>::random_using((rows, dim), StandardNormal, &mut rng).mapv(|v| v as f32)
    }

    #[test]
    fn a_shared_offset_is_anisotropy_that_centring_removes() {
        let offset = gaussian(400, 20, 1) + 3.0;
        let d = diagnose(&table(offset), &DiagnoseParams::default()).unwrap();
        let g = measured(&d);
        let [raw, centred, abtt] = [&g.geometry[0], &g.geometry[1], &g.geometry[2]];
        assert!(raw.anisotropy.mean > 0.8, "{raw:?}");
        assert!(centred.anisotropy.mean.abs() < 0.05, "{centred:?}");
        assert!(abtt.anisotropy.mean.abs() < 0.05, "{abtt:?}");
        assert!(raw.isotropy < 1e-3 && centred.isotropy > raw.isotropy);
        assert!(d.mean_vector_ratio > 0.9);
    }

    #[test]
    fn explained_variance_is_a_distribution_over_components() {
        let x = gaussian(300, 8, 2);
        let params = DiagnoseParams {
            components: 8,
            ..DiagnoseParams::default()
        };
        let d = diagnose(&table(x), &params).unwrap();
        let d = measured(&d);
        assert_abs_diff_eq!(d.explained_variance.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
        assert!(d.explained_variance.windows(2).all(|w| w[0] >= w[1]));
        assert!(
            d.components_for_half <= d.components_for_90_percent && d.components_for_90_percent <= Some(8)
        );
    }

    #[test]
    fn zero_rows_are_counted_and_left_out_of_the_sample() {
        let mut x = gaussian(50, 4, 3);
        x.row_mut(0).fill(0.0);
        x.row_mut(7).fill(0.0);
        let d = diagnose(&table(x), &DiagnoseParams::default()).unwrap();
        assert_eq!((d.zero_rows, d.sample_rows), (2, 48));
        assert_eq!(d.norm_stats.min, 0.0);
        assert_eq!(measured(&d).scatter[0].token, "w1");
    }

    #[test]
    fn norm_statistics_match_a_hand_computation() {
        let x = Array2::from_shape_vec((4, 2), vec![3.0f32, 4.0, 0.0, 1.0, 0.0, 2.0, 6.0, 8.0]).unwrap();
        let d = diagnose(&table(x), &DiagnoseParams::default()).unwrap();
        let s = &d.norm_stats;
        assert_eq!((s.min, s.max, s.median), (1.0, 10.0, 3.5));
        assert_abs_diff_eq!(s.mean, 4.5, epsilon = 1e-12);
        assert_eq!(d.matrix_bytes, 32);
    }

    #[test]
    fn the_scatter_places_tokens_on_the_principal_plane() {
        // Spread 1 apart along the first axis, ±0.01 along the second, constant on the third.
        let x = Array2::from_shape_fn((30, 3), |(i, j)| match j {
            0 => i as f32,
            1 => 0.01 * (i % 2) as f32,
            _ => 1.0,
        });
        let d = diagnose(
            &table(x),
            &DiagnoseParams {
                scatter_tokens: 5,
                ..Default::default()
            },
        )
        .unwrap();
        let d = measured(&d);
        assert_eq!(d.scatter.len(), 5);
        assert!(d.scatter.iter().all(|p| p.y.abs() < 0.01));
        assert_abs_diff_eq!((d.scatter[1].x - d.scatter[0].x).abs(), 1.0, epsilon = 1e-3);
    }

    /// Above `EXACT_DIM` the leading components come from subspace
    /// iteration: on data with a planted spectrum (decaying variances plus a
    /// shared offset) they agree with the exact decomposition of the same
    /// sample, and all-but-the-top still removes the offset's anisotropy.
    #[test]
    fn wide_tables_use_the_leading_directions_and_agree_with_the_exact_ones() {
        let (rows, dim) = (1500, EXACT_DIM + 76);
        let mut x = gaussian(rows, dim, 5);
        for (j, mut column) in x.columns_mut().into_iter().enumerate() {
            column *= 4.0 / (1.0 + j as f32).sqrt();
            column += 0.5;
        }
        let d = diagnose(&table(x.clone()), &DiagnoseParams::default()).unwrap();
        let d = measured(&d);
        assert_eq!(d.principal_directions, TRUNCATED_DIRECTIONS);
        assert_eq!(d.removed_components, 11);
        let sample = x.mapv(f64::from);
        let (exact, _) = symmetric_eigen("test", covariance(sample.view()).unwrap().view()).unwrap();
        let total = exact.iter().map(|v| v.max(0.0)).sum::<f64>();
        for (i, share) in d.explained_variance.iter().enumerate() {
            assert_abs_diff_eq!(*share, exact[i] / total, epsilon = 1e-6);
        }
        let mut cumulative = exact.iter().scan(0.0, |sum, v| {
            *sum += v / total;
            Some(*sum)
        });
        let half = 1 + cumulative.position(|c| c >= 0.5).unwrap();
        assert_eq!(d.components_for_half, Some(half));
        assert_eq!(d.components_for_90_percent, None); // 64 of 1100 slowly decaying directions carry less
        let [raw, centred, abtt] = [&d.geometry[0], &d.geometry[1], &d.geometry[2]];
        assert!(raw.anisotropy.mean > 0.5 && centred.anisotropy.mean.abs() < 0.05);
        assert!(abtt.isotropy > centred.isotropy && centred.isotropy > raw.isotropy);
    }

    /// Two rows have one pair and no principal plane: the shape, the norms
    /// and that pair's cosine are measured, the rest is not computed, with
    /// the reason, and nothing of the sample statistics reaches the JSON.
    #[test]
    fn two_rows_get_their_norms_and_cosine_and_a_reason_for_the_rest() {
        let x = Array2::from_shape_vec((2, 2), vec![3.0f32, 4.0, 4.0, 3.0]).unwrap();
        let d = diagnose(&table(x), &DiagnoseParams::default()).unwrap();
        assert_eq!((d.rows, d.dim, d.zero_rows, d.sample_rows), (2, 2, 0, 2));
        assert_eq!((d.norm_stats.min, d.norm_stats.max), (5.0, 5.0));
        let SampleStatistics::NotComputed {
            not_computed,
            cosine_of_the_two_rows,
        } = &d.sample
        else {
            panic!("two rows cannot have sample statistics: {:?}", d.sample);
        };
        assert_eq!(not_computed, "needs at least 3 non-zero rows; the table has 2");
        assert_abs_diff_eq!(cosine_of_the_two_rows.unwrap(), 24.0 / 25.0, epsilon = 1e-12);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(
            json["not_computed"],
            "needs at least 3 non-zero rows; the table has 2"
        );
        assert!(json.get("geometry").is_none() && json.get("explained_variance").is_none());
    }

    #[test]
    fn zero_rows_and_one_dimension_are_reasons_too() {
        let reason = |x: Array2<f32>| match diagnose(&table(x), &DiagnoseParams::default()).unwrap().sample {
            SampleStatistics::NotComputed {
                not_computed,
                cosine_of_the_two_rows,
            } => (not_computed, cosine_of_the_two_rows),
            computed => panic!("{computed:?}"),
        };
        let mut with_zeros = gaussian(5, 4, 6);
        for row in [0, 2, 3] {
            with_zeros.row_mut(row).fill(0.0);
        }
        let (why, cosine) = reason(with_zeros);
        assert_eq!(why, "needs at least 3 non-zero rows; the table has 2");
        assert!(cosine.is_some());
        assert_eq!(
            reason(gaussian(5, 1, 7)),
            ("needs at least 2 dimensions; the table has 1".into(), None)
        );
        assert_eq!(
            reason(gaussian(1, 1, 8)).0,
            "needs at least 3 non-zero rows of at least 2 dimensions; the table has 1 of 1"
        );
    }

    #[test]
    fn bad_parameters_are_errors() {
        for params in [
            DiagnoseParams {
                pairs: 0,
                ..DiagnoseParams::default()
            },
            DiagnoseParams {
                sample_rows: 2,
                ..DiagnoseParams::default()
            },
        ] {
            assert!(diagnose(&table(gaussian(20, 4, 4)), &params).is_err());
        }
    }
}

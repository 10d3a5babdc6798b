//! UMAP (McInnes, Healy & Melville 2018): a 2-D layout of a table's rows
//! from their k-nearest-neighbour graph, following umap-learn 0.5's defaults
//! so that layouts are comparable.
//!
//! 1. The graph becomes a fuzzy set of edges ([`FuzzyGraph`]); edges with less
//!    than `1/epochs` of the largest membership are dropped, as in umap-learn.
//! 2. The rows start from a spectral layout of that graph (or from given
//!    coordinates, or at random), scaled into `[0, 10]²`.
//! 3. Stochastic gradient descent (`sgd.rs`) pulls each row towards its
//!    graph neighbours and pushes it from random rows, with the layout's
//!    membership curve `1/(1 + a d^{2b})` fitted to `min_dist` and `spread`
//!    ([`UmapCurve`]).
//!
//! **Deterministic.** Everything runs on the rows in the graph's
//! [`KnnGraph::canonical_order`], and the randomness is keyed by (seed,
//! epoch, row) in that order, so the same graph and seed give the same bits
//! whatever the number of threads, and permuting the rows of the input
//! permutes the rows of the layout.

use ndarray::{Array2, ArrayView2, Axis};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::{Normal, Uniform};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::math::spectral::spectral_layout;
use crate::math::{FuzzyGraph, KnnGraph};

mod sgd;
#[cfg(test)]
mod tests;

use sgd::{Edges, Power, Sgd, optimise};

/// Tables of at most this many rows get [`SMALL_TABLE_EPOCHS`], larger ones
/// [`LARGE_TABLE_EPOCHS`] (umap-learn's rule).
const SMALL_TABLE: usize = 10_000;
/// Epochs for a table of at most [`SMALL_TABLE`] rows.
const SMALL_TABLE_EPOCHS: usize = 500;
/// Epochs for a larger table.
const LARGE_TABLE_EPOCHS: usize = 200;
/// The initial layout is scaled so its largest coordinate is this, then
/// shifted and stretched into `[0, 10]` on each axis (umap-learn's
/// `noisy_scale_coords` and the rescaling after it).
const INITIAL_EXTENT: f64 = 10.0;
/// Standard deviation of the noise added to a computed start, so no two rows
/// start at the same point (umap-learn's).
const INITIAL_NOISE: f64 = 1e-4;
/// Power steps of the spectral start (see `spectral.rs` and ARCHITECTURE.md).
pub const SPECTRAL_STEPS: usize = 100;

/// Where the rows start.
#[derive(Debug, Clone, PartialEq)]
pub enum UmapInit {
    /// The graph's spectral layout (umap-learn's default).
    Spectral,
    /// Uniformly at random in `[−10, 10]²` (umap-learn's `init="random"`).
    Random,
    /// Given coordinates, `n × 2` in the input's row order (for instance the
    /// first two principal components, umap-learn's `init="pca"`).
    Given(Array2<f32>),
}

/// The knobs of [`umap_layout`]; the defaults are umap-learn 0.5's.
#[derive(Debug, Clone, PartialEq)]
pub struct UmapParams {
    /// Passes of gradient descent; `None`: 500 for tables of at most 10 000
    /// rows, 200 above. 0 returns the starting layout.
    pub epochs: Option<usize>,
    /// How close neighbours may sit in the layout (default 0.1).
    pub min_dist: f64,
    /// The scale of the layout's neighbourhoods (default 1.0).
    pub spread: f64,
    /// Random rows pushed away per sampled edge (default 5).
    pub negative_sample_rate: f64,
    /// Weight of the push (umap-learn's `repulsion_strength`, default 1).
    pub repulsion_strength: f64,
    /// Step size at the first epoch, falling linearly to 0 (default 1).
    pub learning_rate: f64,
    /// Where the rows start (default [`UmapInit::Spectral`]).
    pub init: UmapInit,
}

impl Default for UmapParams {
    fn default() -> Self {
        UmapParams {
            epochs: None,
            min_dist: 0.1,
            spread: 1.0,
            negative_sample_rate: 5.0,
            repulsion_strength: 1.0,
            learning_rate: 1.0,
            init: UmapInit::Spectral,
        }
    }
}

impl UmapParams {
    /// The epochs for a table of `rows` rows.
    pub fn epochs_for(&self, rows: usize) -> usize {
        self.epochs.unwrap_or(default_epochs(rows))
    }

    fn validate(&self, rows: usize) -> Result<()> {
        let positive = [("learning_rate", self.learning_rate), ("spread", self.spread)];
        let non_negative = [
            ("min_dist", self.min_dist),
            ("negative_sample_rate", self.negative_sample_rate),
            ("repulsion_strength", self.repulsion_strength),
        ];
        if let Some((name, value)) = positive.into_iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
            return Err(Error::parameter(
                name,
                format!("must be finite and > 0, got {value}"),
            ));
        }
        if let Some((name, value)) = non_negative
            .into_iter()
            .find(|(_, v)| !(v.is_finite() && *v >= 0.0))
        {
            return Err(Error::parameter(
                name,
                format!("must be finite and >= 0, got {value}"),
            ));
        }
        if self.min_dist > self.spread {
            return Err(Error::parameter(
                "min_dist",
                format!("must not exceed spread = {}, got {}", self.spread, self.min_dist),
            ));
        }
        if let UmapInit::Given(start) = &self.init {
            if start.dim() != (rows, 2) {
                return Err(Error::shape(
                    "UmapInit::Given",
                    format!("({rows}, 2)"),
                    format!("{:?}", start.dim()),
                ));
            }
            if !start.iter().all(|v| v.is_finite()) {
                return Err(Error::parameter("init", "the given coordinates must be finite"));
            }
        }
        Ok(())
    }
}

/// umap-learn's epochs for a table of `rows` rows.
fn default_epochs(rows: usize) -> usize {
    if rows <= SMALL_TABLE {
        SMALL_TABLE_EPOCHS
    } else {
        LARGE_TABLE_EPOCHS
    }
}

/// The layout's membership curve `φ(d) = 1 / (1 + a d^{2b})`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UmapCurve {
    /// Scale `a`.
    pub a: f64,
    /// Exponent `b`.
    pub b: f64,
}

impl UmapCurve {
    /// The least-squares fit of `φ` to `1` below `min_dist` and
    /// `exp(−(d − min_dist)/spread)` above, at 300 points on `[0, 3·spread]`
    /// (umap-learn's `find_ab_params`, there by scipy's `curve_fit`), by
    /// Levenberg–Marquardt from `a = b = 1`.
    ///
    /// # Errors
    /// [`Error::Parameter`] unless `spread > 0` and `0 ≤ min_dist ≤ spread`;
    /// [`Error::Numerical`] if the fit leaves the positive quadrant.
    ///
    /// # Examples
    /// ```
    /// // umap-learn's defaults: a ≈ 1.577, b ≈ 0.895
    /// let curve = embspace::math::UmapCurve::fit(1.0, 0.1)?;
    /// assert!((curve.a - 1.577).abs() < 1e-3 && (curve.b - 0.895).abs() < 1e-3);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn fit(spread: f64, min_dist: f64) -> Result<UmapCurve> {
        UmapParams {
            spread,
            min_dist,
            ..UmapParams::default()
        }
        .validate(0)?;
        const POINTS: usize = 300;
        let xs: Vec<f64> = (0..POINTS)
            .map(|i| 3.0 * spread * i as f64 / (POINTS - 1) as f64)
            .collect();
        let ys: Vec<f64> = xs
            .iter()
            .map(|&x| {
                if x < min_dist {
                    1.0
                } else {
                    (-(x - min_dist) / spread).exp()
                }
            })
            .collect();
        // Residuals' squared sum, and the normal equations JᵀJ, Jᵀr.
        let system = |[a, b]: [f64; 2]| {
            let (mut cost, mut jtj, mut jtr) = (0.0, [[0.0; 2]; 2], [0.0; 2]);
            for (&x, &y) in xs.iter().zip(&ys) {
                let power = if x > 0.0 { x.powf(2.0 * b) } else { 0.0 };
                let phi = 1.0 / (1.0 + a * power);
                let r = phi - y;
                let log_x = if x > 0.0 { x.ln() } else { 0.0 };
                let jacobian = [-power * phi * phi, -2.0 * a * power * log_x * phi * phi];
                cost += r * r;
                for (row, &ja) in jtj.iter_mut().zip(&jacobian) {
                    row[0] += ja * jacobian[0];
                    row[1] += ja * jacobian[1];
                }
                jtr[0] += jacobian[0] * r;
                jtr[1] += jacobian[1] * r;
            }
            (cost, jtj, jtr)
        };
        let (mut params, mut damping) = ([1.0, 1.0], 1e-3);
        let (mut cost, mut jtj, mut jtr) = system(params);
        // Stops when no damping makes the cost fall: the optimum to rounding.
        while damping < 1e16 {
            let m = [
                [jtj[0][0] * (1.0 + damping), jtj[0][1]],
                [jtj[1][0], jtj[1][1] * (1.0 + damping)],
            ];
            let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
            let step = [
                -(m[1][1] * jtr[0] - m[0][1] * jtr[1]) / det,
                -(m[0][0] * jtr[1] - m[1][0] * jtr[0]) / det,
            ];
            let trial = [params[0] + step[0], params[1] + step[1]];
            let (trial_cost, trial_jtj, trial_jtr) = system(trial);
            if trial_cost < cost {
                (params, cost, jtj, jtr) = (trial, trial_cost, trial_jtj, trial_jtr);
                damping /= 10.0;
            } else {
                damping *= 10.0;
            }
        }
        let [a, b] = params;
        if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
            return Err(Error::Numerical {
                what: "UmapCurve::fit",
                reason: format!("the fit ended at a = {a}, b = {b}"),
            });
        }
        Ok(UmapCurve { a, b })
    }
}

/// The UMAP layout of the rows of `graph`, `n × 2` in the graph's row order
/// (see the module docs for the steps). `seed` fixes every random choice.
///
/// # Errors
/// [`Error::Parameter`] for parameters out of their domain (see
/// [`UmapParams`] and [`UmapCurve::fit`]) and [`Error::Shape`] for given
/// starting coordinates of the wrong shape.
///
/// # Examples
/// ```
/// use embspace::math::{KnnGraph, UmapParams, umap_layout};
/// use ndarray::Array2;
/// // Two groups of directions, around the x axis and around the y axis.
/// let x = Array2::from_shape_fn((40, 2), |(i, j)| {
///     let angle = if i < 20 { 0.0 } else { 1.5 } + 0.01 * i as f64;
///     if j == 0 { angle.cos() } else { angle.sin() }
/// });
/// let layout = umap_layout(&KnnGraph::exact(x.view(), 5)?, &UmapParams::default(), 42)?;
/// assert_eq!(layout.dim(), (40, 2));
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn umap_layout(graph: &KnnGraph, params: &UmapParams, seed: u64) -> Result<Array2<f32>> {
    umap_layout_on(graph, params, seed, cores())
}

/// The machine's cores.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// [`umap_layout`] on `threads` threads.
fn umap_layout_on(graph: &KnnGraph, params: &UmapParams, seed: u64, threads: usize) -> Result<Array2<f32>> {
    let n = graph.len();
    params.validate(n)?;
    let curve = UmapCurve::fit(params.spread, params.min_dist)?;
    let epochs = params.epochs_for(n);
    let order = graph.canonical_order();
    let fuzzy = FuzzyGraph::from_knn(&graph.relabel(&order));
    // umap-learn drops the edges too weak to be sampled once in the epochs
    // (in the default number when fewer than 11 are asked for).
    let sampled_in = if epochs > 10 { epochs } else { default_epochs(n) };
    let fuzzy = fuzzy.pruned(fuzzy.max_weight() / sampled_in as f32);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = match &params.init {
        UmapInit::Spectral => Some(spectral_layout(&fuzzy, SPECTRAL_STEPS, &mut rng)),
        UmapInit::Given(start) => Some(start.select(Axis(0), &order).mapv(f64::from)),
        UmapInit::Random => None,
    };
    let start = match start {
        Some(start) => with_noise(start.view(), &mut rng),
        None => Array2::random_using(
            (n, 2),
            Uniform::new(-INITIAL_EXTENT, INITIAL_EXTENT).expect("a valid range"),
            &mut rng,
        ),
    };
    let mut positions = into_box(start.view());
    let sgd = Sgd {
        a: curve.a as f32,
        b: curve.b as f32,
        power: Power::new(curve.b),
        repulsion: params.repulsion_strength as f32,
        negative_rate: params.negative_sample_rate as f32,
        learning_rate: params.learning_rate as f32,
        epochs,
        seed,
    };
    optimise(&mut positions, &Edges::of(&fuzzy), &sgd, threads);
    let mut layout = Array2::<f32>::zeros((n, 2));
    for (r, &i) in order.iter().enumerate() {
        layout[[i, 0]] = positions[r][0];
        layout[[i, 1]] = positions[r][1];
    }
    Ok(layout)
}

/// umap-learn's `noisy_scale_coords`: scaled so the largest coordinate is
/// [`INITIAL_EXTENT`], then Gaussian noise of [`INITIAL_NOISE`].
fn with_noise(start: ArrayView2<f64>, rng: &mut ChaCha8Rng) -> Array2<f64> {
    let largest = start.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = if largest > 0.0 {
        INITIAL_EXTENT / largest
    } else {
        1.0
    };
    let noise = Array2::random_using(
        start.raw_dim(),
        Normal::new(0.0, INITIAL_NOISE).expect("a valid deviation"),
        rng,
    );
    &start * scale + noise
}

/// Each column shifted and stretched onto `[0, 10]` (a constant column to 0).
fn into_box(start: ArrayView2<f64>) -> Vec<[f32; 2]> {
    let range = |c: usize| {
        let column = start.column(c);
        let low = column.iter().copied().fold(f64::INFINITY, f64::min);
        let high = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (
            low,
            if high > low {
                INITIAL_EXTENT / (high - low)
            } else {
                0.0
            },
        )
    };
    let [(x0, sx), (y0, sy)] = [range(0), range(1)];
    start
        .rows()
        .into_iter()
        .map(|r| [((r[0] - x0) * sx) as f32, ((r[1] - y0) * sy) as f32])
        .collect()
}

//! `embspace compare A B`: two tables (two checkpoints of one model, two
//! training runs, a model before and after its vocabulary grew) set side by
//! side on the tokens they share.
//!
//! - **Vocabulary**: tokens only in A, only in B, and shared.
//! - **Alignment** (equal dimensions only): orthogonal Procrustes of A's shared
//!   rows onto B's, its relative residual, and each token's drift, the cosine
//!   between `aᵢR` and `bᵢ`.
//! - **Neighbour overlap@k**: for the most frequent shared tokens, the share of
//!   their top-k cosine neighbours (among shared tokens) that A and B agree on.
//!   Each table is searched in its own space, so this needs no rotation.
//! - **Rows B added**: how far each is from the mean of B's rows for A's
//!   tokens, Hewitt's (2021) rule for initialising new tokens, and the bound
//!   `ln(1 + n/V)` that rule gives ([`kl_bound`]).
//!
//! Memory: the tables stay `f32`. The Procrustes cross-covariance (`d×d`) is
//! accumulated in `f64` over blocks of rows multiplied in `f32`, and the neighbour search
//! normalises each table in place after moving its shared rows to the top,
//! so the peak is the two tables plus blocks, never an `n×n` matrix.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rayon::prelude::*;
use serde::Serialize;

use crate::analyze::knn::{ScaledRows, UnitVectors, cores, fused_top_k, product};
use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::format::plural;
use crate::math::{kl_bound, procrustes_rotation_and_spectrum};

/// Shared rows gathered and widened to `f64` at a time (the added rows' mean).
const BLOCK: usize = 1024;

/// Shared rows gathered at a time for the alignment's `f32` products: large
/// enough for gemm to keep every core busy at 4 096 dimensions, small enough
/// that each block's `f32` sums (over as many rows) stay within a few `10⁻⁶`.
const ALIGN_BLOCK: usize = 4096;

/// A singular value of the cross-covariance below this share of the largest
/// is within its rounding: `AᵀB` is summed from `f32` products over blocks of
/// [`ALIGN_BLOCK`] rows, which perturbs it by about `√4096 · ε_f32` of its
/// largest singular value, so such a direction of the rotation is fixed by
/// rounding, not by the tables. (Trained tables sit far above it: the shipped
/// GloVe and MiniLM tables' self-comparisons have 3·10⁻⁴ and 2·10⁻³.)
const ROUNDING_FLOOR: f64 = 64.0 * f32::EPSILON as f64;

/// Hewitt (2021) draws new rows from `N(μ, 10⁻⁵·Σ)`: their distance to the
/// mean is about `√10⁻⁵ ≈ 0.003` times the spread of the old rows, while an
/// old row (or a fresh random row of the same scale) sits about one spread
/// away. A row within a tenth of the spread is taken as placed by the rule:
/// thirty times the rule's noise, a tenth of where a trained row sits.
pub const MEAN_RULE_TOLERANCE: f64 = 0.1;

/// What to measure and how much to list.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareParams {
    /// The most frequent shared tokens whose neighbours are compared.
    pub overlap_queries: usize,
    /// Neighbours per token for the overlap.
    pub k: usize,
    /// Tokens listed per list (only in A, moved most, …).
    pub listed: usize,
}

impl Default for CompareParams {
    fn default() -> Self {
        CompareParams {
            overlap_queries: 1000,
            k: 10,
            listed: 20,
        }
    }
}

/// Everything `compare` measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The two dimensions, A's then B's.
    pub dims: [usize; 2],
    /// Which tokens the tables share.
    pub vocabulary: VocabularyDiff,
    /// The Procrustes alignment; `None` when the dimensions differ or no token is shared.
    pub alignment: Option<Alignment>,
    /// Neighbour overlap; `None` with fewer than two shared tokens.
    pub overlap: Option<NeighbourOverlap>,
    /// B's added rows against the mean rule; `None` when B adds no token or shares none.
    pub added: Option<AddedRows>,
}

/// Tokens only in A, only in B, and in both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VocabularyDiff {
    /// Rows of A.
    pub a_tokens: usize,
    /// Rows of B.
    pub b_tokens: usize,
    /// Tokens in both.
    pub shared: usize,
    /// How many tokens only A has.
    pub only_a: usize,
    /// How many tokens only B has.
    pub only_b: usize,
    /// The first of them in A's row order (most frequent first).
    pub only_a_first: Vec<String>,
    /// The first of them in B's row order.
    pub only_b_first: Vec<String>,
}

/// A token and a value (a cosine, an overlap).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenValue {
    /// The token.
    pub token: String,
    /// Its value.
    pub value: f64,
}

/// Summary of a sample of values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

impl Summary {
    pub(crate) fn of(values: &[f64]) -> Self {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        };
        Summary {
            mean: sorted.iter().sum::<f64>() / n as f64,
            median,
            min: sorted.first().copied().unwrap_or(f64::NAN),
            max: sorted.last().copied().unwrap_or(f64::NAN),
        }
    }
}

/// A's shared rows rotated onto B's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alignment {
    /// `‖A_s R − B_s‖_F / ‖B_s‖_F` (NaN when B's shared rows are all zero).
    pub relative_residual: f64,
    /// The drift cosines `cos(aᵢR, bᵢ)` (0 for a zero row).
    pub cosine: Summary,
    /// Tokens whose cosine is lowest, lowest first.
    pub moved_most: Vec<TokenValue>,
    /// Tokens whose cosine is highest, highest first.
    pub moved_least: Vec<TokenValue>,
    /// Set when fewer rows than dimensions were aligned (then many rotations
    /// fit equally well, and the residual and drift understate the
    /// difference), or when some singular values of the cross-covariance are
    /// below what its `f32` products resolve (`64·ε_f32` of the largest), so
    /// rounding decides the rotation along their directions.
    pub caution: Option<String>,
    /// One cosine per shared token, in A's row order (for the histogram).
    #[serde(skip)]
    pub cosines: Vec<f64>,
}

/// How many of their top-k neighbours the most frequent shared tokens keep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeighbourOverlap {
    /// Tokens compared.
    pub queries: usize,
    /// Neighbours compared per token (`k`, or fewer when fewer tokens are shared).
    pub k: usize,
    /// Mean share of neighbours kept, in `[0, 1]`.
    pub mean: f64,
    /// The mean share two unrelated tables would keep: `k` random
    /// neighbours of the `n − 1` other shared tokens share `k/(n − 1)`.
    pub chance: f64,
    /// `counts[j]`: tokens that keep exactly `j` of their `k` neighbours.
    pub counts: Vec<usize>,
    /// The tokens that keep the fewest, fewest first.
    pub lowest: Vec<TokenValue>,
}

/// Whether B's added rows look initialised by the mean rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeanRuleVerdict {
    /// Every added row is within the tolerance of the mean.
    MeanRule,
    /// Some are, some are not.
    Mixed,
    /// None is.
    NotMeanRule,
}

impl std::fmt::Display for MeanRuleVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MeanRuleVerdict::MeanRule => "initialised by the mean rule",
            MeanRuleVerdict::Mixed => "partly at the mean",
            MeanRuleVerdict::NotMeanRule => "not initialised by the mean rule",
        })
    }
}

/// One added row measured against the mean of the old rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddedRow {
    /// The token.
    pub token: String,
    /// `cos(x, μ)`.
    pub cosine: f64,
    /// `‖x − μ‖ / ‖μ‖` (NaN when `μ = 0`).
    pub distance_to_mean_norm: f64,
    /// `‖x − μ‖ / s`, `s` the spread of the old rows.
    pub distance_to_spread: f64,
}

/// B's rows for tokens A lacks, against Hewitt's mean-of-embeddings rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddedRows {
    /// `n`: rows added.
    pub added: usize,
    /// `V`: B's rows for A's tokens (the old rows).
    pub old: usize,
    /// `‖μ‖`, the norm of the old rows' mean.
    pub mean_norm: f64,
    /// `s = √(mean ‖bᵢ − μ‖²)`, the spread of the old rows about their mean.
    pub spread: f64,
    /// A row is at the mean when `‖x − μ‖ ≤ tolerance · s`.
    pub tolerance: f64,
    /// Rows within it.
    pub at_mean: usize,
    /// The verdict.
    pub verdict: MeanRuleVerdict,
    /// `ln(1 + n/V)`, the bound on the change of the next-token distribution
    /// the rule gives when B is a model's output (or tied) embedding.
    pub kl_bound: f64,
    /// `cos(x, μ)` over the added rows.
    pub cosine: Summary,
    /// `‖x − μ‖ / s` over the added rows.
    pub distance_to_spread: Summary,
    /// The first added rows, in B's order.
    pub first: Vec<AddedRow>,
}

/// Compares `a` with `b`, consuming both (their matrices are normalised in
/// place for the neighbour search). `progress` hears each step's name.
///
/// # Errors
/// [`crate::Error::Numerical`] if the Procrustes SVD does not converge.
///
/// # Examples
/// ```
/// use embspace::analyze::{CompareParams, compare};
/// use embspace::embeddings::Embeddings;
/// use embspace::ndarray::array;
/// let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
/// let (a, _) = Embeddings::new(words(&["x", "y", "z"]), array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0]])?;
/// let (b, _) = Embeddings::new(words(&["x", "y", "new"]), array![[0.0f32, 1.0], [-1.0, 0.0], [0.5, 0.5]])?;
/// let c = compare(a, b, &CompareParams::default(), &mut |_| {})?;
/// assert_eq!((c.vocabulary.shared, c.vocabulary.only_a_first[0].as_str()), (2, "z"));
/// assert!(c.alignment.unwrap().relative_residual < 1e-12); // a quarter turn
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn compare(
    a: Embeddings,
    b: Embeddings,
    params: &CompareParams,
    progress: &mut dyn FnMut(&str),
) -> Result<Comparison> {
    progress("shared tokens");
    // (row in A, row in B) per shared token, in A's row order.
    let pairs: Vec<(usize, usize)> = (0..a.len())
        .filter_map(|i| b.id(a.token(i)).map(|j| (i, j)))
        .collect();
    let only = |x: &Embeddings, y: &Embeddings| -> (usize, Vec<String>) {
        let mut missing = (0..x.len()).filter(|&i| y.id(x.token(i)).is_none());
        let first: Vec<String> = missing
            .by_ref()
            .take(params.listed)
            .map(|i| x.token(i).to_string())
            .collect();
        (first.len() + missing.count(), first)
    };
    let (only_a, only_a_first) = only(&a, &b);
    let (only_b, only_b_first) = only(&b, &a);
    let vocabulary = VocabularyDiff {
        a_tokens: a.len(),
        b_tokens: b.len(),
        shared: pairs.len(),
        only_a,
        only_b,
        only_a_first,
        only_b_first,
    };
    let dims = [a.dim(), b.dim()];
    let alignment = if dims[0] == dims[1] && dims[0] > 0 && !pairs.is_empty() {
        Some(align_shared(
            &a,
            b.vectors(),
            &pairs,
            params.listed,
            &mut |step| progress(&format!("Procrustes alignment: {step}")),
        )?)
    } else {
        None
    };
    progress("added rows");
    let added = added_rows(&a, &b, &pairs, params.listed);
    let overlap = neighbour_overlap(&a, &b, &pairs, params, progress);
    Ok(Comparison {
        dims,
        vocabulary,
        alignment,
        overlap,
        added,
    })
}

/// Rows `rows` of `m`, in that order: a view of `m` itself when they are
/// consecutive (a checkpoint and its fine-tune, or a model's input and output
/// matrices, list their shared tokens in the same order), else copied into
/// `buffer`, which every block reuses. A fresh block (64 MB at 4 096 × 4 096)
/// is memory the kernel must clear page by page, every time.
fn rows_of<'a>(m: ArrayView2<'a, f32>, rows: &[usize], buffer: &'a mut Vec<f32>) -> ArrayView2<'a, f32> {
    match rows.first() {
        Some(&first) if rows.windows(2).all(|w| w[1] == w[0] + 1) => {
            m.slice_move(s![first..first + rows.len(), ..])
        }
        _ => {
            buffer.clear();
            for &row in rows {
                buffer.extend(m.row(row));
            }
            ArrayView2::from_shape((rows.len(), m.ncols()), &buffer[..]).expect("rows × columns values")
        }
    }
}

/// How many columns of `m` are zero in each of its `rows`.
fn empty_columns(m: ArrayView2<f32>, rows: &[usize]) -> usize {
    let mut used = vec![false; m.ncols()];
    for &row in rows {
        for (used, &v) in used.iter_mut().zip(m.row(row)) {
            *used |= v != 0.0;
        }
    }
    used.iter().filter(|&&used| !used).count()
}

/// Rotates A's rows onto `b`'s by orthogonal Procrustes over `pairs` (row in
/// A, row in `b`) and measures each pair's cosine after the rotation; lists
/// the `listed` pairs that differ most and least under A's tokens. `compare`
/// aligns two tables with it, `analyze` a model's input embedding with its
/// output embedding. `progress` hears which pass runs and how far it is (at
/// LLM sizes each takes tens of seconds).
///
/// Two passes over blocks of [`ALIGN_BLOCK`] shared rows, each block's product
/// in `f32` (the tables' own precision) on every core: `AᵀB`, summed into the
/// `f64` cross-covariance, then `A R` beside `B`, compared row by row in `f64`.
pub(crate) fn align_shared(
    a: &Embeddings,
    b: ArrayView2<f32>,
    pairs: &[(usize, usize)],
    listed: usize,
    progress: &mut dyn FnMut(&str),
) -> Result<Alignment> {
    let d = a.dim();
    let threads = cores();
    let (rows_a, rows_b): (Vec<usize>, Vec<usize>) = pairs.iter().copied().unzip();
    let (mut buffer_a, mut buffer_b) = (Vec::new(), Vec::new());
    // Each block of shared rows of A and of B, as views that may borrow the
    // buffers; `progress` hears `pass` and the share of rows done before each block.
    let n = pairs.len();
    let mut each_block = |pass: &str,
                          progress: &mut dyn FnMut(&str),
                          work: &mut dyn FnMut(ArrayView2<f32>, ArrayView2<f32>)| {
        let blocks = rows_a.chunks(ALIGN_BLOCK).zip(rows_b.chunks(ALIGN_BLOCK));
        for (done, (a_rows, b_rows)) in (0..).step_by(ALIGN_BLOCK).zip(blocks) {
            progress(&format!("{pass}, {}% of {n} rows", 100 * done / n));
            work(
                rows_of(a.vectors(), a_rows, &mut buffer_a),
                rows_of(b, b_rows, &mut buffer_b),
            );
        }
    };
    let mut cross = Array2::<f64>::zeros((d, d));
    let mut partial = Array2::<f32>::zeros((d, d));
    each_block("cross-covariance", progress, &mut |xa, xb| {
        product(xa.t(), xb.t(), &mut partial.view_mut(), threads);
        cross.zip_mut_with(&partial, |sum, &p| *sum += f64::from(p));
    });
    drop(partial);
    progress(&format!("SVD of the {d} × {d} cross-covariance"));
    let (rotation, spectrum) = procrustes_rotation_and_spectrum(cross.view())?;
    let rotation = rotation.mapv(|v| v as f32);
    drop(cross);
    let (mut residual, mut target) = (0.0, 0.0);
    let mut cosines = Vec::with_capacity(pairs.len());
    let mut rotated = Array2::<f32>::zeros((ALIGN_BLOCK.min(pairs.len()), d));
    each_block("rotated rows", progress, &mut |xa, xb| {
        let mut out = rotated.slice_mut(s![..xa.nrows(), ..]);
        product(xa.view(), rotation.t(), &mut out, threads);
        let out = out.view();
        let sums: Vec<[f64; 4]> = (0..xb.nrows())
            .into_par_iter()
            .map(|i| pair_sums(out.row(i), xb.row(i)))
            .collect();
        for [xy, xx, yy, squared_difference] in sums {
            residual += squared_difference;
            target += yy;
            cosines.push(cosine(xy, xx, yy));
        }
    });
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by(|&i, &j| cosines[i].total_cmp(&cosines[j]).then(i.cmp(&j)));
    // Each list takes at most half the rows, so "most" and "least" never share a token.
    let listed = listed.min(pairs.len() / 2).max(1);
    let listed_of = |rows: &mut dyn Iterator<Item = &usize>| {
        rows.take(listed)
            .map(|&i| TokenValue {
                token: a.token(pairs[i].0).to_string(),
                value: cosines[i],
            })
            .collect()
    };
    let largest = spectrum.iter().copied().fold(0.0, f64::max);
    let mut weak: Vec<f64> = spectrum
        .iter()
        .copied()
        .filter(|&s| s < ROUNDING_FLOOR * largest)
        .collect();
    if !weak.is_empty() {
        // A column zero in every shared row of A (or of B) gives the
        // cross-covariance a zero singular value whose direction no row of
        // that table has a part along: the rotation there moves no drift.
        let empty = empty_columns(a.vectors(), &rows_a).max(empty_columns(b, &rows_b));
        weak.sort_by(f64::total_cmp);
        weak.drain(..empty.min(weak.len()));
    }
    let caution = if pairs.len() < d {
        Some(format!(
            "{} aligned in {d} dimensions: many rotations fit equally well, so the residual \
             and the drift understate the difference",
            plural(pairs.len(), "row")
        ))
    } else {
        weak.first().map(|smallest| {
            format!(
                "{} of the cross-covariance's {d} singular values are below what its f32 products \
                 resolve (the smallest is {:.1e} of the largest): rounding, not the tables, decides \
                 the rotation along those directions, so the drift of rows along them means little",
                weak.len(),
                smallest / largest
            )
        })
    };
    Ok(Alignment {
        relative_residual: (residual / target).sqrt(),
        cosine: Summary::of(&cosines),
        moved_most: listed_of(&mut order.iter()),
        moved_least: listed_of(&mut order.iter().rev()),
        caution,
        cosines,
    })
}

/// `[x·y, x·x, y·y, ‖x − y‖²]`, summed in `f64`.
fn pair_sums(x: ArrayView1<f32>, y: ArrayView1<f32>) -> [f64; 4] {
    x.iter().zip(y).fold([0.0; 4], |[xy, xx, yy, dd], (&x, &y)| {
        let (x, y) = (f64::from(x), f64::from(y));
        [xy + x * y, xx + x * x, yy + y * y, dd + (x - y) * (x - y)]
    })
}

/// `x·y / (‖x‖‖y‖)` from the three products; 0 when either vector is zero.
fn cosine(xy: f64, xx: f64, yy: f64) -> f64 {
    let norms = (xx * yy).sqrt();
    if norms > 0.0 {
        (xy / norms).clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

/// B's rows for tokens A lacks, against the mean of B's rows for A's tokens.
fn added_rows(a: &Embeddings, b: &Embeddings, pairs: &[(usize, usize)], listed: usize) -> Option<AddedRows> {
    let new: Vec<usize> = (0..b.len()).filter(|&j| a.id(b.token(j)).is_none()).collect();
    if new.is_empty() || pairs.is_empty() {
        return None;
    }
    let d = b.dim();
    let (mut sum, mut squares) = (Array1::<f64>::zeros(d), 0.0);
    // One block of rows, widened, reused: the sums are the ones a fresh copy of each block gave.
    let mut rows = Array2::<f64>::zeros((BLOCK.min(pairs.len()), d));
    for block in pairs.chunks(BLOCK) {
        let mut old = rows.slice_mut(s![..block.len(), ..]);
        for (mut row, &(_, j)) in old.rows_mut().into_iter().zip(block) {
            row.zip_mut_with(&b.vector(j), |o, &x| *o = f64::from(x));
        }
        sum += &old.sum_axis(Axis(0));
        old.mapv_inplace(|v| v * v);
        squares += old.sum();
    }
    let v = pairs.len() as f64;
    let mean = sum / v;
    let mean_norm = mean.dot(&mean).sqrt();
    // mean ‖bᵢ − μ‖² = mean ‖bᵢ‖² − ‖μ‖² (clamped: rounding may leave it just below 0).
    let spread = (squares / v - mean_norm * mean_norm).max(0.0).sqrt();
    let (rows, within): (Vec<AddedRow>, Vec<bool>) = new
        .iter()
        .map(|&j| {
            let x = b.vector(j).mapv(f64::from);
            let distance = (&x - &mean).mapv(|v| v * v).sum().sqrt();
            let row = AddedRow {
                token: b.token(j).to_string(),
                cosine: cosine(x.dot(&mean), x.dot(&x), mean_norm * mean_norm),
                distance_to_mean_norm: distance / mean_norm,
                distance_to_spread: distance / spread,
            };
            (row, distance <= MEAN_RULE_TOLERANCE * spread)
        })
        .unzip();
    let at_mean = within.iter().filter(|&&w| w).count();
    let verdict = match at_mean {
        n if n == rows.len() => MeanRuleVerdict::MeanRule,
        0 => MeanRuleVerdict::NotMeanRule,
        _ => MeanRuleVerdict::Mixed,
    };
    let values = |f: fn(&AddedRow) -> f64| rows.iter().map(f).collect::<Vec<_>>();
    Some(AddedRows {
        added: rows.len(),
        old: pairs.len(),
        mean_norm,
        spread,
        tolerance: MEAN_RULE_TOLERANCE,
        at_mean,
        verdict,
        kl_bound: kl_bound(rows.len(), pairs.len()).expect("pairs is not empty"),
        cosine: Summary::of(&values(|r| r.cosine)),
        distance_to_spread: Summary::of(&values(|r| r.distance_to_spread)),
        first: rows.into_iter().take(listed).collect(),
    })
}

/// The top-k neighbours, as shared-token indices, of the first `queries`
/// shared tokens among all of them, in `matrix`, whose row `rows[t]` is
/// shared token `t`: searched where the rows are, with their norms beside them.
fn shared_neighbours(matrix: ArrayView2<f32>, rows: Vec<usize>, queries: usize, k: usize) -> Vec<Vec<usize>> {
    let unit = ScaledRows::picked(matrix, rows);
    let query_rows: Vec<usize> = (0..queries).collect();
    let query_vectors = unit.select(&query_rows);
    fused_top_k(&unit, query_vectors.view(), k, usize::MAX, |q| vec![q])
        .into_iter()
        .map(|hits| hits.iter().map(|h| h.index).collect())
        .collect()
}

fn neighbour_overlap(
    a: &Embeddings,
    b: &Embeddings,
    pairs: &[(usize, usize)],
    params: &CompareParams,
    progress: &mut dyn FnMut(&str),
) -> Option<NeighbourOverlap> {
    let n = pairs.len();
    let k = params.k.min(n.saturating_sub(1));
    let queries = params.overlap_queries.min(n);
    if k == 0 || queries == 0 {
        return None;
    }
    let tokens: Vec<String> = (0..queries).map(|t| a.token(pairs[t].0).to_string()).collect();
    progress(&format!("neighbour overlap: top {k} of {queries} tokens in A"));
    let in_a = shared_neighbours(a.vectors(), pairs.iter().map(|p| p.0).collect(), queries, k);
    progress(&format!("neighbour overlap: top {k} of {queries} tokens in B"));
    let in_b = shared_neighbours(b.vectors(), pairs.iter().map(|p| p.1).collect(), queries, k);
    let kept: Vec<usize> = in_a
        .iter()
        .zip(&in_b)
        .map(|(x, y)| x.iter().filter(|t| y.contains(t)).count())
        .collect();
    let mut counts = vec![0; k + 1];
    for &c in &kept {
        counts[c] += 1;
    }
    let mut order: Vec<usize> = (0..queries).collect();
    order.sort_by_key(|&q| (kept[q], q));
    Some(NeighbourOverlap {
        queries,
        k,
        mean: kept.iter().sum::<usize>() as f64 / (queries * k) as f64,
        chance: k as f64 / (n - 1) as f64,
        counts,
        lowest: order
            .iter()
            .take(params.listed)
            .map(|&q| TokenValue {
                token: tokens[q].clone(),
                value: kept[q] as f64 / k as f64,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use approx::assert_abs_diff_eq;
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::math::random_orthogonal;

    fn table(names: impl IntoIterator<Item = String>, rows: &Array2<f64>) -> Embeddings {
        let tokens: Vec<String> = names.into_iter().collect();
        Embeddings::new(tokens, rows.mapv(|v| v as f32)).unwrap().0
    }

    fn words(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    fn gaussian(n: usize, d: usize, seed: u64) -> Array2<f64> {
        Array2::random_using((n, d), StandardNormal, &mut ChaCha8Rng::seed_from_u64(seed))
    }

    fn run(a: Embeddings, b: Embeddings) -> Comparison {
        compare(a, b, &CompareParams::default(), &mut |_| {}).unwrap()
    }

    #[test]
    fn progress_hears_every_step_and_each_pass_block_by_block() {
        let n = ALIGN_BLOCK + 500;
        let x = gaussian(n, 3, 16);
        let mut steps = Vec::new();
        let params = CompareParams::default();
        let (a, b) = (table(words("w", n), &x), table(words("w", n), &(&x * 2.0)));
        compare(a, b, &params, &mut |step| steps.push(step.to_string())).unwrap();
        let pass = |name: &str, done: usize| format!("Procrustes alignment: {name}, {done}% of {n} rows");
        let queries = params.overlap_queries;
        assert_eq!(
            steps,
            [
                "shared tokens".to_string(),
                pass("cross-covariance", 0),
                pass("cross-covariance", 100 * ALIGN_BLOCK / n),
                "Procrustes alignment: SVD of the 3 × 3 cross-covariance".into(),
                pass("rotated rows", 0),
                pass("rotated rows", 100 * ALIGN_BLOCK / n),
                "added rows".into(),
                format!("neighbour overlap: top 10 of {queries} tokens in A"),
                format!("neighbour overlap: top 10 of {queries} tokens in B"),
            ]
        );
    }

    #[test]
    fn a_rotated_copy_aligns_back_with_no_drift_and_keeps_every_neighbour() {
        let x = gaussian(300, 16, 1) + 0.5; // off-centre, as trained tables are
        let q = random_orthogonal(16, &mut ChaCha8Rng::seed_from_u64(2));
        let c = run(table(words("w", 300), &x), table(words("w", 300), &x.dot(&q)));
        let alignment = c.alignment.unwrap();
        // Only the f32 rounding of both tables is left: about 6e-8 relative per entry.
        assert!(
            alignment.relative_residual < 1e-6,
            "{}",
            alignment.relative_residual
        );
        assert!(alignment.cosine.min > 1.0 - 1e-6, "{:?}", alignment.cosine);
        let overlap = c.overlap.unwrap();
        assert_eq!((overlap.queries, overlap.k, overlap.mean), (300, 10, 1.0));
        assert_eq!(overlap.counts[10], 300);
        assert_eq!(
            (c.vocabulary.shared, c.vocabulary.only_a, c.vocabulary.only_b),
            (300, 0, 0)
        );
        assert!(c.added.is_none());
    }

    #[test]
    fn unrelated_tables_keep_neighbours_at_chance_and_too_few_rows_get_a_caution() {
        // 400 unrelated rows: the overlap is near chance, 10/399. A query keeps about
        // k²/(n − 1) = 0.25 of its 10 neighbours (variance about as much), so the mean
        // share over 400 queries has an sd near 0.0025; 0.02 leaves room for the
        // queries' shared neighbours making them dependent.
        let c = run(
            table(words("w", 400), &gaussian(400, 8, 20)),
            table(words("w", 400), &gaussian(400, 8, 21)),
        );
        let overlap = c.overlap.unwrap();
        assert_eq!(overlap.chance, 10.0 / 399.0);
        assert!(
            (overlap.mean - overlap.chance).abs() < 0.02,
            "{} against {}",
            overlap.mean,
            overlap.chance
        );
        assert!(c.alignment.unwrap().caution.is_none());
        // 20 rows in 32 dimensions: a rotation fits them too well to mean much.
        let c = run(
            table(words("w", 20), &gaussian(20, 32, 22)),
            table(words("w", 20), &gaussian(20, 32, 23)),
        );
        let alignment = c.alignment.unwrap();
        let caution = alignment.caution.unwrap();
        assert!(
            caution.starts_with("20 rows aligned in 32 dimensions"),
            "{caution}"
        );
        // Twenty rows: ten moved most, the other ten least, none in both lists.
        let most: Vec<&str> = alignment.moved_most.iter().map(|t| t.token.as_str()).collect();
        assert_eq!((most.len(), alignment.moved_least.len()), (10, 10));
        assert!(
            alignment
                .moved_least
                .iter()
                .all(|t| !most.contains(&t.token.as_str()))
        );
        assert_eq!(c.overlap.unwrap().chance, 10.0 / 19.0);
    }

    #[test]
    fn directions_the_products_cannot_resolve_get_a_caution() {
        // Columns scaled from 1 down to 10⁻⁵: the cross-covariance of the table
        // with itself spans 10¹⁰, and its weakest directions are rounding.
        let scales = Array1::from_shape_fn(8, |j| 10f64.powf(-5.0 * j as f64 / 7.0));
        let x = gaussian(300, 8, 6) * &scales;
        let c = run(table(words("w", 300), &x), table(words("w", 300), &x));
        let caution = c.alignment.unwrap().caution.unwrap();
        // σⱼ ∝ 10^(−10j/7) against the floor 7.6·10⁻⁶: j = 4 … 7.
        assert!(
            caution.starts_with("4 of the cross-covariance's 8 singular values are below"),
            "{caution}"
        );
        // Scaled from 1 to 10⁻² (σ spans 10⁴), every direction is resolved.
        let scales = Array1::from_shape_fn(8, |j| 10f64.powf(-2.0 * j as f64 / 7.0));
        let x = gaussian(300, 8, 6) * &scales;
        let c = run(table(words("w", 300), &x), table(words("w", 300), &x));
        assert_eq!(c.alignment.unwrap().caution, None);
        // Columns zero in A leave zero singular values, but no row of A has a
        // part along them: no caution, whether or not B was rotated away from
        // A's axes; a direction rounding decides besides them is still one.
        let mut x = gaussian(300, 8, 6);
        x.column_mut(2).fill(0.0);
        x.column_mut(5).fill(0.0);
        let q = random_orthogonal(8, &mut ChaCha8Rng::seed_from_u64(4));
        for b in [x.clone(), x.dot(&q)] {
            let c = run(table(words("w", 300), &x), table(words("w", 300), &b));
            assert_eq!(c.alignment.unwrap().caution, None);
        }
        x.column_mut(7).mapv_inplace(|v| v * 1e-7);
        let c = run(table(words("w", 300), &x), table(words("w", 300), &x.dot(&q)));
        let caution = c.alignment.unwrap().caution.unwrap();
        assert!(
            caution.starts_with("1 of the cross-covariance's 8 singular values are below"),
            "{caution}"
        );
    }

    #[test]
    fn rows_that_really_moved_drift_most_and_lose_their_neighbours() {
        let x = gaussian(200, 12, 3);
        let mut y = x.dot(&random_orthogonal(12, &mut ChaCha8Rng::seed_from_u64(4)));
        let fresh = gaussian(3, 12, 5);
        for (k, row) in [7, 50, 120].into_iter().enumerate() {
            y.row_mut(row).assign(&fresh.row(k));
        }
        let c = run(table(words("w", 200), &x), table(words("w", 200), &y));
        let alignment = c.alignment.unwrap();
        let mut most: Vec<&str> = alignment.moved_most[..3]
            .iter()
            .map(|t| t.token.as_str())
            .collect();
        most.sort();
        assert_eq!(most, ["w120", "w50", "w7"]);
        assert!(alignment.moved_least[0].value > 0.99);
        let overlap = c.overlap.unwrap();
        assert!(overlap.mean < 1.0);
        assert!(
            overlap.lowest[..3].iter().all(|t| t.value < 0.5),
            "{:?}",
            overlap.lowest
        );
    }

    #[test]
    fn rows_added_at_the_mean_are_recognised_and_bounded_by_hewitt() {
        let old = gaussian(400, 24, 6) + 0.3;
        let mean = old.mean_axis(Axis(0)).unwrap();
        // 10 rows at the mean, 10 by Hewitt's N(μ, 1e-5 Σ) (here Σ ≈ I).
        let mut new = Array2::from_shape_fn((20, 24), |(_, j)| mean[j]);
        new.slice_mut(s![10.., ..])
            .scaled_add(10f64.powf(-2.5), &gaussian(10, 24, 7));
        let grown = ndarray::concatenate![Axis(0), old, new];
        let c = run(
            table(words("w", 400), &old),
            table(words("w", 400).into_iter().chain(words("new", 20)), &grown),
        );
        let added = c.added.unwrap();
        assert_eq!((added.added, added.old, added.at_mean), (20, 400, 20));
        assert_eq!(added.verdict, MeanRuleVerdict::MeanRule);
        assert_eq!(added.kl_bound, (20.0f64 / 400.0).ln_1p());
        assert!(added.cosine.min > 0.999, "{:?}", added.cosine);
        assert!(
            added.distance_to_spread.max < 0.01,
            "{:?}",
            added.distance_to_spread
        );
        assert_eq!(c.vocabulary.only_b_first[0], "new0");
    }

    #[test]
    fn rows_added_at_random_are_not_the_mean_rule() {
        let old = gaussian(400, 24, 8) + 0.3;
        let grown = ndarray::concatenate![Axis(0), old, gaussian(20, 24, 9)];
        let c = run(
            table(words("w", 400), &old),
            table(words("w", 400).into_iter().chain(words("new", 20)), &grown),
        );
        let added = c.added.unwrap();
        assert_eq!((added.at_mean, added.verdict), (0, MeanRuleVerdict::NotMeanRule));
        assert!(
            added.distance_to_spread.min > 0.5,
            "{:?}",
            added.distance_to_spread
        );
        assert!(added.cosine.mean.abs() < 0.5, "{:?}", added.cosine);
    }

    #[test]
    fn disjoint_vocabularies_share_nothing_and_measure_nothing() {
        let c = run(
            table(words("a", 30), &gaussian(30, 4, 10)),
            table(words("b", 20), &gaussian(20, 4, 11)),
        );
        assert_eq!(
            (c.vocabulary.shared, c.vocabulary.only_a, c.vocabulary.only_b),
            (0, 30, 20)
        );
        assert_eq!(c.vocabulary.only_a_first.len(), 20);
        assert_eq!(c.vocabulary.only_a_first[0], "a0");
        assert!(c.alignment.is_none() && c.overlap.is_none() && c.added.is_none());
    }

    #[test]
    fn different_dimensions_skip_alignment_but_not_neighbours() {
        let x = gaussian(50, 8, 12);
        let wide = ndarray::concatenate![Axis(1), x, Array2::zeros((50, 4))]; // same geometry in 12-D
        let c = run(table(words("w", 50), &x), table(words("w", 50), &wide));
        assert_eq!(c.dims, [8, 12]);
        assert!(c.alignment.is_none());
        assert_abs_diff_eq!(c.overlap.unwrap().mean, 1.0);
    }

    #[test]
    fn rows_in_the_same_order_are_read_in_place_with_the_bits_of_gathered_ones() {
        // More than one block: B in A's order is read in place, B reversed is gathered.
        let n = ALIGN_BLOCK + 500;
        let x = gaussian(n, 3, 14);
        let y = &x + &(gaussian(n, 3, 15) * 0.1);
        let reversed = y.slice(s![..;-1, ..]).to_owned();
        let mut names = words("w", n);
        names.reverse();
        let align = |b: &Embeddings| {
            let pairs: Vec<(usize, usize)> = (0..n).map(|i| (i, b.id(&format!("w{i}")).unwrap())).collect();
            align_shared(&table(words("w", n), &x), b.vectors(), &pairs, 5, &mut |_| {}).unwrap()
        };
        let (in_place, gathered) = (align(&table(words("w", n), &y)), align(&table(names, &reversed)));
        assert_eq!(in_place, gathered);
        assert!(in_place.relative_residual > 0.01, "the rows did move");

        let mut buffer = Vec::new();
        let m = x.mapv(|v| v as f32);
        assert_eq!(rows_of(m.view(), &[4, 5, 6], &mut buffer), m.slice(s![4..7, ..]));
        assert!(buffer.is_empty(), "consecutive rows are not copied");
        assert_eq!(
            rows_of(m.view(), &[6, 2], &mut buffer),
            m.select(Axis(0), &[6, 2])
        );
    }

    #[test]
    fn neighbours_are_matched_by_token_whatever_the_row_order() {
        // B holds A's rows in reverse order (and a token A lacks in between): same neighbours.
        let x = gaussian(40, 6, 13);
        let mut names = words("w", 40);
        names.reverse();
        let mut reversed = x.slice(s![..;-1, ..]).to_owned();
        reversed.row_mut(0).fill(9.0);
        names[0] = "extra".into();
        let c = run(table(words("w", 40), &x), table(names, &reversed));
        assert_eq!(c.vocabulary.shared, 39);
        assert_eq!(c.overlap.unwrap().mean, 1.0);
        assert!(c.alignment.unwrap().relative_residual < 1e-6);
    }
}

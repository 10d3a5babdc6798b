//! Top-k cosine neighbours of many queries at once: blocked `f32` matrix
//! products with the top-k selection fused in, so the `Q×V` score matrix is
//! never materialised.
//!
//! A search reads the vocabulary as unit vectors ([`UnitVectors`]): either a
//! unit copy ([`UnitRows`], for the map's few thousand rows and the queries)
//! or the rows as they are with the reciprocal of each norm kept beside them
//! ([`ScaledRows`], for a whole table, which may be read in place from its
//! file): each vocabulary block is scaled into a buffer as the search reaches
//! it, bit for bit the rows a unit copy would hold, so the two give the same
//! results and a table is never copied whole.
//!
//! The queries (up to a thousand at a time) times a block of vocabulary rows
//! give a score tile that is scanned straight into one bounded candidate list
//! per query. Vocabulary blocks are shared out over the machine's cores with
//! `std::thread::scope`, so each block is packed for the product once rather
//! than once per query block (that packing was a sixth of the time); each tile
//! product is the `gemm` crate's single-threaded kernel (AVX-512 where the CPU
//! has it, else FMA), which measured faster here than `matrixmultiply`'s FMA kernel.
//!
//! **Order.** Results are best first: higher score first, and among equal
//! scores the lower row index first. The order is deterministic: it does not
//! depend on the number of threads (each query's scores always come from the
//! same product kernel over the same blocks). A NaN score is never returned.

use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, s};

use crate::error::{Error, Result};
use crate::math::for_each_on_cores;

/// Queries searched together: a tile is `QUERY_CHUNK × VOCAB_BLOCK` scores (4 MB).
const QUERY_CHUNK: usize = 1000;
/// Vocabulary rows per product tile, and per task when rows are normalised.
const VOCAB_BLOCK: usize = 1024;

/// Rows a search reads as unit vectors: stored unit ([`UnitRows`]) or scaled
/// as they are read ([`ScaledRows`]). A row without a direction (zero, or
/// with an infinite or NaN entry) reads as zero.
pub trait UnitVectors: Sync {
    /// Number of rows.
    fn len(&self) -> usize;

    /// Whether there are no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Vector dimension.
    fn dim(&self) -> usize;

    /// Unit rows `start..start + width`: borrowed when they are stored,
    /// else scaled into `scratch`.
    fn block<'s>(&'s self, start: usize, width: usize, scratch: &'s mut Vec<f32>) -> ArrayView2<'s, f32>;

    /// Unit row `i` (a copy).
    ///
    /// # Panics
    /// When `i >= len()`, like slice indexing.
    fn row(&self, i: usize) -> Array1<f32>;

    /// Unit rows `rows`, in that order (a copy).
    fn select(&self, rows: &[usize]) -> Array2<f32> {
        let mut out = Array2::zeros((rows.len(), self.dim()));
        for (mut out, &i) in out.rows_mut().into_iter().zip(rows) {
            out.assign(&self.row(i));
        }
        out
    }

    /// The rows without a direction, in increasing order: their cosine with
    /// anything is undefined (gensim's is NaN, which it never lists).
    fn undirected(&self) -> Vec<usize>;
}

/// A unit copy of a matrix's rows; zero rows stay zero.
///
/// The norm is computed in `f64` and each entry multiplied by its `f64`
/// reciprocal before rounding back to `f32`; rows are shared out over the
/// cores. Build it from a view (a copy) or from an owned matrix (in place, so
/// the raw matrix is not kept alongside).
#[derive(Debug, Clone)]
pub struct UnitRows {
    rows: Array2<f32>,
}

impl UnitRows {
    /// Normalises a copy of `vectors`.
    ///
    /// # Examples
    /// ```
    /// use embspace::analyze::UnitRows;
    /// use embspace::ndarray::array;
    /// let unit = UnitRows::new(array![[3.0f32, 4.0], [0.0, 0.0]].view());
    /// assert_eq!(unit.view(), array![[0.6f32, 0.8], [0.0, 0.0]]);
    /// ```
    pub fn new(vectors: ArrayView2<f32>) -> Self {
        // Each row is copied by the thread that normalises it, so the copy
        // (and the page faults of the fresh, lazily zeroed buffer) run on every core.
        let mut rows = Array2::zeros(vectors.raw_dim());
        normalise_rows(rows.view_mut(), Some(vectors));
        UnitRows { rows }
    }

    /// Normalises `vectors` in place, taking ownership (no second copy).
    pub fn from_owned(mut vectors: Array2<f32>) -> Self {
        normalise_rows(vectors.view_mut(), None);
        UnitRows { rows: vectors }
    }

    /// The unit rows.
    pub fn view(&self) -> ArrayView2<'_, f32> {
        self.rows.view()
    }
}

impl UnitVectors for UnitRows {
    fn len(&self) -> usize {
        self.rows.nrows()
    }

    fn dim(&self) -> usize {
        self.rows.ncols()
    }

    fn block<'s>(&'s self, start: usize, width: usize, _: &'s mut Vec<f32>) -> ArrayView2<'s, f32> {
        self.rows.slice(s![start..start + width, ..])
    }

    fn row(&self, i: usize) -> Array1<f32> {
        self.rows.row(i).to_owned()
    }

    fn undirected(&self) -> Vec<usize> {
        let rows = self.rows.rows().into_iter();
        rows.enumerate()
            .filter(|(_, row)| row.iter().all(|&v| v == 0.0))
            .map(|(i, _)| i)
            .collect()
    }
}

/// A matrix's rows as they are, with the reciprocal of each row's norm kept
/// beside them: read as unit vectors without a unit copy, so a table read in
/// place from its file is searched in place. A row read from it is bit for bit
/// the row [`UnitRows`] would hold.
///
/// # Examples
/// ```
/// use embspace::analyze::{ScaledRows, UnitRows, UnitVectors};
/// use embspace::ndarray::array;
/// let matrix = array![[3.0f32, 4.0], [0.0, 0.0], [f32::NAN, 1.0]];
/// let scaled = ScaledRows::new(matrix.view());
/// assert_eq!(scaled.select(&[0, 1, 2]), UnitRows::new(matrix.view()).view());
/// assert_eq!(scaled.undirected(), vec![1, 2]);
/// ```
#[derive(Debug, Clone)]
pub struct ScaledRows<'a> {
    matrix: ArrayView2<'a, f32>,
    /// The matrix rows read, in order (`None`: every row).
    picked: Option<Vec<usize>>,
    /// `1/‖row‖` in `f64` of each row read; 0 for a row without a direction.
    inverse_norms: Vec<f64>,
}

impl<'a> ScaledRows<'a> {
    /// Every row of `matrix`, with their norms computed on every core.
    pub fn new(matrix: ArrayView2<'a, f32>) -> Self {
        ScaledRows::with(matrix, None)
    }

    /// Rows `picked` of `matrix`, in that order: row `i` here is row
    /// `picked[i]` there (a subset searched without gathering it).
    ///
    /// # Panics
    /// When a picked row is out of range, like slice indexing.
    pub fn picked(matrix: ArrayView2<'a, f32>, picked: Vec<usize>) -> Self {
        ScaledRows::with(matrix, Some(picked))
    }

    fn with(matrix: ArrayView2<'a, f32>, picked: Option<Vec<usize>>) -> Self {
        let len = picked.as_ref().map_or(matrix.nrows(), Vec::len);
        let mut scaled = ScaledRows {
            matrix,
            picked,
            inverse_norms: Vec::new(),
        };
        let mut inverse_norms = vec![0.0; len];
        let parts = inverse_norms.chunks_mut(VOCAB_BLOCK).enumerate().collect();
        for_each_on_cores(parts, |(c, part)| {
            for (i, inverse) in (c * VOCAB_BLOCK..).zip(part) {
                *inverse = inverse_norm(scaled.source(i));
            }
        });
        scaled.inverse_norms = inverse_norms;
        scaled
    }

    /// The matrix row read as row `i`.
    fn source(&self, i: usize) -> ArrayView1<'a, f32> {
        let row = self.picked.as_ref().map_or(i, |picked| picked[i]);
        self.matrix.index_axis_move(Axis(0), row)
    }
}

impl UnitVectors for ScaledRows<'_> {
    fn len(&self) -> usize {
        self.inverse_norms.len()
    }

    fn dim(&self) -> usize {
        self.matrix.ncols()
    }

    fn block<'s>(&'s self, start: usize, width: usize, scratch: &'s mut Vec<f32>) -> ArrayView2<'s, f32> {
        let d = self.dim();
        scratch.resize(width * d, 0.0);
        let inverses = &self.inverse_norms[start..start + width];
        for ((i, &inverse), out) in (start..).zip(inverses).zip(scratch.chunks_exact_mut(d.max(1))) {
            for (o, &x) in out.iter_mut().zip(self.source(i)) {
                *o = scaled(x, inverse);
            }
        }
        ArrayView2::from_shape((width, d), &scratch[..width * d]).expect("width × d values")
    }

    fn row(&self, i: usize) -> Array1<f32> {
        let inverse = self.inverse_norms[i];
        self.source(i).mapv(|x| scaled(x, inverse))
    }

    fn undirected(&self) -> Vec<usize> {
        let inverses = self.inverse_norms.iter().enumerate();
        inverses
            .filter(|&(_, &inverse)| inverse == 0.0)
            .map(|(i, _)| i)
            .collect()
    }
}

/// `1/‖row‖` in `f64`, or 0 for a row without a direction (zero, infinite or NaN).
fn inverse_norm(row: ArrayView1<f32>) -> f64 {
    let norm = squared_norm(row).sqrt();
    if norm > 0.0 && norm.is_finite() {
        1.0 / norm
    } else {
        0.0
    }
}

/// An entry of a unit row: `x · inverse` rounded to `f32`, 0 in a row without a direction.
#[inline]
fn scaled(x: f32, inverse: f64) -> f32 {
    if inverse == 0.0 {
        0.0
    } else {
        (f64::from(x) * inverse) as f32
    }
}

/// Scales each row of `rows` to unit length (zero, infinite or NaN rows become
/// zero), first copying it from `source` when given; rows are shared out over the cores.
fn normalise_rows(mut rows: ArrayViewMut2<f32>, source: Option<ArrayView2<f32>>) {
    let parts = rows
        .axis_chunks_iter_mut(Axis(0), VOCAB_BLOCK)
        .enumerate()
        .collect();
    for_each_on_cores(parts, |(c, mut part)| {
        let start = c * VOCAB_BLOCK;
        let source = source.map(|m| m.slice_move(s![start..start + part.nrows(), ..]));
        for (i, mut row) in part.rows_mut().into_iter().enumerate() {
            if let Some(source) = source {
                row.assign(&source.row(i));
            }
            let inverse = inverse_norm(row.view());
            row.mapv_inplace(|x| scaled(x, inverse));
        }
    });
}

/// `Σ x²` in `f64` with eight running sums, so the additions do not wait on
/// each other (one chain of 300 dependent additions per row was most of the time).
fn squared_norm(row: ArrayView1<f32>) -> f64 {
    let Some(values) = row.as_slice() else {
        // Not contiguous (a column-major matrix): same sums on a contiguous copy.
        return squared_norm(ArrayView1::from(&row.to_vec()));
    };
    let square = |x: &f32| f64::from(*x) * f64::from(*x);
    let lanes = values.chunks_exact(8);
    let tail: f64 = lanes.remainder().iter().map(square).sum();
    let mut sums = [0.0f64; 8];
    for lane in lanes {
        for (sum, x) in sums.iter_mut().zip(lane) {
            *sum += square(x);
        }
    }
    sums.iter().sum::<f64>() + tail
}

/// One neighbour: a row index and its score (the cosine for [`top_k`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Hit {
    /// Row index in the searched matrix.
    pub index: usize,
    /// Score; higher is better.
    pub score: f32,
}

/// Whether `a` ranks before `b`: higher score, then lower index.
fn before(a: (f32, usize), b: (f32, usize)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// A bounded best-`k` list kept sorted best first; insertion is `O(k)`, but
/// almost every candidate is refused by one comparison with the worst.
struct Best {
    k: usize,
    items: Vec<(f32, usize)>,
}

impl Best {
    fn new(k: usize) -> Self {
        Best {
            k,
            items: Vec::with_capacity(k + 1),
        }
    }

    /// Offers a candidate; rows arrive in increasing index order per block.
    #[inline]
    fn offer(&mut self, score: f32, index: usize) {
        if self.items.len() == self.k {
            match self.items.last() {
                Some(&worst) if before((score, index), worst) => {}
                _ => return,
            }
        }
        if score.is_nan() {
            return;
        }
        let at = self.items.partition_point(|&item| before(item, (score, index)));
        self.items.insert(at, (score, index));
        self.items.truncate(self.k);
    }

    /// Offers the scores of rows `start, start + 1, …` (one vocabulary block),
    /// skipping the `excluded` rows. Equal scores arrive in index order, so a
    /// tie with the worst never enters.
    #[inline]
    fn offer_block(&mut self, scores: impl Iterator<Item = f32>, start: usize, excluded: &[usize]) {
        let mut threshold = self.threshold();
        for (v, score) in scores.enumerate() {
            if score > threshold && !excluded.contains(&(start + v)) {
                self.offer(score, start + v);
                threshold = self.threshold();
            }
        }
    }

    /// The score a candidate must beat to enter (−∞ while not full).
    #[inline]
    fn threshold(&self) -> f32 {
        if self.items.len() == self.k {
            self.items.last().map_or(f32::NEG_INFINITY, |w| w.0)
        } else {
            f32::NEG_INFINITY
        }
    }

    fn into_hits(self) -> Vec<Hit> {
        self.items
            .into_iter()
            .map(|(score, index)| Hit { index, score })
            .collect()
    }
}

/// `out = q · uᵀ` for `q` (`m×d`) and `u` (`n×d`) of any strides: gemm's
/// AVX-512 / FMA kernels on `threads` threads (the searches pass 1 and run one
/// per core themselves). gemm shares out the output, never the sums, so the
/// bytes do not depend on `threads`.
pub(crate) fn product(
    q: ArrayView2<f32>,
    u: ArrayView2<f32>,
    out: &mut ndarray::ArrayViewMut2<f32>,
    threads: usize,
) {
    let (m, n, k) = (q.nrows(), u.nrows(), q.ncols());
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        out.fill(0.0);
        return;
    }
    let [qr, qc] = [q.strides()[0], q.strides()[1]];
    let [ur, uc] = [u.strides()[0], u.strides()[1]];
    let [or, oc] = [out.strides()[0], out.strides()[1]];
    // SAFETY: the pointers and strides describe the three live views exactly
    // (m×k, n×k read as k×n through swapped strides, m×n); `out` is borrowed
    // mutably and does not overlap the inputs.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            oc,
            or,
            false,
            q.as_ptr(),
            qc,
            qr,
            u.as_ptr(),
            ur,
            uc,
            0.0,
            1.0,
            false,
            false,
            false,
            match threads {
                0 | 1 => gemm::Parallelism::None,
                n => gemm::Parallelism::Rayon(n),
            },
        );
    }
}

/// The machine's cores (what the searches run on).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `worker` once per core, at most once per block of work (inline when
/// that is one), and returns what each run returned. Workers share out the
/// blocks themselves through an atomic counter.
fn on_cores<T: Send>(blocks: usize, worker: impl Fn() -> T + Sync) -> Vec<T> {
    on_threads(cores(), blocks, worker)
}

/// [`on_cores`] on `threads` threads (tests check results do not depend on it).
pub(crate) fn on_threads<T: Send>(threads: usize, blocks: usize, worker: impl Fn() -> T + Sync) -> Vec<T> {
    let threads = threads.min(blocks);
    if threads <= 1 {
        return vec![worker()];
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(&worker)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a knn worker panicked"))
            .collect()
    })
}

/// The fused engine behind [`top_k`]: the `k` rows among `0..restrict` of
/// `unit` with the highest product with query row `j`, skipping `exclude(j)`.
///
/// Queries go in chunks of [`QUERY_CHUNK`] rows (bounding each tile), each
/// chunk searched by [`fused_top_k_shared`] with one query per question.
pub(crate) fn fused_top_k<E>(
    unit: &impl UnitVectors,
    queries: ArrayView2<f32>,
    k: usize,
    restrict: usize,
    exclude: E,
) -> Vec<Vec<Hit>>
where
    E: Fn(usize) -> Vec<usize> + Sync,
{
    let mut hits = Vec::with_capacity(queries.nrows());
    for (c, chunk) in queries.axis_chunks_iter(Axis(0), QUERY_CHUNK).enumerate() {
        let first = c * QUERY_CHUNK;
        let members: Vec<[usize; 1]> = (0..chunk.nrows()).map(|j| [j]).collect();
        hits.extend(fused_top_k_shared(
            unit,
            chunk,
            &members,
            k,
            restrict,
            |j| exclude(first + j),
            |[s]| s,
        ));
    }
    hits
}

/// Top-k for many questions built from a few shared words: question `j`
/// scores vocabulary row `v` as `combine([words_w · u_v for w in members[j]])`
/// (analogies: `N = 3`, `members[j] = [b, c, a]`; plain top-k: `N = 1`).
///
/// One product of the distinct words with each vocabulary block serves every
/// question that uses them: the Google set's 19 544 questions use 905 words,
/// so this does 1/20 of the multiply-adds of one query row per question.
/// Vocabulary blocks are shared out over the cores; each block is multiplied
/// by all the words at once (so each block is packed for the product once),
/// and each core keeps its own candidates per question. Merging by (score,
/// lower index) makes the result independent of the split.
pub(crate) fn fused_top_k_shared<const N: usize, C, E>(
    unit: &impl UnitVectors,
    words: ArrayView2<f32>,
    members: &[[usize; N]],
    k: usize,
    restrict: usize,
    exclude: E,
    combine: C,
) -> Vec<Vec<Hit>>
where
    C: Fn([f32; N]) -> f32 + Sync,
    E: Fn(usize) -> Vec<usize> + Sync,
{
    let restrict = restrict.min(unit.len());
    if members.is_empty() || k == 0 || restrict == 0 {
        return vec![Vec::new(); members.len()];
    }
    let excluded: Vec<Vec<usize>> = (0..members.len()).map(&exclude).collect();
    let blocks = restrict.div_ceil(VOCAB_BLOCK);
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut best: Vec<Best> = (0..members.len()).map(|_| Best::new(k)).collect();
        let mut tile = Array2::<f32>::zeros((words.nrows(), VOCAB_BLOCK));
        let mut scratch = Vec::new();
        loop {
            let block = next.fetch_add(1, Ordering::Relaxed);
            if block >= blocks {
                break;
            }
            let start = block * VOCAB_BLOCK;
            let width = VOCAB_BLOCK.min(restrict - start);
            let mut out = tile.slice_mut(s![.., ..width]);
            product(words, unit.block(start, width, &mut scratch), &mut out, 1);
            let out = out.view();
            for ((best, member), excluded) in best.iter_mut().zip(members).zip(&excluded) {
                let rows = member.map(|w| out.row(w));
                let scores = (0..width).map(|v| combine(std::array::from_fn(|i| rows[i][v])));
                best.offer_block(scores, start, excluded);
            }
        }
        best
    };
    let mut parts: Vec<Vec<Best>> = on_cores(blocks, worker);
    let mut merged = parts.remove(0);
    for part in parts {
        for (into, from) in merged.iter_mut().zip(part) {
            for (score, index) in from.items {
                into.offer(score, index);
            }
        }
    }
    merged.into_iter().map(Best::into_hits).collect()
}

/// The `k` rows of `unit` most cosine-similar to each row of `queries`, best first.
///
/// Queries are unit-normalised (a copy of the `Q×d` queries; the vocabulary is
/// not copied). Only rows `0..restrict` are searched (all when `restrict`
/// exceeds the table). `exclude[j]` lists rows never returned for query `j`
/// (e.g. the query word itself); it may be empty or shorter than `queries`.
/// Ties are broken by the lower row index. When fewer than `k` rows are
/// eligible, all of them are returned. A zero query or zero row scores 0.
///
/// # Errors
/// [`Error::Shape`] when the query width differs from the table's.
///
/// # Examples
/// ```
/// use embspace::analyze::{UnitRows, top_k};
/// use embspace::ndarray::array;
/// let unit = UnitRows::new(array![[1.0f32, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]].view());
/// let hits = top_k(&unit, array![[1.0f32, 0.1]].view(), 2, usize::MAX, &[vec![0]])?;
/// assert_eq!(hits[0].iter().map(|h| h.index).collect::<Vec<_>>(), vec![1, 2]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn top_k(
    unit: &impl UnitVectors,
    queries: ArrayView2<f32>,
    k: usize,
    restrict: usize,
    exclude: &[Vec<usize>],
) -> Result<Vec<Vec<Hit>>> {
    if queries.ncols() != unit.dim() {
        return Err(Error::shape(
            "top_k queries",
            format!("d = {}", unit.dim()),
            format!("d = {}", queries.ncols()),
        ));
    }
    let queries = UnitRows::new(queries);
    Ok(fused_top_k(unit, queries.view(), k, restrict, |j| {
        exclude.get(j).cloned().unwrap_or_default()
    }))
}

/// Brute force for tests: every score, fully sorted, then the first `k`.
#[cfg(test)]
pub(crate) fn brute_force(scores: ndarray::ArrayView1<f32>, k: usize, exclude: &[usize]) -> Vec<Hit> {
    let mut all: Vec<Hit> = scores
        .iter()
        .enumerate()
        .filter(|(i, s)| !exclude.contains(i) && !s.is_nan())
        .map(|(index, &score)| Hit { index, score })
        .collect();
    all.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    all.truncate(k);
    all
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, ShapeBuilder};
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;
    use rand::SeedableRng;
    use rand::seq::index::sample;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// `rows` searched as they are, as if they were unit: on small integers
    /// every product is exact, so the searches can be compared with a full sort.
    fn as_is(rows: Array2<f32>) -> UnitRows {
        UnitRows { rows }
    }

    /// The shared-word search (analogies) equals a full sort of the combined
    /// scores, on integer data where every product is exact, across vocabulary
    /// blocks split over threads.
    #[test]
    fn shared_word_top_k_equals_a_full_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let vocab = Array2::<f32>::random_using((2600, 4), StandardNormal, &mut rng).mapv(|x| x.round());
        let words = Array2::<f32>::random_using((12, 4), StandardNormal, &mut rng).mapv(|x| x.round());
        let members: Vec<[usize; 3]> = (0..200)
            .map(|_| {
                let m = sample(&mut rng, 12, 3).into_vec();
                [m[0], m[1], m[2]]
            })
            .collect();
        let exclude: Vec<Vec<usize>> = (0..200).map(|_| sample(&mut rng, 2600, 3).into_vec()).collect();
        let exact = words
            .mapv(f64::from)
            .dot(&vocab.mapv(f64::from).t())
            .mapv(|x| x as f32);
        for (k, restrict) in [(8, usize::MAX), (5, 1100)] {
            let fused = fused_top_k_shared(
                &as_is(vocab.clone()),
                words.view(),
                &members,
                k,
                restrict,
                |j| exclude[j].clone(),
                |[x, y, z]| x + y - z,
            );
            for (j, (hits, &[x, y, z])) in fused.iter().zip(&members).enumerate() {
                let combined = &exact.row(x) + &exact.row(y) - exact.row(z);
                let scores = combined.slice(s![..restrict.min(2600)]);
                assert_eq!(hits, &brute_force(scores, k, &exclude[j]), "question {j}, k {k}");
            }
        }
    }

    /// The fused blocked search returns exactly the full sort's first k, with
    /// exclusions and restrict, on small-integer data: every product is exact
    /// in `f32` whatever the summation order, so there are many exact ties.
    #[test]
    fn fused_top_k_equals_a_full_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let vocab = Array2::<f32>::random_using((2500, 4), StandardNormal, &mut rng).mapv(|x| x.round());
        // More queries than one chunk, so two chunks are searched.
        let n = QUERY_CHUNK + 76;
        let queries = Array2::<f32>::random_using((n, 4), StandardNormal, &mut rng).mapv(|x| x.round());
        let exclude: Vec<Vec<usize>> = (0..n).map(|_| sample(&mut rng, 2500, 3).into_vec()).collect();
        let exact = queries
            .mapv(f64::from)
            .dot(&vocab.mapv(f64::from).t())
            .mapv(|x| x as f32);
        for (k, restrict) in [(10, usize::MAX), (7, 1500), (40, 1030), (5, 3)] {
            let fused = fused_top_k(&as_is(vocab.clone()), queries.view(), k, restrict, |j| {
                exclude[j].clone()
            });
            let scores = exact.slice(s![.., ..restrict.min(2500)]);
            for (j, hits) in fused.iter().enumerate() {
                assert_eq!(
                    hits,
                    &brute_force(scores.row(j), k, &exclude[j]),
                    "query {j}, k {k}"
                );
            }
        }
    }

    #[test]
    fn fewer_eligible_rows_than_k_returns_them_all() {
        let unit = UnitRows::new(ndarray::array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0]].view());
        let hits = top_k(&unit, ndarray::array![[1.0f32, 0.0]].view(), 10, 2, &[vec![1]]).unwrap();
        assert_eq!(hits[0].iter().map(|h| h.index).collect::<Vec<_>>(), vec![0]);
    }

    #[test]
    fn a_query_of_the_wrong_width_is_refused() {
        let unit = UnitRows::new(Array2::<f32>::ones((3, 2)).view());
        assert!(top_k(&unit, Array2::<f32>::ones((1, 3)).view(), 1, 3, &[]).is_err());
    }

    /// A copy from any view and the in-place path (here on a column-major
    /// matrix, whose rows are not contiguous) give the same unit rows.
    #[test]
    fn unit_rows_are_the_same_from_a_view_or_in_place() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let m = Array2::<f32>::random_using((37, 19), StandardNormal, &mut rng);
        let mut column_major = Array2::<f32>::zeros((37, 19).f());
        column_major.assign(&m);
        assert!(column_major.row(0).as_slice().is_none());
        let copied = UnitRows::new(m.view());
        let in_place = UnitRows::from_owned(column_major);
        assert_eq!(copied.view(), in_place.view());
        for row in copied.view().rows() {
            let n: f64 = row.iter().map(|&x| f64::from(x).powi(2)).sum();
            approx::assert_abs_diff_eq!(n, 1.0, epsilon = 1e-6);
        }
    }

    /// Scaling each block as it is read searches exactly what a unit copy
    /// holds: the same hits with the same scores, rows without a direction
    /// (zero, NaN, infinite) included, across several vocabulary blocks.
    #[test]
    fn scaled_rows_search_what_a_unit_copy_holds() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut m = Array2::<f32>::random_using((2 * VOCAB_BLOCK + 77, 23), StandardNormal, &mut rng) * 40.0;
        m.row_mut(5).fill(0.0);
        m[[VOCAB_BLOCK + 3, 7]] = f32::NAN;
        m[[2 * VOCAB_BLOCK + 1, 0]] = f32::INFINITY;
        let (scaled, unit) = (ScaledRows::new(m.view()), UnitRows::new(m.view()));
        assert_eq!(scaled.undirected(), vec![5, VOCAB_BLOCK + 3, 2 * VOCAB_BLOCK + 1]);
        assert_eq!(scaled.undirected(), unit.undirected());
        let all: Vec<usize> = (0..m.nrows()).collect();
        assert_eq!(scaled.select(&all), unit.view());
        let queries = m.slice(s![..40, ..]).to_owned();
        let hits = top_k(&scaled, queries.view(), 9, usize::MAX, &[]).unwrap();
        assert_eq!(hits, top_k(&unit, queries.view(), 9, usize::MAX, &[]).unwrap());
    }

    /// Picked rows read as the same rows gathered first would.
    #[test]
    fn picked_rows_read_as_the_gathered_rows() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let m = Array2::<f32>::random_using((VOCAB_BLOCK + 300, 9), StandardNormal, &mut rng);
        let picked: Vec<usize> = (0..m.nrows()).rev().step_by(2).collect();
        let gathered = m.select(Axis(0), &picked);
        let (a, b) = (
            ScaledRows::picked(m.view(), picked),
            ScaledRows::new(gathered.view()),
        );
        assert_eq!((a.len(), a.dim()), (b.len(), b.dim()));
        let all: Vec<usize> = (0..a.len()).collect();
        assert_eq!(a.select(&all), b.select(&all));
        let queries = gathered.slice(s![..20, ..]).to_owned();
        let hits = top_k(&a, queries.view(), 5, usize::MAX, &[]).unwrap();
        assert_eq!(hits, top_k(&b, queries.view(), 5, usize::MAX, &[]).unwrap());
    }

    #[test]
    fn unit_rows_have_unit_length_and_zero_rows_stay_zero() {
        let unit = UnitRows::from_owned(ndarray::array![[0.0f32, 0.0, 0.0], [1.0, 2.0, 2.0]]);
        assert_eq!(unit.view().row(0).to_vec(), vec![0.0; 3]);
        let n: f32 = unit.view().row(1).iter().map(|x| x * x).sum();
        approx::assert_abs_diff_eq!(n, 1.0, epsilon = 1e-6);
    }
}

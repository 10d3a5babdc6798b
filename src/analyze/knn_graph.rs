//! The exact k-nearest-neighbour graph of a whole table: every row a query
//! against every other row, by the fused engine's blocked `f32` products.
//!
//! A table's similarities with itself are symmetric, so only the tiles on and
//! above the diagonal are multiplied (half of [`super::top_k`]'s products for
//! the same answer): tile `(I, J)` of `U_I U_Jᵀ` is scanned once, each score
//! offered to the candidate lists of both its row and its column. Each pair's
//! cosine is computed once, so both ends see the same value. Tiles are shared
//! out over the cores, each core keeping candidate lists for every row (8
//! bytes a slot: 12 MB a core for 100 000 rows and 15 neighbours); the lists
//! are merged by (score, lower index), a strict order, so the graph does not
//! depend on the number of threads or on which core scanned which tile.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{Array2, ArrayView2, s};

use crate::analyze::knn::{UnitRows, cores, on_threads, product};
use crate::error::{Error, Result};
use crate::math::KnnGraph;

/// Rows on each side of a tile: a 4 MB tile of scores per core.
const BLOCK: usize = 1024;

/// Every row's `k` most cosine-similar other rows, best first, ties to the
/// lower index: the exact graph (zero rows score 0 with every row).
///
/// # Errors
/// [`Error::Parameter`] when `k` is 0 or not below the number of rows.
///
/// # Examples
/// ```
/// use embspace::analyze::{UnitRows, knn_graph};
/// use embspace::ndarray::array;
/// let unit = UnitRows::new(array![[1.0f32, 0.0], [0.9, 0.1], [0.0, 1.0]].view());
/// let graph = knn_graph(&unit, 1)?;
/// assert_eq!(graph.indices().column(0).to_vec(), vec![1, 0, 1]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn knn_graph(unit: &UnitRows, k: usize) -> Result<KnnGraph> {
    knn_graph_on(unit.view(), k, cores())
}

/// [`knn_graph`] of unit rows on `threads` threads.
fn knn_graph_on(unit: ArrayView2<f32>, k: usize, threads: usize) -> Result<KnnGraph> {
    let n = unit.nrows();
    if k == 0 || k >= n {
        return Err(Error::parameter(
            "k",
            format!("must be between 1 and n - 1 = {}, got {k}", n.saturating_sub(1)),
        ));
    }
    if n > u32::MAX as usize {
        return Err(Error::parameter(
            "table",
            format!("a kNN graph indexes rows by u32, found {n} rows"),
        ));
    }
    let blocks = n.div_ceil(BLOCK);
    let tiles: Vec<(usize, usize)> = (0..blocks)
        .flat_map(|i| (i..blocks).map(move |j| (i, j)))
        .collect();
    let rows = |block: usize| block * BLOCK..n.min((block + 1) * BLOCK);
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut lists = Candidates::new(n, k);
        let mut tile = Array2::<f32>::zeros((BLOCK.min(n), BLOCK.min(n)));
        while let Some(&(i, j)) = tiles.get(next.fetch_add(1, Ordering::Relaxed)) {
            let (rows, columns) = (rows(i), rows(j));
            let mut out = tile.slice_mut(s![..rows.len(), ..columns.len()]);
            product(
                unit.slice(s![rows.clone(), ..]),
                unit.slice(s![columns.clone(), ..]),
                &mut out,
                1,
            );
            lists.scan(out.view(), rows, columns);
        }
        lists
    };
    let mut parts = on_threads(threads, tiles.len(), worker).into_iter();
    let mut merged = parts.next().expect("at least one worker runs");
    for part in parts {
        merged.absorb(&part);
    }
    let indices = Array2::from_shape_vec((n, k), merged.indices).expect("n × k slots");
    let similarities = Array2::from_shape_vec((n, k), merged.scores).expect("n × k slots");
    KnnGraph::new(indices, similarities)
}

/// Each row's best `k` candidates so far, best first: `n × k` scores and
/// indices. An empty slot holds (−∞, `u32::MAX`), which every real candidate
/// beats (cosines are finite; NaN is never offered).
struct Candidates {
    k: usize,
    scores: Vec<f32>,
    indices: Vec<u32>,
}

/// Whether `a` ranks before `b`: higher score, then lower index.
fn before(a: (f32, u32), b: (f32, u32)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

impl Candidates {
    fn new(n: usize, k: usize) -> Self {
        Candidates {
            k,
            scores: vec![f32::NEG_INFINITY; n * k],
            indices: vec![u32::MAX; n * k],
        }
    }

    /// The score a candidate for row `i` must reach to be compared further.
    #[inline]
    fn threshold(&self, i: usize) -> f32 {
        self.scores[i * self.k + self.k - 1]
    }

    /// Offers `(score, j)` to row `i`'s list.
    #[inline]
    fn offer(&mut self, i: usize, score: f32, j: u32) {
        let slots = i * self.k..(i + 1) * self.k;
        let (scores, indices) = (&mut self.scores[slots.clone()], &mut self.indices[slots]);
        let last = self.k - 1;
        if !before((score, j), (scores[last], indices[last])) {
            return;
        }
        let mut at = last;
        while at > 0 && before((score, j), (scores[at - 1], indices[at - 1])) {
            scores[at] = scores[at - 1];
            indices[at] = indices[at - 1];
            at -= 1;
        }
        scores[at] = score;
        indices[at] = j;
    }

    /// Offers every score of `tile` (rows `rows` × columns `columns` of the
    /// table) to its row and to its column; on a diagonal tile only the pairs
    /// above the diagonal, so no row meets itself and no pair is seen twice.
    fn scan(&mut self, tile: ArrayView2<f32>, rows: Range<usize>, columns: Range<usize>) {
        let diagonal = rows == columns;
        let mut column_thresholds: Vec<f32> = columns.clone().map(|j| self.threshold(j)).collect();
        for (u, scores) in tile.rows().into_iter().enumerate() {
            let i = rows.start + u;
            let mut threshold = self.threshold(i);
            let first = if diagonal { u + 1 } else { 0 };
            let scores = scores.as_slice().expect("tile rows are contiguous");
            for (v, &score) in scores.iter().enumerate().skip(first) {
                let j = columns.start + v;
                if score >= threshold {
                    self.offer(i, score, j as u32);
                    threshold = self.threshold(i);
                }
                if score >= column_thresholds[v] {
                    self.offer(j, score, i as u32);
                    column_thresholds[v] = self.threshold(j);
                }
            }
        }
    }

    /// Offers every candidate `other` holds.
    fn absorb(&mut self, other: &Candidates) {
        for (slot, (&score, &j)) in other.scores.iter().zip(&other.indices).enumerate() {
            if j != u32::MAX {
                self.offer(slot / self.k, score, j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::analyze::knn::brute_force;

    /// Small-integer rows (every product exact in `f32`, so many exact ties)
    /// over several tiles: the graph equals a full sort of each row's scores,
    /// on one thread or three.
    #[test]
    fn the_graph_equals_a_full_sort_whatever_the_threads() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 2 * BLOCK + 300;
        let x = Array2::<f32>::random_using((n, 4), StandardNormal, &mut rng).mapv(|v| v.round());
        let exact = x.mapv(f64::from).dot(&x.mapv(f64::from).t()).mapv(|v| v as f32);
        let k = 9;
        let one = knn_graph_on(x.view(), k, 1).unwrap();
        for i in 0..n {
            let expected = brute_force(exact.row(i), k, &[i]);
            let found: Vec<(usize, f32)> = one.neighbours(i).collect();
            let expected: Vec<(usize, f32)> = expected.iter().map(|h| (h.index, h.score)).collect();
            assert_eq!(found, expected, "row {i}");
        }
        assert_eq!(knn_graph_on(x.view(), k, 3).unwrap(), one);
    }

    /// Relabelling the rows relabels the graph: each pair's cosine is the same
    /// bits whichever tile and side computed it.
    #[test]
    fn permuting_the_rows_permutes_the_graph() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let n = BLOCK + 500;
        let x = UnitRows::from_owned(Array2::<f32>::random_using((n, 48), StandardNormal, &mut rng));
        let order: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
        let permuted = x.view().select(ndarray::Axis(0), &order);
        let (graph, moved) = (
            knn_graph_on(x.view(), 10, 2).unwrap(),
            knn_graph_on(permuted.view(), 10, 2).unwrap(),
        );
        for (new, &old) in order.iter().enumerate() {
            let relabelled: Vec<(usize, f32)> = moved.neighbours(new).map(|(j, s)| (order[j], s)).collect();
            assert_eq!(relabelled, graph.neighbours(old).collect::<Vec<_>>(), "row {old}");
        }
    }

    #[test]
    fn k_must_leave_a_row_out() {
        let unit = UnitRows::new(Array2::<f32>::eye(3).view());
        assert!(knn_graph(&unit, 3).is_err());
        assert!(knn_graph(&unit, 0).is_err());
        assert_eq!(knn_graph(&unit, 2).unwrap().k(), 2);
    }
}

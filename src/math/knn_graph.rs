//! A k-nearest-neighbour graph: for every row of a table, its `k` most
//! cosine-similar other rows, best first.
//!
//! Stored as two `n × k` arrays (neighbour indices as `u32`, cosines as `f32`:
//! 8 bytes an edge, 12 MB for 100 000 rows and 15 neighbours), the layout the
//! map's optimiser and the page read. [`KnnGraph::exact`] builds one by brute
//! force in `f64` for small tables and tests; `analyze::knn_graph` builds one
//! for a whole table with the fused top-k engine.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis, s};

use crate::error::{Error, Result};
use crate::math::similarity::normalize_rows;

/// Rows whose similarities [`KnnGraph::exact`] computes in one product
/// (a `ROW_BLOCK × n` tile: 2 MB of `f64` at `n` = 1000).
const ROW_BLOCK: usize = 256;

/// Each row's `k` nearest other rows by cosine similarity, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct KnnGraph {
    indices: Array2<u32>,
    similarities: Array2<f32>,
}

impl KnnGraph {
    /// A graph from its two `n × k` arrays: row `i` of `indices` lists the
    /// neighbours of row `i`, and the same row of `similarities` their cosines.
    ///
    /// # Errors
    /// [`Error::Shape`] when the arrays differ in shape; [`Error::OutOfRange`]
    /// for a neighbour index outside `0..n`; [`Error::Parameter`] when a row
    /// lists itself or a neighbour twice, when a similarity is NaN, or when a
    /// row is not sorted best first.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::KnnGraph;
    /// use ndarray::array;
    /// let graph = KnnGraph::new(array![[1u32], [0], [1]], array![[0.9f32], [0.9], [0.5]])?;
    /// assert_eq!(graph.neighbours(2).collect::<Vec<_>>(), vec![(1, 0.5)]);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn new(indices: Array2<u32>, similarities: Array2<f32>) -> Result<Self> {
        if indices.dim() != similarities.dim() {
            return Err(Error::shape(
                "KnnGraph similarities",
                format!("{:?}", indices.dim()),
                format!("{:?}", similarities.dim()),
            ));
        }
        let n = indices.nrows();
        for (i, (row, scores)) in indices.rows().into_iter().zip(similarities.rows()).enumerate() {
            if let Some(&j) = row.iter().find(|&&j| j as usize >= n) {
                return Err(Error::OutOfRange {
                    what: "neighbour index",
                    index: j as usize,
                    len: n,
                });
            }
            let refuse = |reason: &str| Err(Error::parameter("knn graph", format!("row {i}: {reason}")));
            if row.iter().any(|&j| j as usize == i) {
                return refuse("lists itself as a neighbour");
            }
            if row
                .iter()
                .enumerate()
                .any(|(a, j)| row.iter().skip(a + 1).any(|l| l == j))
            {
                return refuse("lists a neighbour twice");
            }
            if scores.iter().any(|s| s.is_nan()) {
                return refuse("has a NaN similarity");
            }
            if scores.windows(2).into_iter().any(|w| w[0] < w[1]) {
                return refuse("is not sorted best first");
            }
        }
        Ok(KnnGraph {
            indices,
            similarities,
        })
    }

    /// The exact graph of the rows of `x` by brute force in `f64`: every
    /// row's `k` most cosine-similar other rows, ties to the lower index.
    ///
    /// For small tables and tests (`n²` products); a zero row has cosine 0
    /// with every row.
    ///
    /// # Errors
    /// [`Error::Parameter`] when `k` is 0 or not below the number of rows.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::KnnGraph;
    /// use ndarray::array;
    /// let x = array![[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]];
    /// let graph = KnnGraph::exact(x.view(), 1)?;
    /// assert_eq!(graph.indices().column(0).to_vec(), vec![1, 0, 1]);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn exact(x: ArrayView2<f64>, k: usize) -> Result<Self> {
        let n = x.nrows();
        if k == 0 || k >= n {
            return Err(Error::parameter(
                "k",
                format!("must be between 1 and n - 1 = {}, got {k}", n.saturating_sub(1)),
            ));
        }
        let unit = normalize_rows(x);
        let mut indices = Array2::<u32>::zeros((n, k));
        let mut similarities = Array2::<f32>::zeros((n, k));
        for start in (0..n).step_by(ROW_BLOCK) {
            let block = unit.slice(s![start..(start + ROW_BLOCK).min(n), ..]);
            let scores = block.dot(&unit.t());
            for (r, row) in scores.axis_iter(Axis(0)).enumerate() {
                let i = start + r;
                for (slot, (j, score)) in nearest(row, k, Some(i)).into_iter().enumerate() {
                    indices[[i, slot]] = j as u32;
                    similarities[[i, slot]] = score as f32;
                }
            }
        }
        Ok(KnnGraph {
            indices,
            similarities,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.indices.nrows()
    }

    /// Whether the graph has no rows.
    pub fn is_empty(&self) -> bool {
        self.indices.nrows() == 0
    }

    /// Neighbours per row.
    pub fn k(&self) -> usize {
        self.indices.ncols()
    }

    /// The neighbour indices, `n × k`, each row best first.
    pub fn indices(&self) -> ArrayView2<'_, u32> {
        self.indices.view()
    }

    /// The neighbours' cosine similarities, `n × k`, each row descending.
    pub fn similarities(&self) -> ArrayView2<'_, f32> {
        self.similarities.view()
    }

    /// A relabelling that depends only on the graph's content: rows sorted by
    /// their neighbours' cosines (compared as a list, best first), ties by
    /// position. `order[r]` is the row that comes `r`-th.
    ///
    /// Relabelling the input rows relabels the graph and leaves each row's
    /// cosines as they were, so it does not move a row's place in this order
    /// unless another row has exactly the same cosines. Computations that run
    /// in this order (the map's layout) are therefore equivariant: permuting
    /// the input permutes their output.
    pub fn canonical_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        let key = |i: usize| self.similarities.row(i);
        order.sort_by(|&i, &j| {
            key(i)
                .iter()
                .zip(key(j))
                .map(|(a, b)| b.total_cmp(a))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(i.cmp(&j))
        });
        order
    }

    /// The graph with row `order[r]` renamed `r` (neighbours renamed alike,
    /// each row re-sorted best first with ties to the lower new index).
    ///
    /// # Panics
    /// When `order` is not a permutation of `0..n`.
    pub fn relabel(&self, order: &[usize]) -> KnnGraph {
        let (n, k) = (self.len(), self.k());
        assert_eq!(order.len(), n, "one new place per row");
        let mut rank = vec![u32::MAX; n];
        for (r, &i) in order.iter().enumerate() {
            assert_eq!(rank[i], u32::MAX, "row {i} placed twice");
            rank[i] = r as u32;
        }
        let mut indices = Array2::<u32>::zeros((n, k));
        let mut similarities = Array2::<f32>::zeros((n, k));
        for (r, &i) in order.iter().enumerate() {
            let mut row: Vec<(u32, f32)> = self.neighbours(i).map(|(j, s)| (rank[j], s)).collect();
            row.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (slot, (j, s)) in row.into_iter().enumerate() {
                indices[[r, slot]] = j;
                similarities[[r, slot]] = s;
            }
        }
        KnnGraph {
            indices,
            similarities,
        }
    }

    /// Row `i`'s neighbours as `(index, cosine)`, best first.
    ///
    /// # Panics
    /// When `i` is not below [`KnnGraph::len`].
    pub fn neighbours(&self, i: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let row = self.indices.row(i);
        row.into_iter()
            .map(|&j| j as usize)
            .zip(self.similarities.row(i).into_iter().copied())
    }
}

/// The `k` best `(index, score)` of `scores`, higher score first and ties to
/// the lower index, skipping `skip`; NaN scores are never returned.
pub(crate) fn nearest(scores: ArrayView1<f64>, k: usize, skip: Option<usize>) -> Vec<(usize, f64)> {
    let mut all: Vec<(usize, f64)> = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|&(j, s)| Some(j) != skip && !s.is_nan())
        .collect();
    let by_rank = |a: &(usize, f64), b: &(usize, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if k < all.len() {
        all.select_nth_unstable_by(k, by_rank);
        all.truncate(k);
    }
    all.sort_unstable_by(by_rank);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// On four points of a circle the nearest neighbours by angle are known.
    #[test]
    fn exact_graph_of_points_on_a_circle() {
        let angle = |degrees: f64| [degrees.to_radians().cos(), degrees.to_radians().sin()];
        let x = Array2::from(vec![angle(0.0), angle(10.0), angle(30.0), angle(180.0)]);
        let graph = KnnGraph::exact(x.view(), 2).unwrap();
        assert_eq!(graph.indices(), array![[1u32, 2], [0, 2], [1, 0], [2, 1]]);
        let cos = |degrees: f64| degrees.to_radians().cos() as f32;
        assert_eq!(graph.similarities().row(3).to_vec(), vec![cos(150.0), cos(170.0)]);
    }

    /// Equal scores go to the lower index; a zero row scores 0 with everything.
    #[test]
    fn ties_go_to_the_lower_index() {
        let x = array![[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.0, -1.0]];
        let graph = KnnGraph::exact(x.view(), 2).unwrap();
        // Row 0 is orthogonal to rows 2 and 3 and scores 0 with the zero row 1.
        assert_eq!(graph.indices().row(0).to_vec(), vec![1, 2]);
        assert_eq!(graph.indices().row(1).to_vec(), vec![0, 2]);
    }

    /// The canonical order is a function of content: relabelling the graph
    /// any way and taking its canonical order gives back the same graph.
    #[test]
    fn the_canonical_order_forgets_how_rows_were_labelled() {
        let x = Array2::from_shape_fn((40, 3), |(i, j)| ((i * 7 + j * 13) % 17) as f64 + 0.1 * i as f64);
        let graph = KnnGraph::exact(x.view(), 4).unwrap();
        let canonical = graph.relabel(&graph.canonical_order());
        let shuffle: Vec<usize> = (0..40).map(|i| (i * 11) % 40).collect();
        let shuffled = graph.relabel(&shuffle);
        assert_ne!(shuffled, graph);
        assert_eq!(shuffled.relabel(&shuffled.canonical_order()), canonical);
    }

    #[test]
    fn k_must_leave_a_row_out() {
        let x = Array2::<f64>::eye(3);
        assert!(matches!(
            KnnGraph::exact(x.view(), 3),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            KnnGraph::exact(x.view(), 0),
            Err(Error::Parameter { .. })
        ));
    }

    #[test]
    fn malformed_graphs_are_refused() {
        let ok = |i: Array2<u32>, s: Array2<f32>| KnnGraph::new(i, s).is_ok();
        assert!(ok(
            array![[1, 2], [0, 2], [0, 1]],
            array![[0.5, 0.4], [0.5, 0.1], [0.4, 0.1]]
        ));
        // out of range, itself, twice, unsorted, NaN, shapes
        assert!(!ok(array![[3, 2], [0, 2], [0, 1]], Array2::zeros((3, 2))));
        assert!(!ok(array![[0, 2], [0, 2], [0, 1]], Array2::zeros((3, 2))));
        assert!(!ok(array![[2, 2], [0, 2], [0, 1]], Array2::zeros((3, 2))));
        assert!(!ok(
            array![[1, 2], [0, 2], [0, 1]],
            array![[0.1, 0.4], [0.5, 0.1], [0.4, 0.1]]
        ));
        assert!(!ok(
            array![[1, 2], [0, 2], [0, 1]],
            array![[f32::NAN, 0.4], [0.5, 0.1], [0.4, 0.1]]
        ));
        assert!(!ok(array![[1, 2], [0, 2], [0, 1]], Array2::zeros((3, 1))));
    }
}

//! UMAP's fuzzy simplicial set of a k-nearest-neighbour graph (McInnes et
//! al. 2018, §3), as umap-learn 0.5 builds it with its defaults
//! (`smooth_knn_dist`, `compute_membership_strengths`, `fuzzy_simplicial_set`
//! with `local_connectivity = 1`, `set_op_mix_ratio = 1`).
//!
//! Each row sees its neighbours at distances `dⱼ = 1 − cos`. Its nearest one
//! gets membership 1, the others `exp(−(dⱼ − ρ)/σ)`, where `ρ` is the distance
//! to the nearest neighbour and `σ` is found by bisection so that the
//! memberships sum to `log₂(k + 1)`: every row then has the same total
//! membership, whatever the density around it. The two directions of an
//! edge are merged by the fuzzy union `a + b − ab`.
//!
//! umap-learn counts the point itself among its `n_neighbors` (at distance 0,
//! membership 0), so a graph of `k` other rows is what it builds with
//! `n_neighbors = k + 1`, and the target is `log₂(k + 1)`.

use crate::math::KnnGraph;

/// Bisection stops when the memberships sum to the target within this (umap-learn's `SMOOTH_K_TOLERANCE`).
const TOLERANCE: f64 = 1e-5;
/// Bisection steps at most (umap-learn's `n_iter`).
const BISECTION_STEPS: usize = 64;
/// `σ` is at least this share of the row's mean distance (umap-learn's
/// `MIN_K_DIST_SCALE`), so rows of near-duplicates do not get a zero scale.
const MIN_SCALE: f64 = 1e-3;

/// A symmetric weighted graph in compressed rows: row `i`'s edges are
/// `offsets[i]..offsets[i + 1]` of `neighbours`, `weights` and `cosines`,
/// sorted by cosine, best first, ties to the lower index.
#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyGraph {
    offsets: Vec<usize>,
    neighbours: Vec<u32>,
    weights: Vec<f32>,
    cosines: Vec<f32>,
}

/// A row's local scale: `ρ`, the distance to its nearest neighbour, and `σ`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scale {
    pub rho: f64,
    pub sigma: f64,
}

impl Scale {
    /// umap-learn's `smooth_knn_dist` for one row: `distances` ascending (the
    /// row itself left out), `mean_distance` over the whole graph for a row
    /// with no positive distance.
    pub(crate) fn of(distances: &[f64], mean_distance: f64) -> Scale {
        let target = ((distances.len() + 1) as f64).log2();
        // local_connectivity = 1: the first distance above zero.
        let rho = distances.iter().copied().find(|&d| d > 0.0).unwrap_or(0.0);
        let (mut low, mut high, mut sigma) = (0.0, f64::INFINITY, 1.0);
        for _ in 0..BISECTION_STEPS {
            let sum: f64 = distances.iter().map(|&d| membership(d, rho, sigma)).sum();
            if (sum - target).abs() < TOLERANCE {
                break;
            }
            if sum > target {
                high = sigma;
                sigma = (low + high) / 2.0;
            } else {
                low = sigma;
                sigma = if high.is_infinite() {
                    sigma * 2.0
                } else {
                    (low + high) / 2.0
                };
            }
        }
        // umap-learn's row holds the point itself at distance 0, so its mean has k + 1 terms.
        let floor = if rho > 0.0 {
            MIN_SCALE * distances.iter().sum::<f64>() / (distances.len() + 1) as f64
        } else {
            MIN_SCALE * mean_distance
        };
        Scale {
            rho,
            sigma: sigma.max(floor),
        }
    }
}

/// The membership of a neighbour at distance `d` for a row of scale `ρ`, `σ`.
fn membership(d: f64, rho: f64, sigma: f64) -> f64 {
    if d - rho <= 0.0 || sigma == 0.0 {
        1.0
    } else {
        (-(d - rho) / sigma).exp()
    }
}

/// Cosine distance, never negative (a cosine rounded above 1 is distance 0).
fn distance(cosine: f32) -> f64 {
    (1.0 - f64::from(cosine)).max(0.0)
}

impl FuzzyGraph {
    /// The fuzzy union of every row's local fuzzy set (see the module docs).
    /// Edges whose union membership is 0 (an `exp` that underflowed) are left out.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::{FuzzyGraph, KnnGraph};
    /// use ndarray::array;
    /// let x = array![[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]];
    /// let fuzzy = FuzzyGraph::from_knn(&KnnGraph::exact(x.view(), 1)?);
    /// // 0 and 1 are each other's nearest neighbour: membership 1 both ways.
    /// assert_eq!(fuzzy.edges(0).collect::<Vec<_>>(), vec![(1, 1.0)]);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn from_knn(graph: &KnnGraph) -> FuzzyGraph {
        let n = graph.len();
        let mean_distance = if graph.is_empty() {
            0.0
        } else {
            // umap-learn's mean includes each row's zero distance to itself.
            let sum: f64 = graph.similarities().iter().map(|&c| distance(c)).sum();
            sum / (n * (graph.k() + 1)) as f64
        };
        let memberships: Vec<Vec<f32>> = (0..n)
            .map(|i| {
                let distances: Vec<f64> = graph.neighbours(i).map(|(_, c)| distance(c)).collect();
                let Scale { rho, sigma } = Scale::of(&distances, mean_distance);
                distances
                    .iter()
                    .map(|&d| membership(d, rho, sigma) as f32)
                    .collect()
            })
            .collect();
        let mut rows: Vec<Vec<(u32, f32, f32)>> = vec![Vec::new(); n];
        for i in 0..n {
            for (slot, (j, cosine)) in graph.neighbours(i).enumerate() {
                let reverse = graph.neighbours(j).position(|(l, _)| l == i);
                // A pair in both lists is merged once, from its lower end.
                if reverse.is_some() && j < i {
                    continue;
                }
                let (a, b) = (memberships[i][slot], reverse.map_or(0.0, |r| memberships[j][r]));
                let union = a + b - a * b;
                if union > 0.0 {
                    rows[i].push((j as u32, union, cosine));
                    rows[j].push((i as u32, union, cosine));
                }
            }
        }
        let mut fuzzy = FuzzyGraph {
            offsets: vec![0],
            neighbours: Vec::new(),
            weights: Vec::new(),
            cosines: Vec::new(),
        };
        for mut row in rows {
            row.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
            for (j, w, c) in row {
                fuzzy.neighbours.push(j);
                fuzzy.weights.push(w);
                fuzzy.cosines.push(c);
            }
            fuzzy.offsets.push(fuzzy.neighbours.len());
        }
        fuzzy
    }

    /// The graph without the edges whose membership is below `threshold`.
    pub fn pruned(&self, threshold: f32) -> FuzzyGraph {
        let mut kept = FuzzyGraph {
            offsets: vec![0],
            neighbours: Vec::new(),
            weights: Vec::new(),
            cosines: Vec::new(),
        };
        for i in 0..self.len() {
            for e in self.offsets[i]..self.offsets[i + 1] {
                if self.weights[e] >= threshold {
                    kept.neighbours.push(self.neighbours[e]);
                    kept.weights.push(self.weights[e]);
                    kept.cosines.push(self.cosines[e]);
                }
            }
            kept.offsets.push(kept.neighbours.len());
        }
        kept
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether the graph has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of directed edges (each undirected edge counts twice).
    pub fn edge_count(&self) -> usize {
        self.neighbours.len()
    }

    /// Row `i`'s edges as `(neighbour, membership)`, by cosine, best first.
    ///
    /// # Panics
    /// When `i` is not below [`FuzzyGraph::len`].
    pub fn edges(&self, i: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let range = self.offsets[i]..self.offsets[i + 1];
        self.neighbours[range.clone()]
            .iter()
            .map(|&j| j as usize)
            .zip(self.weights[range].iter().copied())
    }

    /// The largest membership (0 for a graph without edges).
    pub fn max_weight(&self) -> f32 {
        self.weights.iter().copied().fold(0.0, f32::max)
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

    fn random_graph(n: usize, k: usize, seed: u64) -> KnnGraph {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x = Array2::<f64>::random_using((n, 6), StandardNormal, &mut rng);
        KnnGraph::exact(x.view(), k).unwrap()
    }

    /// The scale's defining property: the nearest neighbour has membership 1
    /// and a row's memberships sum to `log₂(k + 1)`.
    #[test]
    fn memberships_of_a_row_sum_to_log2_of_k_plus_one() {
        let graph = random_graph(300, 14, 1);
        for i in 0..graph.len() {
            let distances: Vec<f64> = graph.neighbours(i).map(|(_, c)| distance(c)).collect();
            let Scale { rho, sigma } = Scale::of(&distances, 0.5);
            assert_eq!(rho, distances[0]);
            assert_eq!(membership(distances[0], rho, sigma), 1.0);
            let sum: f64 = distances.iter().map(|&d| membership(d, rho, sigma)).sum();
            approx::assert_abs_diff_eq!(sum, 15f64.log2(), epsilon = TOLERANCE);
        }
    }

    /// A row of duplicates (every distance 0) has no positive distance: `ρ` is
    /// 0 and `σ` falls back to a share of the graph's mean distance.
    #[test]
    fn a_row_of_duplicates_takes_the_floor_scale() {
        let scale = Scale::of(&[0.0; 4], 0.3);
        assert_eq!(scale.rho, 0.0);
        assert!(scale.sigma >= MIN_SCALE * 0.3);
    }

    /// The union is symmetric, lies in (0, 1], and equals `a + b − ab` of the
    /// two directed memberships.
    #[test]
    fn the_union_is_symmetric_and_merges_both_directions() {
        let graph = random_graph(200, 6, 2);
        let fuzzy = FuzzyGraph::from_knn(&graph);
        let weight = |i: usize, j: usize| fuzzy.edges(i).find(|&(l, _)| l == j).map(|(_, w)| w);
        let mut mutual = 0;
        for i in 0..fuzzy.len() {
            for (j, w) in fuzzy.edges(i) {
                assert!(w > 0.0 && w <= 1.0);
                assert_eq!(weight(j, i), Some(w), "edge {i}-{j}");
            }
            for (j, _) in graph.neighbours(i) {
                assert!(weight(i, j).is_some(), "kNN edge {i}-{j} kept");
                mutual += usize::from(graph.neighbours(j).any(|(l, _)| l == i));
            }
        }
        // Mutual pairs are counted from both ends; every other kNN edge adds two directed edges.
        assert_eq!(fuzzy.edge_count(), 2 * graph.len() * graph.k() - mutual);
    }
}

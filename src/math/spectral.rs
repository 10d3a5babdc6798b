//! A spectral layout of a weighted graph, UMAP's default initialisation: the
//! eigenvectors of the normalised adjacency `N = D^-½ W D^-½` with the largest
//! eigenvalues after its top one (the smallest of the normalised Laplacian
//! `I − N` after its zero), which place strongly connected rows together and
//! weakly connected regions apart (Belkin & Niyogi 2003).
//!
//! umap-learn asks ARPACK for them to a tolerance of 10⁻⁴. Here a block
//! power (subspace) iteration on `(I + N)/2`, whose eigenvalues lie in
//! `[0, 1]`, with `N`'s known top eigenvector `√deg` projected out, runs a
//! fixed number of steps: enough to order the rows along the graph's
//! smoothest directions, which is all the optimiser needs from its start
//! (see ARCHITECTURE.md, "The map's layout", for what more steps buy).

use ndarray::Array2;
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;
use rand::Rng;

use crate::math::FuzzyGraph;

/// Two columns `n × 2`: the spectral layout of `graph` after `steps` power
/// steps from a random start drawn from `rng` (the same generator state, the
/// same layout). A graph without edges gets the random start.
pub(crate) fn spectral_layout(graph: &FuzzyGraph, steps: usize, rng: &mut impl Rng) -> Array2<f64> {
    let n = graph.len();
    let sqrt_degree: Vec<f64> = (0..n)
        .map(|i| graph.edges(i).map(|(_, w)| f64::from(w)).sum::<f64>().sqrt())
        .collect();
    let top = unit(&sqrt_degree);
    let mut x = Array2::<f64>::random_using((n, 2), StandardNormal, rng);
    orthonormalise(&mut x, &top);
    let mut next = Array2::<f64>::zeros((n, 2));
    for _ in 0..steps {
        for i in 0..n {
            let mut sum = [0.0; 2];
            for (j, w) in graph.edges(i) {
                let scale = f64::from(w) / sqrt_degree[j];
                sum[0] += scale * x[[j, 0]];
                sum[1] += scale * x[[j, 1]];
            }
            let scale = if sqrt_degree[i] > 0.0 {
                1.0 / sqrt_degree[i]
            } else {
                0.0
            };
            next[[i, 0]] = 0.5 * (x[[i, 0]] + scale * sum[0]);
            next[[i, 1]] = 0.5 * (x[[i, 1]] + scale * sum[1]);
        }
        std::mem::swap(&mut x, &mut next);
        orthonormalise(&mut x, &top);
    }
    x
}

/// `v / ‖v‖`, or `v` when it is zero.
fn unit(v: &[f64]) -> Vec<f64> {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    v.iter().map(|x| if norm > 0.0 { x / norm } else { *x }).collect()
}

/// Gram–Schmidt: the columns of `x` made orthogonal to `top` (a unit vector)
/// and to each other, and of unit length. A column that vanishes stays zero.
fn orthonormalise(x: &mut Array2<f64>, top: &[f64]) {
    for c in 0..x.ncols() {
        let mut column = x.column(c).to_vec();
        let mut remove = |direction: &[f64]| {
            let along: f64 = column.iter().zip(direction).map(|(a, b)| a * b).sum();
            column
                .iter_mut()
                .zip(direction)
                .for_each(|(a, b)| *a -= along * b);
        };
        remove(top);
        for previous in 0..c {
            remove(&x.column(previous).to_vec());
        }
        x.column_mut(c).assign(&ndarray::Array1::from(unit(&column)));
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::math::KnnGraph;

    /// Points along an arc, each linked to its nearest few: the random walk's
    /// second eigenvector `D^-½ v` of a path-like graph varies monotonically
    /// along the path (Fiedler; flat at the two ends, where a few rounding-level
    /// wiggles remain), so the first coordinate over `√deg` ranks the points in
    /// their order along the arc: Spearman's |ρ| above 0.999.
    #[test]
    fn the_first_coordinate_orders_a_path() {
        let n = 60;
        // Directions on a quarter circle: cosine falls with the distance along it.
        let x = Array2::from_shape_fn((n, 2), |(i, j)| {
            let angle = std::f64::consts::FRAC_PI_2 * i as f64 / n as f64;
            if j == 0 { angle.cos() } else { angle.sin() }
        });
        let fuzzy = FuzzyGraph::from_knn(&KnnGraph::exact(x.view(), 4).unwrap());
        let layout = spectral_layout(&fuzzy, 4000, &mut ChaCha8Rng::seed_from_u64(1));
        let degree = |i: usize| fuzzy.edges(i).map(|(_, w)| f64::from(w)).sum::<f64>().sqrt();
        let first = ndarray::Array1::from_shape_fn(n, |i| layout[[i, 0]] / degree(i));
        let position = ndarray::Array1::from_shape_fn(n, |i| i as f64);
        let rho = crate::math::spearman(first.view(), position.view()).unwrap();
        assert!(rho.abs() > 0.999, "ρ = {rho}: {first}");
    }

    #[test]
    fn columns_are_orthonormal_and_orthogonal_to_the_top_vector() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let x = Array2::<f64>::random_using((80, 5), StandardNormal, &mut rng);
        let fuzzy = FuzzyGraph::from_knn(&KnnGraph::exact(x.view(), 5).unwrap());
        let layout = spectral_layout(&fuzzy, 30, &mut rng);
        let gram = layout.t().dot(&layout);
        approx::assert_abs_diff_eq!(gram, Array2::eye(2), epsilon = 1e-12);
        let degree: Vec<f64> = (0..80)
            .map(|i| fuzzy.edges(i).map(|(_, w)| f64::from(w)).sum::<f64>().sqrt())
            .collect();
        for c in 0..2 {
            let along: f64 = layout.column(c).iter().zip(&degree).map(|(a, b)| a * b).sum();
            approx::assert_abs_diff_eq!(along, 0.0, epsilon = 1e-10);
        }
    }
}

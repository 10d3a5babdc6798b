use ndarray::{Array2, Axis};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::math::trustworthiness;

/// `clusters` groups of `size` rows: a unit centre along its own axis plus
/// Gaussian noise of deviation `noise` in every one of `dim` coordinates.
fn clusters(clusters: usize, size: usize, dim: usize, noise: f64, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Array2::<f64>::random_using((clusters * size, dim), StandardNormal, &mut rng) * noise;
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        row[i / size] += 1.0;
    }
    x
}

fn cluster_graph() -> KnnGraph {
    KnnGraph::exact(clusters(4, 100, 12, 0.05, 1).view(), 10).unwrap()
}

/// umap-learn 0.5.12's `find_ab_params` (scipy's `curve_fit`) for three
/// settings: the same least-squares optimum, to the fit's tolerance.
#[test]
fn the_curve_is_umap_learns_fit() {
    for (spread, min_dist, a, b) in [
        (1.0, 0.1, 1.5769434602697652, 0.8950608778515733),
        (1.0, 0.5, 0.5830300203414425, 1.3341669924314914),
        (2.0, 0.0, 0.6460466719525826, 0.7904944906889044),
    ] {
        let curve = UmapCurve::fit(spread, min_dist).unwrap();
        approx::assert_relative_eq!(curve.a, a, max_relative = 1e-6);
        approx::assert_relative_eq!(curve.b, b, max_relative = 1e-6);
    }
}

/// With noise 0.05 in 12 dimensions a row's cosine with its own centre is
/// about 0.98 and with another cluster's rows about 0, so every kNN edge stays
/// in its cluster; nothing pulls clusters together, and in the layout every
/// row's 10 nearest rows are from its own cluster.
#[test]
fn separated_clusters_stay_separated() {
    let graph = cluster_graph();
    let cluster = |i: usize| i / 100;
    for i in 0..graph.len() {
        assert!(
            graph.neighbours(i).all(|(j, _)| cluster(j) == cluster(i)),
            "the graph links clusters"
        );
    }
    for seed in [1, 2, 3] {
        let layout = umap_layout(&graph, &UmapParams::default(), seed).unwrap();
        for i in 0..layout.nrows() {
            let mut by_distance: Vec<(f32, usize)> = (0..layout.nrows())
                .filter(|&j| j != i)
                .map(|j| {
                    let d = &layout.row(i) - &layout.row(j);
                    (d.dot(&d), j)
                })
                .collect();
            by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mixed = by_distance[..10]
                .iter()
                .filter(|&&(_, j)| cluster(j) != cluster(i))
                .count();
            assert_eq!(
                mixed, 0,
                "seed {seed}: row {i} has {mixed} of 10 layout neighbours from other clusters"
            );
        }
    }
}

/// The same graph and seed give the same bits; another seed another layout.
#[test]
fn the_seed_fixes_the_layout() {
    let graph = cluster_graph();
    let params = UmapParams::default();
    let first = umap_layout(&graph, &params, 7).unwrap();
    assert_eq!(umap_layout(&graph, &params, 7).unwrap(), first);
    assert_ne!(umap_layout(&graph, &params, 8).unwrap(), first);
}

/// Rows are shared out over threads but each reads only the epoch's
/// snapshot and its own keyed draws: 1, 2 and 3 threads give the same bits.
#[test]
fn the_thread_count_does_not_change_the_layout() {
    let graph = cluster_graph();
    let params = UmapParams {
        epochs: Some(50),
        ..UmapParams::default()
    };
    let one = umap_layout_on(&graph, &params, 3, 1).unwrap();
    for threads in [2, 3] {
        assert_eq!(
            umap_layout_on(&graph, &params, 3, threads).unwrap(),
            one,
            "{threads} threads"
        );
    }
}

/// Permuting the input rows permutes the layout's rows, bit for bit: the
/// layout runs in the graph's canonical order, which depends on content only.
#[test]
fn permuting_the_rows_permutes_the_layout() {
    let x = clusters(3, 80, 10, 0.3, 4);
    let n = x.nrows();
    let order: Vec<usize> = (0..n).map(|i| (i * 97 + 13) % n).collect();
    let params = UmapParams {
        epochs: Some(100),
        ..UmapParams::default()
    };
    let layout = umap_layout(&KnnGraph::exact(x.view(), 8).unwrap(), &params, 5).unwrap();
    let permuted = KnnGraph::exact(x.select(Axis(0), &order).view(), 8).unwrap();
    let moved = umap_layout(&permuted, &params, 5).unwrap();
    assert_eq!(moved, layout.select(Axis(0), &order));
}

/// Directions on a patch of the sphere 30° wide are intrinsically
/// two-dimensional: a faithful layout keeps nearly every neighbourhood, and
/// UMAP's trustworthiness at 10 must be at least 0.95 (a random layout scores 0.5).
#[test]
fn a_two_dimensional_patch_is_laid_out_faithfully() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let angles = Array2::<f64>::random_using(
        (500, 2),
        ndarray_rand::rand_distr::Uniform::new(-0.26, 0.26).unwrap(),
        &mut rng,
    );
    let rotation = crate::math::random_orthogonal(6, &mut rng);
    let mut x = Array2::<f64>::zeros((500, 6));
    for (mut row, angle) in x.rows_mut().into_iter().zip(angles.rows()) {
        row.assign(&ndarray::array![1.0, angle[0].tan(), angle[1].tan(), 0.0, 0.0, 0.0].dot(&rotation));
    }
    let layout = umap_layout(
        &KnnGraph::exact(x.view(), 14).unwrap(),
        &UmapParams::default(),
        42,
    )
    .unwrap();
    let t = trustworthiness(x.view(), layout.mapv(f64::from).view(), 10).unwrap();
    assert!(t >= 0.95, "trustworthiness {t}");
}

/// No epochs: the start scaled into [0, 10] on each axis, as umap-learn does.
#[test]
fn zero_epochs_return_the_start_in_the_box() {
    let params = UmapParams {
        epochs: Some(0),
        ..UmapParams::default()
    };
    let layout = umap_layout(&cluster_graph(), &params, 1).unwrap();
    for column in layout.columns() {
        assert_eq!(column.iter().copied().fold(f32::INFINITY, f32::min), 0.0);
        assert_eq!(column.iter().copied().fold(f32::NEG_INFINITY, f32::max), 10.0);
    }
}

/// A given start is used in the input's row order: with no epochs, the
/// layout is that start scaled into the box (noise of 10⁻⁴ aside).
#[test]
fn a_given_start_is_read_in_row_order() {
    let graph = cluster_graph();
    let start = Array2::from_shape_fn((graph.len(), 2), |(i, c)| {
        if c == 0 { i as f32 } else { (i % 7) as f32 * 50.0 }
    });
    let params = UmapParams {
        epochs: Some(0),
        init: UmapInit::Given(start.clone()),
        ..UmapParams::default()
    };
    let layout = umap_layout(&graph, &params, 1).unwrap();
    for (i, row) in layout.rows().into_iter().enumerate() {
        approx::assert_abs_diff_eq!(row[0], 10.0 * i as f32 / 399.0, epsilon = 1e-3);
        approx::assert_abs_diff_eq!(row[1], 10.0 * (i % 7) as f32 / 6.0, epsilon = 1e-3);
    }
}

#[test]
fn bad_parameters_are_refused_before_any_work() {
    let graph = cluster_graph();
    let refused = |params: UmapParams| umap_layout(&graph, &params, 1).is_err();
    assert!(refused(UmapParams {
        min_dist: 2.0,
        ..UmapParams::default()
    }));
    assert!(refused(UmapParams {
        learning_rate: 0.0,
        ..UmapParams::default()
    }));
    assert!(refused(UmapParams {
        negative_sample_rate: f64::NAN,
        ..UmapParams::default()
    }));
    assert!(refused(UmapParams {
        init: UmapInit::Given(Array2::zeros((3, 2))),
        ..UmapParams::default()
    }));
}

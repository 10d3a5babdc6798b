//! Spherical k-means (Dhillon & Modha 2001): clusters of unit rows by cosine,
//! which the map colours tokens by.
//!
//! Seeded k-means++ (Arthur & Vassilvitskii 2007) with cosine distance, then
//! Lloyd iterations until no row changes cluster (at most [`ITERATIONS`]).
//! Every step is sequential or a fixed matrix product, so the result depends
//! only on the rows and the seed.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Lloyd iterations at most; on the maps tried, assignments settle in 10–30.
const ITERATIONS: usize = 30;

/// Each row's cluster, `0..k`, for `unit` rows (unit length or zero) and `k`
/// clusters (at most 256 and at most the number of rows).
///
/// # Panics
/// When `k` is 0, above 256 or above the number of rows.
pub fn spherical_kmeans(unit: ArrayView2<f32>, k: usize, seed: u64) -> Vec<u8> {
    assert!(
        (1..=256).contains(&k) && k <= unit.nrows(),
        "spherical_kmeans: k = {k} for {} rows",
        unit.nrows()
    );
    let mut centres = seed_centres(unit, k, &mut ChaCha8Rng::seed_from_u64(seed));
    let mut assignment = vec![0u8; unit.nrows()];
    for iteration in 0..ITERATIONS {
        let similarity = unit.dot(&centres.t());
        let mut changed = false;
        for (row, a) in similarity.rows().into_iter().zip(assignment.iter_mut()) {
            let best = argmax(row.iter().copied()) as u8;
            changed |= *a != best;
            *a = best;
        }
        if !changed && iteration > 0 {
            break;
        }
        centres = mean_directions(unit, &assignment, k, &similarity);
    }
    assignment
}

/// The index of the largest value (the first among equals).
fn argmax(values: impl Iterator<Item = f32>) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, v) in values.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// k-means++: the first centre uniformly, each next one with probability
/// proportional to the squared cosine distance to the nearest centre so far.
fn seed_centres(unit: ArrayView2<f32>, k: usize, rng: &mut impl Rng) -> Array2<f32> {
    let n = unit.nrows();
    let mut centres = Array2::zeros((k, unit.ncols()));
    let mut nearest = vec![f64::INFINITY; n];
    let mut chosen = rng.random_range(0..n);
    for c in 0..k {
        centres.row_mut(c).assign(&unit.row(chosen));
        let similarity = unit.dot(&unit.row(chosen));
        for (d, s) in nearest.iter_mut().zip(&similarity) {
            *d = d.min((1.0 - f64::from(*s)).max(0.0).powi(2));
        }
        let total: f64 = nearest.iter().sum();
        chosen = if total > 0.0 {
            let mut target = rng.random::<f64>() * total;
            nearest
                .iter()
                .position(|&d| {
                    target -= d;
                    target < 0.0
                })
                .unwrap_or(n - 1)
        } else {
            // Every row coincides with a centre: any row will do.
            (chosen + 1) % n
        };
    }
    centres
}

/// Each cluster's mean direction; an empty cluster takes the row least
/// similar to its own centre, which then starts a cluster of its own.
fn mean_directions(
    unit: ArrayView2<f32>,
    assignment: &[u8],
    k: usize,
    similarity: &Array2<f32>,
) -> Array2<f32> {
    let mut sums = Array2::<f64>::zeros((k, unit.ncols()));
    let mut counts = vec![0usize; k];
    for (row, &a) in unit.rows().into_iter().zip(assignment) {
        let mut sum = sums.row_mut(usize::from(a));
        sum.zip_mut_with(&row, |s, &v| *s += f64::from(v));
        counts[usize::from(a)] += 1;
    }
    let mut taken = Vec::new();
    for c in (0..k).filter(|&c| counts[c] == 0) {
        let own = |i: usize| similarity[[i, usize::from(assignment[i])]];
        let outlier = (0..unit.nrows())
            .filter(|i| !taken.contains(i))
            .min_by(|&a, &b| own(a).total_cmp(&own(b)))
            .expect("k is at most the number of rows");
        taken.push(outlier);
        sums.row_mut(c).assign(&unit.row(outlier).mapv(f64::from));
    }
    let mut centres = Array2::zeros((k, unit.ncols()));
    for (mut centre, sum) in centres.axis_iter_mut(Axis(0)).zip(sums.rows()) {
        let norm = sum.dot(&sum).sqrt();
        if norm > 0.0 {
            centre.assign(&sum.mapv(|v| (v / norm) as f32));
        }
    }
    centres
}

/// Cosines of each row with the mean direction of its cluster (for tests and the benchmark).
pub fn within_cluster_cosine(unit: ArrayView2<f32>, assignment: &[u8]) -> Array1<f64> {
    let k = assignment.iter().map(|&a| usize::from(a) + 1).max().unwrap_or(0);
    let similarity = Array2::zeros((unit.nrows(), k));
    let centres = mean_directions(unit, assignment, k, &similarity);
    Array1::from_iter(
        unit.rows()
            .into_iter()
            .zip(assignment)
            .map(|(row, &a)| f64::from(row.dot(&centres.row(usize::from(a))))),
    )
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;
    use ndarray_rand::rand_distr::{Distribution, StandardNormal};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// `per` unit rows around each of `k` orthogonal directions, with noise.
    fn blobs(k: usize, per: usize, dim: usize, noise: f32) -> Array2<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut rows = Array2::from_shape_fn((k * per, dim), |(i, j)| {
            let centre = if j == i / per { 1.0 } else { 0.0 };
            let normal: f32 = StandardNormal.sample(&mut rng);
            centre + noise * normal
        });
        for mut row in rows.rows_mut() {
            let norm = row.dot(&row).sqrt();
            row /= norm;
        }
        rows
    }

    #[test]
    fn separated_directions_are_found_exactly() {
        let rows = blobs(5, 40, 8, 0.05);
        let found = spherical_kmeans(rows.view(), 5, 1);
        // Every blob is one cluster, and no two blobs share one.
        for blob in found.chunks(40) {
            assert!(blob.iter().all(|&c| c == blob[0]), "{blob:?}");
        }
        let mut labels: Vec<u8> = found.chunks(40).map(|b| b[0]).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), 5);
        assert!(
            within_cluster_cosine(rows.view(), &found)
                .iter()
                .all(|&c| c > 0.9)
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_clusters() {
        let rows = blobs(4, 30, 6, 0.6);
        assert_eq!(
            spherical_kmeans(rows.view(), 6, 3),
            spherical_kmeans(rows.view(), 6, 3)
        );
    }

    #[test]
    fn fewer_distinct_rows_than_clusters_still_gives_valid_labels() {
        // Two directions, three clusters: identical rows share a cluster.
        let rows = Array2::from_shape_fn((6, 2), |(i, j)| if (i < 5) == (j == 0) { 1.0 } else { 0.0 });
        let found = spherical_kmeans(rows.view(), 3, 0);
        assert!(found.iter().all(|&c| c < 3));
        assert!(
            found[..5].iter().all(|&c| c == found[0]) && found[5] != found[0],
            "{found:?}"
        );
    }
}

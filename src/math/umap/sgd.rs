//! UMAP's optimiser (umap-learn 0.5's `optimize_layout_euclidean`):
//! stochastic gradient descent on the fuzzy cross-entropy between the graph
//! and the layout, sampling each edge in proportion to its membership and
//! pushing its head away from `negative_sample_rate` random rows per sample,
//! with a step size falling linearly to 0 and each coordinate of a step
//! clipped to ±4.
//!
//! **Same result on any number of threads.** umap-learn, when seeded, runs one
//! thread over the edges, moving both ends of each sampled edge. Here every
//! row moves only itself: in an epoch, each row starts from the epoch's
//! snapshot of all positions, walks its own edges in a fixed order (its own
//! position updated after each step) and reads the other ends from the
//! snapshot. Rows are then independent within an epoch and can run on any
//! core in any order. The graph is symmetric, so the edge back from each
//! neighbour is sampled in the same epochs and moves that neighbour.
//!
//! **The pull.** In umap-learn each sample moves both ends, and the edge back
//! moves them again after recomputing the distance: two damped half-steps.
//! Here both ends jump at once towards where the other was at the epoch's
//! start, so the whole pull overshoots: taking umap-learn's total (2 steps'
//! worth) lost 0.02 of trustworthiness on MiniLM's token table. Each end
//! takes [`ATTRACTION`] of one step instead, chosen by measurement on three
//! tables (see ARCHITECTURE.md, "The map's layout"). Random draws come from
//! a generator keyed by (seed, epoch, row), not from a shared stream.

use std::sync::Mutex;

use crate::math::FuzzyGraph;

/// Rows a thread takes at a time.
const ROWS_PER_TASK: usize = 2048;
/// The attractive step each end of a sampled edge takes, as a share of one
/// of umap-learn's (where each end takes two). Swept over 2, 1.4, 1, 0.7,
/// 0.5 and 0.35 on MiniLM's 30k token table: 0.7 kept neighbourhoods best
/// (trustworthiness at 10; kNN recall within 0.003 of 0.5's); against 1 it
/// was better on both measures on the 100k clustered table and on GloVe's
/// 10k, which the sweep had not seen.
const ATTRACTION: f32 = 0.7;
/// Each coordinate of a step is clipped to ±4 (umap-learn's `clip`).
const CLIP: f32 = 4.0;
/// Keeps the repulsion finite at distance 0 (umap-learn's 0.001).
const REPULSION_EPSILON: f32 = 0.001;

/// The optimiser's constants.
pub(super) struct Sgd {
    /// The layout's membership curve `1 / (1 + a d^{2b})`.
    pub a: f32,
    pub b: f32,
    /// `d ↦ d^b`.
    pub power: Power,
    /// Weight of the repulsion (umap-learn's `gamma`).
    pub repulsion: f32,
    /// Negative samples per positive sample.
    pub negative_rate: f32,
    /// Step size at the first epoch, decaying linearly to 0.
    pub learning_rate: f32,
    pub epochs: usize,
    pub seed: u64,
}

/// The edges to sample: each row's edges in the fuzzy graph's order, with
/// how many epochs pass between two samples (`max weight / weight`).
pub(super) struct Edges {
    offsets: Vec<usize>,
    tails: Vec<u32>,
    epochs_per_sample: Vec<f32>,
}

impl Edges {
    /// The edges of `graph` and their sampling periods.
    pub(super) fn of(graph: &FuzzyGraph) -> Edges {
        let max = graph.max_weight();
        let mut edges = Edges {
            offsets: vec![0],
            tails: Vec::with_capacity(graph.edge_count()),
            epochs_per_sample: Vec::with_capacity(graph.edge_count()),
        };
        for i in 0..graph.len() {
            for (j, w) in graph.edges(i) {
                edges.tails.push(j as u32);
                edges.epochs_per_sample.push(max / w);
            }
            edges.offsets.push(edges.tails.len());
        }
        edges
    }

    fn rows(&self) -> usize {
        self.offsets.len() - 1
    }
}

/// When each edge is next sampled, and when its negative samples are next due.
struct Schedule {
    next_sample: Vec<f32>,
    next_negative: Vec<f32>,
}

/// Runs `sgd.epochs` epochs on `positions` (one per row of `edges`) on `threads` threads.
pub(super) fn optimise(positions: &mut Vec<[f32; 2]>, edges: &Edges, sgd: &Sgd, threads: usize) {
    let negative_period = |period: f32| period / sgd.negative_rate;
    let mut schedule = Schedule {
        next_sample: edges.epochs_per_sample.clone(),
        next_negative: edges
            .epochs_per_sample
            .iter()
            .map(|&p| negative_period(p))
            .collect(),
    };
    let mut next = positions.clone();
    let mut alpha = sgd.learning_rate;
    for epoch in 0..sgd.epochs {
        let snapshot: &[[f32; 2]] = positions;
        let tasks = Mutex::new(tasks(edges, &mut next, &mut schedule));
        let work = || {
            loop {
                // The guard must drop before the task runs, or the threads take turns.
                let Some(task) = tasks.lock().expect("no task panics holding the lock").pop() else {
                    break;
                };
                task.run(edges, snapshot, sgd, epoch, alpha);
            }
        };
        std::thread::scope(|scope| {
            for _ in 1..threads {
                scope.spawn(work);
            }
            work();
        });
        std::mem::swap(positions, &mut next);
        // umap-learn lowers the rate after each epoch; epoch 0 samples nothing
        // (every edge is first due at its period, at least 1).
        alpha = sgd.learning_rate * (1.0 - (epoch + 1) as f32 / sgd.epochs as f32);
    }
}

/// A block of consecutive rows with the parts of the state only they write.
struct Task<'a> {
    first: usize,
    positions: &'a mut [[f32; 2]],
    next_sample: &'a mut [f32],
    next_negative: &'a mut [f32],
}

/// Cuts `next` and `schedule` into one [`Task`] per block of rows.
fn tasks<'a>(edges: &Edges, next: &'a mut [[f32; 2]], schedule: &'a mut Schedule) -> Vec<Task<'a>> {
    let mut tasks = Vec::new();
    let (mut positions, mut next_sample, mut next_negative) = (
        next,
        &mut schedule.next_sample[..],
        &mut schedule.next_negative[..],
    );
    for first in (0..edges.rows()).step_by(ROWS_PER_TASK) {
        let end = edges.rows().min(first + ROWS_PER_TASK);
        let count = edges.offsets[end] - edges.offsets[first];
        let (p, rest) = std::mem::take(&mut positions).split_at_mut(end - first);
        positions = rest;
        let (s, rest) = std::mem::take(&mut next_sample).split_at_mut(count);
        next_sample = rest;
        let (g, rest) = std::mem::take(&mut next_negative).split_at_mut(count);
        next_negative = rest;
        tasks.push(Task {
            first,
            positions: p,
            next_sample: s,
            next_negative: g,
        });
    }
    tasks
}

impl Task<'_> {
    /// One epoch for this block's rows, each from its snapshot position.
    fn run(self, edges: &Edges, snapshot: &[[f32; 2]], sgd: &Sgd, epoch: usize, alpha: f32) {
        let base = edges.offsets[self.first];
        let now = epoch as f32;
        for (r, position) in self.positions.iter_mut().enumerate() {
            let i = self.first + r;
            let mut y = snapshot[i];
            let mut rng = KeyedRng::new(sgd.seed, epoch, i);
            for e in edges.offsets[i]..edges.offsets[i + 1] {
                let local = e - base;
                if self.next_sample[local] > now {
                    continue;
                }
                let period = edges.epochs_per_sample[e];
                attract(&mut y, snapshot[edges.tails[e] as usize], sgd, ATTRACTION * alpha);
                self.next_sample[local] += period;
                let negative_period = period / sgd.negative_rate;
                let due = ((now - self.next_negative[local]) / negative_period).max(0.0) as usize;
                for _ in 0..due {
                    let k = rng.below(snapshot.len());
                    if k != i {
                        repel(&mut y, snapshot[k], sgd, alpha);
                    }
                }
                self.next_negative[local] += due as f32 * negative_period;
            }
            *position = y;
        }
    }
}

/// Moves `y` towards `other` along the gradient of `log φ(d)`, `φ = 1/(1 + a d^{2b})`.
#[inline]
fn attract(y: &mut [f32; 2], other: [f32; 2], sgd: &Sgd, step: f32) {
    let delta = [y[0] - other[0], y[1] - other[1]];
    let d2 = delta[0] * delta[0] + delta[1] * delta[1];
    if d2 > 0.0 {
        let d2b = sgd.power.of(d2);
        let coefficient = -2.0 * sgd.a * sgd.b * d2b / d2 / (sgd.a * d2b + 1.0);
        for (y, delta) in y.iter_mut().zip(delta) {
            *y += (coefficient * delta).clamp(-CLIP, CLIP) * step;
        }
    }
}

/// Moves `y` away from `other` along the gradient of `log(1 − φ(d))`.
#[inline]
fn repel(y: &mut [f32; 2], other: [f32; 2], sgd: &Sgd, step: f32) {
    let delta = [y[0] - other[0], y[1] - other[1]];
    let d2 = delta[0] * delta[0] + delta[1] * delta[1];
    if d2 > 0.0 {
        let coefficient =
            2.0 * sgd.repulsion * sgd.b / ((REPULSION_EPSILON + d2) * (sgd.a * sgd.power.of(d2) + 1.0));
        for (y, delta) in y.iter_mut().zip(delta) {
            *y += (coefficient * delta).clamp(-CLIP, CLIP) * step;
        }
    }
}

/// `x ↦ x^b` for a fixed `b` by two small tables: with `x = 2^e · m`,
/// `x^b = (2^b)^e · m^b`, the first factor looked up by `e` and the second
/// interpolated linearly between 1 025 values on `m ∈ [1, 2]` (relative error
/// below 10⁻⁶; subnormal `x` are read as if normal, which only the clip sees).
/// libm's `powf` was half of the optimiser's time; this is two loads and
/// four arithmetic operations, and the tables are computed in `f64` and
/// rounded, so they are the same on every platform.
pub(super) struct Power {
    /// `2^(b(e − 127))` by the biased exponent `e` of an `f32`.
    by_exponent: Vec<f32>,
    /// `(1 + j/1024)^b` for `j = 0..=1024`.
    by_mantissa: Vec<f32>,
}

/// Mantissa bits that pick the interval of [`Power::by_mantissa`].
const POWER_BITS: u32 = 10;

impl Power {
    pub(super) fn new(b: f64) -> Power {
        let steps = 1 << POWER_BITS;
        Power {
            by_exponent: (0..256).map(|e| (b * f64::from(e - 127)).exp2() as f32).collect(),
            by_mantissa: (0..=steps)
                .map(|j| (1.0 + f64::from(j) / f64::from(steps)).powf(b) as f32)
                .collect(),
        }
    }

    /// `x^b` for `x > 0`.
    #[inline]
    fn of(&self, x: f32) -> f32 {
        let bits = x.to_bits();
        let exponent = (bits >> 23) as usize & 0xff;
        let low_bits = 23 - POWER_BITS;
        let j = (bits >> low_bits) as usize & ((1 << POWER_BITS) - 1);
        let fraction = (bits & ((1 << low_bits) - 1)) as f32 / (1 << low_bits) as f32;
        let (m0, m1) = (self.by_mantissa[j], self.by_mantissa[j + 1]);
        self.by_exponent[exponent] * (m0 + fraction * (m1 - m0))
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014) started from a hash of (seed,
/// epoch, row): an independent stream per row and epoch in two multiplies a
/// draw, and nothing to store between epochs.
struct KeyedRng(u64);

impl KeyedRng {
    fn new(seed: u64, epoch: usize, row: usize) -> Self {
        KeyedRng(mix(seed ^ mix(epoch as u64 ^ mix(row as u64))))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A row in `0..n` (`n < 2³²`), by Lemire's multiply-shift.
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
}

/// SplitMix64's finaliser: a bijection of `u64` that mixes every bit into every bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// umap-learn's curve for `min_dist = 0.1`, one epoch at learning rate 1.
    fn unit_step_sgd() -> Sgd {
        Sgd {
            a: 1.577,
            b: 0.895,
            power: Power::new(0.895),
            repulsion: 1.0,
            negative_rate: 5.0,
            learning_rate: 1.0,
            epochs: 1,
            seed: 0,
        }
    }

    /// Draws below `n` cover `0..n` evenly: a χ² test on 10 bins of 10⁵
    /// draws, against the 99.9th percentile of χ²(9), 27.9.
    #[test]
    fn keyed_draws_are_uniform() {
        let mut rng = KeyedRng::new(42, 3, 7);
        let mut bins = [0f64; 10];
        for _ in 0..100_000 {
            bins[rng.below(10)] += 1.0;
        }
        let chi2: f64 = bins.iter().map(|b| (b - 10_000.0).powi(2) / 10_000.0).sum();
        assert!(chi2 < 27.9, "{bins:?}");
    }

    /// The tabled power agrees with `f64::powf` to 10⁻⁶ relative over the
    /// squared distances a layout meets (10⁻¹² to 10⁶) and exponents near UMAP's.
    #[test]
    fn the_tabled_power_is_within_a_millionth() {
        for b in [0.79, 0.895, 1.0, 1.334] {
            let power = Power::new(b);
            for step in 0..=1800 {
                let x = 10f32.powf(-12.0 + step as f32 / 100.0);
                let exact = f64::from(x).powf(b);
                let relative = (f64::from(power.of(x)) - exact).abs() / exact;
                assert!(relative < 1e-6, "{x}^{b}: {} against {exact}", power.of(x));
            }
        }
    }

    /// Streams keyed by neighbouring epochs or rows are unrelated.
    #[test]
    fn neighbouring_keys_give_different_streams() {
        let first = |epoch, row| KeyedRng::new(1, epoch, row).next();
        assert_ne!(first(0, 0), first(0, 1));
        assert_ne!(first(0, 1), first(1, 0));
        assert_ne!(first(0, 0), KeyedRng::new(2, 0, 0).next());
    }

    /// The attraction's step is the gradient of `log φ(d)`: compare with a
    /// central finite difference away from the clip.
    #[test]
    fn attraction_follows_the_gradient_of_log_phi() {
        let sgd = unit_step_sgd();
        let log_phi = |y: [f64; 2]| {
            let d2 = y[0] * y[0] + y[1] * y[1];
            -(1.0 + f64::from(sgd.a) * d2.powf(f64::from(sgd.b))).ln()
        };
        let start = [1.3f32, -0.4];
        let mut moved = start;
        let step = 1e-3;
        attract(&mut moved, [0.0, 0.0], &sgd, step);
        for c in 0..2 {
            let h = 1e-6;
            let (mut plus, mut minus) = ([1.3, -0.4], [1.3, -0.4]);
            plus[c] += h;
            minus[c] -= h;
            let gradient = (log_phi(plus) - log_phi(minus)) / (2.0 * h);
            let taken = f64::from(moved[c] - start[c]) / f64::from(step);
            approx::assert_abs_diff_eq!(taken, gradient, epsilon = 1e-3);
        }
    }

    /// The repulsion's step is the gradient of `γ log(1 − φ(d))`, up to the
    /// ε that keeps it finite at 0.
    #[test]
    fn repulsion_follows_the_gradient_of_log_one_minus_phi() {
        let sgd = unit_step_sgd();
        let log_not_phi = |y: [f64; 2]| {
            let d2b = (y[0] * y[0] + y[1] * y[1]).powf(f64::from(sgd.b));
            let phi = 1.0 / (1.0 + f64::from(sgd.a) * d2b);
            (1.0 - phi).ln()
        };
        let start = [2.1f32, 1.7];
        let mut moved = start;
        let step = 1e-3;
        repel(&mut moved, [0.0, 0.0], &sgd, step);
        let d2 = 2.1f64 * 2.1 + 1.7 * 1.7;
        for c in 0..2 {
            let h = 1e-6;
            let (mut plus, mut minus) = ([2.1, 1.7], [2.1, 1.7]);
            plus[c] += h;
            minus[c] -= h;
            let gradient = (log_not_phi(plus) - log_not_phi(minus)) / (2.0 * h);
            let taken = f64::from(moved[c] - start[c]) / f64::from(step);
            let epsilon_share = d2 / (d2 + f64::from(REPULSION_EPSILON));
            approx::assert_abs_diff_eq!(taken, gradient * epsilon_share, epsilon = 1e-3);
        }
    }
}

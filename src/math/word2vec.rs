//! Skip-gram with negative sampling (SGNS, Mikolov et al. 2013): word2vec's
//! training objective, its per-pair gradient, and a small deterministic trainer.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use ndarray_rand::rand_distr::Distribution;
use ndarray_rand::rand_distr::weighted::WeightedAliasIndex;
use rand::Rng;

use crate::error::{Error, Result};

/// Knobs of [`train_word2vec`]; the defaults are those of the reference `word2vec.c`.
#[derive(Debug, Clone, PartialEq)]
pub struct Word2VecParams {
    /// Embedding dimension `d` (default 100).
    pub dim: usize,
    /// Context words on each side of the centre word (default 5). The window is
    /// fixed: word2vec's random shrinking of the window ("dynamic window") is not
    /// used, so every distance up to `window` counts the same.
    pub window: usize,
    /// Negative samples `k` per (word, context) pair (default 5).
    pub negatives: usize,
    /// Passes over the corpus (default 5).
    pub epochs: usize,
    /// Learning rate at the start (default 0.025).
    pub learning_rate: f64,
    /// Floor of the linearly decaying learning rate (default `0.025 · 10⁻⁴`).
    pub min_learning_rate: f64,
    /// Subsampling threshold `t` for frequent words (default `10⁻³`, 0 disables);
    /// see [`subsample_keep_probability`].
    pub subsample: f64,
    /// Exponent of the unigram noise distribution (default 0.75); see [`noise_distribution`].
    pub noise_exponent: f64,
}

impl Default for Word2VecParams {
    fn default() -> Self {
        Word2VecParams {
            dim: 100,
            window: 5,
            negatives: 5,
            epochs: 5,
            learning_rate: 0.025,
            min_learning_rate: 0.025e-4,
            subsample: 1e-3,
            noise_exponent: 0.75,
        }
    }
}

impl Word2VecParams {
    /// Check every parameter before any work starts.
    ///
    /// # Errors
    /// [`Error::Parameter`] when `dim`, `window`, `negatives` or `epochs` is 0,
    /// `learning_rate` is not finite and positive, `min_learning_rate` is outside
    /// `[0, learning_rate]`, or `subsample` or `noise_exponent` is negative or not finite.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::Word2VecParams;
    /// assert!(Word2VecParams::default().validate().is_ok());
    /// assert!(Word2VecParams { negatives: 0, ..Default::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        for (name, value) in [
            ("dim", self.dim),
            ("window", self.window),
            ("negatives", self.negatives),
            ("epochs", self.epochs),
        ] {
            if value == 0 {
                return Err(Error::parameter(name, "must be at least 1"));
            }
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::parameter(
                "learning_rate",
                format!("must be finite and > 0, got {}", self.learning_rate),
            ));
        }
        if !(self.min_learning_rate >= 0.0 && self.min_learning_rate <= self.learning_rate) {
            return Err(Error::parameter(
                "min_learning_rate",
                "must lie in [0, learning_rate]",
            ));
        }
        for (name, value) in [
            ("subsample", self.subsample),
            ("noise_exponent", self.noise_exponent),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(Error::parameter(
                    name,
                    format!("must be finite and >= 0, got {value}"),
                ));
            }
        }
        Ok(())
    }
}

/// A trained SGNS model.
#[derive(Debug, Clone, PartialEq)]
pub struct Word2Vec {
    /// Input ("word") vectors `W`, `V×d`: the embeddings word2vec writes out.
    pub input_vectors: Array2<f64>,
    /// Output ("context") vectors `C`, `V×d`.
    pub context_vectors: Array2<f64>,
    /// Mean SGNS pair loss of every epoch, each pair's loss taken just before its
    /// update (NaN for an epoch in which subsampling left no pair).
    pub epoch_loss: Vec<f64>,
}

/// The loss of one (word, context) pair and its gradients; see [`sgns_pair_loss_and_grad`].
#[derive(Debug, Clone, PartialEq)]
pub struct SgnsPairGradient {
    /// `L = −log σ(w·c) − Σᵢ log σ(−w·nᵢ)`.
    pub loss: f64,
    /// `∂L/∂w = (σ(w·c) − 1) c + Σᵢ σ(w·nᵢ) nᵢ`.
    pub d_word: Array1<f64>,
    /// `∂L/∂c = (σ(w·c) − 1) w`.
    pub d_context: Array1<f64>,
    /// Row `i` is `∂L/∂nᵢ = σ(w·nᵢ) w`.
    pub d_negatives: Array2<f64>,
}

/// The pieces of one score's loss term and `∂L/∂score`: the positive pair
/// (`−log σ(s)`, `σ(s) − 1`) or a negative sample (`−log σ(−s)`, `σ(s)`). Shared
/// by the public gradient and the trainer, so the tests of one check the other.
///
/// With margin `z = ±s` the term is `−log σ(z) = max(−z, 0) + ln(1 + e^{−|z|})`,
/// finite for every finite score, and one `exp` serves loss and coefficient.
/// Returns `(max(−z, 0), e^{−|z|}, ∂L/∂score)`: the trainer multiplies the
/// factors `1 + e^{−|z|}` (each in `[1, 2]`) of a pair's terms and takes one
/// logarithm per pair instead of one per term.
fn score_terms(score: f64, positive: bool) -> (f64, f64, f64) {
    let z = if positive { score } else { -score };
    let e = (-z.abs()).exp();
    let sigmoid_minus_z = if z >= 0.0 { e / (1.0 + e) } else { 1.0 / (1.0 + e) };
    let coefficient = if positive {
        -sigmoid_minus_z
    } else {
        sigmoid_minus_z
    };
    ((-z).max(0.0), e, coefficient)
}

/// Loss term and `∂L/∂score` of one score; see [`score_terms`].
fn score_loss_and_coefficient(score: f64, positive: bool) -> (f64, f64) {
    let (hinge, e, coefficient) = score_terms(score, positive);
    (hinge + e.ln_1p(), coefficient)
}

/// The SGNS loss of one pair, word vector `w`, true context `c_pos`, negative
/// samples `c_negs` (`k×d`, one per row), with its gradients.
///
/// `L = −log σ(w·c) − Σᵢ log σ(−w·nᵢ)`; see [`SgnsPairGradient`] for the gradients.
/// With no negatives (`k = 0`) only the positive term remains.
///
/// # Errors
/// [`Error::Shape`] when the lengths of `w`, `c_pos` and the rows of `c_negs` differ.
///
/// # Examples
/// ```
/// use ndarray::{array, Array2};
/// let g = embspace::math::sgns_pair_loss_and_grad(
///     array![0.0, 0.0].view(), array![1.0, 0.0].view(), Array2::zeros((1, 2)).view())?;
/// assert!((g.loss - 2.0 * 2f64.ln()).abs() < 1e-12); // both σ(0) = ½
/// assert_eq!(g.d_word, array![-0.5, 0.0]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn sgns_pair_loss_and_grad(
    w: ArrayView1<f64>,
    c_pos: ArrayView1<f64>,
    c_negs: ArrayView2<f64>,
) -> Result<SgnsPairGradient> {
    let d = w.len();
    if c_pos.len() != d {
        return Err(Error::shape(
            "sgns_pair_loss_and_grad c_pos",
            format!("d = {d}"),
            format!("d = {}", c_pos.len()),
        ));
    }
    if c_negs.ncols() != d {
        return Err(Error::shape(
            "sgns_pair_loss_and_grad c_negs",
            format!("{d} columns"),
            format!("{} columns", c_negs.ncols()),
        ));
    }
    let (mut loss, g_pos) = score_loss_and_coefficient(w.dot(&c_pos), true);
    let mut d_word = &c_pos * g_pos;
    let mut d_negatives = Array2::zeros(c_negs.dim());
    for (n, mut d_n) in c_negs.rows().into_iter().zip(d_negatives.rows_mut()) {
        let (term, g) = score_loss_and_coefficient(w.dot(&n), false);
        loss += term;
        d_word.scaled_add(g, &n);
        d_n.assign(&(&w * g));
    }
    Ok(SgnsPairGradient {
        loss,
        d_word,
        d_context: &w * g_pos,
        d_negatives,
    })
}

/// word2vec's probability of keeping an occurrence of a word with relative
/// frequency `frequency` when subsampling with threshold `t`:
/// `min(1, √(t/f) + t/f)`, the formula in `word2vec.c` (the paper discards with
/// probability `1 − √(t/f)`, i.e. keeps with `√(t/f)`, without the `t/f` term).
///
/// `t = 0` (subsampling off) or `f = 0` gives 1.
///
/// # Examples
/// ```
/// let keep = embspace::math::subsample_keep_probability(0.04, 1e-3);
/// assert!((keep - (0.025f64.sqrt() + 0.025)).abs() < 1e-12);
/// assert_eq!(embspace::math::subsample_keep_probability(1e-4, 1e-3), 1.0);
/// ```
pub fn subsample_keep_probability(frequency: f64, t: f64) -> f64 {
    if t <= 0.0 || frequency <= 0.0 {
        return 1.0;
    }
    let r = t / frequency;
    (r.sqrt() + r).min(1.0)
}

/// The noise distribution of negative sampling: `P(w) ∝ count(w)^exponent`.
///
/// Words with count 0 get probability 0 (even for exponent 0). All counts zero
/// gives all zeros.
///
/// # Examples
/// ```
/// let p = embspace::math::noise_distribution(&[16, 1, 0], 0.75);
/// assert!((p[0] / p[1] - 8.0).abs() < 1e-12 && p[2] == 0.0);
/// ```
pub fn noise_distribution(counts: &[u64], exponent: f64) -> Array1<f64> {
    let weights = Array1::from_iter(
        counts
            .iter()
            .map(|&c| if c > 0 { (c as f64).powf(exponent) } else { 0.0 }),
    );
    let total = weights.sum();
    if total > 0.0 { weights / total } else { weights }
}

/// Train SGNS on a stream of token ids (`0..vocab_size`) by SGD.
///
/// Counts are taken from `ids`. Each epoch discards occurrences by
/// [`subsample_keep_probability`] (before windowing, as word2vec does), then for
/// each centre word `w` and each context `c` at most `window` kept positions
/// away takes one SGD step on the pair loss of [`sgns_pair_loss_and_grad`] with
/// `k` negatives drawn from [`noise_distribution`] (a draw equal to `c` is
/// dropped, as in word2vec). The learning rate falls linearly with the share of
/// token positions processed over all epochs, from `learning_rate` to 0, floored
/// at `min_learning_rate`. Initialisation as in word2vec: `W` uniform in
/// `[−0.5/d, 0.5/d)`, `C` zero. A word that never occurs keeps its initial vectors.
/// The same `rng` state gives the same model.
///
/// # Errors
/// Those of [`Word2VecParams::validate`]; [`Error::Parameter`] when `ids` has fewer
/// than two tokens; [`Error::OutOfRange`] when an id is `>= vocab_size`.
///
/// # Examples
/// ```
/// use embspace::math::{train_word2vec, Word2VecParams};
/// use rand::SeedableRng;
/// let ids: Vec<usize> = (0..400).map(|i| [0, 1, 2, 3][i % 4]).collect();
/// let params = Word2VecParams { dim: 8, window: 1, subsample: 0.0, ..Default::default() };
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let model = train_word2vec(&ids, 4, &params, &mut rng)?;
/// assert_eq!(model.input_vectors.dim(), (4, 8));
/// assert!(model.epoch_loss[4] < model.epoch_loss[0]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn train_word2vec(
    ids: &[usize],
    vocab_size: usize,
    params: &Word2VecParams,
    rng: &mut impl Rng,
) -> Result<Word2Vec> {
    params.validate()?;
    if ids.len() < 2 {
        return Err(Error::parameter(
            "ids",
            format!("need at least two tokens, got {}", ids.len()),
        ));
    }
    if let Some(&bad) = ids.iter().find(|&&id| id >= vocab_size) {
        return Err(Error::OutOfRange {
            what: "token id",
            index: bad,
            len: vocab_size,
        });
    }
    let (d, n) = (params.dim, ids.len());
    let mut counts = vec![0u64; vocab_size];
    for &id in ids {
        counts[id] += 1;
    }
    let keep: Vec<f64> = counts
        .iter()
        .map(|&c| subsample_keep_probability(c as f64 / n as f64, params.subsample))
        .collect();
    let noise = WeightedAliasIndex::new(noise_distribution(&counts, params.noise_exponent).to_vec())
        .map_err(|e| Error::Numerical {
            what: "train_word2vec noise distribution",
            reason: e.to_string(),
        })?;

    let mut input: Vec<f64> = (0..vocab_size * d)
        .map(|_| (rng.random::<f64>() - 0.5) / d as f64)
        .collect();
    let mut context = vec![0.0; vocab_size * d];
    let mut epoch_loss = Vec::with_capacity(params.epochs);
    let mut targets = Vec::with_capacity(params.negatives + 1);
    let (mut grad_w, mut coefficients) = (vec![0.0; d], Vec::with_capacity(params.negatives + 1));
    let total_steps = (params.epochs * n) as f64;
    for epoch in 0..params.epochs {
        let kept: Vec<(usize, usize)> = ids
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, id)| keep[id] >= 1.0 || rng.random::<f64>() < keep[id])
            .collect();
        let (mut loss_sum, mut pairs) = (0.0, 0usize);
        for (k, &(position, w)) in kept.iter().enumerate() {
            let progress = (epoch * n + position) as f64 / total_steps;
            let lr = (params.learning_rate * (1.0 - progress)).max(params.min_learning_rate);
            let lo = k.saturating_sub(params.window);
            let hi = (k + params.window).min(kept.len() - 1);
            for j in (lo..=hi).filter(|&j| j != k) {
                let c = kept[j].1;
                targets.clear();
                targets.push(c);
                for _ in 0..params.negatives {
                    let sample = noise.sample(rng);
                    if sample != c {
                        targets.push(sample);
                    }
                }
                let w_row = &mut input[w * d..(w + 1) * d];
                loss_sum += sgd_step(w_row, &mut context, &targets, lr, &mut grad_w, &mut coefficients);
                pairs += 1;
            }
        }
        epoch_loss.push(if pairs > 0 {
            loss_sum / pairs as f64
        } else {
            f64::NAN
        });
    }
    let shape = (vocab_size, d);
    Ok(Word2Vec {
        input_vectors: Array2::from_shape_vec(shape, input).expect("V·d entries"),
        context_vectors: Array2::from_shape_vec(shape, context).expect("V·d entries"),
        epoch_loss,
    })
}

/// `a·b` with four running sums, so the additions do not wait on each other
/// (the rounding differs from `ndarray`'s `dot`).
///
/// The loops in this file index slices rather than zip iterators: the same
/// machine code when optimised, and several times faster in the notebooks,
/// which compile this crate without optimisation (where every iterator
/// adaptor is a function call).
fn dot_slices(a: &[f64], b: &[f64]) -> f64 {
    let (n, b) = (a.len(), &b[..a.len()]);
    let full = n - n % 4;
    let mut sums = [0.0; 4];
    let mut i = 0;
    while i < full {
        sums[0] += a[i] * b[i];
        sums[1] += a[i + 1] * b[i + 1];
        sums[2] += a[i + 2] * b[i + 2];
        sums[3] += a[i + 3] * b[i + 3];
        i += 4;
    }
    let mut tail = 0.0;
    while i < n {
        tail += a[i] * b[i];
        i += 1;
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

/// One SGD step on the pair loss: `targets[0]` is the true context, the rest
/// negatives. All gradients are taken at the current point (as
/// [`sgns_pair_loss_and_grad`] does) before any row moves, so a negative drawn
/// twice moves twice as far. `grad_w` (length `d`) and `coefficients` are scratch
/// space. Returns the pair's loss.
fn sgd_step(
    w: &mut [f64],
    context: &mut [f64],
    targets: &[usize],
    lr: f64,
    grad_w: &mut [f64],
    coefficients: &mut Vec<f64>,
) -> f64 {
    let d = w.len();
    let grad_w = &mut grad_w[..d];
    grad_w.fill(0.0);
    coefficients.clear();
    // loss = Σ max(−z, 0) + ln Π (1 + e^{−|z|}): one logarithm per pair, not per term.
    let (mut loss, mut product) = (0.0, 1.0);
    for (i, &t) in targets.iter().enumerate() {
        let row = &context[t * d..(t + 1) * d];
        let (hinge, e, g) = score_terms(dot_slices(w, row), i == 0);
        loss += hinge;
        product *= 1.0 + e;
        if product > 1e300 {
            // Only reachable with about a thousand negatives: fold before the product overflows.
            loss += product.ln();
            product = 1.0;
        }
        coefficients.push(g);
        let mut j = 0;
        while j < d {
            grad_w[j] += g * row[j];
            j += 1;
        }
    }
    for (&t, &g) in targets.iter().zip(coefficients.iter()) {
        let row = &mut context[t * d..(t + 1) * d];
        let mut j = 0;
        while j < d {
            row[j] -= lr * g * w[j];
            j += 1;
        }
    }
    let mut j = 0;
    while j < d {
        w[j] -= lr * grad_w[j];
        j += 1;
    }
    loss + product.ln()
}

#[cfg(test)]
mod tests;

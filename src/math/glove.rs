//! GloVe (Pennington, Socher & Manning 2014): word vectors from a weighted
//! least-squares fit to the logarithm of co-occurrence counts, trained by AdaGrad.

use ndarray::{Array1, Array2, ArrayView2};
use rand::Rng;
use rand::seq::SliceRandom;

use crate::error::{Error, Result};

/// AdaGrad's initial squared-gradient sum for every parameter, as in the reference `glove.c`.
const INITIAL_ACCUMULATOR: f64 = 1.0;

/// Knobs of [`train_glove`]; the defaults are those of the reference `glove.c`.
#[derive(Debug, Clone, PartialEq)]
pub struct GloveParams {
    /// Embedding dimension `d` (default 50).
    pub dim: usize,
    /// Passes over the non-zero co-occurrences (default 25).
    pub epochs: usize,
    /// Count at which the weight [`glove_weight`] reaches 1 (default 100).
    pub x_max: f64,
    /// Exponent of the weight below `x_max` (default 0.75).
    pub alpha: f64,
    /// AdaGrad's learning rate `η` (default 0.05).
    pub learning_rate: f64,
}

impl Default for GloveParams {
    fn default() -> Self {
        GloveParams {
            dim: 50,
            epochs: 25,
            x_max: 100.0,
            alpha: 0.75,
            learning_rate: 0.05,
        }
    }
}

impl GloveParams {
    /// Check every parameter before any work starts.
    ///
    /// # Errors
    /// [`Error::Parameter`] when `dim` or `epochs` is 0, `x_max` or
    /// `learning_rate` is not finite and positive, or `alpha` is negative or not finite.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::GloveParams;
    /// assert!(GloveParams::default().validate().is_ok());
    /// assert!(GloveParams { x_max: 0.0, ..Default::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        for (name, value) in [("dim", self.dim), ("epochs", self.epochs)] {
            if value == 0 {
                return Err(Error::parameter(name, "must be at least 1"));
            }
        }
        for (name, value) in [("x_max", self.x_max), ("learning_rate", self.learning_rate)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::parameter(
                    name,
                    format!("must be finite and > 0, got {value}"),
                ));
            }
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::parameter(
                "alpha",
                format!("must be finite and >= 0, got {}", self.alpha),
            ));
        }
        Ok(())
    }
}

/// GloVe's weighting function `f(x) = min(1, (x/x_max)^α)`, and 0 for `x <= 0`.
///
/// It discounts rare (noisy) co-occurrences and caps frequent ones.
///
/// # Examples
/// ```
/// use embspace::math::glove_weight;
/// assert_eq!(glove_weight(100.0, 100.0, 0.75), 1.0);
/// assert_eq!(glove_weight(1000.0, 100.0, 0.75), 1.0);
/// assert!((glove_weight(10.0, 100.0, 0.75) - 0.1f64.powf(0.75)).abs() < 1e-15);
/// assert_eq!(glove_weight(0.0, 100.0, 0.75), 0.0);
/// ```
pub fn glove_weight(x: f64, x_max: f64, alpha: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= x_max {
        1.0
    } else {
        (x / x_max).powf(alpha)
    }
}

/// A trained GloVe model: word and context vectors and biases.
#[derive(Debug, Clone, PartialEq)]
pub struct Glove {
    /// Word vectors `W`, `V×d`.
    pub word_vectors: Array2<f64>,
    /// Context vectors `W̃`, `V×d`.
    pub context_vectors: Array2<f64>,
    /// Word biases `b`, length `V`.
    pub word_biases: Array1<f64>,
    /// Context biases `b̃`, length `V`.
    pub context_biases: Array1<f64>,
    /// Per epoch, the mean over the non-zero counts of `f(Xᵢⱼ)·eᵢⱼ²`, each
    /// `eᵢⱼ = wᵢ·w̃ⱼ + bᵢ + b̃ⱼ − log Xᵢⱼ` taken just before its update: a running
    /// estimate of `J / nnz` (see [`Glove::cost`] for the exact `J`).
    pub epoch_loss: Vec<f64>,
}

/// The GloVe cost and its gradient with respect to every parameter; see [`Glove::gradient`].
#[derive(Debug, Clone, PartialEq)]
pub struct GloveGradient {
    /// `J`, as [`Glove::cost`].
    pub cost: f64,
    /// `∂J/∂W`, `V×d`.
    pub d_word_vectors: Array2<f64>,
    /// `∂J/∂W̃`, `V×d`.
    pub d_context_vectors: Array2<f64>,
    /// `∂J/∂b`.
    pub d_word_biases: Array1<f64>,
    /// `∂J/∂b̃`.
    pub d_context_biases: Array1<f64>,
}

impl Glove {
    fn check(&self, cooccurrence: ArrayView2<f64>) -> Result<()> {
        let v = self.word_vectors.nrows();
        if cooccurrence.dim() != (v, v) {
            return Err(Error::shape(
                "glove co-occurrence matrix",
                format!("({v}, {v})"),
                format!("{:?}", cooccurrence.dim()),
            ));
        }
        Ok(())
    }

    /// The residual `eᵢⱼ = wᵢ·w̃ⱼ + bᵢ + b̃ⱼ − log x`.
    fn residual(&self, i: usize, j: usize, x: f64) -> f64 {
        self.word_vectors.row(i).dot(&self.context_vectors.row(j))
            + self.word_biases[i]
            + self.context_biases[j]
            - x.ln()
    }

    /// The GloVe cost `J = Σ_{Xᵢⱼ > 0} f(Xᵢⱼ) (wᵢ·w̃ⱼ + bᵢ + b̃ⱼ − log Xᵢⱼ)²` (eq. 8 of
    /// the paper, without the ½ of the reference code's printed cost).
    ///
    /// Zero and negative counts contribute nothing.
    ///
    /// # Errors
    /// [`Error::Shape`] when `cooccurrence` is not `V×V`.
    ///
    /// # Examples
    /// ```
    /// use ndarray::{array, Array1, Array2};
    /// let zero = embspace::math::Glove {
    ///     word_vectors: Array2::zeros((1, 2)), context_vectors: Array2::zeros((1, 2)),
    ///     word_biases: Array1::zeros(1), context_biases: Array1::zeros(1), epoch_loss: vec![],
    /// };
    /// // f(200) = 1 and the residual is −log 200.
    /// let j = zero.cost(array![[200.0]].view(), 100.0, 0.75)?;
    /// assert!((j - 200f64.ln().powi(2)).abs() < 1e-12);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn cost(&self, cooccurrence: ArrayView2<f64>, x_max: f64, alpha: f64) -> Result<f64> {
        self.check(cooccurrence)?;
        Ok(cooccurrence
            .indexed_iter()
            .filter(|(_, x)| **x > 0.0)
            .map(|((i, j), &x)| glove_weight(x, x_max, alpha) * self.residual(i, j, x).powi(2))
            .sum())
    }

    /// [`Glove::cost`] and its gradient: with `gᵢⱼ = 2 f(Xᵢⱼ) eᵢⱼ`,
    /// `∂J/∂wᵢ = Σⱼ gᵢⱼ w̃ⱼ`, `∂J/∂w̃ⱼ = Σᵢ gᵢⱼ wᵢ`, `∂J/∂bᵢ = Σⱼ gᵢⱼ`, `∂J/∂b̃ⱼ = Σᵢ gᵢⱼ`.
    ///
    /// # Errors
    /// [`Error::Shape`] when `cooccurrence` is not `V×V`.
    ///
    /// # Examples
    /// ```
    /// use ndarray::{array, Array1, Array2};
    /// let zero = embspace::math::Glove {
    ///     word_vectors: Array2::zeros((1, 2)), context_vectors: Array2::zeros((1, 2)),
    ///     word_biases: Array1::zeros(1), context_biases: Array1::zeros(1), epoch_loss: vec![],
    /// };
    /// let g = zero.gradient(array![[200.0]].view(), 100.0, 0.75)?;
    /// assert!((g.d_word_biases[0] + 2.0 * 200f64.ln()).abs() < 1e-12); // raise the bias
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn gradient(&self, cooccurrence: ArrayView2<f64>, x_max: f64, alpha: f64) -> Result<GloveGradient> {
        self.check(cooccurrence)?;
        let (v, d) = self.word_vectors.dim();
        let mut g = GloveGradient {
            cost: 0.0,
            d_word_vectors: Array2::zeros((v, d)),
            d_context_vectors: Array2::zeros((v, d)),
            d_word_biases: Array1::zeros(v),
            d_context_biases: Array1::zeros(v),
        };
        for ((i, j), &x) in cooccurrence.indexed_iter().filter(|(_, x)| **x > 0.0) {
            let (f, e) = (glove_weight(x, x_max, alpha), self.residual(i, j, x));
            g.cost += f * e * e;
            let coefficient = 2.0 * f * e;
            g.d_word_vectors
                .row_mut(i)
                .scaled_add(coefficient, &self.context_vectors.row(j));
            g.d_context_vectors
                .row_mut(j)
                .scaled_add(coefficient, &self.word_vectors.row(i));
            g.d_word_biases[i] += coefficient;
            g.d_context_biases[j] += coefficient;
        }
        Ok(g)
    }

    /// `W + W̃`, the word representation the GloVe paper evaluates.
    ///
    /// # Examples
    /// ```
    /// use ndarray::{array, Array1};
    /// let m = embspace::math::Glove {
    ///     word_vectors: array![[1.0, 2.0]], context_vectors: array![[0.5, -2.0]],
    ///     word_biases: Array1::zeros(1), context_biases: Array1::zeros(1), epoch_loss: vec![],
    /// };
    /// assert_eq!(m.combined_vectors(), array![[1.5, 0.0]]);
    /// ```
    pub fn combined_vectors(&self) -> Array2<f64> {
        &self.word_vectors + &self.context_vectors
    }
}

/// The reference update of one parameter given `η g`: `θ ← θ − η g/√G`, then `G ← G + (η g)²`.
fn adagrad(value: &mut f64, square: &mut f64, scaled_gradient: f64) {
    *value -= scaled_gradient / square.sqrt();
    *square += scaled_gradient * scaled_gradient;
}

/// Train GloVe on a square co-occurrence matrix (e.g. from
/// [`crate::math::cooccurrence_matrix`] with harmonic weights).
///
/// Each epoch visits the non-zero entries in a fresh shuffled order and takes
/// one AdaGrad step per entry on `½ f(Xᵢⱼ) eᵢⱼ²` (gradients `f eᵢⱼ w̃ⱼ`,
/// `f eᵢⱼ wᵢ`, `f eᵢⱼ`), updating `wᵢ`, `w̃ⱼ`, `bᵢ`, `b̃ⱼ` as the reference
/// `glove.c` does: `θ ← θ − η g/√G` with the accumulator `G` starting at 1 and
/// growing by `(η g)²` after each step (textbook AdaGrad would add `g²` first).
/// All parameters, biases included, start uniform in `[−0.5/d, 0.5/d)`.
/// Words with no co-occurrence keep their initial values. The same `rng` state
/// gives the same model.
///
/// # Errors
/// Those of [`GloveParams::validate`]; [`Error::Shape`] when the matrix is not
/// square; [`Error::Parameter`] when an entry is negative or not finite or none is positive.
///
/// # Examples
/// ```
/// use embspace::math::{train_glove, GloveParams};
/// use ndarray::array;
/// use rand::SeedableRng;
/// let x = array![[0.0, 8.0, 1.0], [8.0, 0.0, 2.0], [1.0, 2.0, 4.0]];
/// let params = GloveParams { dim: 4, epochs: 50, x_max: 10.0, ..Default::default() };
/// let model = train_glove(x.view(), &params, &mut rand_chacha::ChaCha8Rng::seed_from_u64(42))?;
/// assert!(model.epoch_loss[49] < model.epoch_loss[0]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn train_glove(cooccurrence: ArrayView2<f64>, params: &GloveParams, rng: &mut impl Rng) -> Result<Glove> {
    params.validate()?;
    let (v, columns) = cooccurrence.dim();
    if v != columns {
        return Err(Error::shape(
            "train_glove co-occurrence matrix",
            "a square matrix",
            format!("({v}, {columns})"),
        ));
    }
    if let Some(((i, j), x)) = cooccurrence
        .indexed_iter()
        .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
    {
        return Err(Error::parameter(
            "cooccurrence",
            format!("entries must be finite and >= 0, found {x} at ({i}, {j})"),
        ));
    }
    // (i, j, log Xᵢⱼ, f(Xᵢⱼ)) of every positive count.
    let mut entries: Vec<(usize, usize, f64, f64)> = cooccurrence
        .indexed_iter()
        .filter(|(_, x)| **x > 0.0)
        .map(|((i, j), &x)| (i, j, x.ln(), glove_weight(x, params.x_max, params.alpha)))
        .collect();
    if entries.is_empty() {
        return Err(Error::parameter("cooccurrence", "no positive count to fit"));
    }
    let d = params.dim;
    // Row i of `words` / `contexts` holds a vector followed by its bias, like the reference's W array.
    let mut init =
        |n: usize| -> Vec<f64> { (0..n).map(|_| (rng.random::<f64>() - 0.5) / d as f64).collect() };
    let (mut words, mut contexts) = (init(v * (d + 1)), init(v * (d + 1)));
    let epoch_loss = fit(&mut words, &mut contexts, &mut entries, params, rng);
    Ok(into_model(words, contexts, v, d, epoch_loss))
}

/// The AdaGrad epochs of [`train_glove`] on the `(i, j, log Xᵢⱼ, f(Xᵢⱼ))` entries,
/// from the given `V×(d+1)` tables (vector then bias in each row). Returns the epoch losses.
fn fit(
    words: &mut [f64],
    contexts: &mut [f64],
    entries: &mut [(usize, usize, f64, f64)],
    params: &GloveParams,
    rng: &mut impl Rng,
) -> Vec<f64> {
    let (d, width) = (params.dim, params.dim + 1);
    let mut word_squares = vec![INITIAL_ACCUMULATOR; words.len()];
    let mut context_squares = vec![INITIAL_ACCUMULATOR; contexts.len()];
    let mut epoch_loss = Vec::with_capacity(params.epochs);
    for _ in 0..params.epochs {
        entries.shuffle(rng);
        let mut total = 0.0;
        for &(i, j, log_x, f) in entries.iter() {
            let (wi, cj) = (i * width..(i + 1) * width, j * width..(j + 1) * width);
            let (w, c) = (&mut words[wi.clone()], &mut contexts[cj.clone()]);
            let (gw, gc) = (&mut word_squares[wi], &mut context_squares[cj]);
            let dot: f64 = w[..d].iter().zip(&c[..d]).map(|(a, b)| a * b).sum();
            let e = dot + w[d] + c[d] - log_x;
            total += f * e * e;
            let step = params.learning_rate * f * e;
            // Both gradients use the values before this step. The vector loop has no
            // branch, so it vectorises; the biases' "other vector" is 1.
            let (vectors, squares) = (
                w[..d].iter_mut().zip(&mut c[..d]),
                gw[..d].iter_mut().zip(&mut gc[..d]),
            );
            for ((wk, ck), (gwk, gck)) in vectors.zip(squares) {
                let (w_old, c_old) = (*wk, *ck);
                adagrad(wk, gwk, step * c_old);
                adagrad(ck, gck, step * w_old);
            }
            adagrad(&mut w[d], &mut gw[d], step);
            adagrad(&mut c[d], &mut gc[d], step);
        }
        epoch_loss.push(total / entries.len() as f64);
    }
    epoch_loss
}

/// Split the `V×(d+1)` training tables into vectors and biases.
fn into_model(words: Vec<f64>, contexts: Vec<f64>, v: usize, d: usize, epoch_loss: Vec<f64>) -> Glove {
    let split = |all: Vec<f64>| {
        let table = Array2::from_shape_vec((v, d + 1), all).expect("V·(d+1) entries");
        (
            table.slice(ndarray::s![.., ..d]).to_owned(),
            table.column(d).to_owned(),
        )
    };
    let ((word_vectors, word_biases), (context_vectors, context_biases)) = (split(words), split(contexts));
    Glove {
        word_vectors,
        context_vectors,
        word_biases,
        context_biases,
        epoch_loss,
    }
}

#[cfg(test)]
mod tests;

//! Linear probes: does an embedding space encode a binary attribute along a
//! direction? A logistic-regression probe finds the direction; projecting it
//! out (one step of INLP, Ravfogel et al. 2020) tests whether any linear trace is left.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::error::{Error, Result};
use crate::math::gradients::outer;
use crate::math::similarity::ZERO_NORM;

/// Knobs of [`LogisticProbe::fit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeParams {
    /// Step size of full-batch gradient descent. Descent converges for steps
    /// below `2/L`, where `L = λ_max(X̃ᵀX̃/n)/4 + λ` bounds the loss's curvature
    /// (`X̃` is `x` with a column of ones); the default suits features of unit scale.
    pub learning_rate: f64,
    /// Number of full-batch gradient steps.
    pub epochs: usize,
    /// Weight `λ` of the L2 penalty `λ/2 ‖w‖²` (the bias is not penalised).
    pub l2: f64,
}

impl Default for ProbeParams {
    /// `learning_rate = 0.5`, `epochs = 1000`, `l2 = 1e-3`.
    fn default() -> Self {
        ProbeParams {
            learning_rate: 0.5,
            epochs: 1000,
            l2: 1e-3,
        }
    }
}

impl ProbeParams {
    /// Check every knob before any work starts.
    ///
    /// # Errors
    /// [`Error::Parameter`] unless `learning_rate` is positive and finite,
    /// `epochs >= 1` and `l2` is non-negative and finite.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::ProbeParams;
    /// assert!(ProbeParams::default().validate().is_ok());
    /// assert!(ProbeParams { epochs: 0, ..Default::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::parameter(
                "learning_rate",
                format!("must be positive and finite, got {}", self.learning_rate),
            ));
        }
        if self.epochs == 0 {
            return Err(Error::parameter("epochs", "must be at least 1"));
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(Error::parameter(
                "l2",
                format!("must be non-negative and finite, got {}", self.l2),
            ));
        }
        Ok(())
    }
}

/// A binary logistic-regression probe `P(label | x) = σ(w·x + b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticProbe {
    /// The learnt weight vector `w`, length `d`: the probed direction.
    pub weights: Array1<f64>,
    /// The learnt bias `b`.
    pub bias: f64,
}

/// The logistic function `σ(z) = 1 / (1 + e^{−z})`, without overflow for large `|z|`.
fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `softplus(z) = ln(1 + e^z)`, without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// The regularised mean cross-entropy
/// `L = (1/n) Σ [softplus(zᵢ) − yᵢ zᵢ] + λ/2 ‖w‖²` with `zᵢ = w·xᵢ + b`,
/// and its gradient `∂L/∂w = Xᵀ(σ(z) − y)/n + λw`, `∂L/∂b = mean(σ(z) − y)`.
fn loss_and_gradient(
    x: ArrayView2<f64>,
    labels: &[bool],
    weights: ArrayView1<f64>,
    bias: f64,
    l2: f64,
) -> (f64, Array1<f64>, f64) {
    let n = x.nrows() as f64;
    let z = x.dot(&weights) + bias;
    let y = Array1::from_iter(labels.iter().map(|&l| if l { 1.0 } else { 0.0 }));
    let data_loss = z.iter().zip(&y).map(|(&z, &y)| softplus(z) - y * z).sum::<f64>() / n;
    let residual = z.mapv(sigmoid) - &y;
    let d_weights = x.t().dot(&residual) / n + &weights * l2;
    let loss = data_loss + 0.5 * l2 * weights.dot(&weights);
    (loss, d_weights, residual.sum() / n)
}

fn check_labels(x: ArrayView2<f64>, labels: &[bool]) -> Result<()> {
    if labels.len() != x.nrows() {
        return Err(Error::shape(
            "probe labels",
            format!("{} labels (one a row)", x.nrows()),
            labels.len(),
        ));
    }
    Ok(())
}

impl LogisticProbe {
    /// Fit `w` and `b` by full-batch gradient descent on the L2-regularised
    /// mean cross-entropy, starting from zero (so the result is deterministic).
    ///
    /// # Errors
    /// [`Error::Parameter`] for invalid `params`, an empty `x` or labels of one
    /// class only; [`Error::Shape`] when `labels` does not have one entry a row;
    /// [`Error::Numerical`] when the weights end non-finite (a non-finite input,
    /// or a learning rate far too large).
    ///
    /// # Examples
    /// ```
    /// use embspace::math::{LogisticProbe, ProbeParams};
    /// use ndarray::array;
    /// let x = array![[1.0, 0.3], [0.8, -0.5], [-1.2, 0.1], [-0.7, 0.4]];
    /// let probe = LogisticProbe::fit(x.view(), &[true, true, false, false], ProbeParams::default())?;
    /// assert_eq!(probe.accuracy(x.view(), &[true, true, false, false])?, 1.0);
    /// assert!(probe.weights[0] > 0.0);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn fit(x: ArrayView2<f64>, labels: &[bool], params: ProbeParams) -> Result<LogisticProbe> {
        params.validate()?;
        if x.nrows() == 0 {
            return Err(Error::parameter("x", "needs at least one row"));
        }
        check_labels(x, labels)?;
        if labels.iter().all(|&l| l == labels[0]) {
            return Err(Error::parameter("labels", "both classes must occur"));
        }
        let mut weights = Array1::zeros(x.ncols());
        let mut bias = 0.0;
        for _ in 0..params.epochs {
            let (_, d_weights, d_bias) = loss_and_gradient(x, labels, weights.view(), bias, params.l2);
            weights.scaled_add(-params.learning_rate, &d_weights);
            bias -= params.learning_rate * d_bias;
        }
        if !(bias.is_finite() && weights.iter().all(|w| w.is_finite())) {
            return Err(Error::Numerical {
                what: "LogisticProbe::fit",
                reason: "gradient descent diverged".into(),
            });
        }
        Ok(LogisticProbe { weights, bias })
    }

    /// `P(label = true | xᵢ) = σ(w·xᵢ + b)` for every row.
    ///
    /// # Errors
    /// [`Error::Shape`] when `x` does not have `d` columns.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::LogisticProbe;
    /// use ndarray::array;
    /// let probe = LogisticProbe { weights: array![2.0], bias: 0.0 };
    /// assert_eq!(probe.predict_proba(array![[0.0]].view())?[0], 0.5);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        if x.ncols() != self.weights.len() {
            return Err(Error::shape(
                "probe input",
                format!("{} columns", self.weights.len()),
                format!("{} columns", x.ncols()),
            ));
        }
        Ok((x.dot(&self.weights) + self.bias).mapv(sigmoid))
    }

    /// The predicted label of every row: `true` when `P(true | x) >= 0.5`.
    ///
    /// # Errors
    /// As [`LogisticProbe::predict_proba`].
    ///
    /// # Examples
    /// ```
    /// use embspace::math::LogisticProbe;
    /// use ndarray::array;
    /// let probe = LogisticProbe { weights: array![1.0, -1.0], bias: 0.0 };
    /// assert_eq!(probe.predict(array![[2.0, 1.0], [0.0, 3.0]].view())?, vec![true, false]);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<bool>> {
        Ok(self.predict_proba(x)?.iter().map(|&p| p >= 0.5).collect())
    }

    /// The share of rows whose predicted label equals `labels`, in `[0, 1]`.
    ///
    /// # Errors
    /// As [`LogisticProbe::predict_proba`]; [`Error::Shape`] when `labels` does
    /// not have one entry a row; [`Error::Parameter`] for an empty `x`.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::LogisticProbe;
    /// use ndarray::array;
    /// let probe = LogisticProbe { weights: array![1.0], bias: 0.0 };
    /// assert_eq!(probe.accuracy(array![[1.0], [-1.0]].view(), &[true, true])?, 0.5);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn accuracy(&self, x: ArrayView2<f64>, labels: &[bool]) -> Result<f64> {
        check_labels(x, labels)?;
        if x.nrows() == 0 {
            return Err(Error::parameter("x", "accuracy of no rows is undefined"));
        }
        let predicted = self.predict(x)?;
        let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
        Ok(correct as f64 / labels.len() as f64)
    }
}

/// Remove from every row its component along `direction`:
/// `xᵢ − (xᵢ·u) u` with `u = direction / ‖direction‖`.
///
/// Afterwards every row is orthogonal to `direction`, so no linear probe can
/// read the attribute off that direction any more (one step of INLP).
///
/// # Errors
/// [`Error::Shape`] when `direction` does not have `d` entries;
/// [`Error::Parameter`] when it is (numerically) zero.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[3.0, 4.0], [1.0, -2.0]];
/// let flat = embspace::math::project_out(x.view(), array![0.0, 5.0].view())?;
/// assert_eq!(flat, array![[3.0, 0.0], [1.0, 0.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn project_out(x: ArrayView2<f64>, direction: ArrayView1<f64>) -> Result<Array2<f64>> {
    if direction.len() != x.ncols() {
        return Err(Error::shape(
            "project_out direction",
            format!("d = {}", x.ncols()),
            format!("d = {}", direction.len()),
        ));
    }
    let norm = direction.dot(&direction).sqrt();
    if norm < ZERO_NORM {
        return Err(Error::parameter("direction", "must not be the zero vector"));
    }
    let unit = &direction / norm;
    Ok(&x - &outer(x.dot(&unit).view(), unit.view()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;
    use ndarray_rand::RandomExt;
    use ndarray_rand::rand_distr::StandardNormal;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Gaussian rows labelled by the sign of their coordinate along `u`, then
    /// pushed 0.5 further along `u` on their own side: separable with a margin.
    fn planted(rng: &mut ChaCha8Rng, n: usize, u: &Array1<f64>) -> (Array2<f64>, Vec<bool>) {
        let mut x = Array2::<f64>::random_using((n, u.len()), StandardNormal, rng);
        let labels: Vec<bool> = x.rows().into_iter().map(|row| row.dot(u) > 0.0).collect();
        for (mut row, &label) in x.rows_mut().into_iter().zip(&labels) {
            row.scaled_add(if label { 0.5 } else { -0.5 }, u);
        }
        (x, labels)
    }

    fn unit_direction(rng: &mut ChaCha8Rng, d: usize) -> Array1<f64> {
        let u = Array1::<f64>::random_using(d, StandardNormal, rng);
        let norm = u.dot(&u).sqrt();
        u / norm
    }

    #[test]
    fn loss_gradient_matches_central_finite_differences() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let x = Array2::<f64>::random_using((9, 4), StandardNormal, &mut rng);
        let labels = [true, false, false, true, true, false, true, false, false];
        let w = array![0.3, -0.7, 1.1, 0.05];
        let (b, l2, eps) = (-0.2, 0.3, 1e-6);
        let (_, d_w, d_b) = loss_and_gradient(x.view(), &labels, w.view(), b, l2);
        let loss = |w: &Array1<f64>, b: f64| loss_and_gradient(x.view(), &labels, w.view(), b, l2).0;
        for k in 0..w.len() {
            let (mut plus, mut minus) = (w.clone(), w.clone());
            plus[k] += eps;
            minus[k] -= eps;
            let numeric = (loss(&plus, b) - loss(&minus, b)) / (2.0 * eps);
            assert_abs_diff_eq!(d_w[k], numeric, epsilon = 1e-8);
        }
        let numeric = (loss(&w, b + eps) - loss(&w, b - eps)) / (2.0 * eps);
        assert_abs_diff_eq!(d_b, numeric, epsilon = 1e-8);
    }

    #[test]
    fn softplus_and_sigmoid_survive_extreme_logits() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_abs_diff_eq!(softplus(1000.0), 1000.0, epsilon = 1e-12);
        assert_abs_diff_eq!(softplus(0.0), 2f64.ln(), epsilon = 1e-15);
    }

    #[test]
    fn training_reaches_a_stationary_point_of_the_regularised_loss() {
        // With λ > 0 the loss is strongly convex, so gradient descent converges to its unique minimum.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let x = Array2::<f64>::random_using((40, 3), StandardNormal, &mut rng);
        let labels: Vec<bool> = (0..40).map(|i| (i * 7) % 3 == 0).collect();
        let params = ProbeParams {
            learning_rate: 0.5,
            epochs: 3000,
            l2: 0.1,
        };
        let probe = LogisticProbe::fit(x.view(), &labels, params).unwrap();
        let (_, d_w, d_b) = loss_and_gradient(x.view(), &labels, probe.weights.view(), probe.bias, 0.1);
        assert!(d_w.dot(&d_w).sqrt() < 1e-9 && d_b.abs() < 1e-9);
    }

    #[test]
    fn a_planted_attribute_is_learnt_and_projecting_it_out_erases_it() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let u = unit_direction(&mut rng, 8);
        let (train, train_labels) = planted(&mut rng, 300, &u);
        let (test, test_labels) = planted(&mut rng, 300, &u);
        let params = ProbeParams::default();
        let probe = LogisticProbe::fit(train.view(), &train_labels, params).unwrap();
        assert!(probe.accuracy(test.view(), &test_labels).unwrap() >= 0.9);
        let cos = probe.weights.dot(&u) / probe.weights.dot(&probe.weights).sqrt();
        assert!(cos > 0.99, "the probe found the planted direction: cos = {cos}");

        let (train_flat, test_flat) = (
            project_out(train.view(), u.view()).unwrap(),
            project_out(test.view(), u.view()).unwrap(),
        );
        let blind = LogisticProbe::fit(train_flat.view(), &train_labels, params).unwrap();
        let after = blind.accuracy(test_flat.view(), &test_labels).unwrap();
        assert!(
            after < 0.65,
            "held-out accuracy after projection is near chance: {after}"
        );
    }

    #[test]
    fn projecting_out_leaves_rows_orthogonal_and_is_idempotent() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let x = Array2::<f64>::random_using((6, 5), StandardNormal, &mut rng);
        let direction = Array1::<f64>::random_using(5, StandardNormal, &mut rng) * 3.0;
        let once = project_out(x.view(), direction.view()).unwrap();
        assert_abs_diff_eq!(once.dot(&direction), Array1::zeros(6), epsilon = 1e-12);
        let twice = project_out(once.view(), direction.view()).unwrap();
        assert_abs_diff_eq!(twice, once, epsilon = 1e-12);
        // What was removed is parallel to the direction: x − once = c uᵀ, rank one.
        let removed = &x - &once;
        let u = &direction / direction.dot(&direction).sqrt();
        assert_abs_diff_eq!(
            project_out(removed.view(), u.view()).unwrap(),
            Array2::zeros((6, 5)),
            epsilon = 1e-12
        );
    }

    #[test]
    fn bad_inputs_are_refused() {
        let x = array![[1.0, 0.0], [0.0, 1.0]];
        let p = ProbeParams::default();
        let shape = |r: Result<LogisticProbe>| matches!(r, Err(Error::Shape { .. }));
        let parameter = |r: Result<LogisticProbe>| matches!(r, Err(Error::Parameter { .. }));
        assert!(shape(LogisticProbe::fit(x.view(), &[true], p)));
        assert!(parameter(LogisticProbe::fit(x.view(), &[true, true], p)));
        let negative_rate = ProbeParams {
            learning_rate: -1.0,
            ..p
        };
        assert!(parameter(LogisticProbe::fit(
            x.view(),
            &[true, false],
            negative_rate
        )));
        assert!(ProbeParams { l2: f64::NAN, ..p }.validate().is_err());
        let infinite = array![[f64::INFINITY, 0.0], [0.0, 1.0]];
        let diverged = LogisticProbe::fit(infinite.view(), &[true, false], p);
        assert!(matches!(diverged, Err(Error::Numerical { .. })));
        assert!(matches!(
            project_out(x.view(), array![0.0, 0.0].view()),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            project_out(x.view(), array![1.0].view()),
            Err(Error::Shape { .. })
        ));
        let probe = LogisticProbe {
            weights: array![1.0],
            bias: 0.0,
        };
        assert!(matches!(probe.predict(x.view()), Err(Error::Shape { .. })));
    }
}

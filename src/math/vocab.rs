//! Growing a vocabulary: how to initialise the rows of new tokens, and how much
//! the new rows disturb a language model's next-token distribution over the
//! old tokens (Hewitt 2021, "Initializing new word embeddings for pretrained
//! language models").

use ndarray::{Array2, ArrayView1, ArrayView2, Axis, concatenate, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;
use rand::Rng;

use crate::error::{Error, Result};
use crate::math::centering::{center, mean_vector};
use crate::math::gradients::{log_softmax, softmax};

/// How [`resize_embeddings`] initialises the appended rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ResizeInit {
    /// Every new row is the mean of the existing rows. Keeps the KL divergence
    /// of the next-token distribution within `ln(1 + n/V)` ([`kl_bound`]).
    Mean,
    /// Every new row is zero.
    Zero,
    /// Entries drawn independently from `N(0, std²)` (the usual fresh-layer init).
    Random {
        /// Standard deviation of every entry.
        std: f64,
    },
    /// Rows drawn from `N(μ, scale·Σ)`, with `μ` the mean and `Σ` the population
    /// covariance `(E−μ)ᵀ(E−μ)/V` of the existing rows. Hewitt (2021) uses
    /// `scale = 1e-5`: close to the mean, yet distinct from each other.
    MeanCovariance {
        /// Factor on the covariance.
        scale: f64,
    },
}

/// Append `n_new` rows to the embedding matrix `e` (`V×d`), initialised by `init`.
///
/// The first `V` rows of the result are `e` unchanged. The random variants
/// draw from `rng`, so a seeded generator gives the same rows every time; the
/// others do not touch it. `MeanCovariance` samples `μ + √(scale/V)·(E−μ)ᵀz`
/// with `z ~ N(0, I_V)`, whose covariance is exactly `scale·Σ`: no Cholesky
/// factor is needed, so a singular `Σ` (fewer rows than columns) is fine.
///
/// # Errors
/// [`Error::Parameter`] when `std` or `scale` is negative or not finite, or
/// when `Mean` or `MeanCovariance` is asked of a matrix without rows.
///
/// # Examples
/// ```
/// use embspace::math::{ResizeInit, resize_embeddings};
/// use ndarray::array;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let e = array![[1.0, 0.0], [3.0, 2.0]];
/// let grown = resize_embeddings(e.view(), 1, ResizeInit::Mean, &mut rng)?;
/// assert_eq!(grown, array![[1.0, 0.0], [3.0, 2.0], [2.0, 1.0]]);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn resize_embeddings(
    e: ArrayView2<f64>,
    n_new: usize,
    init: ResizeInit,
    rng: &mut impl Rng,
) -> Result<Array2<f64>> {
    let (v, d) = e.dim();
    let needs_rows = || {
        if v == 0 {
            Err(Error::parameter(
                "e",
                "the mean of an empty embedding matrix is undefined",
            ))
        } else {
            Ok(())
        }
    };
    let new_rows = match init {
        ResizeInit::Zero => Array2::zeros((n_new, d)),
        ResizeInit::Mean => {
            needs_rows()?;
            mean_vector(e)
                .broadcast((n_new, d))
                .expect("a row broadcasts to any number of rows")
                .to_owned()
        }
        ResizeInit::Random { std } => {
            if !(std.is_finite() && std >= 0.0) {
                return Err(Error::parameter(
                    "std",
                    format!("must be non-negative and finite, got {std}"),
                ));
            }
            Array2::<f64>::random_using((n_new, d), StandardNormal, rng) * std
        }
        ResizeInit::MeanCovariance { scale } => {
            if !(scale.is_finite() && scale >= 0.0) {
                return Err(Error::parameter(
                    "scale",
                    format!("must be non-negative and finite, got {scale}"),
                ));
            }
            needs_rows()?;
            let (centred, mean) = center(e);
            let z = Array2::<f64>::random_using((n_new, v), StandardNormal, rng);
            z.dot(&centred) * (scale / v as f64).sqrt() + mean.view().insert_axis(Axis(0))
        }
    };
    Ok(concatenate![Axis(0), e, new_rows])
}

/// `KL(p_old ‖ p_new) = Σᵢ₌₀^{V−1} p_old(i) · ln(p_old(i) / p_new(i))`, the
/// divergence of a language model's next-token distribution caused by
/// growing its output embedding from `old_output` (`V×d`) to `new_output`
/// (`(V+n)×d`), for hidden state `hidden` (length `d`).
///
/// `p_old = softmax(E_old·h)` over `V` tokens, `p_new = softmax(E_new·h)` over
/// `V + n`; the old distribution puts no mass on the new tokens, so only the
/// first `V` terms appear. When the first `V` rows of `new_output` are the old
/// rows, this is `ln(1 + Σⱼ exp(h·eⱼ) / Σᵢ exp(h·eᵢ))` (new `j`, old `i`): it is
/// never negative and grows with the new tokens' share of probability.
///
/// # Errors
/// [`Error::Shape`] when the widths and `hidden` disagree, or `new_output` has
/// fewer rows than `old_output`; [`Error::Parameter`] when `old_output` has no rows.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let old = array![[1.0, 0.0], [0.0, 1.0]];
/// let new = array![[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]; // the mean row appended
/// let kl = embspace::math::next_token_kl(old.view(), new.view(), array![0.3, -0.2].view())?;
/// assert!(kl > 0.0 && kl <= embspace::math::kl_bound(1, 2)?);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn next_token_kl(
    old_output: ArrayView2<f64>,
    new_output: ArrayView2<f64>,
    hidden: ArrayView1<f64>,
) -> Result<f64> {
    let (v, d) = old_output.dim();
    if v == 0 {
        return Err(Error::parameter("old_output", "needs at least one token"));
    }
    if new_output.ncols() != d || hidden.len() != d {
        return Err(Error::shape(
            "next_token_kl",
            format!("d = {d} everywhere"),
            format!(
                "new_output d = {}, hidden d = {}",
                new_output.ncols(),
                hidden.len()
            ),
        ));
    }
    if new_output.nrows() < v {
        return Err(Error::shape(
            "next_token_kl new_output",
            format!("at least {v} rows"),
            new_output.nrows(),
        ));
    }
    let old_logits = old_output.dot(&hidden);
    let log_p = log_softmax(old_logits.view());
    let log_q = log_softmax(new_output.dot(&hidden).view());
    let p = softmax(old_logits.view());
    Ok(p.iter()
        .zip(&log_p)
        .zip(log_q.slice(s![..v]))
        .map(|((p, lp), lq)| p * (lp - lq))
        .sum())
}

/// Hewitt's bound `ln(1 + n/V)` on [`next_token_kl`] after appending `n_new`
/// rows equal to the mean of `V` old rows.
///
/// By Jensen's inequality `exp(h·μ) = exp(mean(h·eᵢ)) ≤ mean(exp(h·eᵢ)) = Z/V`,
/// so the `n` new tokens carry at most `n·Z/V` of unnormalised mass and the
/// divergence is at most `ln(1 + n/V)`, for every hidden state `h`.
///
/// # Errors
/// [`Error::Parameter`] when `v` is 0.
///
/// # Examples
/// ```
/// // Doubling the vocabulary with mean rows costs at most ln 2 nats.
/// assert_eq!(embspace::math::kl_bound(50_000, 50_000)?, 2f64.ln());
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn kl_bound(n_new: usize, v: usize) -> Result<f64> {
    if v == 0 {
        return Err(Error::parameter("v", "the old vocabulary must not be empty"));
    }
    Ok((n_new as f64 / v as f64).ln_1p())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::Array1;
    use ndarray::array;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    const V: usize = 50;
    const D: usize = 8;

    /// Anisotropic "pretrained" rows: unit Gaussian noise around a common offset, as real
    /// embeddings share a mean direction.
    fn embeddings(rng: &mut ChaCha8Rng) -> Array2<f64> {
        let offset = Array1::from_shape_fn(D, |j| 0.6 - 0.15 * j as f64);
        Array2::<f64>::random_using((V, D), StandardNormal, rng) + offset.view().insert_axis(Axis(0))
    }

    fn hidden_states(rng: &mut ChaCha8Rng, count: usize, scale: f64) -> Array2<f64> {
        Array2::<f64>::random_using((count, D), StandardNormal, rng) * scale
    }

    fn kl_after(e: &Array2<f64>, n: usize, init: ResizeInit, h: ArrayView1<f64>, seed: u64) -> f64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let grown = resize_embeddings(e.view(), n, init, &mut rng).unwrap();
        next_token_kl(e.view(), grown.view(), h).unwrap()
    }

    #[test]
    fn mean_init_never_moves_the_distribution_more_than_ln_1_plus_n_over_v() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let e = embeddings(&mut rng);
        for scale in [0.3, 1.0, 3.0] {
            let hs = hidden_states(&mut rng, 100, scale);
            for n in [1, 5, 50, 500] {
                let bound = kl_bound(n, V).unwrap();
                for h in hs.rows() {
                    let kl = kl_after(&e, n, ResizeInit::Mean, h, 0);
                    assert!((0.0..=bound + 1e-12).contains(&kl), "n = {n}: {kl} > {bound}");
                }
            }
        }
    }

    #[test]
    fn large_random_init_breaks_the_bound_for_most_hidden_states() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let e = embeddings(&mut rng);
        let rows_scale = center(e.view()).0.std(0.0); // about 1
        let init = ResizeInit::Random {
            std: 10.0 * rows_scale,
        };
        let hs = hidden_states(&mut rng, 200, 1.0);
        // One wide random row lands above the old log-mean-exp logit about half the time
        // (measured: 47% for n = 1, 93% for n = 5); with ten or more, nearly always.
        for n in [10, 50] {
            let bound = kl_bound(n, V).unwrap();
            let broken = hs
                .rows()
                .into_iter()
                .enumerate()
                .filter(|(i, h)| kl_after(&e, n, init, h.view(), *i as u64) > bound);
            let share = broken.count() as f64 / hs.nrows() as f64;
            assert!(
                share > 0.9,
                "n = {n}: only {share} of hidden states exceed the bound"
            );
        }
    }

    #[test]
    fn zero_init_adds_n_over_z_and_obeys_the_bound_exactly_when_h_dot_mean_is_not_negative() {
        // Zero rows have logit 0, so KL = ln(1 + n / Z) with Z = Σ exp(h·eᵢ). Since
        // Z/V ≥ exp(h·μ) (Jensen), h·μ ≥ 0 implies Z ≥ V and so KL ≤ ln(1 + n/V).
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let e = embeddings(&mut rng);
        let mu = mean_vector(e.view());
        let n = 5;
        let bound = kl_bound(n, V).unwrap();
        for h in hidden_states(&mut rng, 300, 1.0).rows() {
            let kl = kl_after(&e, n, ResizeInit::Zero, h, 0);
            let z: f64 = e.dot(&h).mapv(f64::exp).sum();
            assert_abs_diff_eq!(kl, (n as f64 / z).ln_1p(), epsilon = 1e-12);
            if h.dot(&mu) >= 0.0 {
                assert!(kl <= bound + 1e-12);
            }
        }
        // Against the common offset Z < V (the logits are mostly negative): zero init breaks the bound.
        let against = &mu * -1.0;
        assert!(e.dot(&against).mapv(f64::exp).sum() < V as f64);
        assert!(kl_after(&e, n, ResizeInit::Zero, against.view(), 0) > bound);
        // For centred rows zero init is mean init.
        let (centred, _) = center(e.view());
        let h = array![0.5, -1.0, 0.2, 0.0, 0.9, -0.3, 0.4, 1.1];
        assert_abs_diff_eq!(
            kl_after(&centred, n, ResizeInit::Zero, h.view(), 0),
            kl_after(&centred, n, ResizeInit::Mean, h.view(), 0),
            epsilon = 1e-12
        );
    }

    #[test]
    fn old_rows_are_kept_and_new_rows_follow_their_init() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let e = embeddings(&mut rng);
        let n = 4000;
        for init in [
            ResizeInit::Mean,
            ResizeInit::Zero,
            ResizeInit::Random { std: 2.0 },
        ] {
            let grown = resize_embeddings(e.view(), n, init, &mut rng).unwrap();
            assert_eq!(grown.dim(), (V + n, D));
            assert_eq!(grown.slice(s![..V, ..]), e);
            let new = grown.slice(s![V.., ..]);
            match init {
                ResizeInit::Mean => {
                    assert_abs_diff_eq!(new.row(n - 1), mean_vector(e.view()), epsilon = 1e-12)
                }
                ResizeInit::Zero => assert!(new.iter().all(|&v| v == 0.0)),
                _ => {
                    assert_abs_diff_eq!(new.mean().unwrap(), 0.0, epsilon = 0.02);
                    assert_abs_diff_eq!(new.std(0.0), 2.0, epsilon = 0.03);
                }
            }
        }
    }

    #[test]
    fn mean_covariance_samples_have_the_rows_mean_and_scaled_covariance() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let e = array![
            [1.0, 2.0, 0.0],
            [3.0, 1.0, 1.0],
            [2.0, 2.0, 3.0],
            [0.0, 1.0, 0.5],
            [2.0, 0.0, 1.0]
        ];
        let (centred, mu) = center(e.view());
        let sigma = centred.t().dot(&centred) / 5.0;
        let scale = 0.5;
        let grown =
            resize_embeddings(e.view(), 40_000, ResizeInit::MeanCovariance { scale }, &mut rng).unwrap();
        let (new_centred, new_mu) = center(grown.slice(s![5.., ..]));
        assert_abs_diff_eq!(new_mu, mu, epsilon = 0.02);
        assert_abs_diff_eq!(
            new_centred.t().dot(&new_centred) / 40_000.0,
            sigma * scale,
            epsilon = 0.03
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_rows() {
        let e = array![[1.0, 0.0], [0.0, 1.0]];
        let init = ResizeInit::MeanCovariance { scale: 1e-5 };
        let draw = |seed| resize_embeddings(e.view(), 3, init, &mut ChaCha8Rng::seed_from_u64(seed)).unwrap();
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }

    #[test]
    fn bad_inputs_are_refused() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let empty = Array2::<f64>::zeros((0, 2));
        assert!(resize_embeddings(empty.view(), 1, ResizeInit::Mean, &mut rng).is_err());
        assert_eq!(
            resize_embeddings(empty.view(), 1, ResizeInit::Zero, &mut rng)
                .unwrap()
                .dim(),
            (1, 2)
        );
        let e = array![[1.0, 0.0]];
        assert!(resize_embeddings(e.view(), 1, ResizeInit::Random { std: -1.0 }, &mut rng).is_err());
        assert!(
            resize_embeddings(
                e.view(),
                1,
                ResizeInit::MeanCovariance { scale: f64::NAN },
                &mut rng
            )
            .is_err()
        );
        let h = array![1.0, 0.0];
        assert!(matches!(
            next_token_kl(e.view(), empty.view(), h.view()),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(
            next_token_kl(e.view(), e.view(), array![1.0].view()),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(
            next_token_kl(empty.view(), e.view(), h.view()),
            Err(Error::Parameter { .. })
        ));
        assert_eq!(next_token_kl(e.view(), e.view(), h.view()).unwrap(), 0.0);
        assert!(kl_bound(1, 0).is_err());
    }
}

//! Tests of the GloVe maths, including training on the shipped corpus.

use super::*;
use crate::math::{DistanceWeighting, TRAINING_CORPUS, Vocabulary, cooccurrence_matrix, tokenize};
use approx::assert_abs_diff_eq;
use ndarray::array;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

/// Pearson correlation, kept local to the tests.
fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let vy: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
    cov / (vx * vy).sqrt()
}

fn small_model() -> Glove {
    let wave = |k: usize, s: f64| ((k as f64) * s).sin() * 0.4;
    Glove {
        word_vectors: Array2::from_shape_fn((4, 3), |(i, k)| wave(i * 3 + k, 1.3)),
        context_vectors: Array2::from_shape_fn((4, 3), |(i, k)| wave(i * 3 + k, 2.1)),
        word_biases: array![0.1, -0.2, 0.3, 0.0],
        context_biases: array![-0.1, 0.2, 0.0, 0.4],
        epoch_loss: vec![],
    }
}

fn small_counts() -> Array2<f64> {
    array![
        [0.0, 12.0, 3.0, 0.5],
        [12.0, 2.0, 0.0, 7.0],
        [3.0, 0.0, 0.0, 40.0],
        [0.5, 7.0, 40.0, 1.0]
    ]
}

#[test]
fn cost_gradient_matches_central_finite_differences() {
    let (m, x) = (small_model(), small_counts());
    let (x_max, alpha) = (10.0, 0.75); // both branches of f: some counts above x_max
    let g = m.gradient(x.view(), x_max, alpha).unwrap();
    let cost = |m: &Glove| m.cost(x.view(), x_max, alpha).unwrap();
    assert_abs_diff_eq!(g.cost, cost(&m), epsilon = 1e-12);
    let eps = 1e-6;
    let numeric = |perturb: &dyn Fn(&mut Glove, f64)| {
        let (mut plus, mut minus) = (m.clone(), m.clone());
        perturb(&mut plus, eps);
        perturb(&mut minus, -eps);
        (cost(&plus) - cost(&minus)) / (2.0 * eps)
    };
    for ((i, k), &analytic) in g.d_word_vectors.indexed_iter() {
        assert_abs_diff_eq!(
            analytic,
            numeric(&|m, h| m.word_vectors[[i, k]] += h),
            epsilon = 1e-7
        );
    }
    for ((i, k), &analytic) in g.d_context_vectors.indexed_iter() {
        assert_abs_diff_eq!(
            analytic,
            numeric(&|m, h| m.context_vectors[[i, k]] += h),
            epsilon = 1e-7
        );
    }
    for i in 0..4 {
        assert_abs_diff_eq!(
            g.d_word_biases[i],
            numeric(&|m, h| m.word_biases[i] += h),
            epsilon = 1e-7
        );
        assert_abs_diff_eq!(
            g.d_context_biases[i],
            numeric(&|m, h| m.context_biases[i] += h),
            epsilon = 1e-7
        );
    }
}

#[test]
fn first_adagrad_step_is_the_learning_rate_times_half_the_gradient() {
    // From accumulators of 1, the first step is plain SGD on ½ f e² (the reference's scaling).
    let m = small_model();
    let params = GloveParams {
        dim: 3,
        epochs: 1,
        x_max: 10.0,
        ..Default::default()
    };
    let table = |vectors: &Array2<f64>, biases: &Array1<f64>| -> Vec<f64> {
        (0..4)
            .flat_map(|i| vectors.row(i).to_vec().into_iter().chain([biases[i]]))
            .collect()
    };
    let mut words = table(&m.word_vectors, &m.word_biases);
    let mut contexts = table(&m.context_vectors, &m.context_biases);
    let mut only = Array2::zeros((4, 4));
    only[[1, 3]] = 7.0;
    let mut entries = [(1, 3, 7f64.ln(), glove_weight(7.0, 10.0, 0.75))];
    let loss = fit(
        &mut words,
        &mut contexts,
        &mut entries,
        &params,
        &mut ChaCha8Rng::seed_from_u64(0),
    );
    let after = into_model(words, contexts, 4, 3, loss);
    let g = m.gradient(only.view(), 10.0, 0.75).unwrap();
    let step = 0.5 * params.learning_rate;
    assert_abs_diff_eq!(after.epoch_loss[0], g.cost, epsilon = 1e-12);
    assert_abs_diff_eq!(
        after.word_vectors,
        &m.word_vectors - &(&g.d_word_vectors * step),
        epsilon = 1e-14
    );
    assert_abs_diff_eq!(
        after.context_vectors,
        &m.context_vectors - &(&g.d_context_vectors * step),
        epsilon = 1e-14
    );
    assert_abs_diff_eq!(
        after.word_biases,
        &m.word_biases - &(&g.d_word_biases * step),
        epsilon = 1e-14
    );
    assert_abs_diff_eq!(
        after.context_biases,
        &m.context_biases - &(&g.d_context_biases * step),
        epsilon = 1e-14
    );
}

const WINDOW: usize = 5;

/// Harmonic co-occurrences of the shipped corpus (words seen at least 5 times) and a GloVe fit.
fn trained() -> &'static (Array2<f64>, GloveParams, Glove) {
    static MODEL: OnceLock<(Array2<f64>, GloveParams, Glove)> = OnceLock::new();
    MODEL.get_or_init(|| {
        let tokens = tokenize(TRAINING_CORPUS);
        let vocab = Vocabulary::new(&tokens, 5);
        let x = cooccurrence_matrix(
            &vocab.encode(&tokens),
            vocab.len(),
            WINDOW,
            DistanceWeighting::Harmonic,
        )
        .unwrap();
        // The counts of a 20k-token corpus are small: x_max = 10 instead of the default 100.
        let params = GloveParams {
            dim: 32,
            epochs: 25,
            x_max: 10.0,
            ..Default::default()
        };
        // Measured: V = 317, 21 865 non-zero counts, epoch loss 0.396 → 0.052.
        let model = train_glove(x.view(), &params, &mut ChaCha8Rng::seed_from_u64(42)).unwrap();
        (x, params, model)
    })
}

#[test]
fn training_loss_falls_on_the_shipped_corpus() {
    let (x, params, model) = trained();
    let loss = &model.epoch_loss;
    assert!(loss[loss.len() - 1] < 0.5 * loss[0], "{loss:?}");
    let nnz = x.iter().filter(|v| **v > 0.0).count() as f64;
    let exact = model.cost(x.view(), params.x_max, params.alpha).unwrap() / nnz;
    assert!(
        exact < loss[0],
        "J/nnz {exact} after training, {} in the first epoch",
        loss[0]
    );
}

#[test]
fn model_reproduces_log_counts_of_frequent_pairs() {
    let (x, _, m) = trained();
    let (mut predicted, mut observed) = (Vec::new(), Vec::new());
    for ((i, j), &count) in x.indexed_iter().filter(|(_, c)| **c >= 5.0) {
        predicted.push(
            m.word_vectors.row(i).dot(&m.context_vectors.row(j)) + m.word_biases[i] + m.context_biases[j],
        );
        observed.push(count.ln());
    }
    // Measured: r = 0.984 over 3127 pairs.
    let r = correlation(&predicted, &observed);
    assert!(r > 0.95, "correlation {r} over {} pairs", predicted.len());
}

#[test]
fn same_seed_gives_the_same_model() {
    let x = small_counts();
    let params = GloveParams {
        dim: 3,
        epochs: 3,
        ..Default::default()
    };
    let run = |seed| train_glove(x.view(), &params, &mut ChaCha8Rng::seed_from_u64(seed)).unwrap();
    assert_eq!(run(5), run(5));
    assert_ne!(run(5).word_vectors, run(6).word_vectors);
}

#[test]
fn bad_parameters_and_counts_are_refused() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let p = GloveParams::default();
    assert!(matches!(
        train_glove(Array2::zeros((2, 3)).view(), &p, &mut rng),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        train_glove(Array2::zeros((2, 2)).view(), &p, &mut rng),
        Err(Error::Parameter { .. })
    ));
    assert!(matches!(
        train_glove(array![[-1.0]].view(), &p, &mut rng),
        Err(Error::Parameter { .. })
    ));
    for bad in [
        GloveParams { dim: 0, ..p.clone() },
        GloveParams {
            alpha: f64::NAN,
            ..p.clone()
        },
    ] {
        assert!(matches!(
            train_glove(array![[1.0]].view(), &bad, &mut rng),
            Err(Error::Parameter { .. })
        ));
    }
    assert!(matches!(
        small_model().cost(array![[1.0]].view(), 1.0, 1.0),
        Err(Error::Shape { .. })
    ));
}

//! # Word2vec and negative sampling
//!
//! Skip-gram with negative sampling (SGNS) learns two vectors per word, an
//! input vector $w$ and a context vector $c$. For every word and every context
//! word within the window it takes one gradient step on
//! $-\log \sigma(w \cdot c) - \sum_{i=1}^{k} \log \sigma(-w \cdot n_i)$: pull
//! the true context closer, push $k$ noise words $n_i$ away. Noise words are
//! drawn from the unigram distribution raised to the power $3/4$, very frequent
//! words are randomly dropped (subsampling), and the learning rate decays
//! linearly to zero.
//!
//! Levy and Goldberg (2014b) showed what SGNS converges to: at the optimum
//! $w \cdot c = \mathrm{PMI}(w, c) - \log k$ (context probabilities smoothed by
//! the same power $3/4$), a shifted pointwise mutual information matrix,
//! factorised implicitly. We train on the shipped corpus
//! with sizes small enough for the report (d = 16, window 2, k = 3, three
//! epochs; learning rate 0.1 instead of 0.025 to make up for the tiny corpus)
//! and check that the loss falls, that words which co-occur far more often than
//! chance (PMI above 1) end with more similar vectors than random pairs, and
//! that $w \cdot c$ tracks $\mathrm{PMI} - \log k$ on frequent pairs. The fit
//! is not exact: three epochs do not reach the optimum, and subsampling changes
//! the counts SGNS sees. The same prediction-as-factorisation view explains
//! why language-model output embeddings learn co-occurrence statistics.

use ndarray::Array1;

use crate::chart::{Chart, Figure, Point, PointGroup, Series};
use crate::demos::Ctx;
use crate::format::{fixed, list};
use crate::math::{
    DistanceWeighting, TRAINING_CORPUS, Vocabulary, Word2VecParams, cooccurrence_matrix, cosine_matrix,
    mean_std, pearson, pmi, random_pair_cosines, tokenize, train_word2vec,
};

/// SGNS on the shipped corpus: loss, neighbours and the shifted-PMI identity.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let tokens = tokenize(TRAINING_CORPUS);
    let vocab = Vocabulary::new(&tokens, 1);
    let ids = vocab.encode(&tokens);
    let params = Word2VecParams {
        dim: 16,
        window: 2,
        negatives: 3,
        epochs: 3,
        learning_rate: 0.1,
        ..Default::default()
    };
    let model = train_word2vec(&ids, vocab.len(), &params, ctx.rng())?;
    let loss = &model.epoch_loss;
    ctx.say(format!("Mean pair loss per epoch: {}", list(loss, 4)));
    ctx.check_below(
        "the loss falls (last / first epoch < 0.9)",
        loss[loss.len() - 1] / loss[0],
        0.9,
    );

    // Pairs seen together at least 5 times and more than e times as often as chance.
    let counts = cooccurrence_matrix(&ids, vocab.len(), params.window, DistanceWeighting::Uniform)?;
    let plain_pmi = pmi(counts.view(), 1.0)?;
    let cosines = cosine_matrix(model.input_vectors.view(), model.input_vectors.view())?;
    let related: Array1<f64> = cosines
        .indexed_iter()
        .filter(|&((a, b), _)| a < b && counts[[a, b]] >= 5.0 && plain_pmi[[a, b]] > 1.0)
        .map(|(_, &cos)| cos)
        .collect();
    let (near, _) = mean_std(related.view());
    let (random, _) = mean_std(random_pair_cosines(model.input_vectors.view(), 2000, ctx.rng())?.view());
    ctx.say(format!(
        "Mean cosine: {} co-occurring pairs {}, random pairs {}",
        related.len(),
        fixed(near, 3),
        fixed(random, 3)
    ));
    ctx.check_above(
        "co-occurring words end closer than random pairs (by > 0.15)",
        near - random,
        0.15,
    );

    // Levy & Goldberg: w·c ≈ PMI(w, c) − log k, contexts smoothed by the noise exponent 3/4.
    let shifted = pmi(counts.view(), params.noise_exponent)? - (params.negatives as f64).ln();
    let frequent: Vec<(usize, usize)> = counts
        .indexed_iter()
        .filter(|(_, x)| **x >= 10.0)
        .map(|(ab, _)| ab)
        .collect();
    let dot = |&(a, b): &(usize, usize)| model.input_vectors.row(a).dot(&model.context_vectors.row(b));
    let dots: Array1<f64> = frequent.iter().map(dot).collect();
    let targets: Array1<f64> = frequent.iter().map(|&ab| shifted[ab]).collect();
    let r = pearson(targets.view(), dots.view())?;
    ctx.say(format!(
        "Pearson r(PMI - log k, w·c) over {} pairs seen at least 10 times: {}",
        frequent.len(),
        fixed(r, 3)
    ));
    ctx.check_above("w·c tracks PMI - log k (r > 0.5)", r, 0.5);

    ctx.figure(
        Figure::new(
            "loss",
            "SGNS loss per epoch on the shipped corpus",
            "epoch",
            "mean pair loss",
        )
        .caption("The mean negative-sampling loss falls with every epoch.")
        .chart(Chart::Lines {
            series: vec![Series::new(
                "mean pair loss",
                (1..).map(f64::from).zip(loss.iter().copied()),
            )],
            markers: true,
        }),
    );
    let points = targets
        .iter()
        .zip(&dots)
        .map(|(&x, &y)| Point::new(x, y, ""))
        .collect();
    let (lo, hi) = targets
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    ctx.figure(
        Figure::new(
            "dot-vs-pmi",
            "Trained w·c against shifted PMI",
            "PMI(w, c) - log k",
            "w·c",
        )
        .caption("Frequent pairs scatter around the diagonal w·c = PMI - log k, a little flatter than it.")
        .chart(Chart::Scatter {
            groups: vec![PointGroup::new("pair seen at least 10 times", points)],
            lines: vec![Series::new("w·c = PMI - log k", [(lo, lo), (hi, hi)])],
            arrows: vec![],
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

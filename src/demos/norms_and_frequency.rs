//! # Norms and frequency effects
//!
//! How long a word vector is depends on how often the word occurs. In
//! skip-gram with negative sampling (SGNS) every occurrence of a word gives its
//! input vector $w$ a step $\eta\,(1 - \sigma(w \cdot c))\,c$ toward the vector
//! $c$ of a context word it was seen with. Frequent words get many steps, and
//! while their contexts agree the steps add up: for SGNS input vectors
//! $\lVert w \rVert$ grows with $\log f$. Rare words get few steps and stay close
//! to their tiny random start.
//!
//! The most frequent function words (*the*, *is*, *a*) break the trend and end
//! *shorter* than mid-frequency content words. They occur beside every topic, so
//! their steps point toward many different contexts and partly cancel: the
//! vector is pulled toward the mean of many contexts, which is short.
//! Subsampling, which discards most of their occurrences, adds to the effect.
//!
//! We train one SGNS epoch on the shipped corpus (d = 16, window 3, k = 3,
//! subsampling $10^{-3}$, learning rate 0.1 to make up for the tiny corpus; small
//! for speed) and fit a least-squares line of norm against log count. The checks
//! assert a positive correlation, that the five most frequent words lie below
//! the line, and that they are shorter than the words ranked 6 to 40. For
//! language models this means raw dot products carry frequency, while cosine
//! similarity divides the norms out.

use ndarray::{Array1, s};

use crate::chart::{Chart, Figure, Point, PointGroup, Series};
use crate::demos::Ctx;
use crate::format::fixed;
use crate::math::{
    TRAINING_CORPUS, Vocabulary, Word2VecParams, linear_fit, mean_std, pearson, row_norms, tokenize,
    train_word2vec,
};

/// Word2vec input-vector norms against log frequency on the shipped corpus.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let tokens = tokenize(TRAINING_CORPUS);
    let vocab = Vocabulary::new(&tokens, 1);
    let params = Word2VecParams {
        dim: 16,
        window: 3,
        negatives: 3,
        epochs: 1,
        learning_rate: 0.1,
        ..Default::default()
    };
    let model = train_word2vec(&vocab.encode(&tokens), vocab.len(), &params, ctx.rng())?;
    let norms = row_norms(model.input_vectors.view());
    let log_counts: Array1<f64> = vocab.counts().iter().map(|&c| (c as f64).ln()).collect();

    let r = pearson(log_counts.view(), norms.view())?;
    ctx.say(format!("{} words, {} tokens", vocab.len(), vocab.total()));
    ctx.say(format!("Pearson r(log count, norm) = {}", fixed(r, 3)));
    ctx.check_above("norm grows with log frequency (r > 0.6)", r, 0.6);

    // Distance of each word from the least-squares line norm = slope · log count + intercept.
    let (slope, intercept) = linear_fit(log_counts.view(), norms.view())?;
    let trend = |x: f64| slope * x + intercept;
    let residuals = &norms - &log_counts.mapv(trend);
    for (i, word) in vocab.words()[..5].iter().enumerate() {
        let count = vocab.counts()[i];
        ctx.say(format!(
            "{word:>4}: count {count:>4}, norm {}, {} from the trend",
            fixed(norms[i], 3),
            fixed(residuals[i], 3)
        ));
    }
    let highest = residuals.slice(s![..5]).fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    ctx.check_below("the five most frequent words lie below the trend", highest, 0.0);
    let ((top, _), (next, _)) = (mean_std(norms.slice(s![..5])), mean_std(norms.slice(s![5..40])));
    ctx.say(format!(
        "Mean norm of the 5 most frequent words: {}; of ranks 6-40: {}",
        fixed(top, 3),
        fixed(next, 3)
    ));
    ctx.check_below("the most frequent words are shorter than the next 35", top, next);

    let point = |i: usize, label: &str| Point::new(log_counts[i], norms[i], label);
    let frequent = (0..5).map(|i| point(i, &vocab.words()[i])).collect();
    let rest = (5..vocab.len()).map(|i| point(i, "")).collect();
    let (lo, hi) = (log_counts[vocab.len() - 1], log_counts[0]);
    let line = Series::new("least-squares trend", [(lo, trend(lo)), (hi, trend(hi))]);
    ctx.figure(
        Figure::new("norm-vs-frequency", "SGNS input-vector norm against word frequency", "log count", "norm of input vector")
            .caption("Norms rise with log frequency up to mid-frequency words; the five most frequent words fall well below the trend line.")
            .chart(Chart::Scatter {
                groups: vec![PointGroup::new("other words", rest), PointGroup::new("five most frequent", frequent)],
                lines: vec![line],
                arrows: vec![],
            }),
    );
    // ANCHOR_END: demo
    Ok(())
}

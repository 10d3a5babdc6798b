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
//!
//! ## On real embeddings
//!
//! Schakel & Wilson (2015) plotted word2vec norms against frequency and found
//! both regimes: lengths grow with frequency while a word is used
//! consistently, then shrink for the most frequent words, down to stop words
//! and punctuation. Arora et al. (2016) derive
//! $\log p(w) \approx \lVert v_w \rVert^2 / (2d) - \log Z$ for PMI-style
//! embeddings such as GloVe (the squared norm grows linearly with log
//! frequency), and Oyama, Yokoi & Shimodaira (2023) show that the squared norm measures how much a word's contexts
//! differ from the average context, which is least for function words. Rows
//! of both shipped tables are in frequency order, so the row is a frequency
//! rank. Over the 5 000 most frequent rows we measure Spearman's $\rho$
//! between rank and norm (does the norm follow frequency at all? $|\rho| > 0.2$,
//! weak but clear), and the mean norm of the 20 most frequent words over that
//! of ranks 101–1 000 (the dip; below 1).
//!
//! GloVe follows both, weakly: $\rho \approx -0.22$ (more frequent, longer,
//! over most of the range) and its top 20 are 4 % shorter than ranks
//! 101–1 000. Frequency explains little of GloVe's spread of norms, though:
//! its shortest words are *besides*, *exception*, *unfortunately* (usable in
//! any context, as Oyama et al. predict), its longest *worldsources* (newswire
//! boilerplate), *billion*, *yen*. The MiniLM token table has the stronger
//! dip, 25 % (0.95 against 1.26): its norms climb steadily over the first
//! 500 ranks and then stay flat. Yet its $\rho$ is only $+0.13$, so the first
//! claim **does not hold** there. A rank correlation measures one monotone
//! trend, and the shipped MiniLM rows are the 3 000 most frequent WordPiece
//! tokens, all common in pre-training: 2 500 of them sit on the flat part
//! (the 61 rarer extra words at the end are shorter again, 1.18), which
//! drowns the climb. The sign differs too (rarer is longer in MiniLM, shorter
//! in GloVe): which side of Schakel & Wilson's peak a table's rows cover
//! decides it, so one correlation says little about how norm and frequency
//! are tied. The figure shows the whole curve.

use ndarray::{Array1, s};

use crate::chart::{Chart, Figure, Point, PointGroup, Series};
use crate::demos::Ctx;
use crate::format::fixed;
use crate::math::{
    TRAINING_CORPUS, Vocabulary, Word2VecParams, linear_fit, mean_std, pearson, row_norms, spearman,
    tokenize, train_word2vec,
};
use crate::real::{Claim, GLOVE, MINILM};

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
    real(ctx)
}

/// Norm against frequency rank on the real tables.
fn real(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: real
    const CARRIES: Claim = Claim::above(
        "the norm carries frequency: |Spearman ρ(frequency rank, norm)| over the most frequent rows (up to \
         5 000) above 0.2",
        "Schakel & Wilson 2015; Arora et al. 2016",
        0.2,
    )
    .expecting(&[(GLOVE, true), (MINILM, false)]);
    const DIP: Claim = Claim::below(
        "the most frequent words are shorter than mid-frequency ones: mean norm of ranks 1-20 / of ranks \
         101-1000 below 1",
        "Schakel & Wilson 2015; Oyama, Yokoi & Shimodaira 2023",
        1.0,
    )
    .expecting(&[(GLOVE, true), (MINILM, true)]);

    let (mut clouds, mut bands) = (Vec::new(), Vec::new());
    for table in ctx.real_tables() {
        // Rows are in frequency order: row r has frequency rank r + 1.
        let norms = row_norms(table.head(5_000));
        let n = norms.len();
        let rank = Array1::from_iter((1..=n).map(|r| r as f64));
        let rho = if n < 20 {
            Err(crate::Error::parameter("rows", "at least 20 rows are needed"))
        } else {
            spearman(rank.view(), norms.view())
        };
        // Mean norm of the rows from..to (as many as there are).
        let mean = |from: usize, to: usize| mean_std(norms.slice(s![from.min(n)..to.min(n)])).0;
        let dip = if n < 200 {
            Err(crate::Error::parameter("rows", "at least 200 rows are needed"))
        } else {
            Ok(mean(0, 20) / mean(100, 1_000))
        };
        ctx.say(format!(
            "{}: Spearman ρ(rank, norm) over {n} rows {}; mean norm of ranks 1-20 {}, of ranks 101-1000 {}",
            table.name(),
            rho.as_ref().map_or("-".into(), |r| fixed(*r, 3)),
            fixed(mean(0, 20), 3),
            if n > 100 {
                fixed(mean(100, 1_000), 3)
            } else {
                "-".into()
            },
        ));
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| norms[a].total_cmp(&norms[b]));
        let word = |r: &usize| table.tokens()[*r].as_str();
        let (shortest, longest): (Vec<_>, Vec<_>) = (
            order.iter().take(4).map(word).collect(),
            order.iter().rev().take(4).map(word).collect(),
        );
        ctx.say(format!(
            "{}: shortest {}; longest {}",
            table.name(),
            shortest.join(", "),
            longest.join(", ")
        ));
        ctx.claim(&table, &CARRIES, rho.map(f64::abs));
        ctx.claim(&table, &DIP, dip);

        // Each norm over the mean norm against log10 rank, and the mean in each band of ranks
        // 1, 2-3, 4-7, 8-15, ... (powers of two, as Schakel & Wilson binned).
        let all = mean(0, n);
        // Every word of the first 100 ranks, every 5th after that (fewer dots to draw, same shape).
        let points = (0..n)
            .filter(|r| r < &100 || r % 5 == 0)
            .map(|r| Point::new((r as f64 + 1.0).log10(), norms[r] / all, ""))
            .collect();
        clouds.push(PointGroup::new(&format!("{}: one word", table.name()), points));
        let band_means = (0..usize::BITS - n.leading_zeros()).map(|k| {
            let (from, to) = ((1 << k) - 1, ((2 << k) - 1).min(n));
            (
                ((from + 1) as f64 * to as f64).sqrt().log10(),
                mean(from, to) / all,
            )
        });
        bands.push(Series::new(
            &format!("{}: mean per band of ranks", table.name()),
            band_means,
        ));
    }
    ctx.figure(
        Figure::new(
            "real-norm-vs-rank",
            "Norm against frequency rank in trained tables",
            "log10 frequency rank",
            "norm / table's mean norm",
        )
        .caption(
            "Both tables rise from short function words at the top ranks to longer mid-frequency words; \
             GloVe then falls again with rarity, MiniLM's tokens stay long.",
        )
        .chart(Chart::Scatter {
            groups: clouds,
            lines: bands,
            arrows: vec![],
        }),
    );
    // ANCHOR_END: real
    Ok(())
}

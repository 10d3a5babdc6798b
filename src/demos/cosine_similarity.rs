//! # Cosine similarity
//!
//! Cosine similarity compares two vectors by the angle between them and
//! ignores their lengths:
//! $\cos(u, v) = \frac{u \cdot v}{\lVert u \rVert \, \lVert v \rVert}$.
//! Scaling $u$ by $a > 0$ and $v$ by $b > 0$ multiplies the numerator and
//! the denominator by the same $ab$, so the value does not move; a negative
//! factor turns the vector around and flips the sign. By the Cauchy–Schwarz
//! inequality $|u \cdot v| \le \lVert u \rVert \lVert v \rVert$, so the value
//! always lies in $[-1, 1]$: 1 for the same direction, 0 for orthogonal
//! vectors, −1 for opposite ones.
//!
//! The checks scale a random pair by several factors, measure 2000 random
//! pairs in three dimensions (where cosines spread evenly over the whole
//! range, so the bounds are really approached), and compare the cosine
//! matrix — all pairs at once, as one product of row-normalised matrices —
//! with the pair-by-pair formula. The heatmap shows a nine-word toy
//! vocabulary drawn around three topic centres: bright blocks on the
//! diagonal for animals, fruit and vehicles. Length invariance is why
//! cosine is the default for word similarity: a frequent word's vector is
//! often longer, but frequency should not make it "more similar".
//!
//! ## On real embeddings
//!
//! Word2vec (Mikolov et al. 2013) and GloVe (Pennington, Socher & Manning
//! 2014) are built on the distributional hypothesis: words used in similar
//! contexts get vectors pointing the same way, so cosine should tell related
//! words from unrelated ones. We take 44 pairs of related words (family and
//! gender pairs, capitals and their countries, comparatives, verb forms,
//! pairs such as *car*–*truck* and *gold*–*silver*), all present in both
//! tables, and compare their cosines with 10 000 random pairs of frequent
//! words (100 random rows against 100 others). The two tables use very
//! different parts of the cosine scale: GloVe's random pairs average 0.20
//! (its cone, see the isotropy demo), MiniLM's 0.02. So the gap is counted in
//! standard deviations of the random pairs, and the claim holds when the
//! average related pair lies more than 2 sd above the random mean, where
//! fewer than 3 % of random pairs would reach if they were normally
//! distributed.
//!
//! Both tables pass by far. GloVe: related pairs 0.83, random 0.20 (sd
//! 0.17), a gap of 3.6 sd. MiniLM: 0.53 against 0.02 (sd 0.07), 7.2 sd. The
//! token table's cosines are all lower, but its random pairs are packed so
//! tightly around zero that related pairs stand out further. The least
//! similar pair is *apple*–*banana* in both; in GloVe, trained on Wikipedia
//! and news, *apple*'s nearest words include *microsoft*, *intel* and *ibm*.

use ndarray::{Array1, Array2, Axis, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;
use rand::seq::index::sample;

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::{fixed, short};
use crate::math::{cosine, cosine_matrix, mean_std};
use crate::real::{Claim, GLOVE, MINILM, RELATED_PAIRS};

/// Mean off-diagonal entry of `c` inside the 3×3 topic blocks, and outside them.
fn topic_means(c: &Array2<f64>) -> (f64, f64) {
    let (mut within, mut between) = (Vec::new(), Vec::new());
    for ((i, j), &v) in c.indexed_iter().filter(|((i, j), _)| i != j) {
        if i / 3 == j / 3 {
            within.push(v)
        } else {
            between.push(v)
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    (mean(&within), mean(&between))
}

/// Scale invariance, the range [−1, 1], and the cosine matrix of a small vocabulary.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let u = Array1::<f64>::random_using(16, StandardNormal, ctx.rng());
    let v = Array1::<f64>::random_using(16, StandardNormal, ctx.rng());
    let base = cosine(u.view(), v.view())?;
    ctx.say(format!("cos(u, v) = {}", fixed(base, 6)));
    for (a, b) in [(3.0, 0.5), (0.01, 250.0)] {
        let scaled = cosine((&u * a).view(), (&v * b).view())?;
        let name = format!("cos({} u, {} v) = cos(u, v)", short(a, 2), short(b, 2));
        ctx.check_close(&name, scaled, base, 1e-12);
    }
    let flipped = cosine((&u * -2.0).view(), (&v * 4.0).view())?;
    ctx.check_close("cos(-2 u, 4 v) = -cos(u, v)", flipped, -base, 1e-12);

    // 2000 random pairs in 3-D, one pair (u, v) per row of six numbers.
    let pairs = Array2::<f64>::random_using((2000, 6), StandardNormal, ctx.rng());
    let mut cosines = Vec::new();
    for r in pairs.rows() {
        cosines.push(cosine(r.slice(s![..3]), r.slice(s![3..]))?);
    }
    let (lo, hi) = cosines
        .iter()
        .fold((1.0f64, -1.0f64), |(lo, hi), &c| (lo.min(c), hi.max(c)));
    ctx.say(format!(
        "2000 random pairs: smallest cosine {}, largest {}",
        fixed(lo, 4),
        fixed(hi, 4)
    ));
    let outside = cosines.iter().filter(|c| c.abs() > 1.0).count();
    ctx.check_eq("no cosine of 2000 random pairs leaves [-1, 1]", outside, 0);
    ctx.check_above("random 3-D pairs come close to -1 and 1", hi.min(-lo), 0.99);

    // Nine words around three topic centres (animals, fruit, vehicles).
    let words = [
        "cat", "dog", "horse", "apple", "pear", "plum", "car", "bus", "train",
    ];
    let centres = Array2::<f64>::random_using((3, 64), StandardNormal, ctx.rng());
    let noise = Array2::<f64>::random_using((9, 64), StandardNormal, ctx.rng()) * 0.6;
    let vocab = centres.select(Axis(0), &[0, 0, 0, 1, 1, 1, 2, 2, 2]) + noise;
    let c = cosine_matrix(vocab.view(), vocab.view())?;
    let mut worst = 0.0f64;
    for ((i, j), &cij) in c.indexed_iter() {
        worst = worst.max((cij - cosine(vocab.row(i), vocab.row(j))?).abs());
    }
    ctx.check_close("cosine matrix equals the pairwise cosines", worst, 0.0, 1e-12);
    let (within, between) = topic_means(&c);
    ctx.say(format!(
        "Mean cosine within a topic {}, between topics {}",
        fixed(within, 4),
        fixed(between, 4)
    ));
    ctx.check_above(
        "same-topic words are more similar than others",
        within - between,
        0.4,
    );

    let labels: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    let values = c.rows().into_iter().map(|r| r.to_vec()).collect();
    let (column_labels, value_label) = (labels.clone(), "cosine".to_string());
    ctx.figure(
        Figure::new(
            "vocabulary-cosines",
            "Cosine matrix of a three-topic vocabulary",
            "word",
            "word",
        )
        .caption("Three bright blocks on the diagonal: same-topic words have high cosine, others near 0.")
        .chart(Chart::Heatmap {
            values,
            column_labels,
            row_labels: labels,
            value_label,
        }),
    );
    // ANCHOR_END: demo
    real(ctx)
}

/// Related word pairs against random pairs on the real tables.
fn real(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: real
    const RELATED: Claim = Claim::above(
        "related words are more similar than random pairs: (mean cosine of 44 related pairs − mean of random \
         pairs) / sd of random pairs above 2",
        "Mikolov et al. 2013; Pennington, Socher & Manning 2014",
        2.0,
    )
    .expecting(&[(GLOVE, true), (MINILM, true)]);
    let pairs = RELATED_PAIRS;
    let mut bars = Vec::new();
    for table in ctx.real_tables() {
        let present: Vec<_> = pairs
            .iter()
            .filter_map(|&(a, b)| Some((a, b, table.id_of(a)?, table.id_of(b)?)))
            .collect();
        let related: Vec<f64> = present
            .iter()
            .map(|&(_, _, a, b)| cosine(table.vector(a), table.vector(b)))
            .collect::<crate::Result<_>>()?;
        // 10 000 random pairs: 200 distinct rows drawn among the 10 000 most frequent, 100 against the other 100.
        let drawn = sample(&mut table.rng(), table.len().min(10_000), table.len().min(200)).into_vec();
        let (first, second) = drawn.split_at(drawn.len() / 2);
        let random = cosine_matrix(table.select(first).view(), table.select(second).view())?.into_flat();

        let (mean, (random_mean, random_sd)) =
            (mean_std(related.as_slice().into()).0, mean_std(random.view()));
        let gap = if random.len() < 2 {
            Err(crate::Error::parameter("rows", "at least 3 rows are needed"))
        } else if related.len() < 5 {
            let found = format!(
                "{} of the {} related pairs have both words; 5 are needed",
                related.len(),
                pairs.len()
            );
            Err(crate::Error::parameter("pairs", found))
        } else {
            Ok((mean - random_mean) / random_sd)
        };
        ctx.say(format!(
            "{}: {} related pairs, mean cosine {}; {} random pairs, mean {} (sd {})",
            table.name(),
            related.len(),
            if related.is_empty() {
                "-".into()
            } else {
                fixed(mean, 3)
            },
            random.len(),
            fixed(random_mean, 3),
            fixed(random_sd, 3)
        ));
        let lowest = (0..related.len()).min_by(|&i, &j| related[i].total_cmp(&related[j]));
        if let Some(i) = lowest {
            let (a, b, ..) = present[i];
            ctx.say(format!(
                "{}: least similar related pair {a}-{b}, {}",
                table.name(),
                fixed(related[i], 3)
            ));
        }
        // A table the claim could not be tested on draws no bars.
        if let (Ok(_), Some(lowest)) = (&gap, lowest) {
            bars.push((
                table.name().to_string(),
                vec![random_mean, random_mean + 2.0 * random_sd, mean, related[lowest]],
            ));
        }
        ctx.claim(&table, &RELATED, gap);
    }
    if bars.is_empty() {
        return Ok(());
    }
    let categories = [
        "random pairs: mean",
        "random: mean + 2 sd",
        "related pairs: mean",
        "related: lowest",
    ];
    ctx.figure(
        Figure::new(
            "real-related-vs-random",
            "Cosine of related and of random word pairs in trained tables",
            "pairs",
            "cosine",
        )
        .caption(
            "In both tables related pairs average far above the random pairs' mean + 2 sd, and even the least \
             similar related pair stays above it; GloVe's cosines are all higher.",
        )
        .chart(Chart::Bars { categories: categories.map(String::from).to_vec(), series: bars }),
    );
    // ANCHOR_END: real
    Ok(())
}

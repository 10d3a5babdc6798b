//! # Nearest neighbors
//!
//! "Which words are most similar to *cat*?" is answered by scoring the query
//! against every row of the embedding matrix and keeping the $k$ best. With
//! the rows scaled to unit length, $\hat E$, all $V$ cosines come from one
//! matrix–vector product, $s = \hat E \, \hat q$ with
//! $\hat q = q / \lVert q \rVert$, followed by a partial sort. This is what
//! `top_k_cosine` does, and the same product with many queries at once is
//! the core of every embedding-retrieval system.
//!
//! Two details decide whether the answer is usable. The query word is its
//! own nearest neighbour (cosine 1), so it must be excluded. And equal
//! scores must be ordered by a fixed rule — here the lower row index first
//! — or the same search can return different lists from run to run.
//!
//! The vocabulary has 300 random 32-dimensional vectors, with three
//! identical copies of one vector planted near row 5 at rows 210, 60 and
//! 140. The checks compare the product-based top 8 with a brute-force loop
//! over `cosine` for 30 queries, confirm the query is absent from its own
//! list (and on top when not excluded), and find the three tied copies in
//! index order. The bar chart shows the top 8 for row 5.
//!
//! ## On real embeddings
//!
//! In trained tables the nearest neighbours are meant to be meaningful:
//! Mikolov et al. (2013) showed word2vec's cosine neighbours to be words of
//! related meaning, and every word-similarity benchmark builds on that. We
//! take 44 pairs $(a, b)$ of related words (the list of the cosine-similarity
//! demo: *king*–*queen*, *paris*–*france*, *swim*–*swam*, ...), search the
//! 1 000 most frequent rows plus the 88 pair words themselves (some, such as
//! *kitten*, are rare) with one product of all 44 queries, and record where
//! $b$ ranks among the neighbours of $a$. The claim holds when $b$ is among
//! the 10 nearest for more than half the pairs.
//!
//! Both tables pass: GloVe for 40 of 44 pairs, the MiniLM token table for
//! all 44, most often as the very first neighbour (*dog* → *cat* in GloVe,
//! *king* → *queen* in MiniLM). GloVe's four misses show what its news and
//! Wikipedia text does to a word's dominant sense: *apple* is mostly the
//! company (its neighbours include *microsoft* and *intel*; *banana* comes
//! 11th), *house* mostly the legislature (*office*, *capitol*, *senate*;
//! *home* 38th), *one* mostly the pronoun (*another*, *only*, *same*; *two*
//! 21st), and *brother* sits among male relatives (*son*, *cousin*,
//! *father*; *sister* 19th). MiniLM's cosines are lower (first neighbours
//! around 0.5, GloVe's around 0.8), but neighbours only need an order.

use ndarray::{Array1, Array2, ArrayView2, Axis, concatenate};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::fixed;
use crate::math::{Neighbour, ZERO_NORM, cosine, dot_matrix, row_norms, top_k_cosine};
use crate::real::{Claim, GLOVE, MINILM, RELATED_PAIRS};

/// Top-k by one normalised product against a brute-force loop, exclusion and ties.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let (n, k, query) = (300, 8, 5);
    let mut vocab = Array2::<f64>::random_using((n, 32), StandardNormal, ctx.rng());
    let near = &vocab.row(query) + &(Array1::<f64>::random_using(32, StandardNormal, ctx.rng()) * 0.4);
    for copy in [210, 60, 140] {
        vocab.row_mut(copy).assign(&near);
    }

    // Brute force: one cosine per row, sorted descending; the stable sort keeps lower indices first on ties.
    let brute = |q: usize| -> crate::Result<Vec<Neighbour>> {
        let mut all = Vec::new();
        for index in (0..n).filter(|&i| i != q) {
            all.push(Neighbour {
                index,
                similarity: cosine(vocab.row(q), vocab.row(index))?,
            });
        }
        all.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        Ok(all[..k].to_vec())
    };
    let (mut wrong_index, mut worst) = (0, 0.0f64);
    for q in (0..n).step_by(10) {
        let (fast, slow) = (top_k_cosine(vocab.view(), vocab.row(q), k, &[q])?, brute(q)?);
        for (f, s) in fast.iter().zip(&slow) {
            wrong_index += usize::from(f.index != s.index);
            worst = worst.max((f.similarity - s.similarity).abs());
        }
    }
    ctx.check_eq(
        "top-k by matrix product matches brute force (30 queries)",
        wrong_index,
        0,
    );
    ctx.check_close("and so do the similarities", worst, 0.0, 1e-12);

    let hits = top_k_cosine(vocab.view(), vocab.row(query), k, &[query])?;
    let listed: Vec<_> = hits
        .iter()
        .map(|h| format!("{} ({})", h.index, fixed(h.similarity, 4)))
        .collect();
    ctx.say(format!("Top {k} for row {query}: {}", listed.join(", ")));
    let first = top_k_cosine(vocab.view(), vocab.row(query), 1, &[])?[0];
    ctx.say(format!(
        "Without exclusion: row {} (cosine {})",
        first.index,
        fixed(first.similarity, 4)
    ));
    ctx.check_eq(
        "without exclusion the query is its own nearest neighbour",
        first.index,
        query,
    );
    ctx.check_eq(
        "with exclusion the query is absent",
        hits.iter().any(|h| h.index == query),
        false,
    );
    let tied: Vec<usize> = hits[..3].iter().map(|h| h.index).collect();
    ctx.check_eq(
        "tied copies come lowest index first",
        format!("{tied:?}"),
        "[60, 140, 210]",
    );

    let categories = hits.iter().map(|h| format!("row {}", h.index)).collect();
    let values = hits.iter().map(|h| h.similarity).collect();
    ctx.figure(
        Figure::new(
            "top-k",
            "The 8 nearest neighbours of row 5",
            "neighbour",
            "cosine similarity to row 5",
        )
        .caption("Three planted copies tie at the top in index order, far above the random rows.")
        .chart(Chart::Bars {
            categories,
            series: vec![("cosine to the query".into(), values)],
        }),
    );
    // ANCHOR_END: demo
    real(ctx)
}

/// Related words among each other's nearest neighbours in the real tables.
fn real(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: real
    const NEIGHBOURS: Claim = Claim::above(
        "a word's related partner is among its 10 nearest neighbours by cosine (share of 44 related pairs \
         above 0.5)",
        "Mikolov et al. 2013",
        0.5,
    )
    .expecting(&[(GLOVE, true), (MINILM, true)]);
    // Bands of b's rank among a's neighbours, for the figure: 1, 2, 3-5, 6-10, 11-100, lower.
    const BOUNDS: [usize; 7] = [0, 1, 2, 5, 10, 100, usize::MAX];
    const BANDS: [&str; 6] = ["1st", "2nd", "3rd-5th", "6th-10th", "11th-100th", "lower"];

    let pairs = RELATED_PAIRS;
    let mut bars = Vec::new();
    for table in ctx.real_tables() {
        let present: Vec<(&str, &str, usize, usize)> = pairs
            .iter()
            .filter_map(|&(a, b)| Some((a, b, table.id_of(a)?, table.id_of(b)?)))
            .collect();
        // Searched: the 1 000 most frequent rows, and the pair words beyond them (some are rare).
        let n = table.len().min(1_000);
        let mut beyond: Vec<usize> = present
            .iter()
            .flat_map(|&(.., a, b)| [a, b])
            .filter(|&row| row >= n)
            .collect();
        beyond.sort_unstable();
        beyond.dedup();
        let rows: Vec<usize> = (0..n).chain(beyond.iter().copied()).collect();
        let at = |row: usize| rows.binary_search(&row).expect("every pair word is searched");
        let queries = table.select(&present.iter().map(|&(_, _, a, _)| a).collect::<Vec<_>>());
        let beyond = table.select(&beyond);
        // The cosine of every query word a with every searched row: one product of dot products
        // (the frequent rows used in place, not copied), divided by the norms.
        let norms = |x: ArrayView2<f64>| row_norms(x).mapv(|v| v.max(ZERO_NORM));
        let mut cos = concatenate![
            Axis(1),
            dot_matrix(queries.view(), table.head(n))?,
            dot_matrix(queries.view(), beyond.view())?
        ];
        cos /= &norms(queries.view()).insert_axis(Axis(1));
        cos /= &concatenate![Axis(0), norms(table.head(n)), norms(beyond.view())];

        // b's rank among a's neighbours: 1 + the searched words (a and b left out) closer to a than b.
        let rank = |i: usize, a: usize, b: usize| {
            1 + (0..rows.len())
                .filter(|&j| j != a && j != b && cos[[i, j]] > cos[[i, b]])
                .count()
        };
        let ranks: Vec<usize> = present
            .iter()
            .enumerate()
            .map(|(i, &(.., a, b))| rank(i, at(a), at(b)))
            .collect();
        for word in ["king", "paris", "dog"] {
            let Some(i) = present.iter().position(|&(a, ..)| a == word) else {
                continue;
            };
            let mut order: Vec<usize> = (0..rows.len()).filter(|&j| j != at(present[i].2)).collect();
            order.sort_by(|&x, &y| cos[[i, y]].total_cmp(&cos[[i, x]]).then(x.cmp(&y)));
            let top: Vec<String> = order
                .iter()
                .take(5)
                .map(|&j| format!("{} {}", table.tokens()[rows[j]], fixed(cos[[i, j]], 2)))
                .collect();
            ctx.say(format!("{}: {word} → {}", table.name(), top.join(", ")));
        }
        let within = ranks.iter().filter(|&&r| r <= 10).count();
        let missed: Vec<String> = present
            .iter()
            .zip(&ranks)
            .filter(|&(_, &r)| r > 10)
            .map(|(&(a, b, ..), r)| format!("{a}-{b} (rank {r})"))
            .collect();
        ctx.say(format!(
            "{}: {within} of {} partners among the 10 nearest of {} searched rows{}",
            table.name(),
            present.len(),
            rows.len(),
            if missed.is_empty() {
                String::new()
            } else {
                format!("; not: {}", missed.join(", "))
            }
        ));
        let share = if present.is_empty() {
            Err(crate::Error::parameter(
                "pairs",
                "no related pair has both words in the table",
            ))
        } else if rows.len() < 20 {
            Err(crate::Error::parameter("rows", "at least 20 rows are needed"))
        } else {
            Ok(within as f64 / present.len() as f64)
        };
        // A table the claim could not be tested on draws no bars.
        if share.is_ok() {
            let in_band = |w: &[usize]| ranks.iter().filter(|&&r| r > w[0] && r <= w[1]).count() as f64;
            bars.push((table.name().to_string(), BOUNDS.windows(2).map(in_band).collect()));
        }
        ctx.claim(&table, &NEIGHBOURS, share);
    }
    if bars.is_empty() {
        return Ok(());
    }
    ctx.figure(
        Figure::new(
            "real-partner-rank",
            "Where a related word ranks among a word's nearest neighbours",
            "rank of b among the neighbours of a",
            "related pairs (a, b)",
        )
        .caption(
            "In both tables most related words are each other's first neighbour; only GloVe has a few \
             partners below the 10th place.",
        )
        .chart(Chart::Bars {
            categories: BANDS.map(String::from).to_vec(),
            series: bars,
        }),
    );
    // ANCHOR_END: real
    Ok(())
}

//! # Dot product
//!
//! The dot product $u \cdot v = \sum_i u_i v_i$ is the basic score of a
//! language model: attention compares queries with keys by it, and the output
//! layer scores every token by it. Geometrically it is
//! $u \cdot v = \lVert u \rVert \, \lVert v \rVert \cos\theta$: an agreement of
//! direction, $\cos\theta$, multiplied by both lengths. The first check
//! confirms this identity for 2-D vectors given by length and angle, where
//! $\theta$ is simply the difference of their angles.
//!
//! Because length multiplies in, the dot product rewards norm. Here the query
//! *kitten* has a close neighbour *cat* (5 degrees away, similar length) and a
//! generic word *the* at 50 degrees but four times as long, standing in for a
//! token whose vector has grown large (in an output layer, frequent tokens;
//! the input vectors of the most frequent words are often shorter, as
//! "Norms and frequency effects" shows). Ranked by dot product, *the* wins;
//! ranked by cosine, *cat* does. The checks confirm this flip, and that
//! normalising every vector to length 1 first makes the dot product rank like
//! the cosine. Which one is right depends on the job: for similarity search we
//! want cosine, while in an output layer a large norm acts as a learnt prior
//! that makes a token likely in many contexts.
//!
//! ## On real embeddings
//!
//! Trained norms are not noise: they vary with a word's frequency and with
//! how specific its contexts are (Schakel & Wilson 2015), and Steck,
//! Ekanadham & Kallus (2024) show that on learned embeddings the dot product
//! and the cosine can give quite different answers. So a dot-product search
//! should return longer vectors than a cosine search. We take 25 query words
//! spread evenly over the 1 000 most frequent rows, rank those rows by both
//! scores (one product; dividing by the candidates' norms turns it into
//! cosine), and compare the mean norm of the two top-10 lists in standard
//! deviations of the 1 000 rows' norms (an effect size $d$ like Cohen's, with
//! the spread of all rows for the pooled one); the claim holds above 0.5, a
//! medium effect.
//!
//! GloVe behaves as the toy does: $d \approx 0.92$. Its dot-product
//! neighbours are 10 % longer than its cosine neighbours (5.70 against 5.21,
//! sd 0.54), only 55 % of the words are the same, and they are more frequent
//! words (mean rank 307 against 368). In the MiniLM token table the claim
//! **does not hold**: $d \approx 0.15$, and 90 % of the words are the same.
//! Its norms vary as much as GloVe's (sd 9 % of the mean, GloVe 10 %); what
//! differs is how far apart the cosines are. GloVe's ten nearest words are
//! crowded: the first has on average only 1.13 times the cosine of the
//! tenth, so a 10 % difference in length reorders them. MiniLM's first
//! neighbour has 1.94 times the cosine of its tenth, and a 9 % difference in
//! length rarely overturns that. Whether length matters for a search depends
//! on the spread of norms relative to the gaps between cosines, not on the
//! norms alone.

use ndarray::{Array1, Array2, Axis};

use crate::chart::{Chart, Figure, Point, PointGroup, Series};
use crate::demos::Ctx;
use crate::format::{fixed, list};
use crate::math::{ZERO_NORM, cosine_matrix, dot_matrix, mean_std, normalize_rows, row_norms, top_indices};
use crate::real::{Claim, GLOVE, MINILM};

/// Dot product against cosine for a query, a close word and a long generic word.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    // Each word as (length, angle in degrees) in a 2-D space.
    let words = ["cat", "puppy", "the", "of", "car", "stock"];
    let polar = [
        (1.1, 25.0),
        (1.0, 50.0),
        (4.0, 70.0),
        (3.5, 105.0),
        (1.2, -35.0),
        (0.9, 160.0),
    ];
    let (query_len, query_angle) = (1.0, 20.0_f64); // "kitten"
    let xy = |(r, deg): (f64, f64)| [r * deg.to_radians().cos(), r * deg.to_radians().sin()];
    let table = Array2::from_shape_fn((words.len(), 2), |(i, j)| xy(polar[i])[j]);
    let query = Array1::from(xy((query_len, query_angle)).to_vec());

    // u·v = |u| |v| cos θ, with θ the difference of the two angles.
    let dots = table.dot(&query);
    let geometric = polar.map(|(r, deg)| query_len * r * (deg - query_angle).to_radians().cos());
    let worst = dots
        .iter()
        .zip(&geometric)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    ctx.check_close("dot product = |u| |v| cos(angle between them)", worst, 0.0, 1e-12);

    let cosines = cosine_matrix(table.view(), query.view().insert_axis(Axis(0)))?
        .column(0)
        .to_owned();
    let norms = row_norms(table.view());
    ctx.say(format!("Norms:  {}\nDot:    {}", list(&norms, 3), list(&dots, 3)));
    ctx.say(format!("Cosine: {}", list(&cosines, 3)));
    let best = |s: &Array1<f64>| {
        words[(0..words.len())
            .max_by(|&a, &b| s[a].total_cmp(&s[b]))
            .unwrap_or(0)]
    };
    ctx.check_eq(
        "top dot-product neighbour of kitten is the long generic word",
        best(&dots),
        "the",
    );
    ctx.check_eq(
        "top cosine neighbour of kitten is the similar word",
        best(&cosines),
        "cat",
    );
    let unit_dots = normalize_rows(table.view()).dot(&query) / query_len;
    let gap = (&unit_dots - &cosines).mapv(f64::abs).sum();
    ctx.check_close("dot product of unit vectors is the cosine", gap, 0.0, 1e-12);

    // Curves of equal dot product through cat and the: cos = score / (|q| |v|).
    let contour = |w: usize| {
        let radii = (0..=40)
            .map(|k| 0.8 + 0.1 * k as f64)
            .filter(|r| dots[w] / (query_len * r) <= 1.0);
        let label = format!("dot = {} ({})", fixed(dots[w], 2), words[w]);
        Series::new(&label, radii.map(|r| (r, dots[w] / (query_len * r))))
    };
    let points = words
        .iter()
        .enumerate()
        .map(|(i, w)| Point::new(norms[i], cosines[i], w))
        .collect();
    ctx.figure(
        Figure::new(
            "norm-vs-cosine",
            "Length and direction of each word",
            "norm |v|",
            "cosine with kitten",
        )
        .caption(
            "cat has the highest cosine, but the, four times longer, lies on a higher dot-product curve.",
        )
        .chart(Chart::Scatter {
            groups: vec![PointGroup::new("word", points)],
            lines: vec![contour(0), contour(2)],
            arrows: vec![],
        }),
    );
    ctx.figure(
        Figure::new("scores", "Scores against kitten", "word", "score")
            .caption("The dot product ranks the long generic word the first; cosine ranks cat first.")
            .chart(Chart::Bars {
                categories: words.iter().map(|w| w.to_string()).collect(),
                series: vec![
                    ("dot product".into(), dots.to_vec()),
                    ("cosine".into(), cosines.to_vec()),
                ],
            }),
    );
    // ANCHOR_END: demo
    real(ctx)
}

/// Neighbours by dot product and by cosine on the real tables.
fn real(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: real
    const LONG: Claim = Claim::above(
        "raw dot products favour long vectors: the dot-product top 10 are longer than the cosine top 10 \
         by more than half a standard deviation of the norms (effect size d above 0.5)",
        "Schakel & Wilson 2015; Steck, Ekanadham & Kallus 2024",
        0.5,
    )
    .expecting(&[(GLOVE, true), (MINILM, false)]);

    let mut bars = Vec::new();
    for table in ctx.real_tables() {
        // 25 query words spread evenly over the 1 000 most frequent rows, which are also the candidates.
        let n = table.len().min(1_000);
        let queries: Vec<usize> = (0..n.min(25)).map(|i| i * n / n.min(25)).collect();
        let dots = dot_matrix(table.select(&queries).view(), table.head(n))?;
        let norms = row_norms(table.head(n));
        let (mut by_cos, mut by_dot, mut shared, mut spread) = (Vec::new(), Vec::new(), 0, Vec::new());
        for (i, &q) in queries.iter().enumerate() {
            // cos = q·x / (|q| |x|); |q| is the same for every candidate and drops out of the ranking.
            let dot = dots.row(i).to_vec();
            let cos: Vec<f64> = dot
                .iter()
                .zip(&norms)
                .map(|(d, x)| d / x.max(ZERO_NORM))
                .collect();
            let (c, d) = (top_indices(&cos, 10, Some(q)), top_indices(&dot, 10, Some(q)));
            shared += d.iter().filter(|j| c.contains(j)).count();
            // The ratio says how crowded the list is; it means nothing once the tenth is not similar at all.
            if let (Some(&first), Some(&tenth)) = (c.first(), c.last())
                && cos[tenth] > 0.0
            {
                spread.push(cos[first] / cos[tenth]);
            }
            by_cos.extend(c);
            by_dot.extend(d);
        }
        // Means over every query's list (NaN for an empty list).
        let mean_norm = |rows: &[usize]| rows.iter().map(|&j| norms[j]).sum::<f64>() / rows.len() as f64;
        let mean_rank =
            |rows: &[usize]| rows.iter().map(|&j| j as f64 + 1.0).sum::<f64>() / rows.len() as f64;
        let (all, sd) = mean_std(norms.view());
        let (cos_norm, dot_norm) = (mean_norm(&by_cos), mean_norm(&by_dot));
        ctx.say(format!(
            "{}: mean norm of the {n} rows {} (sd {}); of the cosine top 10 {}, of the dot-product top 10 {}",
            table.name(),
            fixed(all, 3),
            fixed(sd, 3),
            fixed(cos_norm, 3),
            fixed(dot_norm, 3)
        ));
        ctx.say(format!(
            "{}: the lists share {} of their words; mean frequency rank {} (cosine) and {} (dot); \
             1st cosine neighbour / 10th {}",
            table.name(),
            fixed(shared as f64 / by_cos.len().max(1) as f64, 2),
            fixed(mean_rank(&by_cos), 0),
            fixed(mean_rank(&by_dot), 0),
            if spread.is_empty() {
                "-".into()
            } else {
                fixed(mean_std(spread.as_slice().into()).0, 2)
            }
        ));
        let d = if n < 20 {
            Err(crate::Error::parameter("rows", "at least 20 rows are needed"))
        } else {
            Ok((dot_norm - cos_norm) / sd)
        };
        ctx.claim(&table, &LONG, d);
        bars.push((
            table.name().to_string(),
            vec![(cos_norm - all) / sd, (dot_norm - all) / sd],
        ));
    }
    let categories = ["cosine top 10", "dot-product top 10"].map(String::from).to_vec();
    ctx.figure(
        Figure::new(
            "real-neighbour-norms",
            "How long the 10 nearest neighbours are, by cosine and by dot product",
            "neighbours of 25 query words",
            "mean norm, in sd above the searched rows' mean",
        )
        .caption(
            "GloVe's dot-product neighbours are about 0.7 sd longer than its average row, its cosine \
             neighbours slightly shorter; MiniLM's two lists stay within 0.1 sd of average.",
        )
        .chart(Chart::Bars {
            categories,
            series: bars,
        }),
    );
    // ANCHOR_END: real
    Ok(())
}

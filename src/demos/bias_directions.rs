//! # Bias and representation directions
//!
//! Many properties of words live along a single direction of the embedding
//! space. Bolukbasi et al. (2016) found a gender direction by taking
//! *definitional pairs* such as she/he, woman/man, queen/king, centring
//! each pair on its own mean and taking the first principal component of
//! the resulting differences. Projecting a word on the unit direction
//! $\hat g$, $w \cdot \hat g$, then measures how "female" or "male" it reads
//! — including occupations such as *nurse* or *engineer* that should carry
//! no gender at all.
//!
//! Their hard debiasing has two steps. *Neutralize* removes the component
//! along $\hat g$ from gender-neutral words and rescales them to unit length,
//! $w \leftarrow (w - (w \cdot \hat g)\hat g) / \lVert w - (w \cdot \hat g)\hat g \rVert$,
//! so their projection becomes exactly 0. *Equalize* moves each definitional
//! pair to mirror positions about the neutral hyperplane, so every neutral
//! word ends up equally far from *she* and from *he*.
//!
//! The vocabulary here is synthetic, 20 unit vectors in 20 dimensions with a
//! planted gender direction: six definitional pairs and eight occupations
//! with a planted spurious gender component. The checks recover the planted
//! direction from the pairs alone, make every neutral projection vanish to
//! rounding error, and confirm the equal distances. On real embeddings the
//! same steps remove this one direction, not every trace of bias: Gonen &
//! Goldberg (2019) still recovered gender from debiased GloVe (see also
//! "Subspaces and probes").
//!
//! ## On real embeddings
//!
//! Bolukbasi et al. (2016) found this direction in word2vec vectors trained on
//! Google News and listed the occupations furthest along it: *homemaker,
//! nurse, receptionist, librarian, socialite, hairdresser, nanny, bookkeeper,
//! stylist, housekeeper* on the she side, *maestro, skipper, protege,
//! philosopher, captain, architect, financier, warrior, broadcaster,
//! magician* on the he side. We find the direction in each table their way
//! (unit vectors, their definitional pairs but *gal/guy*, the first principal
//! component; positive is she) and count how many of the occupations it has
//! fall on their stereotype's side, in a corpus and model other than the ones
//! the lists came from. In GloVe all 18 do (*maestro* and *protege* are not
//! among the shipped rows), most at cosines of 0.17 to 0.42 in size,
//! *librarian* (0.08) and *bookkeeper* (0.02) only just. The MiniLM token
//! table has 11 of them and puts 10 on their side with smaller cosines (0.05
//! to 0.18 in size); *broadcaster* leans slightly to she (0.06). The
//! stereotype is in the text both were trained on, not in one algorithm:
//! Caliskan, Bryson & Narayanan (2017) found that how female an occupation's
//! GloVe vector is tracks the share of women in that occupation.

use ndarray::{Array2, Axis, array, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::{fixed, list};
use crate::math::{
    bias_direction_from_rows, cosine, equalize, euclidean_matrix, neutralize, normalize_rows, outer, project,
    project_out,
};
use crate::real::{Claim, GLOVE, MINILM};

/// Find a planted gender direction, neutralize occupations and equalize the pairs.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let words = [
        "she",
        "he",
        "woman",
        "man",
        "queen",
        "king",
        "girl",
        "boy",
        "mother",
        "father",
        "aunt",
        "uncle",
        "nurse",
        "homemaker",
        "typist",
        "teacher",
        "engineer",
        "pilot",
        "doctor",
        "captain",
    ];
    // Gender component along the planted direction g: ±1.5 for pairs, a spurious amount for occupations.
    let gender = array![
        1.5, -1.5, 1.5, -1.5, 1.5, -1.5, 1.5, -1.5, 1.5, -1.5, 1.5, -1.5, 0.9, 1.1, 0.7, 0.4, -0.8, -0.6,
        -0.4, -0.9
    ];
    let g = Array2::<f64>::random_using((1, 20), StandardNormal, ctx.rng());
    let g = normalize_rows(g.view()).row(0).to_owned();
    // A meaning orthogonal to g, shared by the two words of a pair, plus a little noise per word.
    let own = project_out(
        Array2::<f64>::random_using((14, 20), StandardNormal, ctx.rng()).view(),
        g.view(),
    )?;
    let meaning = own.select(
        Axis(0),
        &[0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13],
    );
    let noise = Array2::<f64>::random_using((20, 20), StandardNormal, ctx.rng()) * 0.1;
    let x = normalize_rows((meaning + outer(gender.view(), g.view()) + noise).view());

    let pairs: Vec<(usize, usize)> = (0..12).step_by(2).map(|i| (i, i + 1)).collect();
    let found = bias_direction_from_rows(x.view(), &pairs)?;
    let agreement = cosine(found.view(), g.view())?;
    ctx.say(format!("cos(recovered, planted) = {}", fixed(agreement, 4)));
    ctx.check_above(
        "recovered direction matches the planted one",
        agreement.abs(),
        0.95,
    );

    // Neutralize the occupations (rows 12..) and equalize every pair.
    let mut debiased = x.clone();
    debiased
        .slice_mut(s![12.., ..])
        .assign(&neutralize(x.slice(s![12.., ..]), found.view())?);
    for &(a, b) in &pairs {
        let (a2, b2) = equalize((x.row(a), x.row(b)), found.view())?;
        debiased.row_mut(a).assign(&a2);
        debiased.row_mut(b).assign(&b2);
    }
    let proj = |m: &Array2<f64>| -> crate::Result<Vec<f64>> {
        m.rows().into_iter().map(|r| project(r, found.view())).collect()
    };
    let (before, after) = (proj(&x)?, proj(&debiased)?);
    ctx.say(format!(
        "Occupations before {}, after {}",
        list(&before[12..], 3),
        list(&after[12..], 3)
    ));
    let largest = after[12..].iter().fold(0.0f64, |m, p| m.max(p.abs()));
    ctx.check_close("neutralized words have zero projection", largest, 0.0, 1e-12);

    // Largest difference between a neutral word's distances to the two words of a pair.
    let gap = |m: &Array2<f64>| -> crate::Result<f64> {
        let d = euclidean_matrix(m.slice(s![12.., ..]), m.view())?; // occupations × all words
        Ok(pairs
            .iter()
            .flat_map(|&(a, b)| &d.column(a) - &d.column(b))
            .fold(0.0, |w: f64, g| w.max(g.abs())))
    };
    let (gap_before, gap_after) = (gap(&x)?, gap(&debiased)?);
    ctx.say(format!(
        "Largest distance gap: before {}, after {}",
        fixed(gap_before, 4),
        fixed(gap_after, 4)
    ));
    ctx.check_close(
        "equalized pairs are equidistant from every neutral word",
        gap_after,
        0.0,
        1e-12,
    );

    let shown = [0, 1, 4, 5, 12, 13, 14, 15, 16, 17, 18, 19];
    let pick = |v: &[f64]| shown.iter().map(|&i| v[i]).collect();
    let categories = shown.iter().map(|&i| words[i].to_string()).collect();
    let series = vec![
        ("before".to_string(), pick(&before)),
        ("after".to_string(), pick(&after)),
    ];
    ctx.figure(
        Figure::new(
            "projections",
            "Projection on the recovered gender direction",
            "word",
            "projection w·g",
        )
        .caption(
            "Occupations lean female or male before debiasing and sit at 0 after; pairs end up mirrored.",
        )
        .chart(Chart::Bars { categories, series }),
    );
    // ANCHOR_END: demo
    real(ctx)
}

/// Occupations on the gender direction of the real tables.
fn real(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: real
    const SIDES: Claim = Claim::above(
        "occupations project on the side of their stereotype along the she − he direction (share of Bolukbasi's 20 extreme occupations)",
        "Bolukbasi et al. 2016",
        0.8,
    )
    .expecting(&[(GLOVE, true), (MINILM, true)]);
    // Bolukbasi et al.'s definitional pairs, she-word first (all but gal/guy: GloVe's shipped rows lack gal).
    const PAIRS: &str =
        "she he her his woman man mary john herself himself daughter son mother father girl boy female male";
    // Their ten most "she" and ten most "he" occupations in word2vec (their Figure 1).
    const SHE: &str =
        "homemaker nurse receptionist librarian socialite hairdresser nanny bookkeeper stylist housekeeper";
    const HE: &str =
        "maestro skipper protege philosopher captain architect financier warrior broadcaster magician";

    let pair_words: Vec<&str> = PAIRS.split_whitespace().collect();
    let she = SHE.split_whitespace().map(|w| (w, true));
    let occupations: Vec<(&str, bool)> = she.chain(HE.split_whitespace().map(|w| (w, false))).collect();
    let mut leans = Vec::new();
    for table in ctx.real_tables() {
        // The pairs the table has, as unit vectors (as in the paper): rows 2k and 2k + 1 are pair k.
        let rows: Vec<usize> = pair_words
            .chunks(2)
            .filter_map(|pair| table.rows(pair).ok())
            .flatten()
            .collect();
        let unit = normalize_rows(table.select(&rows).view());
        let pairs: Vec<(usize, usize)> = (0..rows.len() / 2).map(|k| (2 * k, 2 * k + 1)).collect();
        let g = bias_direction_from_rows(unit.view(), &pairs);
        // Each occupation the table has, with its cosine with g (> 0: the she side).
        let cos_g = |word: &str| cosine(table.vector(table.id_of(word)?), g.as_ref().ok()?.view()).ok();
        let projected: Vec<(usize, f64)> = (0..occupations.len())
            .filter_map(|i| Some((i, cos_g(occupations[i].0)?)))
            .collect();
        let on_side = projected
            .iter()
            .filter(|&&(i, p)| (p > 0.0) == occupations[i].1)
            .count();
        let listed = |side: bool| {
            let words = projected.iter().filter(|&&(i, _)| occupations[i].1 == side);
            words
                .map(|&(i, p)| format!("{} {}", occupations[i].0, fixed(p, 2)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        ctx.say(format!(
            "{}: {} definitional pairs; {on_side} of {} occupations on their stereotype's side",
            table.name(),
            pairs.len(),
            projected.len()
        ));
        ctx.say(format!("{}: she-stereotyped: {}", table.name(), listed(true)));
        ctx.say(format!("{}: he-stereotyped: {}", table.name(), listed(false)));
        let share = match (g, projected.len()) {
            (Err(e), _) => Err(e),
            (_, 0) => Err(crate::Error::parameter(
                "table",
                "the table has none of the 20 occupations",
            )),
            (_, present) => Ok(on_side as f64 / present as f64),
        };
        ctx.claim(&table, &SIDES, share);
        // The figure's values: each occupation's cosine, NaN where the table lacks it.
        let mut lean = vec![f64::NAN; occupations.len()];
        for &(i, p) in &projected {
            lean[i] = p;
        }
        leans.push((table.name().to_string(), lean));
    }
    // One row per occupation some table has, she-stereotyped first.
    let shown: Vec<usize> = (0..occupations.len())
        .filter(|&i| leans.iter().any(|(_, lean)| lean[i].is_finite()))
        .collect();
    ctx.figure(
        Figure::new(
            "real-occupations",
            "Occupations on the she − he direction of trained tables",
            "cosine with the direction (> 0: the she side)",
            "occupation (she-stereotyped above, he- below)",
        )
        .caption("Every occupation GloVe has sits on its stereotype's side; MiniLM's lean less, and broadcaster crosses over.")
        .chart(Chart::Dots {
            categories: shown.iter().map(|&i| occupations[i].0.to_string()).collect(),
            series: (leans.into_iter())
                .map(|(name, lean)| (name, shown.iter().map(|&i| lean[i]).collect()))
                .collect(),
        }),
    );
    // ANCHOR_END: real
    Ok(())
}

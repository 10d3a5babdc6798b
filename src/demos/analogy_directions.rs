//! # Analogy directions
//!
//! "Man is to king as woman is to queen" became the emblem of word embeddings
//! because it turns a relation into arithmetic: if the difference
//! $\text{king} - \text{man}$ encodes "royal version of", adding it to
//! $\text{woman}$ should land near $\text{queen}$. The method, 3CosAdd, answers
//! $a : b :: c : ?$ with the word whose vector is most cosine-similar to
//! $b - a + c$, excluding $a$, $b$ and $c$ themselves (without that exclusion
//! the answer is usually $b$).
//!
//! Here the relation is planted exactly: one axis is gender, the other
//! royalty, and $\text{queen} = \text{royalty} - \text{gender}$. The first
//! check confirms that the offset recovers the queen vector to the last bit;
//! the second runs the full search over the vocabulary and finds *queen*.
//! A variant, 3CosMul (Levy & Goldberg 2014), multiplies instead of adding:
//! it maximises $\cos(x, b)\cos(x, c) / (\cos(x, a) + \varepsilon)$ (cosines
//! shifted to $[0, 1]$), so no single large similarity dominates; it agrees
//! here. In
//! trained embeddings the parallelogram is only approximate — the offsets
//! point roughly, not exactly, the same way — which is why benchmark
//! accuracy on real vectors is far below 100 %. The figure draws the two
//! offsets as arrows: parallel and of equal length when the relation is
//! linear.

use ndarray::{array, stack};

use crate::chart::{Arrow, Chart, Figure, Point, PointGroup};
use crate::demos::Ctx;
use crate::format::{fixed, list};
use crate::math::{analogy, analogy_cos_mul, analogy_offset};

/// king − man + woman on planted gender and royalty axes.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let gender = array![1.0, 0.0];
    let royalty = array![0.0, 1.0];
    let (man, woman) = (gender.clone(), -&gender);
    let (king, queen) = (&gender + &royalty, &royalty - &gender);
    let predicted = analogy_offset(man.view(), king.view(), woman.view())?;
    ctx.say(format!("Predicted queen vector: {}", list(&predicted, 4)));
    let miss = (&predicted - &queen).mapv(f64::abs).sum();
    ctx.check_close("linear offset recovers synthetic relation", miss, 0.0, 1e-12);

    let words = ["man", "woman", "king", "queen"];
    let vocab = stack![ndarray::Axis(0), man, woman, king, queen];
    let best = analogy(vocab.view(), 0, 2, 1, 1)?[0];
    ctx.say(format!(
        "man : king :: woman : {} (cosine {})",
        words[best.index],
        fixed(best.similarity, 3)
    ));
    ctx.check_eq("3CosAdd search answers queen", words[best.index], "queen");
    let by_product = analogy_cos_mul(vocab.view(), 0, 2, 1, 1)?[0];
    ctx.say(format!(
        "3CosMul answer: {} (score {})",
        words[by_product.index],
        fixed(by_product.similarity, 3)
    ));
    ctx.check_eq("3CosMul search answers queen", words[by_product.index], "queen");

    let points = words
        .iter()
        .zip(vocab.rows())
        .map(|(w, r)| Point::new(r[0], r[1], w))
        .collect();
    let arrows = vec![
        Arrow::new("man → king", (man[0], man[1]), (king[0], king[1])),
        Arrow::new("woman → queen", (woman[0], woman[1]), (queen[0], queen[1])),
    ];
    ctx.figure(
        Figure::new(
            "offsets",
            "The royalty offset is the same for both genders",
            "gender axis",
            "royalty axis",
        )
        .caption("The arrows man→king and woman→queen are parallel and equally long: one shared offset.")
        .chart(Chart::Scatter {
            groups: vec![PointGroup::new("word", points)],
            lines: vec![],
            arrows,
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

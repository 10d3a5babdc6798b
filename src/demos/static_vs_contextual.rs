//! # Static versus contextual meaning
//!
//! A static embedding table such as word2vec or GloVe, or the input layer of a
//! transformer, stores one vector per word. *Bank* gets the same row $E_{\text{bank}}$
//! in "the river bank" and in "the bank loan", so its vector must sit
//! somewhere between the two senses. A transformer fixes this by mixing each
//! token with its context. One attention head with no learnt projections does
//! $Y = \mathrm{softmax}\left(\frac{X X^\top}{\sqrt{d}}\right) X$: row $t$ of
//! the output is an average of the sentence's vectors, weighted by how well
//! each aligns with token $t$, and every row of weights sums to 1.
//!
//! In a three-dimensional toy table (axes roughly *water*, *money*, *place*)
//! the checks confirm that the two static *bank* vectors are identical (cosine
//! exactly 1), that the two contextual ones are not, and that each contextual
//! *bank* has moved toward its own sense: closer to *water* than to *money*
//! after "river", the other way round before "loan". Real models stack dozens
//! of such layers with learnt projections, and probing their hidden states
//! separates word senses this way; the static table is only the starting point.

use ndarray::{Array1, array};

use crate::chart::{Chart, Figure};
use crate::demos::Ctx;
use crate::format::{fixed, list};
use crate::math::{attention_mix, cosine, lookup_rows};

/// "bank" in two sentences, before and after one step of self-attention.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let vocab = ["the", "river", "bank", "loan", "water", "shore", "money"];
    // Static table: one row per word; axes read roughly water, money, place.
    let table = array![
        [0.1, 0.1, 0.1], // the
        [2.0, 0.0, 0.5], // river
        [1.0, 1.0, 1.0], // bank: halfway between the senses
        [0.0, 2.0, 0.3], // loan
        [2.0, 0.0, 0.0], // water
        [1.5, 0.0, 1.0], // shore
        [0.0, 2.0, 0.0], // money
    ];
    // (sentence, token ids, position of "bank")
    let sentences = [("the river bank", [0, 1, 2], 2), ("the bank loan", [0, 2, 3], 1)];
    let mut banks = Vec::new(); // (static vector, contextual vector) of bank
    for (text, ids, at) in sentences {
        let x = lookup_rows(table.view(), &ids)?;
        let a = attention_mix(x.view())?;
        ctx.say(format!(
            "'{text}': bank attends with weights {}",
            list(a.weights.row(at), 3)
        ));
        banks.push((x.row(at).to_owned(), a.output.row(at).to_owned()));
    }
    let (river, loan) = (&banks[0], &banks[1]);
    let static_cos = cosine(river.0.view(), loan.0.view())?;
    let context_cos = cosine(river.1.view(), loan.1.view())?;
    ctx.say(format!(
        "cos(bank, bank): static {}, contextual {}",
        fixed(static_cos, 3),
        fixed(context_cos, 3)
    ));
    ctx.check_close(
        "static bank is the same vector in both sentences",
        static_cos,
        1.0,
        1e-12,
    );
    ctx.check_below("contextual bank vectors differ", context_cos, 0.9);

    // Cosine of a bank vector with the sense words water, shore, money.
    let senses = |v: &Array1<f64>| -> crate::Result<Vec<f64>> {
        [4, 5, 6]
            .iter()
            .map(|&s| cosine(v.view(), table.row(s)))
            .collect()
    };
    let (by_river, by_loan) = (senses(&river.1)?, senses(&loan.1)?);
    ctx.check_above(
        "river bank is closer to water than to money",
        by_river[0] - by_river[2],
        0.3,
    );
    ctx.check_above(
        "bank loan is closer to money than to water",
        by_loan[2] - by_loan[0],
        0.3,
    );
    ctx.figure(
        Figure::new(
            "senses",
            "Which sense does each bank vector lean toward?",
            "sense word",
            "cosine with bank",
        )
        .caption(
            "Static bank is as close to water as to money; after attention each bank leans to its own sense.",
        )
        .chart(Chart::Bars {
            categories: vocab[4..].iter().map(|w| w.to_string()).collect(),
            series: vec![
                ("static bank".into(), senses(&river.0)?),
                ("river bank".into(), by_river),
                ("bank loan".into(), by_loan),
            ],
        }),
    );
    // ANCHOR_END: demo
    Ok(())
}

//! # Pipeline position after tokenization
//!
//! Where does the embedding sit in a transformer? Text is split into tokens,
//! tokens become ids, ids become vectors by lookup, and then — before the first
//! attention layer — position is added, because attention by itself treats its
//! input as a set and cannot tell "dog bites man" from "man bites dog". The
//! demo follows one sentence through these stages and prints the shape at
//! each.
//!
//! The original transformer adds fixed sinusoidal encodings:
//! $PE_{p,2i} = \sin(p / 10000^{2i/d})$ and $PE_{p,2i+1} = \cos(p / 10000^{2i/d})$.
//! Each pair of dimensions is a clock with its own period, from $2\pi$
//! positions for the first pair to tens of thousands for the last, so every
//! position gets a distinct pattern. At position 0 every sine is 0 and every
//! cosine 1; the checks confirm that, that each row has norm $\sqrt{d/2}$ (one
//! $\sin^2 + \cos^2 = 1$ per pair), and that the two occurrences of "the",
//! identical after lookup, differ once positions are added. The curves show
//! the fast and slow clocks; the heatmap shows the whole table.

use ndarray::{Array2, Axis};

use crate::chart::{Chart, Figure, Series};
use crate::demos::Ctx;
use crate::format::{fixed, list, shape};
use crate::math::{euclidean, lookup_rows, sinusoidal};

/// One sentence from text to the first layer's input; sinusoidal encodings.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    // Text -> tokens -> ids (a toy whitespace tokenizer over a 6-word vocabulary).
    let vocabulary = ["the", "cat", "sat", "on", "mat", "<unk>"];
    let text = "the cat sat on the mat";
    let ids: Vec<usize> = text
        .split_whitespace()
        .map(|t| {
            vocabulary
                .iter()
                .position(|v| *v == t)
                .unwrap_or(vocabulary.len() - 1)
        })
        .collect();
    ctx.say(format!("Token ids: {ids:?} (T = {})", ids.len()));

    // ids -> vectors (lookup in a V x d table) -> + positions -> first-layer input (B = 1).
    let d = 8;
    let table = Array2::from_shape_fn((vocabulary.len(), d), |(i, j)| ((i * d + j) as f64 * 0.37).sin());
    let tokens = lookup_rows(table.view(), &ids)?;
    let positions = sinusoidal(ids.len(), d);
    let layer_input = (&tokens + &positions).insert_axis(Axis(0));
    ctx.say(format!(
        "Token vectors: {}, positions: {}",
        shape(tokens.shape()),
        shape(positions.shape())
    ));
    ctx.say(format!(
        "First-layer input (B x T x d): {}",
        shape(layer_input.shape())
    ));
    ctx.check_eq(
        "the first layer receives B x T x d",
        shape(layer_input.shape()),
        "(1, 6, 8)",
    );
    let same_token = euclidean(tokens.row(0), tokens.row(4))?;
    let with_position = euclidean(
        layer_input.slice(ndarray::s![0, 0, ..]),
        layer_input.slice(ndarray::s![0, 4, ..]),
    )?;
    ctx.say(format!(
        "Distance between the two 'the': {} before positions, {} after",
        fixed(same_token, 3),
        fixed(with_position, 3)
    ));
    ctx.check_above(
        "positions tell the two occurrences of 'the' apart",
        with_position,
        0.5,
    );

    let pe = sinusoidal(6, 8);
    ctx.say(format!("PE shape: {}", shape(pe.shape())));
    ctx.say(format!("Position 0: {}", list(pe.row(0), 3)));
    ctx.check_close("sin at position zero", pe[[0, 0]], 0.0, 1e-8);
    let norm = pe.row(5).dot(&pe.row(5)).sqrt();
    ctx.check_close("every position has norm sqrt(d/2)", norm, 2.0, 1e-12);

    // A longer table for the figures: 48 positions, 16 dimensions.
    let table = sinusoidal(48, 16);
    let curves = [0, 2, 4, 6]
        .iter()
        .map(|&dim| Series::indexed(&format!("dim {dim}"), table.column(dim).iter().copied()))
        .collect();
    ctx.figure(
        Figure::new("curves", "Sinusoidal positional encoding", "position", "value")
            .caption("Dimension 0 turns once every 2π ≈ 6.3 positions; each higher pair runs about three times slower.")
            .chart(Chart::Lines { series: curves, markers: false }),
    );
    ctx.figure(
        Figure::new(
            "heatmap",
            "Encoding table: position × dimension",
            "dimension",
            "position",
        )
        .caption("Each row is one position's encoding; stripes widen from left to right as frequencies fall.")
        .chart(Chart::heatmap(table.view(), "PE value")),
    );
    // ANCHOR_END: demo
    Ok(())
}

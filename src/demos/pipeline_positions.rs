//! # Pipeline position after tokenization
//!
//! Where does the embedding sit in a transformer? Text is split into tokens,
//! tokens become ids, ids become vectors by lookup, and then — before the first
//! attention layer — position is added, because attention by itself treats its
//! input as a set and cannot tell "dog bites man" from "man bites dog".
//!
//! The original transformer adds fixed sinusoidal encodings:
//! $PE_{p,2i} = \sin(p / 10000^{2i/d})$ and $PE_{p,2i+1} = \cos(p / 10000^{2i/d})$.
//! Each pair of dimensions is a clock with its own period, from $2\pi$
//! positions for the first pair to tens of thousands for the last, so every
//! position gets a distinct pattern, and the encoding of $p + k$ is a fixed
//! rotation of the encoding of $p$. At position 0 every sine is 0 and every
//! cosine 1; the check confirms that, and that each row has norm
//! $\sqrt{d/2}$ (one $\sin^2 + \cos^2 = 1$ per pair), so positions add a
//! bounded, same-sized signal to every token. The curves show the fast and
//! slow clocks; the heatmap shows the whole position × dimension table.

use crate::chart::{Chart, Figure, Series};
use crate::demos::Ctx;
use crate::format::{list, shape};
use crate::math::sinusoidal;

/// Sinusoidal encodings of a short sequence, their curves and heatmap.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
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
        Figure::new("heatmap", "Encoding table: position × dimension", "dimension", "position")
            .caption("Each row is one position's encoding; stripes widen from left to right as frequencies fall.")
            .chart(Chart::heatmap(table.view(), "PE value")),
    );
    // ANCHOR_END: demo
    Ok(())
}

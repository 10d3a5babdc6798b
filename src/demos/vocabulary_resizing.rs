//! # Vocabulary resizing
//!
//! Adding tokens to a trained language model means appending rows to its
//! output embedding $E$, and every new row takes probability from the old
//! tokens: for hidden state $h$ the next-token distribution $p = \mathrm{softmax}(E h)$
//! moves, by $\mathrm{KL}(p_{\text{old}} \,\Vert\, p_{\text{new}}) = \log\bigl(1 + \sum_{j\,\text{new}} e^{h \cdot e_j} / Z\bigr)$
//! with $Z = \sum_{i\,\text{old}} e^{h \cdot e_i}$. Hewitt (2021) showed that
//! initialising each new row to the mean $\mu$ of the old rows bounds the damage
//! for every $h$: by Jensen's inequality $e^{h \cdot \mu} \le Z / V$, so
//! $\mathrm{KL} \le \log(1 + n/V)$ for $n$ new rows.
//!
//! Our old embedding has V = 50 rows in 16 dimensions with a shared offset, as
//! trained embeddings have; the hidden states are 100 Gaussian vectors. The
//! checks confirm that mean initialisation stays within the bound for every
//! state and every $n$ up to 50. Random rows at twice the old rows' spread
//! break it for most states, because a few large logits $h \cdot e_j$ dominate.
//! Zero rows score $e^0 = 1$, which is harmless when the old logits are mostly
//! positive ($h \cdot \mu \ge 0$ implies $Z \ge V$) but breaks the bound for a
//! state pointing against the mean, where the old logits are negative. The
//! figure draws each initialisation's divergence against the bound.

use ndarray::{Array1, Array2, Array3, Axis, concatenate, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::StandardNormal;

use crate::chart::{Chart, Figure, Series};
use crate::demos::Ctx;
use crate::format::{fixed, list};
use crate::math::{ResizeInit, center, kl_bound, mean_vector, next_token_kl, resize_embeddings};

/// Mean, zero and random initialisation of new output rows against Hewitt's KL bound.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    // Old output rows share an offset of 0.5 per coordinate; 100 hidden states, then h = -mean.
    let (v, d) = (50, 16);
    let old = Array2::<f64>::random_using((v, d), StandardNormal, ctx.rng()) + Array1::from_elem(d, 0.5);
    let mean = mean_vector(old.view());
    let m = 100; // hidden states; row m of `states` is h = -mean
    let hidden = Array2::<f64>::random_using((m, d), StandardNormal, ctx.rng()) * 0.5;
    let states = concatenate![Axis(0), hidden, (-&mean).insert_axis(Axis(0))];
    let random = ResizeInit::Random {
        std: 2.0 * center(old.view()).0.std(0.0),
    };
    let inits = [ResizeInit::Mean, ResizeInit::Zero, random];

    // KL(p_old || p_new) / ln(1 + n/V) for every init, number of new rows n, and state.
    let ns = [5, 10, 20, 30, 40, 50];
    let mut ratio = Array3::<f64>::zeros((inits.len(), ns.len(), states.nrows()));
    for (k, &n) in ns.iter().enumerate() {
        let bound = kl_bound(n, v)?;
        for (i, &init) in inits.iter().enumerate() {
            let grown = resize_embeddings(old.view(), n, init, ctx.rng())?;
            for (s, h) in states.rows().into_iter().enumerate() {
                ratio[[i, k, s]] = next_token_kl(old.view(), grown.view(), h)? / bound;
            }
        }
    }
    let (by_mean, by_zero, by_random) = (
        ratio.slice(s![0, .., ..m]),
        ratio.slice(s![1, .., ..]),
        ratio.slice(s![2, .., ..m]),
    );
    let worst_mean = by_mean.fold_axis(Axis(1), 0.0, |&a, &b| f64::max(a, b)); // per n
    let random_share = by_random.iter().filter(|&&r| r > 1.0).count() as f64 / by_random.len() as f64;
    let aligned: Vec<usize> = (0..m).filter(|&s| states.row(s).dot(&mean) >= 0.0).collect();
    let zero_aligned = by_zero.select(Axis(1), &aligned).fold(0.0, |a: f64, &b| a.max(b));
    ctx.say(format!(
        "Worst KL / bound per n, mean init: {}",
        list(&worst_mean, 3)
    ));
    ctx.say(format!(
        "KL / bound per n, zero init, h = -mean: {}",
        list(by_zero.column(m), 3)
    ));
    ctx.say(format!(
        "Share of (n, state) pairs above the bound, random init: {}",
        fixed(random_share, 3)
    ));
    ctx.check_below(
        "mean init: KL stays below ln(1 + n/V) for every state and n",
        worst_mean.fold(0.0, |a: f64, &b| a.max(b)),
        1.0,
    );
    ctx.check_above(
        "random init (2x the rows' spread) breaks the bound for most states",
        random_share,
        0.75,
    );
    ctx.check_above(
        "zero init breaks the bound for h = -mean (KL / bound, n = 5)",
        by_zero[[0, m]],
        1.0,
    );
    ctx.check_below(
        "zero init obeys the bound whenever h·mean >= 0",
        zero_aligned,
        1.0,
    );

    // The figure shows KL itself: ratio × bound.
    let bounds: Vec<f64> = ns.iter().map(|&n| kl_bound(n, v)).collect::<crate::Result<_>>()?;
    let curve = |label: &str, ratios: Vec<f64>| {
        Series::new(
            label,
            ns.iter()
                .zip(&bounds)
                .zip(ratios)
                .map(|((&n, b), r)| (n as f64, r * b)),
        )
    };
    let series = vec![
        curve("bound ln(1 + n/V)", vec![1.0; ns.len()]),
        curve("mean init, worst state", worst_mean.to_vec()),
        curve(
            "random init, mean over states",
            by_random
                .mean_axis(Axis(1))
                .map_or(vec![], |means| means.to_vec()),
        ),
        curve("zero init, h = -mean", by_zero.column(m).to_vec()),
    ];
    ctx.figure(
        Figure::new("kl-vs-new-tokens", "Next-token KL divergence after adding n tokens to V = 50", "new tokens n", "KL(p_old || p_new)")
            .caption("Mean initialisation stays under the bound ln(1 + n/V) at every n; random and zero rows rise far above it.")
            .chart(Chart::Lines { series, markers: true }),
    );
    // ANCHOR_END: demo
    Ok(())
}

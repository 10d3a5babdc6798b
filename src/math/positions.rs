//! Positional information: sinusoidal encodings (Vaswani et al. 2017), rotary
//! embeddings (RoPE, Su et al. 2021) and attention biases (ALiBi, Press et al. 2022).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::error::{Error, Result};

/// The base of the sinusoidal and rotary frequencies used by the original papers.
pub const DEFAULT_BASE: f64 = 10_000.0;

/// Sinusoidal positional encodings, `n_positions × d_model`.
///
/// `PE[p, 2i] = sin(p / 10000^(2i/d))` and `PE[p, 2i+1] = cos(p / 10000^(2i/d))`:
/// each pair of dimensions is a clock running at its own frequency, from one
/// radian per position (dimensions 0, 1) to very slow. An odd `d_model` ends
/// with a lone sine column. `d_model = 0` gives an empty matrix.
///
/// # Examples
/// ```
/// let pe = embspace::math::sinusoidal(6, 8);
/// assert_eq!(pe.dim(), (6, 8));
/// assert_eq!(pe[[0, 0]], 0.0); // sin 0
/// assert_eq!(pe[[0, 1]], 1.0); // cos 0
/// ```
pub fn sinusoidal(n_positions: usize, d_model: usize) -> Array2<f64> {
    Array2::from_shape_fn((n_positions, d_model), |(p, i)| {
        let rate = DEFAULT_BASE.powf(-((2 * (i / 2)) as f64) / d_model as f64);
        let angle = p as f64 * rate;
        if i % 2 == 0 { angle.sin() } else { angle.cos() }
    })
}

fn check_rope(d: usize, base: f64) -> Result<()> {
    if !d.is_multiple_of(2) {
        return Err(Error::shape("rope", "an even dimension", format!("d = {d}")));
    }
    if !(base.is_finite() && base > 0.0) {
        return Err(Error::parameter(
            "base",
            format!("must be a positive finite number, got {base}"),
        ));
    }
    Ok(())
}

/// Rotate `x` by RoPE at `position`: each pair `(x[2i], x[2i+1])` turns by the
/// angle `position · base^(−2i/d)`.
///
/// A rotation keeps the norm, and the dot product of a query rotated to `m`
/// with a key rotated to `n` depends only on `m − n`.
///
/// # Errors
/// [`Error::Shape`] for an odd dimension; [`Error::Parameter`] for a base that
/// is not positive and finite.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![1.0, 0.0, 0.5, -0.5];
/// let r = embspace::math::rope_rotate(x.view(), 7.0, embspace::math::DEFAULT_BASE)?;
/// assert!((r.dot(&r) - x.dot(&x)).abs() < 1e-12);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn rope_rotate(x: ArrayView1<f64>, position: f64, base: f64) -> Result<Array1<f64>> {
    let d = x.len();
    check_rope(d, base)?;
    let mut out = x.to_owned();
    for k in (0..d).step_by(2) {
        let theta = position / base.powf(k as f64 / d as f64);
        let (s, c) = theta.sin_cos();
        out[k] = c * x[k] - s * x[k + 1];
        out[k + 1] = s * x[k] + c * x[k + 1];
    }
    Ok(out)
}

/// Apply RoPE to a whole `T×d` sequence: row `t` is rotated to position `t`.
///
/// # Errors
/// As [`rope_rotate`].
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// let q = Array2::from_elem((5, 4), 1.0);
/// let r = embspace::math::rope_sequence(q.view(), 10_000.0)?;
/// assert_eq!(r.row(0), q.row(0)); // position 0 is not rotated
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn rope_sequence(x: ArrayView2<f64>, base: f64) -> Result<Array2<f64>> {
    check_rope(x.ncols(), base)?;
    let mut out = Array2::zeros(x.raw_dim());
    for (t, row) in x.rows().into_iter().enumerate() {
        out.row_mut(t).assign(&rope_rotate(row, t as f64, base)?);
    }
    Ok(out)
}

/// The causal ALiBi bias for one head: `bias[i, j] = −slope · (i − j)` for keys
/// `j ≤ i`, and `0` above the diagonal (the causal mask removes those keys).
///
/// `slope` is the paper's positive `m`: the penalty per step into the past.
///
/// # Examples
/// ```
/// let b = embspace::math::alibi_bias(5, 0.25);
/// assert_eq!(b[[4, 0]], -1.0);
/// assert_eq!(b[[0, 4]], 0.0);
/// ```
pub fn alibi_bias(n: usize, slope: f64) -> Array2<f64> {
    Array2::from_shape_fn(
        (n, n),
        |(i, j)| if j <= i { -slope * (i - j) as f64 } else { 0.0 },
    )
}

/// The per-head ALiBi slopes of Press et al. (2022).
///
/// For `n` a power of two: the geometric sequence `2^(−8/n), 2^(−16/n), …,
/// 2^(−8)`. Otherwise, with `c` the largest power of two below `n`: the `c`
/// slopes for `c` heads, then every other slope of the `2c`-head sequence
/// until `n` slopes are chosen (the paper's reference implementation).
///
/// # Errors
/// [`Error::Parameter`] for `n = 0`.
///
/// # Examples
/// ```
/// let s = embspace::math::alibi_slopes(8)?;
/// assert_eq!(s[0], 0.5);
/// assert_eq!(s[7], 1.0 / 256.0);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn alibi_slopes(n_heads: usize) -> Result<Vec<f64>> {
    if n_heads == 0 {
        return Err(Error::parameter("n_heads", "must be at least 1"));
    }
    let power_of_two = |n: usize| -> Vec<f64> {
        let start = 2f64.powf(-8.0 / n as f64);
        (1..=n).map(|i| start.powi(i as i32)).collect()
    };
    if n_heads.is_power_of_two() {
        return Ok(power_of_two(n_heads));
    }
    let closest = 1usize << n_heads.ilog2();
    let mut slopes = power_of_two(closest);
    slopes.extend(
        power_of_two(2 * closest)
            .into_iter()
            .step_by(2)
            .take(n_heads - closest),
    );
    Ok(slopes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn sinusoidal_rows_have_norm_sqrt_of_half_the_dimension() {
        // sin² + cos² = 1 per pair, so every row of an even-width table has norm √(d/2).
        let pe = sinusoidal(50, 16);
        for row in pe.rows() {
            assert_abs_diff_eq!(row.dot(&row).sqrt(), 8f64.sqrt(), epsilon = 1e-12);
        }
    }

    #[test]
    fn rotation_keeps_the_norm_for_every_position_and_base() {
        let x = array![1.0, 0.0, 0.5, -0.5, 2.0, 3.0];
        for position in [0.0, 1.0, 7.0, 1000.0] {
            for base in [10.0, DEFAULT_BASE, 500_000.0] {
                let r = rope_rotate(x.view(), position, base).unwrap();
                assert_abs_diff_eq!(r.dot(&r), x.dot(&x), epsilon = 1e-10);
            }
        }
    }

    #[test]
    fn rotated_dot_products_depend_only_on_the_offset() {
        let q = array![0.3, -1.0, 0.8, 0.2];
        let k = array![1.0, 0.5, -0.4, 0.9];
        let score = |m: f64, n: f64| {
            rope_rotate(q.view(), m, DEFAULT_BASE)
                .unwrap()
                .dot(&rope_rotate(k.view(), n, DEFAULT_BASE).unwrap())
        };
        for shift in [0.0, 3.0, 40.0] {
            assert_abs_diff_eq!(score(5.0 + shift, 2.0 + shift), score(5.0, 2.0), epsilon = 1e-10);
        }
    }

    #[test]
    fn sequence_rope_rotates_each_row_to_its_position() {
        let x = Array2::from_shape_fn((4, 4), |(t, i)| (t + i) as f64 * 0.1);
        let r = rope_sequence(x.view(), DEFAULT_BASE).unwrap();
        for t in 0..4 {
            assert_eq!(r.row(t), rope_rotate(x.row(t), t as f64, DEFAULT_BASE).unwrap());
        }
    }

    #[test]
    fn odd_dimensions_and_bad_bases_are_refused() {
        assert!(matches!(
            rope_rotate(array![1.0, 2.0, 3.0].view(), 1.0, DEFAULT_BASE),
            Err(Error::Shape { .. })
        ));
        assert!(matches!(
            rope_rotate(array![1.0, 2.0].view(), 1.0, -1.0),
            Err(Error::Parameter { .. })
        ));
    }

    #[test]
    fn alibi_penalty_grows_linearly_into_the_past() {
        let b = alibi_bias(6, 0.5);
        for i in 0..6 {
            for j in 0..=i {
                assert_eq!(b[[i, j]], -0.5 * (i - j) as f64);
            }
        }
    }

    #[test]
    fn alibi_slopes_follow_the_paper() {
        // Power of two: a geometric sequence with ratio equal to its first term.
        let s = alibi_slopes(16).unwrap();
        for w in s.windows(2) {
            assert_abs_diff_eq!(w[1] / w[0], s[0], epsilon = 1e-12);
        }
        // Six heads: the four-head slopes, then the 1st and 3rd of the eight-head ones.
        let six = alibi_slopes(6).unwrap();
        let expected = [
            0.25,
            0.0625,
            0.015625,
            0.00390625,
            0.5f64.powf(1.0),
            0.5f64.powf(3.0),
        ];
        assert_abs_diff_eq!(six.as_slice(), expected.as_slice(), epsilon = 1e-15);
        assert!(alibi_slopes(0).is_err());
    }
}

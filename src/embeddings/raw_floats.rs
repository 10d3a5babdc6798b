//! Little-endian floats straight from a file's bytes (word2vec binary, `.npy`,
//! safetensors), read into `f32`, and the check every loader makes that each
//! value is finite.
//!
//! Plain element loops over exact chunks, which the compiler vectorises.
//! Half precision is widened here too, by the exact bit rule: the notebooks
//! read the shipped `f16` tables, and the `half` crate would bring zerocopy's
//! derive macros into their build (a test compares all 65 536 values with it).

use ndarray::Array2;

/// A bare matrix (`.npy`, safetensors) before a vocabulary names its rows:
/// `f32` as `analyze` keeps it, or `f64` as the demos read the shipped tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix<T = f32> {
    /// The rows read (at most the `limit`).
    pub vectors: Array2<T>,
    /// The rows in the file, which the vocabulary must match.
    pub rows: usize,
}

/// What the readers write: `f32`, or `f64` for the demos' tables. Every
/// value is read as the nearest `f32` and then widened, which is exact, so a
/// table reads to the same numbers either way (the demos' `f64` copy is then
/// made in one pass, with no `f32` matrix in between).
pub trait Element: Copy + Default + Send + Sync + From<f32> + Into<f64> {}
impl<T: Copy + Default + Send + Sync + From<f32> + Into<f64>> Element for T {}

/// Reads the little-endian `f32` in `bytes` into `out`, one per 4 bytes.
#[inline]
pub(crate) fn read_f32<T: Element>(out: &mut [T], bytes: &[u8]) {
    for (v, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]).into();
    }
}

/// Reads the little-endian `f64` in `bytes` into `out`, one per 8 bytes,
/// rounded to the nearest `f32`.
#[inline]
pub(crate) fn read_f64<T: Element>(out: &mut [T], bytes: &[u8]) {
    for (v, b) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        *v = (f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32).into();
    }
}

/// Reads the little-endian IEEE half-precision values in `bytes` into `out`,
/// one per 2 bytes; every `f16` is exactly an `f32`.
#[inline]
pub(crate) fn read_f16<T: Element>(out: &mut [T], bytes: &[u8]) {
    for (v, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *v = f16_to_f32(u16::from_le_bytes([b[0], b[1]])).into();
    }
}

/// The `f32` equal to the half-precision value with these bits. Read as an
/// `f32`, a finite half's exponent and mantissa shifted into place are its
/// value times 2⁻¹¹² (subnormal halves land on `f32` subnormals), so one exact
/// multiplication rescales them; infinities and NaNs get the all-ones
/// exponent. No branch, so the loops in [`read_f16`] vectorise.
pub(crate) fn f16_to_f32(bits: u16) -> f32 {
    let bits = u32::from(bits);
    let sign = (bits & 0x8000) << 16;
    let shifted = (bits & 0x7fff) << 13;
    const TWO_TO_112: f32 = f32::from_bits((112 + 127) << 23);
    let magnitude = if shifted >= 0x1f << 23 {
        shifted | 0xff << 23
    } else {
        (f32::from_bits(shifted) * TWO_TO_112).to_bits()
    };
    f32::from_bits(sign | magnitude)
}

/// The index of the first value that is not finite (NaN, ±∞).
#[inline]
pub(crate) fn first_non_finite<T: Element>(values: &[T]) -> Option<usize> {
    let finite = |v: &T| (*v).into().is_finite();
    // A fold over all values first, `position` only when one is bad: an early
    // exit in the common all-finite case would stop the vectorisation.
    if values.iter().fold(true, |all, v| all & finite(v)) {
        None
    } else {
        values.iter().position(|v| !finite(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_and_the_first_bad_one_is_found() {
        let wide = [1.5f64, f64::MAX, -0.25];
        let bytes: Vec<u8> = wide.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut out = [0f32; 3];
        read_f64(&mut out, &bytes);
        assert_eq!(out, [1.5, f32::INFINITY, -0.25]);
        assert_eq!(first_non_finite(&out), Some(1));

        let bytes: Vec<u8> = [0.5f32, -2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut out = [0f32; 2];
        read_f32(&mut out, &bytes);
        assert_eq!((out, first_non_finite(&out)), ([0.5, -2.0], None));
    }

    /// Every one of the 65 536 half-precision bit patterns widens to the
    /// `f32` the `half` crate gives (NaNs to a NaN with the same sign).
    #[cfg(feature = "analyze")]
    #[test]
    fn every_half_widens_exactly_as_the_half_crate_does() {
        for bits in 0..=u16::MAX {
            let (ours, theirs) = (f16_to_f32(bits), half::f16::from_bits(bits).to_f32());
            if theirs.is_nan() {
                assert!(
                    ours.is_nan() && ours.is_sign_negative() == theirs.is_sign_negative(),
                    "{bits:#06x}"
                );
            } else {
                assert_eq!(ours.to_bits(), theirs.to_bits(), "{bits:#06x}");
            }
        }
    }
}

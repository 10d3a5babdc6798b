//! Little-endian floats straight from a file's bytes (word2vec binary, `.npy`,
//! safetensors), read into `f32`, and the check every loader makes that each
//! value is finite.
//!
//! Plain element loops over exact chunks, which the compiler vectorises.

/// Reads the little-endian `f32` in `bytes` into `out`, one per 4 bytes.
#[inline]
pub(crate) fn read_f32(out: &mut [f32], bytes: &[u8]) {
    for (v, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    }
}

/// Reads the little-endian `f64` in `bytes` into `out`, one per 8 bytes,
/// rounded to the nearest `f32`.
#[inline]
pub(crate) fn read_f64(out: &mut [f32], bytes: &[u8]) {
    for (v, b) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        *v = f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32;
    }
}

/// The index of the first value that is not finite (NaN, ±∞).
#[inline]
pub(crate) fn first_non_finite(values: &[f32]) -> Option<usize> {
    // A fold over all values first, `position` only when one is bad: an early
    // exit in the common all-finite case would stop the vectorisation.
    let finite = values.iter().fold(true, |all, v| all & v.is_finite());
    if finite {
        None
    } else {
        values.iter().position(|v| !v.is_finite())
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
}

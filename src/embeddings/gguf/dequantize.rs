//! ggml's tensor types, and the fifteen that embspace turns into `f32`:
//! plain floats, the legacy blocks, the K-quants llama.cpp's `Q*_K_M` and
//! `Q*_K_S` files store their embeddings in, and the non-linear 4-bit
//! IQ4_NL and IQ4_XS.
//!
//! Each dequantiser follows llama.cpp's reference (`dequantize_row_*` in
//! `ggml-quants.c`; `gguf/quants.py` in gguf-py does the same in numpy) step
//! for step in `f32`: a K-quant sub-block's scale is `d · sc`, then times the
//! quant, less `dmin · m`. The order turns out not to matter, and that is why
//! C, numpy and this code agree bit for bit: an `f16` scale has 11
//! significant bits, a sub-block scale at most 7 and a quant at most 5, so
//! every product fits in `f32`'s 24 bits exactly, and the one rounding is
//! Q4_K's final subtraction, the same fused or not. `tests/testsuite/gguf.rs`
//! compares every value with gguf-py's on fixtures it wrote.

use crate::embeddings::raw_floats::{f16_to_f32, read_f16, read_f32};

/// A ggml tensor type: values per block and bytes per block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GgmlType {
    pub id: u32,
    pub name: &'static str,
    /// Values in one block (1 for plain floats).
    pub block: usize,
    /// Bytes in one block.
    pub size: usize,
}

/// Every type ggml defines (gguf-py 0.19's `GGML_QUANT_SIZES`); the ids
/// missing here (4, 5, 31–33, 36–38) were removed from ggml.
const TYPES: [(u32, &str, usize, usize); 34] = [
    (0, "F32", 1, 4),
    (1, "F16", 1, 2),
    (2, "Q4_0", 32, 18),
    (3, "Q4_1", 32, 20),
    (6, "Q5_0", 32, 22),
    (7, "Q5_1", 32, 24),
    (8, "Q8_0", 32, 34),
    (9, "Q8_1", 32, 40),
    (10, "Q2_K", 256, 84),
    (11, "Q3_K", 256, 110),
    (12, "Q4_K", 256, 144),
    (13, "Q5_K", 256, 176),
    (14, "Q6_K", 256, 210),
    (15, "Q8_K", 256, 292),
    (16, "IQ2_XXS", 256, 66),
    (17, "IQ2_XS", 256, 74),
    (18, "IQ3_XXS", 256, 98),
    (19, "IQ1_S", 256, 50),
    (20, "IQ4_NL", 32, 18),
    (21, "IQ3_S", 256, 110),
    (22, "IQ2_S", 256, 82),
    (23, "IQ4_XS", 256, 136),
    (24, "I8", 1, 1),
    (25, "I16", 1, 2),
    (26, "I32", 1, 4),
    (27, "I64", 1, 8),
    (28, "F64", 1, 8),
    (29, "IQ1_M", 256, 56),
    (30, "BF16", 1, 2),
    (34, "TQ1_0", 256, 54),
    (35, "TQ2_0", 256, 66),
    (39, "MXFP4", 32, 17),
    (40, "NVFP4", 64, 36),
    (41, "Q1_0", 128, 18),
];

/// The types embspace reads, for messages.
pub(crate) const SUPPORTED: &str =
    "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS";

/// How a type embspace reads turns its bytes into values.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dequantizer {
    /// Plain floats, a whole run at once (`out`, `bytes`).
    Floats(fn(&mut [f32], &[u8])),
    /// Blocks of `values` values in `size` bytes, one block at a time.
    Blocks {
        size: usize,
        values: usize,
        block: fn(&[u8], &mut [f32]),
    },
}

impl GgmlType {
    /// The type with ggml id `id`, if ggml defines one.
    pub fn from_id(id: u32) -> Option<GgmlType> {
        TYPES
            .iter()
            .find(|t| t.0 == id)
            .map(|&(id, name, block, size)| GgmlType {
                id,
                name,
                block,
                size,
            })
    }

    /// The bytes of a row of `dim` values (a whole number of blocks).
    pub fn row_bytes(self, dim: usize) -> usize {
        dim / self.block * self.size
    }

    /// How to read this type, if embspace reads it.
    pub fn dequantizer(self) -> Option<Dequantizer> {
        let blocks = |block| Dequantizer::Blocks {
            size: self.size,
            values: self.block,
            block,
        };
        Some(match self.name {
            "F32" => Dequantizer::Floats(read_f32),
            "F16" => Dequantizer::Floats(read_f16),
            "BF16" => Dequantizer::Floats(read_bf16),
            "Q8_0" => blocks(q8_0),
            "Q4_0" => blocks(q4_0),
            "Q4_1" => blocks(q4_1),
            "Q5_0" => blocks(q5_0),
            "Q5_1" => blocks(q5_1),
            "Q2_K" => blocks(q2_k),
            "Q3_K" => blocks(q3_k),
            "Q4_K" => blocks(q4_k),
            "Q5_K" => blocks(q5_k),
            "Q6_K" => blocks(q6_k),
            "IQ4_NL" => blocks(iq4_nl),
            "IQ4_XS" => blocks(iq4_xs),
            _ => return None,
        })
    }
}

impl Dequantizer {
    /// Fills `out` with the values of `bytes`, whole blocks of its type.
    pub fn run(self, out: &mut [f32], bytes: &[u8]) {
        match self {
            Dequantizer::Floats(read) => read(out, bytes),
            Dequantizer::Blocks { size, values, block } => {
                for (b, y) in bytes.chunks_exact(size).zip(out.chunks_exact_mut(values)) {
                    block(b, y);
                }
            }
        }
    }
}

/// The half-precision value at `b[at..at + 2]`.
#[inline]
fn half(b: &[u8], at: usize) -> f32 {
    f16_to_f32(u16::from_le_bytes([b[at], b[at + 1]]))
}

/// bfloat16: the top half of an `f32`'s bits.
fn read_bf16(out: &mut [f32], bytes: &[u8]) {
    for (y, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *y = f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16);
    }
}

/// Q8_0, 34 bytes for 32 values: the scale `d` (f16), then 32 signed bytes;
/// `y = q · d`.
fn q8_0(b: &[u8], y: &mut [f32]) {
    let d = half(b, 0);
    for (y, &q) in y.iter_mut().zip(&b[2..34]) {
        *y = f32::from(q as i8) * d;
    }
}

/// Q4_0, 18 bytes for 32 values: `d` (f16), then 16 bytes whose low nibbles
/// are values 0–15 and high nibbles values 16–31; `y = (q − 8) · d`.
fn q4_0(b: &[u8], y: &mut [f32]) {
    let d = half(b, 0);
    for (j, &q) in b[2..18].iter().enumerate() {
        y[j] = (i32::from(q & 0x0f) - 8) as f32 * d;
        y[j + 16] = (i32::from(q >> 4) - 8) as f32 * d;
    }
}

/// Q4_1, 20 bytes for 32 values: `d` and the minimum `m` (f16), then nibbles
/// as in Q4_0; `y = q · d + m`.
fn q4_1(b: &[u8], y: &mut [f32]) {
    let (d, m) = (half(b, 0), half(b, 2));
    for (j, &q) in b[4..20].iter().enumerate() {
        y[j] = f32::from(q & 0x0f) * d + m;
        y[j + 16] = f32::from(q >> 4) * d + m;
    }
}

/// The 32 five-bit quants of a Q5_0 or Q5_1 block: the fifth bits of the 32
/// values (a little-endian `u32`, bit `j` for value `j`), then 16 bytes of
/// nibbles as in Q4_0.
fn five_bit_quants(high: &[u8], nibbles: &[u8]) -> [u8; 32] {
    let high = u32::from_le_bytes([high[0], high[1], high[2], high[3]]);
    let fifth = |j: usize| ((high >> j) & 1) as u8;
    let mut q = [0; 32];
    for (j, &n) in nibbles[..16].iter().enumerate() {
        q[j] = (n & 0x0f) | fifth(j) << 4;
        q[j + 16] = (n >> 4) | fifth(j + 16) << 4;
    }
    q
}

/// Q5_0, 22 bytes for 32 values: `d` (f16), then the five-bit quants
/// ([`five_bit_quants`]); `y = (q − 16) · d`.
fn q5_0(b: &[u8], y: &mut [f32]) {
    let d = half(b, 0);
    for (y, q) in y.iter_mut().zip(five_bit_quants(&b[2..6], &b[6..22])) {
        *y = (i32::from(q) - 16) as f32 * d;
    }
}

/// Q5_1, 24 bytes for 32 values: `d` and the minimum `m` (f16), then the
/// five-bit quants ([`five_bit_quants`]); `y = q · d + m`.
fn q5_1(b: &[u8], y: &mut [f32]) {
    let (d, m) = (half(b, 0), half(b, 2));
    for (y, q) in y.iter_mut().zip(five_bit_quants(&b[4..8], &b[8..24])) {
        *y = f32::from(q) * d + m;
    }
}

/// Where sub-block `s` (sixteen values) of a Q2_K or Q3_K block keeps its
/// 2-bit quants: each half of 128 values takes 32 bytes, their bit pair `k`
/// for its values `32k` to `32k + 31`. Returns the half, the first of the
/// sub-block's sixteen bytes among the half's 32, and `k`.
fn bit_pair_place(s: usize) -> (usize, usize, usize) {
    (s / 8, 16 * (s % 2), (s % 8) / 2)
}

/// Q2_K, 84 bytes for 256 values in sixteen sub-blocks of 16: sixteen bytes
/// of 4-bit scales (low nibble) and mins (high nibble), 64 bytes of 2-bit
/// quants ([`bit_pair_place`]), then `d` and `dmin` (f16);
/// `y = (d · sc) · q − (dmin · m)`.
fn q2_k(b: &[u8], y: &mut [f32]) {
    let (d, dmin) = (half(b, 80), half(b, 82));
    for (s, y) in y.chunks_exact_mut(16).enumerate() {
        let (half, at, k) = bit_pair_place(s);
        let qs = &b[16 + 32 * half + at..][..16];
        let scale = d * f32::from(b[s] & 0x0f);
        let offset = dmin * f32::from(b[s] >> 4);
        for (y, &q) in y.iter_mut().zip(qs) {
            *y = scale * f32::from((q >> (2 * k)) & 3) - offset;
        }
    }
}

/// Q3_K, 110 bytes for 256 values in sixteen sub-blocks of 16: 32 bytes of
/// high bits, 64 bytes of low bit pairs ([`bit_pair_place`]), twelve bytes of
/// packed 6-bit scales, then `d` (f16). Value `i` of half `h` at bit pair `k`
/// takes its high bit from bit `4h + k` of byte `i mod 32`, and a clear high
/// bit subtracts 4; `y = (d · (sc − 32)) · q`.
fn q3_k(b: &[u8], y: &mut [f32]) {
    let d = half(b, 108);
    let (hmask, scales) = (&b[..32], &b[96..108]);
    for (s, y) in y.chunks_exact_mut(16).enumerate() {
        let (half, at, k) = bit_pair_place(s);
        // llama.cpp's `kmask` unpacking: the low four bits from byte `s` (low
        // nibble) or `s − 8` (high), the top two from byte `8 + s mod 4`.
        let low = if s < 8 {
            scales[s] & 0x0f
        } else {
            scales[s - 8] >> 4
        };
        let top = (scales[8 + s % 4] >> (2 * (s / 4))) & 3;
        let scale = d * f32::from((low | top << 4) as i8 - 32);
        let qs = &b[32 + 32 * half + at..][..16];
        let bit = 4 * half + k;
        for ((y, &q), &h) in y.iter_mut().zip(qs).zip(&hmask[at..at + 16]) {
            let low = i32::from((q >> (2 * k)) & 3);
            let q = if (h >> bit) & 1 == 1 { low } else { low - 4 };
            *y = scale * q as f32;
        }
    }
}

/// The 6-bit scale and min of sub-block `j` of a Q4_K block, packed in 12
/// bytes (llama.cpp's `get_scale_min_k4`): sub-blocks 0–3 keep theirs in the
/// low six bits of bytes `j` and `j + 4`; sub-blocks 4–7 take four bits from
/// byte `j + 4` and their top two from the spare bits of bytes `j − 4` and `j`.
#[inline]
fn scale_min_k4(j: usize, q: &[u8]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

/// Q4_K, 144 bytes for 256 values in eight sub-blocks of 32: `d` and `dmin`
/// (f16), twelve bytes of packed 6-bit scales and mins, then 128 bytes of
/// nibbles (each 32 bytes: low nibbles for one sub-block, high for the next);
/// `y = (d · sc) · q − (dmin · m)`.
fn q4_k(b: &[u8], y: &mut [f32]) {
    k_sub_blocks(b, y, &[0; 32], &b[16..144]);
}

/// Q5_K, 176 bytes for 256 values: as Q4_K, with 32 bytes of fifth bits
/// (bit `j` of byte `l` for value `l` of sub-block `j`) before the nibbles.
fn q5_k(b: &[u8], y: &mut [f32]) {
    k_sub_blocks(b, y, &b[16..48], &b[48..176]);
}

/// The eight sub-blocks of a Q4_K or Q5_K block: scales and mins from bytes
/// 4 to 15, each value's low four bits from `nibbles` and its fifth from
/// `high` (all zero for Q4_K).
fn k_sub_blocks(b: &[u8], y: &mut [f32], high: &[u8], nibbles: &[u8]) {
    let (d, dmin) = (half(b, 0), half(b, 2));
    for (j, y) in y.chunks_exact_mut(32).enumerate() {
        let (sc, m) = scale_min_k4(j, &b[4..16]);
        let scale = d * f32::from(sc);
        let offset = dmin * f32::from(m);
        let shift = 4 * (j % 2);
        let qs = &nibbles[32 * (j / 2)..][..32];
        for ((y, &q), &h) in y.iter_mut().zip(qs).zip(high) {
            let q = (q >> shift) & 0x0f | ((h >> j) & 1) << 4;
            *y = scale * f32::from(q) - offset;
        }
    }
}

/// Q6_K, 210 bytes for 256 values in sixteen sub-blocks of 16: 128 bytes of
/// low nibbles, 64 bytes of high bit pairs, sixteen signed 8-bit scales, then
/// `d` (f16). Each half of 128 values takes 64 low-nibble bytes and 32 bytes
/// of bit pairs; `y = (d · sc) · (q − 32)`.
fn q6_k(b: &[u8], y: &mut [f32]) {
    let d = half(b, 208);
    for (n, y) in y.chunks_exact_mut(128).enumerate() {
        let ql = &b[64 * n..][..64];
        let qh = &b[128 + 32 * n..][..32];
        let sc = &b[192 + 8 * n..][..8];
        let scale = |s: usize| d * f32::from(sc[s] as i8);
        for l in 0..32 {
            let is = l / 16;
            let h = qh[l];
            let q = [
                (ql[l] & 0x0f) | (h & 3) << 4,
                (ql[l + 32] & 0x0f) | ((h >> 2) & 3) << 4,
                (ql[l] >> 4) | ((h >> 4) & 3) << 4,
                (ql[l + 32] >> 4) | ((h >> 6) & 3) << 4,
            ];
            for (k, q) in q.into_iter().enumerate() {
                y[l + 32 * k] = scale(is + 2 * k) * (i32::from(q) - 32) as f32;
            }
        }
    }
}

/// IQ4_NL's sixteen non-linear levels (llama.cpp's `kvalues_iq4nl`).
const IQ4_LEVELS: [i8; 16] = [
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
];

/// Sixteen bytes of nibbles, each an index into [`IQ4_LEVELS`], as 32 values
/// times `scale`: the low nibbles first, then the high ones.
fn iq4_levels(qs: &[u8], scale: f32, y: &mut [f32]) {
    let level = |q: u8| f32::from(IQ4_LEVELS[usize::from(q)]);
    for (j, &q) in qs[..16].iter().enumerate() {
        y[j] = scale * level(q & 0x0f);
        y[j + 16] = scale * level(q >> 4);
    }
}

/// IQ4_NL, 18 bytes for 32 values: `d` (f16), then nibbles laid out as in
/// Q4_0, each a level; `y = d · level`.
fn iq4_nl(b: &[u8], y: &mut [f32]) {
    iq4_levels(&b[2..18], half(b, 0), y);
}

/// IQ4_XS, 136 bytes for 256 values in eight sub-blocks of 32: `d` (f16), the
/// top two bits of the eight 6-bit scales (a little-endian `u16`, bits `2j`
/// and `2j + 1` for sub-block `j`), their low four bits (four bytes, low
/// nibble first), then sixteen bytes of level nibbles per sub-block as in
/// IQ4_NL; `y = (d · (sc − 32)) · level`.
fn iq4_xs(b: &[u8], y: &mut [f32]) {
    let d = half(b, 0);
    let top = u16::from_le_bytes([b[2], b[3]]);
    for (j, y) in y.chunks_exact_mut(32).enumerate() {
        let low = (b[4 + j / 2] >> (4 * (j % 2))) & 0x0f;
        let high = ((top >> (2 * j)) & 3) as u8;
        let scale = d * f32::from((low | high << 4) as i8 - 32);
        iq4_levels(&b[8 + 16 * j..][..16], scale, y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(name: &str, bytes: &[u8], values: usize) -> Vec<f32> {
        let ty = TYPES.iter().find(|t| t.1 == name).unwrap();
        let mut out = vec![0.0; values];
        GgmlType::from_id(ty.0)
            .unwrap()
            .dequantizer()
            .unwrap()
            .run(&mut out, bytes);
        out
    }

    /// Why C, numpy and Rust agree: for every finite `f16` scale, the
    /// products `(d · sc) · q` the dequantisers form are exact in `f32` (the
    /// widest sub-block scales and quants, odd ones with the most bits).
    #[test]
    fn every_scale_times_sub_scale_times_quant_is_exact_in_f32() {
        for bits in (0..=u16::MAX).filter(|b| b & 0x7c00 != 0x7c00) {
            let d = f16_to_f32(bits);
            for sc in [127.0f32, -128.0, 113.0, 63.0] {
                for q in [31.0f32, -32.0, 29.0, 15.0] {
                    let exact = f64::from(d) * f64::from(sc) * f64::from(q);
                    assert_eq!(f64::from(d * sc * q), exact, "{bits:#06x} {sc} {q}");
                }
            }
        }
    }

    #[test]
    fn every_block_size_is_the_sum_of_its_fields() {
        let size = |name: &str| TYPES.iter().find(|t| t.1 == name).unwrap().3;
        assert_eq!(size("Q4_K"), 2 + 2 + 12 + 128);
        assert_eq!(size("Q6_K"), 128 + 64 + 16 + 2);
        assert_eq!(size("Q5_0"), 2 + 4 + 16);
        assert_eq!(size("Q4_1"), 2 + 2 + 16);
        assert_eq!(size("Q5_1"), 2 + 2 + 4 + 16);
        assert_eq!(size("Q2_K"), 16 + 64 + 2 + 2);
        assert_eq!(size("Q3_K"), 32 + 64 + 12 + 2);
        assert_eq!(size("Q5_K"), 2 + 2 + 12 + 32 + 128);
        assert_eq!(size("IQ4_NL"), 2 + 16);
        assert_eq!(size("IQ4_XS"), 2 + 2 + 4 + 128);
    }

    #[test]
    fn q8_0_multiplies_each_signed_byte_by_the_scale() {
        let mut block = 0x3800u16.to_le_bytes().to_vec(); // 0.5
        block.extend((0..32).map(|i| (i as i8 - 16) as u8));
        let y = decode("Q8_0", &block, 32);
        assert_eq!((y[0], y[16], y[31]), (-8.0, 0.0, 7.5));
    }

    #[test]
    fn q4_0_puts_low_nibbles_first_and_centres_on_eight() {
        let mut block = 0x4000u16.to_le_bytes().to_vec(); // 2.0
        block.extend([0xf0; 16]);
        let y = decode("Q4_0", &block, 32);
        assert_eq!((y[0], y[15], y[16], y[31]), (-16.0, -16.0, 14.0, 14.0));
    }

    #[test]
    fn q5_0_takes_value_j_fifth_bit_from_bit_j() {
        let mut block = 0x3c00u16.to_le_bytes().to_vec(); // 1.0
        block.extend((1u32 << 3 | 1 << 20).to_le_bytes());
        block.extend([0x00; 16]);
        let y = decode("Q5_0", &block, 32);
        assert_eq!((y[3], y[4], y[20], y[21]), (0.0, -16.0, 0.0, -16.0));
    }

    /// The 6-bit packing of Q4_K: sub-block 5 assembles its scale from byte
    /// 9's low nibble and byte 1's top bits, its min from byte 9's high nibble
    /// and byte 5's top bits.
    #[test]
    fn k4_scales_of_the_upper_sub_blocks_gather_their_spare_bits() {
        let mut q = [0u8; 12];
        q[1] = 0b10_000001;
        q[5] = 0b01_000010;
        q[9] = 0x3a;
        assert_eq!(scale_min_k4(1, &q), (1, 2));
        assert_eq!(scale_min_k4(5, &q), (0b10_1010, 0b01_0011));
    }

    #[test]
    fn q3_k_subtracts_four_where_the_high_bit_is_clear() {
        let mut block = vec![0u8; 110];
        block[0] = 0b0001_0001; // value 0's high bit for bit pairs 0 and 4 (the second half)
        block[108..110].copy_from_slice(&0x3c00u16.to_le_bytes()); // d = 1
        // Every scale is 0 − 32 and every low bit pair 0, so q is 0 or −4.
        let y = decode("Q3_K", &block, 256);
        assert_eq!(
            (y[0], y[1], y[32], y[128], y[129]),
            (0.0, 128.0, 128.0, 0.0, 128.0)
        );
    }

    #[test]
    fn q6_k_scales_each_sixteen_values_by_their_own_scale() {
        let mut block = vec![0u8; 210];
        block[192..208].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xff]);
        block[208..210].copy_from_slice(&0x3c00u16.to_le_bytes());
        // Every quant is 0 - 32 = -32; value i carries scale i / 16 (the last is -1).
        let y = decode("Q6_K", &block, 256);
        for (i, v) in y.iter().enumerate() {
            let sc = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, -1][i / 16];
            assert_eq!(*v, -32.0 * sc as f32, "value {i}");
        }
    }
}

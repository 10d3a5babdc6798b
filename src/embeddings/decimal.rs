//! The fast path of the text parser: plain decimals such as `-0.07182979`,
//! the way gensim, numpy and GloVe write nearly every value.
//!
//! A value `-?d*.d*` with at most 15 digits, at most 12 of them after the
//! point, is `m / 10^k` with `m < 2^53` and `10^k` both exact in `f64`, so one
//! `f64` division gives the correctly rounded `f64` (Clinger's fast path).
//! Rounding that on to `f32` gives the correctly rounded `f32` too: a decimal
//! that short is never within `2⁻⁵³·x` of a midpoint between two `f32` (for a
//! midpoint `M·2⁻q` with `M < 2²⁵`, `m/10^k − M·2⁻q` is a multiple of
//! `2^min(q,k) / (10^k·2^q)`, which is larger than `2⁻⁵³·x` when `k ≤ 12` and
//! `m < 10^15`), so the first rounding can never land on one. Anything else
//! (exponents, longer values, `inf`, errors) returns `None` and goes to
//! `fast-float2`, which handles every case.
//!
//! The digits after the point are read eight at a time with SWAR arithmetic in
//! a `u64`; that and the missing exponent handling is where the time goes
//! compared with a general parser (measured in `src/embeddings/text.rs`).

/// Exact powers of ten in `f64`, for the `k ≤ 12` decimals of the fast path.
const POWERS: [f64; 13] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];

/// `10^n` for the up to eight digits read at once.
const SCALES: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// Most digits the fast path takes: below `2^53`, so exact in `f64`.
const MAX_DIGITS: usize = 15;

/// The value at the start of `bytes` and the bytes it took, when it is a plain
/// decimal followed by a space or the end; `None` sends the field to the
/// general parser: `-0.25 1` gives `(-0.25, 5)`, `1e-5` gives `None`.
#[inline]
pub(crate) fn plain_decimal(bytes: &[u8]) -> Option<(f32, usize)> {
    let negative = bytes.first() == Some(&b'-');
    let mut i = usize::from(negative);
    let mut mantissa = 0u64;
    let whole = i;
    while let Some(digit) = bytes.get(i).map(|b| b.wrapping_sub(b'0')).filter(|&d| d < 10) {
        mantissa = mantissa * 10 + u64::from(digit);
        i += 1;
        if i - whole > MAX_DIGITS {
            return None;
        }
    }
    let whole_digits = i - whole;
    let mut decimals = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let fraction = i;
        while let Some(chunk) = bytes.get(i..i + 8) {
            let digits = u64::from_le_bytes(chunk.try_into().expect("eight bytes")) ^ 0x3030_3030_3030_3030;
            let n = leading_digits(digits);
            if n == 0 {
                break;
            }
            if whole_digits + (i - fraction) + n > MAX_DIGITS {
                return None;
            }
            // Shift the `n` digits to the top bytes: the zero bytes below are
            // leading zeros of the number they spell.
            mantissa = mantissa * SCALES[n] + eight_digits(digits << (8 * (8 - n)));
            i += n;
            if n < 8 {
                break;
            }
        }
        while let Some(digit) = bytes.get(i).map(|b| b.wrapping_sub(b'0')).filter(|&d| d < 10) {
            if whole_digits + (i - fraction) + 1 > MAX_DIGITS {
                return None;
            }
            mantissa = mantissa * 10 + u64::from(digit);
            i += 1;
        }
        decimals = i - fraction;
    }
    if whole_digits + decimals == 0 || decimals >= POWERS.len() || bytes.get(i).is_some_and(|&b| b != b' ') {
        return None;
    }
    // `m < 2^53`: the signed conversion is exact and one instruction.
    let magnitude = (mantissa as i64 as f64 / POWERS[decimals]) as f32;
    Some((if negative { -magnitude } else { magnitude }, i))
}

/// How many of the eight bytes of `digits` (each byte already `b ^ b'0'`,
/// first byte lowest) are decimal digits before the first that is not.
#[inline]
fn leading_digits(digits: u64) -> usize {
    // A byte is a digit iff it is below 10: adding 0x76 sets its high bit
    // otherwise (carries only reach bytes after the first non-digit).
    let non_digits = (digits.wrapping_add(0x7676_7676_7676_7676) | digits) & 0x8080_8080_8080_8080;
    (non_digits.trailing_zeros() / 8) as usize
}

/// The number spelled by eight digit bytes (values 0–9, first byte lowest and
/// most significant): three multiply-and-add steps instead of eight.
#[inline]
fn eight_digits(digits: u64) -> u64 {
    let pairs = digits.wrapping_mul(10).wrapping_add(digits >> 8);
    let lows = (pairs & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32));
    let highs = ((pairs >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32));
    lows.wrapping_add(highs) >> 32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fast-float2`'s reading of the field at the start of `bytes`, as the
    /// text parser accepts it (followed by a space or the end).
    fn general(bytes: &[u8]) -> Option<(f32, usize)> {
        fast_float2::parse_partial::<f32, _>(bytes)
            .ok()
            .filter(|&(_, used)| bytes.get(used).is_none_or(|&b| b == b' '))
    }

    #[test]
    fn eight_digits_spell_their_number() {
        for text in ["00000000", "12345678", "99999999", "00000007", "70000000"] {
            let digits = u64::from_le_bytes(text.as_bytes().try_into().unwrap()) ^ 0x3030_3030_3030_3030;
            assert_eq!(eight_digits(digits), text.parse::<u64>().unwrap(), "{text}");
            assert_eq!(leading_digits(digits), 8, "{text}");
        }
    }

    #[test]
    fn leading_digits_stop_at_the_first_other_byte() {
        for (text, n) in [
            (&b"1234 678"[..], 4),
            (b" 2345678", 0),
            (b"1234567-", 7),
            (b"12\xff45678", 2),
            (b"1:/45678", 1),
        ] {
            let digits = u64::from_le_bytes(text.try_into().unwrap()) ^ 0x3030_3030_3030_3030;
            assert_eq!(leading_digits(digits), n, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn plain_decimals_read_as_the_general_parser_reads_them() {
        let fields = [
            "0",
            "-0",
            "7",
            "0.5",
            "-0.07182979",
            "0.26486957",
            "-0.049711887",
            "0.017852807",
            "123.25",
            "1.",
            ".5",
            "-.5",
            "0.000123456789",
            "999999999999999",
            "99999999.9999999",
            "0.123456789012",
            "3.4028235",
            "-1 2",
            "0.1234567 8",
            "1234567.12345678",
        ];
        for field in fields {
            let bytes = field.as_bytes();
            assert_eq!(plain_decimal(bytes), general(bytes), "{field}");
            assert!(plain_decimal(bytes).is_some(), "{field} takes the fast path");
        }
    }

    #[test]
    fn everything_else_goes_to_the_general_parser() {
        let fields = [
            "",
            "-",
            ".",
            "-.",
            "+1",
            "1e-05",
            "1E5",
            "inf",
            "nan",
            "1.5x",
            "1..5",
            "1,5",
            "0.1234567890123",
            "1234567890123456",
            "0.1234567890123456789",
            "1-2",
            "12345678.12345678",
        ];
        for field in fields {
            assert_eq!(plain_decimal(field.as_bytes()), None, "{field}");
        }
    }

    #[test]
    fn every_f32_printed_shortest_reads_back_exactly() {
        // Seeded walk over bit patterns: Rust's `{}` prints the shortest
        // round-tripping decimal, as numpy's repr does.
        let mut bits = 0x3c00_0000u32;
        let mut fast = 0;
        for _ in 0..200_000 {
            bits = bits.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let value = f32::from_bits(bits);
            if !value.is_finite() {
                continue;
            }
            let text = format!("{value} ");
            if let Some((read, used)) = plain_decimal(text.as_bytes()) {
                assert_eq!(
                    (read.to_bits(), used),
                    (value.to_bits(), text.len() - 1),
                    "{text}"
                );
                fast += 1;
            }
        }
        assert!(fast > 1000, "only {fast} values took the fast path");
    }

    #[test]
    fn fixed_point_decimals_round_as_the_general_parser_rounds_them() {
        // Decimals with up to 15 digits that are not shortest f32 prints, so
        // they fall between two f32: the rounding is the one to check.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let decimals = (state % 13) as usize;
            let digits = 1 + (state >> 8) as usize % MAX_DIGITS;
            let mantissa = (state >> 12) % 10u64.pow(digits as u32);
            let text = format!("{:0>width$}", mantissa, width = decimals + 1);
            let (whole, fraction) = text.split_at(text.len() - decimals);
            let text = if decimals == 0 {
                whole.to_string()
            } else {
                format!("{whole}.{fraction}")
            };
            let bytes = text.as_bytes();
            if let Some(read) = plain_decimal(bytes) {
                assert_eq!(Some(read), general(bytes), "{text}");
            }
        }
    }
}

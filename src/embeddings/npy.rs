//! NumPy `.npy` matrices: a 2-D, C-order, little-endian `f16`, `f32` or
//! `f64` array, whose rows a separate vocabulary file names.
//!
//! The format is small enough to read by hand, which lets every refusal point
//! at its byte: the magic `\x93NUMPY`, a version, a header length (2 bytes in
//! version 1, 4 in versions 2 and 3), a Python dict literal
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (50, 8), }` and the raw
//! data. `f16` values widen exactly; `f64` values are rounded to the nearest
//! `f32`. The shipped real tables (`data/real/`) are `f16` `.npy` files.
//! A file on disk is read where it lies (an `f32` one in place, by the
//! loader); a gzipped or piped one as it arrives (`npy_rows.rs`).

use ndarray::Array2;
#[cfg(feature = "report")]
use rayon::prelude::*;

use super::Matrix;
use super::load_error::{Location, Malformed, shown};
use super::raw_floats::{Element, first_non_finite, read_f16, read_f32, read_f64};

/// Reads a `.npy` matrix as `f32`, at most `limit` rows, and its row count.
///
/// # Errors
/// A [`Malformed`] at the offending byte: a missing magic, an unknown
/// version, a header cut short or not a dict with `descr`, `fortran_order`
/// and `shape`, a dtype other than `<f2`/`<f4`/`<f8`, Fortran order, a rank other
/// than 2, no columns, data shorter or longer than the shape, a value that is
/// not a finite `f32`.
///
/// # Examples
/// ```
/// use embspace::embeddings::parse_npy;
///
/// let npy = |descr: &str, data: &[u8]| {
///     let header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (1, 2), }}");
///     let mut file = b"\x93NUMPY\x01\x00".to_vec();
///     file.extend((header.len() as u16).to_le_bytes());
///     file.extend(header.bytes());
///     file.extend_from_slice(data);
///     file
/// };
/// let data: Vec<u8> = [0.5f32, 2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
/// assert_eq!(parse_npy(&npy("<f4", &data), None).unwrap().vectors.row(0).to_vec(), [0.5, 2.0]);
/// assert_eq!(parse_npy(&npy("<i4", &data), None).unwrap_err().found, "descr `<i4`");
/// ```
pub fn parse_npy(bytes: &[u8], limit: Option<usize>) -> Result<Matrix, Malformed> {
    parse_npy_as(bytes, limit)
}

/// [`parse_npy`] into `f64` (or `f32`): the same values, widened as they are
/// read (the demos' shipped tables).
pub fn parse_npy_as<T: Element>(bytes: &[u8], limit: Option<usize>) -> Result<Matrix<T>, Malformed> {
    decode_npy(bytes, limit, |_| ())
}

/// [`parse_npy_as`], `done` hearing each block of the data once it is
/// decoded (a mapped file's reader gives its pages back).
pub(crate) fn decode_npy<T: Element>(
    bytes: &[u8],
    limit: Option<usize>,
    done: impl Fn(&[u8]) + Sync,
) -> Result<Matrix<T>, Malformed> {
    let npy = Located::read(bytes, limit)?;
    let data = &bytes[npy.data..npy.data + npy.keep * npy.dim * npy.item];
    let values = decode_finite(data, npy.item, done).map_err(|bad| npy.not_finite(bytes, 0, bad))?;
    let vectors = Array2::from_shape_vec((npy.keep, npy.dim), values).expect("dim values per row");
    Ok(Matrix {
        vectors,
        rows: npy.rows,
    })
}

/// A checked `.npy` matrix: where its data is, its shape and what [`parse_npy`]
/// keeps of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Located {
    /// Bytes per value: 2, 4 or 8.
    pub item: usize,
    /// Rows in the file.
    pub rows: usize,
    /// Rows kept (at most the limit).
    pub keep: usize,
    /// Columns.
    pub dim: usize,
    /// Where the data starts in the file.
    pub data: usize,
}

impl Located {
    /// Reads and checks the header and the data's length (everything
    /// [`parse_npy`] refuses except a value that is not finite).
    pub(crate) fn read(bytes: &[u8], limit: Option<usize>) -> Result<Located, Malformed> {
        let npy = Located::from_header(Header::read(bytes)?, limit)?;
        npy.check_length(bytes.len() - npy.data)?;
        Ok(npy)
    }

    /// Where the data of a file with this `header` lies, once its size is
    /// known to fit in memory.
    pub(super) fn from_header(header: Header, limit: Option<usize>) -> Result<Located, Malformed> {
        let (rows, dim) = header.shape;
        let size = rows.checked_mul(dim).and_then(|n| n.checked_mul(header.item));
        if size.is_none() {
            return Err(Malformed::new(
                Location::Byte(header.shape_at as u64),
                "a shape whose data fits in memory",
                header.shape_text(),
            ));
        }
        Ok(Located {
            item: header.item,
            rows,
            keep: rows.min(limit.unwrap_or(usize::MAX)),
            dim,
            data: header.data,
        })
    }

    /// The data's size in bytes, as the shape says.
    fn data_size(&self) -> usize {
        self.rows * self.dim * self.item
    }

    /// The refusal of data of `found` bytes, unless that is the shape's size.
    pub(super) fn check_length(&self, found: usize) -> Result<(), Malformed> {
        let need = self.data_size();
        let (at, found) = match found.cmp(&need) {
            std::cmp::Ordering::Equal => return Ok(()),
            std::cmp::Ordering::Less => (self.data + found, format!("{found} bytes")),
            std::cmp::Ordering::Greater => {
                (self.data + need, format!("{} more bytes after it", found - need))
            }
        };
        Err(Malformed::new(
            Location::Byte(at as u64),
            format!(
                "{need} bytes of data for shape {}",
                tuple_text(&[self.rows, self.dim])
            ),
            found,
        ))
    }

    /// The refusal of the `bad`-th value (row-major) of the data, which is
    /// not a finite `f32`, read from `bytes`, the file's bytes from byte `at` on.
    pub(crate) fn not_finite(&self, bytes: &[u8], at: usize, bad: usize) -> Malformed {
        let offset = self.data + bad * self.item;
        let raw = &bytes[offset - at..][..self.item];
        let original = match *raw {
            [a, b] => format!("{:?}", super::raw_floats::f16_to_f32(u16::from_le_bytes([a, b]))),
            [a, b, c, d] => format!("{:?}", f32::from_le_bytes([a, b, c, d])),
            _ => format!("{:?}", f64::from_le_bytes(raw.try_into().expect("8 bytes"))),
        };
        Malformed::new(
            Location::Byte(offset as u64),
            format!(
                "a finite f32 at row {}, column {}",
                bad / self.dim + 1,
                bad % self.dim + 1
            ),
            original,
        )
    }
}

/// Little-endian `f16` (`item` 2), `f32` (`item` 4) or `f64` (`item` 8)
/// values as `f32` (widened to `T`), or the index of the first value that is
/// not a finite `f32`.
///
/// Blocks are decoded and checked on every core (serially in the notebooks'
/// build, which has no rayon): the file is read at memory speed. `done`
/// hears each block's bytes once they are decoded (a mapped file's reader
/// gives their pages back).
pub(crate) fn decode_finite<T: Element>(
    data: &[u8],
    item: usize,
    done: impl Fn(&[u8]) + Sync,
) -> Result<Vec<T>, usize> {
    let mut values = super::huge_pages::zeroed(data.len() / item);
    match decode_finite_into(&mut values, data, item, done) {
        Some(bad) => Err(bad),
        None => Ok(values),
    }
}

/// [`decode_finite`] into `out`, which has room for every value of `data`:
/// returns the index of the first value that is not a finite `f32`.
pub(crate) fn decode_finite_into<T: Element>(
    out: &mut [T],
    data: &[u8],
    item: usize,
    done: impl Fn(&[u8]) + Sync,
) -> Option<usize> {
    const BLOCK: usize = 1 << 16;
    let decode = |(block, (out, bytes)): (usize, (&mut [T], &[u8]))| {
        match item {
            2 => read_f16(out, bytes),
            4 => read_f32(out, bytes),
            _ => read_f64(out, bytes),
        }
        done(bytes);
        first_non_finite(out).map(|bad| block * BLOCK + bad)
    };
    #[cfg(feature = "report")]
    let blocks = out.par_chunks_mut(BLOCK).zip(data.par_chunks(BLOCK * item));
    #[cfg(not(feature = "report"))]
    let blocks = out.chunks_mut(BLOCK).zip(data.chunks(BLOCK * item));
    blocks.enumerate().filter_map(decode).min()
}

/// What the `.npy` header says, and where.
pub(super) struct Header {
    /// Bytes per value: 2, 4 or 8.
    item: usize,
    /// Rows and columns.
    pub(super) shape: (usize, usize),
    /// Where the `shape` value starts in the file.
    shape_at: usize,
    /// Where the data starts in the file.
    data: usize,
}

impl Header {
    /// Reads the header at the start of `bytes`.
    pub(super) fn read(bytes: &[u8]) -> Result<Header, Malformed> {
        if !bytes.starts_with(b"\x93NUMPY") {
            let found = if bytes.is_empty() {
                "an empty file".into()
            } else {
                shown(&bytes[..bytes.len().min(6)])
            };
            return Err(Malformed::new(
                Location::Byte(0),
                "the .npy magic `\\x93NUMPY`",
                found,
            ));
        }
        let (length_bytes, start) = match bytes.get(6) {
            Some(1) => (2, 10),
            Some(2 | 3) => (4, 12),
            other => {
                let found = other.map_or("the end of the file".into(), |v| format!("version {v}"));
                return Err(Malformed::new(
                    Location::Byte(6),
                    ".npy format version 1, 2 or 3",
                    found,
                ));
            }
        };
        let length = bytes
            .get(8..8 + length_bytes)
            .ok_or_else(|| Malformed::new(Location::Byte(8), "the header length", "the end of the file"))?;
        let length = length.iter().rev().fold(0usize, |n, &b| n << 8 | b as usize);
        let text = bytes.get(start..start + length).ok_or_else(|| {
            Malformed::new(
                Location::Byte(start as u64),
                format!("a header of {length} bytes"),
                format!(
                    "{} before the end of the file",
                    bytes.len() - start.min(bytes.len())
                ),
            )
        })?;
        let dict = Dict { text, start };
        let (descr_at, descr) = dict.string("descr")?;
        let item = match descr {
            "<f2" => 2,
            "<f4" => 4,
            "<f8" => 8,
            other => {
                return Err(Malformed::new(
                    Location::Byte(descr_at as u64),
                    "little-endian float16, float32 or float64 data (descr `<f2`, `<f4` or `<f8`)",
                    format!("descr `{other}`"),
                ));
            }
        };
        let (order_at, fortran) = dict.value("fortran_order")?;
        if fortran.starts_with("True") {
            return Err(Malformed::new(
                Location::Byte(order_at as u64),
                "C order (fortran_order: False; save np.ascontiguousarray(m))",
                "fortran_order: True",
            ));
        }
        let (shape_at, shape) = dict.value("shape")?;
        let dims = parse_tuple(shape).ok_or_else(|| {
            Malformed::new(
                Location::Byte(shape_at as u64),
                "a shape tuple of integers",
                shown(shape.as_bytes()),
            )
        })?;
        let shape_text = tuple_text(&dims);
        let shape = match dims[..] {
            // A row keeps the data's size from saying nothing of a row's.
            [rows, dim] if rows > 0 && dim > 0 => (rows, dim),
            _ => {
                return Err(Malformed::new(
                    Location::Byte(shape_at as u64),
                    "a 2-D array (rows, dim) with at least one row and one column",
                    format!("shape {shape_text}"),
                ));
            }
        };
        Ok(Header {
            item,
            shape,
            shape_at,
            data: start + length,
        })
    }

    fn shape_text(&self) -> String {
        tuple_text(&[self.shape.0, self.shape.1])
    }
}

/// The header's dict literal, and its offset in the file.
struct Dict<'a> {
    text: &'a [u8],
    start: usize,
}

impl<'a> Dict<'a> {
    /// The text after `'key':`, up to the end of the dict, and its offset.
    fn value(&self, key: &str) -> Result<(usize, &'a str), Malformed> {
        let missing = || {
            Malformed::new(
                Location::Byte(self.start as u64),
                format!("a header dict with the key '{key}'"),
                shown(self.text),
            )
        };
        let text = std::str::from_utf8(self.text).map_err(|_| missing())?;
        let quoted = [format!("'{key}'"), format!("\"{key}\"")];
        let found = quoted
            .iter()
            .find_map(|q| text.find(q.as_str()).map(|i| i + q.len()))
            .ok_or_else(missing)?;
        let after = text[found..].trim_start();
        let after = after.strip_prefix(':').ok_or_else(missing)?.trim_start();
        Ok((self.start + text.len() - after.len(), after))
    }

    /// A quoted string value.
    fn string(&self, key: &str) -> Result<(usize, &'a str), Malformed> {
        let (at, value) = self.value(key)?;
        let quote = value.chars().next().filter(|c| *c == '\'' || *c == '"');
        quote
            .and_then(|q| value[1..].find(q).map(|end| (at, &value[1..1 + end])))
            .ok_or_else(|| {
                Malformed::new(
                    Location::Byte(at as u64),
                    format!("a quoted '{key}'"),
                    shown(value.as_bytes()),
                )
            })
    }
}

/// The integers of a Python tuple literal at the start of `text`: `(50, 8)`, `(3,)`, `()`.
fn parse_tuple(text: &str) -> Option<Vec<usize>> {
    let inner = text.strip_prefix('(')?;
    let inner = &inner[..inner.find(')')?];
    inner
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| part.trim_end_matches('L').parse().ok())
        .collect()
}

/// A shape as Python prints it: `(50, 8)`, `(50,)`.
fn tuple_text(dims: &[usize]) -> String {
    match dims {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            dims.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A `.npy` file (format 1.0) whose data starts 64-byte aligned, as numpy writes it.
    pub(crate) fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let order = if fortran { "True" } else { "False" };
        let mut header = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.bytes());
        out.extend_from_slice(data);
        out
    }

    pub(crate) fn f64s(values: &[f64]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn f64_values_round_to_the_nearest_f32() {
        let m = parse_npy(&npy("<f8", false, "(2, 1)", &f64s(&[0.1, -2.5])), None)
            .unwrap()
            .vectors;
        assert_eq!(m.as_slice().unwrap(), [0.1f32, -2.5]);
    }

    #[test]
    fn limit_keeps_the_first_rows() {
        let m = parse_npy(&npy("<f8", false, "(3, 1)", &f64s(&[1.0, 2.0, 3.0])), Some(2))
            .unwrap()
            .vectors;
        assert_eq!(m.as_slice().unwrap(), [1.0, 2.0]);
    }

    #[test]
    fn a_rank_other_than_two_is_refused_with_the_shape() {
        for shape in ["(2,)", "(1, 1, 2)", "()"] {
            let e = parse_npy(&npy("<f8", false, shape, &f64s(&[1.0, 2.0])), None).unwrap_err();
            assert_eq!(e.found, format!("shape {shape}"));
        }
    }

    #[test]
    fn fortran_order_and_big_endian_are_refused() {
        let e = parse_npy(&npy("<f8", true, "(1, 1)", &f64s(&[1.0])), None).unwrap_err();
        assert_eq!(e.found, "fortran_order: True");
        let e = parse_npy(&npy(">f8", false, "(1, 1)", &f64s(&[1.0])), None).unwrap_err();
        assert_eq!((e.at, e.found.as_str()), (Location::Byte(20), "descr `>f8`"));
    }

    #[test]
    fn short_and_long_data_are_refused_at_the_byte() {
        let e = parse_npy(&npy("<f8", false, "(2, 1)", &f64s(&[1.0])), None).unwrap_err();
        assert_eq!((e.at, e.found.as_str()), (Location::Byte(136), "8 bytes"));
        let e = parse_npy(&npy("<f8", false, "(1, 1)", &f64s(&[1.0, 2.0])), None).unwrap_err();
        assert_eq!(
            (e.at, e.found.as_str()),
            (Location::Byte(136), "8 more bytes after it")
        );
    }

    #[test]
    fn f16_values_widen_exactly_and_a_half_infinity_is_named_at_its_byte() {
        // 1.0, -2.0, 65504 (the largest half), 2^-24 (the smallest subnormal half).
        let halves: [u16; 4] = [0x3c00, 0xc000, 0x7bff, 0x0001];
        let data: Vec<u8> = halves.iter().flat_map(|h| h.to_le_bytes()).collect();
        let m = parse_npy(&npy("<f2", false, "(2, 2)", &data), None).unwrap();
        assert_eq!(
            m.vectors.into_raw_vec_and_offset().0,
            [1.0, -2.0, 65504.0, 2f32.powi(-24)]
        );

        let data: Vec<u8> = [0x3c00u16, 0x7c00].iter().flat_map(|h| h.to_le_bytes()).collect();
        let file = npy("<f2", false, "(1, 2)", &data);
        let e = parse_npy(&file, None).unwrap_err();
        assert_eq!(
            (e.at, e.found.as_str()),
            (Location::Byte(file.len() as u64 - 2), "inf")
        );
        assert!(e.expected.contains("row 1, column 2"), "{}", e.expected);
    }

    #[test]
    fn an_f64_beyond_f32_is_not_finite() {
        let e = parse_npy(&npy("<f8", false, "(1, 2)", &f64s(&[1.0, 1e300])), None).unwrap_err();
        assert_eq!((e.at, e.found.as_str()), (Location::Byte(136), "1e300"));
        assert_eq!(e.expected, "a finite f32 at row 1, column 2");
    }

    #[test]
    fn the_first_bad_value_is_named_when_several_blocks_hold_one() {
        // Three decoding blocks; the first bad value sits in the second, a later one in the third.
        let (rows, dim) = (70_000, 3);
        let mut values = vec![0.25f32; rows * dim];
        values[200_001] = f32::INFINITY;
        values[100_000] = f32::NAN;
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let e = parse_npy(&npy("<f4", false, "(70000, 3)", &data), None).unwrap_err();
        assert_eq!(e.at, Location::Byte(128 + 4 * 100_000));
        assert_eq!(
            (e.expected.as_str(), e.found.as_str()),
            ("a finite f32 at row 33334, column 2", "NaN")
        );
        values[100_000] = 1.0;
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let m = parse_npy(&npy("<f4", false, "(70000, 3)", &data), Some(66_000)).unwrap();
        assert_eq!((m.rows, m.vectors.nrows()), (70_000, 66_000));
        assert_eq!(m.vectors[[33_333, 1]], 1.0);
    }

    #[test]
    fn an_absurd_shape_reserves_nothing() {
        let e = parse_npy(&npy("<f4", false, "(99999999999, 99999999)", &[]), None).unwrap_err();
        assert_eq!(e.expected, "a shape whose data fits in memory");
        // No rows, so no data to bound a row of 2⁶⁴ bytes.
        let e = parse_npy(&npy("<f8", false, "(0, 2305843009213693952)", &[]), None).unwrap_err();
        assert_eq!(e.found, "shape (0, 2305843009213693952)");
    }
}

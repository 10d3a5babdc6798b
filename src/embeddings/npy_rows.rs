//! A `.npy` matrix read as its bytes arrive ([`NpyRows`], a [`RowReader`]):
//! a gzipped or piped file, of which only the rows kept are ever held.

use ndarray::Array2;

use super::Matrix;
use super::load_error::Malformed;
use super::mapped_rows::Pages;
use super::npy::{Header, Located, decode_finite_into};
use super::streamed::{RowReader, grow_zeroed, read_split};

/// `bytes` read as a gzip file's decompressed bytes are, in pieces of
/// `piece` bytes: what the fuzz target holds equal to [`parse_npy`](super::parse_npy) (without
/// a limit; with one, reading stops after the rows kept).
///
/// # Errors
/// As [`parse_npy`](super::parse_npy).
#[doc(hidden)]
pub fn parse_npy_in_pieces(bytes: &[u8], piece: usize, limit: Option<usize>) -> Result<Matrix, Malformed> {
    read_split(bytes, piece, NpyRows::new(limit))
}

/// A `.npy` matrix read a window at a time ([`RowReader`]), for a gzipped or
/// piped file whose bytes arrive in order: only the rows kept are held. It
/// refuses what [`parse_npy`](super::parse_npy) refuses, in the same order: the header where
/// it lies, then, once the file has ended, the data's length, then the first
/// value that is not finite. With a limit below the rows, reading stops
/// after the rows kept (as a text table's is), so the rest goes unchecked.
pub(crate) struct NpyRows {
    limit: Option<usize>,
    /// What the header says, once a window holds it.
    npy: Option<Located>,
    /// The values of the rows read so far.
    values: Vec<f32>,
    /// The first value that is not finite, refused after the data's length.
    not_finite: Option<Malformed>,
}

impl NpyRows {
    /// A reader keeping at most `limit` rows.
    pub(crate) fn new(limit: Option<usize>) -> NpyRows {
        NpyRows {
            limit,
            npy: None,
            values: Vec::new(),
            not_finite: None,
        }
    }
}

impl RowReader for NpyRows {
    type Output = Matrix;

    fn read(&mut self, window: &[u8], offset: usize, last: bool, _: Pages) -> Result<usize, Malformed> {
        let npy = match self.npy {
            Some(npy) => npy,
            // Nothing is used before the header: this window starts the file.
            None if !last && window.len() < header_size(window) => return Ok(0),
            None => *self
                .npy
                .insert(Located::from_header(Header::read(window)?, self.limit)?),
        };
        let (row_bytes, rows_read) = (npy.dim * npy.item, self.values.len() / npy.dim);
        let start = npy.data.saturating_sub(offset);
        let rows = ((window.len() - start) / row_bytes).min(npy.keep - rows_read);
        let out = grow_zeroed(&mut self.values, rows * npy.dim);
        let data = &window[start..start + rows * row_bytes];
        if let Some(bad) = decode_finite_into(out, data, npy.item, |_| ()) {
            let bad = rows_read * npy.dim + bad;
            (self.not_finite).get_or_insert_with(|| npy.not_finite(window, offset, bad));
        }
        if last {
            npy.check_length(offset + window.len() - npy.data)?;
            if let Some(error) = self.not_finite.take() {
                return Err(error);
            }
        }
        // Past the rows kept the data is only counted, for its length.
        match rows_read + rows == npy.keep {
            true => Ok(window.len()),
            false => Ok(start + rows * row_bytes),
        }
    }

    fn done(&self) -> bool {
        self.npy
            .is_some_and(|npy| npy.keep < npy.rows && self.values.len() == npy.keep * npy.dim)
    }

    fn finish(self) -> Result<Matrix, Malformed> {
        if let Some(error) = self.not_finite {
            return Err(error);
        }
        let npy = self.npy.expect("the header was read");
        let vectors = Array2::from_shape_vec((npy.keep, npy.dim), self.values).expect("dim values per row");
        Ok(Matrix {
            vectors,
            rows: npy.rows,
        })
    }
}

/// The bytes the header of a file that starts with `bytes` takes, as far as
/// they tell: twelve until they hold its length, none when they are not a
/// `.npy` header (its reader then refuses them).
fn header_size(bytes: &[u8]) -> usize {
    let length = |at: std::ops::Range<usize>| {
        let length = bytes.get(at)?.iter().rev();
        Some(length.fold(0usize, |n, &b| n << 8 | b as usize))
    };
    match bytes.get(6) {
        _ if bytes.len() >= 6 && !bytes.starts_with(b"\x93NUMPY") => 0,
        Some(1) => length(8..10).map_or(12, |n| 10 + n),
        Some(2 | 3) => length(8..12).map_or(12, |n| 12 + n),
        Some(_) => 0,
        None => 12,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::load_error::shown;
    use crate::embeddings::npy::tests::{f64s, npy};
    use crate::embeddings::parse_npy;

    fn is_about_the_length(error: &Malformed) -> bool {
        error.expected.contains(" bytes of data for shape ")
    }

    #[test]
    fn read_in_pieces_a_file_gives_what_it_gives_read_whole() {
        let good = npy("<f8", false, "(3, 2)", &f64s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        let bad = npy(
            "<f8",
            false,
            "(3, 2)",
            &f64s(&[1.0, f64::NAN, 3.0, 4.0, 5.0, 6.0]),
        );
        let mut version_2 = npy("<f2", false, "(2, 1)", &[0, 0x3c, 0, 0xc0]);
        version_2.splice(6..10, [2, 0, 118, 0, 0, 0]);
        let files = [
            good.clone(),
            bad.clone(),
            version_2,
            // Short by a row, then long, then short and a value not finite (the length is refused first).
            good[..good.len() - 16].to_vec(),
            [&good[..], &[0; 8]].concat(),
            bad[..bad.len() - 3].to_vec(),
            npy("<f8", false, "(0, 2)", &[]),
            npy("<f4", false, "(99999999999, 99999999)", &[]),
            npy("<f8", false, "(0, 2305843009213693952)", &[]),
            npy("<i4", false, "(1, 1)", &[0; 4]),
            npy("<f8", false, "(1, 1)", &[0; 8])[..60].to_vec(),
            b"\x93NUMPY\x05".to_vec(),
            b"\x93NUM".to_vec(),
            b"P6\n1 1\n255\n".to_vec(),
            Vec::new(),
        ];
        for file in &files {
            for limit in [None, Some(1), Some(3)] {
                let whole = parse_npy(file, limit);
                for piece in 1..=file.len() + 1 {
                    let read = parse_npy_in_pieces(file, piece, limit);
                    let at = || format!("{limit:?}, pieces of {piece} of {:?}", shown(file));
                    let rows = Header::read(file).map(|header| header.shape.0);
                    let stops = rows.is_ok_and(|rows| limit.is_some_and(|limit| limit < rows));
                    match &whole {
                        // Reading stops after the rows kept: a fault in them, or none, is found.
                        Err(error) if stops && is_about_the_length(error) => match &read {
                            Ok(m) => assert_eq!(Some(m.vectors.nrows()), limit, "{}", at()),
                            Err(error) => assert!(!is_about_the_length(error), "{}", at()),
                        },
                        _ => assert_eq!(read, whole, "{}", at()),
                    }
                }
            }
        }
        // With a limit below the rows, reading stops: the short data after them is not reached.
        let first = parse_npy_in_pieces(&good[..good.len() - 16], 7, Some(1)).unwrap();
        assert_eq!(
            (first.rows, first.vectors.into_raw_vec_and_offset().0),
            (3, vec![1.0, 2.0])
        );
    }
}

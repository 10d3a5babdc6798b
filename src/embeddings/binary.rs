//! word2vec binary: a `count dim\n` text header, then per row the token's
//! bytes up to a space and `dim` little-endian `f32`.
//!
//! Read as gensim 4.4's `_word2vec_read_binary` reads it: newlines before a
//! token are skipped (the original `word2vec.c` writes one after each vector,
//! gensim writes none). Where gensim is lenient this parser refuses, with the
//! byte offset: data after the announced rows other than whitespace, NaN and
//! infinities. Rows are located one after the other (a token's length is only
//! known by reading it), then their vectors are decoded and checked on every
//! core: the 100k × 300 file went from 67 to 55 ms (best of 7 interleaved
//! runs of each build).

use rayon::prelude::*;

use super::load::Table;
use super::load_error::{Location, Malformed, shown, token_text};
use super::mapped_rows::Pages;
use super::raw_floats::{first_non_finite, read_f32};
use super::streamed::{RowReader, Source, grow_zeroed, read_rows};
use super::text::read_header;
use super::{ROWS_PER_TASK, task_values};
use crate::format::plural;

/// Reads a word2vec binary file, at most `limit` rows.
///
/// Invalid UTF-8 in a token is an error unless `lossy`, which replaces it with
/// U+FFFD. Memory is reserved for the rows the file can hold, never for what
/// the header alone claims.
///
/// # Errors
/// A [`Malformed`] at the first offending byte: an empty file, a header that is
/// not two positive integers (line 1), a token or vector cut short by the end
/// of the file, a non-finite value, invalid UTF-8, fewer or more rows than the
/// header announces.
///
/// # Examples
/// ```
/// use embspace::embeddings::{parse_binary, Location};
///
/// let mut file = b"1 2\nhi ".to_vec();
/// file.extend([1.0f32, -2.0].iter().flat_map(|v| v.to_le_bytes()));
/// let table = parse_binary(&file, None, false).unwrap();
/// assert_eq!(table.tokens, ["hi"]);
/// assert_eq!(table.vectors.row(0).to_vec(), [1.0, -2.0]);
///
/// let error = parse_binary(&file[..file.len() - 1], None, false).unwrap_err();
/// assert_eq!(error.at, Location::Byte(7));
/// assert_eq!(error.found, "7 before the end of the file");
/// ```
pub fn parse_binary(bytes: &[u8], limit: Option<usize>, lossy: bool) -> Result<Table, Malformed> {
    Ok(read_rows(Source::Plain(bytes, Pages::Owned), BinaryRows::new(limit, lossy))?.table)
}

/// A word2vec binary file read a window at a time ([`RowReader`]): the rows
/// that end in a window are located one after the other, then decoded on
/// every core.
pub(crate) struct BinaryRows {
    limit: usize,
    lossy: bool,
    /// The header's `count dim`, once read.
    declared: Option<(usize, usize)>,
    tokens: Vec<String>,
    /// The rows read so far, `dim` values each.
    values: Vec<f32>,
    /// Where the first byte other than whitespace after the announced rows
    /// is, and how many bytes there are from it to the end of the file.
    extra: Option<(usize, usize)>,
}

impl BinaryRows {
    /// A reader keeping the first `limit` rows; invalid UTF-8 in a token is
    /// an error unless `lossy`, which replaces it with U+FFFD.
    pub(crate) fn new(limit: Option<usize>, lossy: bool) -> BinaryRows {
        BinaryRows {
            limit: limit.unwrap_or(usize::MAX),
            lossy,
            declared: None,
            tokens: Vec::new(),
            values: Vec::new(),
            extra: None,
        }
    }

    /// Reads the rows that end in `window` from `pos` on, while fewer than
    /// `wanted`; returns where the next row starts.
    fn read_rows(
        &mut self,
        window: &[u8],
        mut pos: usize,
        offset: usize,
        last: bool,
        pages: Pages,
    ) -> Result<usize, Malformed> {
        let (count, dim) = self.declared.expect("the header is read first");
        let wanted = count.min(self.limit);
        let row_bytes = dim * 4; // read_header checked count·dim·4
        let fits = (window.len() - pos) / (row_bytes + 1);
        let mut tokens = Vec::with_capacity((wanted - self.tokens.len()).min(fits));
        let mut starts = Vec::with_capacity(tokens.capacity());
        let mut cut_short = None;
        while self.tokens.len() + tokens.len() < wanted {
            let row = Row {
                number: self.tokens.len() + tokens.len() + 1,
                count,
                bytes: row_bytes,
            };
            match row.locate(window, pos, offset, last, self.lossy) {
                Ok(Some((token, start))) => {
                    tokens.push(token);
                    starts.push(start);
                    pos = start + row_bytes;
                }
                Ok(None) => break,
                Err(error) => {
                    cut_short = Some(error);
                    break;
                }
            }
        }
        let values = grow_zeroed(&mut self.values, starts.len() * dim);
        // A bad value in a row before the one that stopped the scan comes first in the file.
        if let Some((row, column)) = decode_rows(window, &starts, dim, values, pages) {
            let at = offset + starts[row] + 4 * column;
            return Err(Malformed::new(
                Location::Byte(at as u64),
                format!(
                    "a finite f32 as value {} of {dim} of row {} ({})",
                    column + 1,
                    self.tokens.len() + row + 1,
                    shown(tokens[row].as_bytes())
                ),
                format!("{:?}", values[row * dim + column]),
            ));
        }
        if let Some(error) = cut_short {
            return Err(error);
        }
        self.tokens.extend(tokens);
        Ok(pos)
    }
}

impl RowReader for BinaryRows {
    type Output = Table;

    fn read(&mut self, window: &[u8], offset: usize, last: bool, pages: Pages) -> Result<usize, Malformed> {
        let mut pos = 0;
        if self.declared.is_none() {
            if window.is_empty() && last {
                return Err(Malformed::new(
                    Location::Byte(0),
                    "a `count dim` header line",
                    "an empty file",
                ));
            }
            let Some(header_end) = memchr::memchr(b'\n', window).or(last.then_some(window.len())) else {
                return Ok(0);
            };
            self.declared = Some(read_header(&window[..header_end])?);
            pos = (header_end + 1).min(window.len());
        }
        let (count, _) = self.declared.expect("the header was read");
        if self.tokens.len() < count.min(self.limit) {
            pos = self.read_rows(window, pos, offset, last, pages)?;
            if self.tokens.len() < count.min(self.limit) {
                return Ok(pos);
            }
        }
        if self.tokens.len() == count {
            // Only whitespace may follow the announced rows.
            let rest = &window[pos..];
            self.extra = match self.extra {
                Some((at, more)) => Some((at, more + rest.len())),
                None => rest
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .map(|first| (offset + pos + first, rest.len() - first)),
            };
        }
        Ok(window.len())
    }

    fn done(&self) -> bool {
        self.declared
            .is_some_and(|(count, _)| self.tokens.len() == self.limit && self.limit < count)
    }

    fn finish(self) -> Result<Table, Malformed> {
        let (count, dim) = self.declared.expect("a table has its header");
        if let Some((at, more)) = self.extra {
            return Err(Malformed::new(
                Location::Byte(at as u64),
                format!(
                    "the end of the file after the {} the header announces",
                    plural(count, "row")
                ),
                format!("{more} more bytes"),
            ));
        }
        let vectors = ndarray::Array2::from_shape_vec((self.tokens.len(), dim), self.values)
            .expect("dim values per token");
        Ok(Table {
            tokens: self.tokens,
            vectors,
        })
    }
}

/// Row `number` (1-based) of the `count` a header announces, of `bytes`
/// bytes of vector.
struct Row {
    number: usize,
    count: usize,
    bytes: usize,
}

impl Row {
    /// The row from `pos` on in `window` (the file from byte `offset` on, to
    /// its end when `last`): its token and where its vector starts, `None`
    /// when it goes on past a window that is not the last, or why the file
    /// ends or breaks there.
    fn locate(
        &self,
        window: &[u8],
        mut pos: usize,
        offset: usize,
        last: bool,
        lossy: bool,
    ) -> Result<Option<(String, usize)>, Malformed> {
        let Row { number, count, bytes } = *self;
        pos += window[pos..].iter().take_while(|&&b| b == b'\n').count();
        let space = memchr::memchr(b' ', &window[pos..]).map(|i| pos + i);
        let ends_in_window = space.is_some_and(|space| window.len() - (space + 1) >= bytes);
        if !last && !ends_in_window {
            return Ok(None);
        }
        let at = |pos: usize| Location::Byte((offset + pos) as u64);
        if pos == window.len() {
            return Err(Malformed::new(
                at(pos),
                format!("{}, as the header says", plural(count, "row")),
                format!("the end of the file after {}", plural(number - 1, "row")),
            ));
        }
        let Some(space) = space else {
            return Err(Malformed::new(
                at(pos),
                format!("a token ended by a space for row {number}"),
                format!("the end of the file after {}", shown(&window[pos..])),
            ));
        };
        let token = token_text(&window[pos..space], offset + pos, lossy, |bad| {
            Location::Byte(bad as u64)
        })?;
        let start = space + 1;
        if window.len() - start < bytes {
            return Err(Malformed::new(
                at(start),
                format!(
                    "{bytes} bytes of vector for row {number} ({})",
                    shown(token.as_bytes())
                ),
                format!("{} before the end of the file", window.len() - start),
            ));
        }
        Ok(Some((token, start)))
    }
}

/// Decodes the `dim` little-endian `f32` at each of `starts` into `values`, on
/// every core, each block's rows given back to `pages` once decoded; returns
/// the first row and column (0-based) whose value is not finite.
fn decode_rows(
    bytes: &[u8],
    starts: &[usize],
    dim: usize,
    values: &mut [f32],
    pages: Pages,
) -> Option<(usize, usize)> {
    values
        .par_chunks_mut(task_values(dim))
        .enumerate()
        .filter_map(|(block, out)| {
            let first = block * ROWS_PER_TASK;
            let rows = out.len() / dim;
            for (row, out) in out.chunks_exact_mut(dim).enumerate() {
                let start = starts[first + row];
                read_f32(out, &bytes[start..start + 4 * dim]);
            }
            pages.done_with(&bytes[starts[first]..starts[first + rows - 1] + 4 * dim]);
            first_non_finite(out).map(|bad| (first + bad / dim, bad % dim))
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, rows: &[(&[u8], &[f32])]) -> Vec<u8> {
        let mut out = header.as_bytes().to_vec();
        for (token, vector) in rows {
            out.extend_from_slice(token);
            out.push(b' ');
            out.extend(vector.iter().flat_map(|v| v.to_le_bytes()));
        }
        out
    }

    #[test]
    fn newlines_between_rows_are_skipped_like_word2vec_c_writes_them() {
        let mut bytes = file("2 1\n", &[(b"a", &[1.0])]);
        bytes.push(b'\n');
        bytes.extend(file("", &[(b"b", &[2.0])]));
        bytes.push(b'\n');
        let table = parse_binary(&bytes, None, false).unwrap();
        assert_eq!(table.tokens, ["a", "b"]);
        assert_eq!(table.vectors.as_slice().unwrap(), [1.0, 2.0]);
    }

    #[test]
    fn a_header_count_beyond_the_rows_is_an_unexpected_end() {
        let e = parse_binary(&file("3 1\n", &[(b"a", &[1.0])]), None, false).unwrap_err();
        assert_eq!(e.at, Location::Byte(10));
        assert_eq!(e.expected, "3 rows, as the header says");
    }

    #[test]
    fn rows_beyond_the_header_count_are_refused_unless_limited() {
        let bytes = file("1 1\n", &[(b"a", &[1.0]), (b"b", &[2.0])]);
        let e = parse_binary(&bytes, None, false).unwrap_err();
        assert_eq!((e.at, e.found.as_str()), (Location::Byte(10), "6 more bytes"));
        let bytes = file("2 1\n", &[(b"a", &[1.0]), (b"b", &[2.0])]);
        assert_eq!(parse_binary(&bytes, Some(1), false).unwrap().tokens, ["a"]);
    }

    #[test]
    fn a_nan_is_refused_at_its_byte() {
        let e = parse_binary(&file("1 2\n", &[(b"a", &[1.0, f32::NAN])]), None, false).unwrap_err();
        assert_eq!((e.at, e.found.as_str()), (Location::Byte(10), "NaN"));
    }

    #[test]
    fn the_first_bad_value_in_the_file_wins_over_a_later_break_and_later_blocks() {
        // Rows in several parallel blocks, NaN in two of them, the file cut short after both.
        let tokens: Vec<String> = (0..3000).map(|i| format!("w{i}")).collect();
        let mut rows: Vec<(&[u8], Vec<f32>)> =
            tokens.iter().map(|t| (t.as_bytes(), vec![1.0, 2.0])).collect();
        rows[2500].1[0] = f32::INFINITY;
        rows[1500].1[1] = f32::NAN;
        let rows: Vec<(&[u8], &[f32])> = rows.iter().map(|(t, v)| (*t, v.as_slice())).collect();
        let mut bytes = file("3001 2\n", &rows);
        bytes.extend(b"cut 1");
        let e = parse_binary(&bytes, None, false).unwrap_err();
        assert_eq!(e.expected, "a finite f32 as value 2 of 2 of row 1501 (`w1500`)");
        let ok = parse_binary(&bytes, Some(1500), false).unwrap();
        assert_eq!((ok.tokens[1499].as_str(), ok.vectors[[1499, 1]]), ("w1499", 2.0));
    }

    #[test]
    fn invalid_utf8_is_refused_or_replaced() {
        let bytes = file("1 1\n", &[(b"a\xffb", &[1.0])]);
        let e = parse_binary(&bytes, None, false).unwrap_err();
        assert_eq!(e.at, Location::Byte(5));
        assert_eq!(parse_binary(&bytes, None, true).unwrap().tokens, ["a\u{fffd}b"]);
    }

    #[test]
    fn a_dimension_too_large_for_a_block_of_rows_is_an_error_not_an_overflow() {
        let e = parse_binary(b"1 40000000000000000\nx ", None, false).unwrap_err();
        assert_eq!(e.at, Location::Byte(22));
    }

    #[test]
    fn an_absurd_header_reserves_nothing() {
        let e = parse_binary(b"99999999999 9999\nx ", None, false).unwrap_err();
        assert_eq!(e.at, Location::Byte(19));
    }
}

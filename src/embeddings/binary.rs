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

use super::huge_pages;
use super::load::Table;
use super::load_error::{Location, Malformed, shown, token_text};
use super::mapped_rows::Pages;
use super::raw_floats::{first_non_finite, read_f32};
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
    read_binary(bytes, limit, lossy, Pages::Owned)
}

/// [`parse_binary`], giving back the pages of mapped `bytes` as each block
/// of rows is decoded, so the file and the table are never both whole in
/// memory.
pub(crate) fn read_binary(
    bytes: &[u8],
    limit: Option<usize>,
    lossy: bool,
    pages: Pages,
) -> Result<Table, Malformed> {
    if bytes.is_empty() {
        return Err(Malformed::new(
            Location::Byte(0),
            "a `count dim` header line",
            "an empty file",
        ));
    }
    let header_end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    let (count, dim) = read_header(&bytes[..header_end])?;
    let wanted = count.min(limit.unwrap_or(usize::MAX));
    let row_bytes = dim * 4; // read_header checked count·dim·4
    let mut pos = (header_end + 1).min(bytes.len());

    let fits = (bytes.len() - pos) / (row_bytes + 1);
    let mut tokens = Vec::with_capacity(wanted.min(fits));
    let mut starts = Vec::with_capacity(wanted.min(fits));
    let mut cut_short = None;
    for row in 1..=wanted {
        match locate_row(bytes, pos, row, count, row_bytes, lossy) {
            Ok((token, start)) => {
                tokens.push(token);
                starts.push(start);
                pos = start + row_bytes;
            }
            Err(error) => {
                cut_short = Some(error);
                break;
            }
        }
    }
    let mut values = huge_pages::zeroed(starts.len() * dim);
    // A bad value in a row before the one that stopped the scan comes first in the file.
    if let Some((row, column)) = decode_rows(bytes, &starts, dim, &mut values, pages) {
        let at = starts[row] + 4 * column;
        return Err(Malformed::new(
            Location::Byte(at as u64),
            format!(
                "a finite f32 as value {} of {dim} of row {} ({})",
                column + 1,
                row + 1,
                shown(tokens[row].as_bytes())
            ),
            format!("{:?}", values[row * dim + column]),
        ));
    }
    if let Some(error) = cut_short {
        return Err(error);
    }

    if wanted == count {
        let rest = &bytes[pos..];
        if let Some(more) = rest.iter().position(|b| !b.is_ascii_whitespace()) {
            return Err(Malformed::new(
                Location::Byte((pos + more) as u64),
                format!(
                    "the end of the file after the {} the header announces",
                    plural(count, "row")
                ),
                format!("{} more bytes", rest.len() - more),
            ));
        }
    }
    let vectors = ndarray::Array2::from_shape_vec((tokens.len(), dim), values).expect("dim values per token");
    Ok(Table { tokens, vectors })
}

/// Row `row` (1-based) from `pos` on: its token and where its vector starts,
/// or why the file ends or breaks there.
fn locate_row(
    bytes: &[u8],
    mut pos: usize,
    row: usize,
    count: usize,
    row_bytes: usize,
    lossy: bool,
) -> Result<(String, usize), Malformed> {
    pos += bytes[pos..].iter().take_while(|&&b| b == b'\n').count();
    if pos == bytes.len() {
        return Err(Malformed::new(
            Location::Byte(pos as u64),
            format!("{}, as the header says", plural(count, "row")),
            format!("the end of the file after {}", plural(row - 1, "row")),
        ));
    }
    let Some(space) = memchr::memchr(b' ', &bytes[pos..]).map(|i| pos + i) else {
        return Err(Malformed::new(
            Location::Byte(pos as u64),
            format!("a token ended by a space for row {row}"),
            format!("the end of the file after {}", shown(&bytes[pos..])),
        ));
    };
    let token = token_text(&bytes[pos..space], pos, lossy, |bad| Location::Byte(bad as u64))?;
    let start = space + 1;
    if bytes.len() - start < row_bytes {
        return Err(Malformed::new(
            Location::Byte(start as u64),
            format!(
                "{row_bytes} bytes of vector for row {row} ({})",
                shown(token.as_bytes())
            ),
            format!("{} before the end of the file", bytes.len() - start),
        ));
    }
    Ok((token, start))
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

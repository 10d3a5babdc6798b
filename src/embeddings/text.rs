//! word2vec, fastText `.vec` and GloVe text: `token v1 … vd` rows, with a
//! `count dim` header line (word2vec, fastText) or without one (GloVe).
//!
//! Rows are read as gensim 4.4's `_word2vec_read_text` reads them: trailing
//! ASCII whitespace (`\r\n`, fastText's trailing space) is dropped, then the
//! line is split on single ASCII spaces only, so a token keeps its tabs,
//! no-break spaces and everything else but `' '` exactly. Where gensim is
//! lenient this parser refuses, with the line: a header count that differs from
//! the rows present (gensim silently ignores extra rows), NaN and infinities.
//! `limit` keeps the first rows and ignores the rest without looking at them,
//! as gensim's `limit` does. A UTF-8 byte-order mark before the first line is
//! skipped, and a UTF-16 file refused (see [`super::byte_order_mark`]).
//!
//! # Speed
//! The file is split into lines once (`memchr`), the matrix is allocated once
//! at its final size, and the rows are parsed on every core, in blocks of rows
//! written in place. (A gzip file's rows arrive a piece at a time, each
//! piece's rows parsed so onto the end of the matrix; see `streamed.rs`.) Plain decimals (`-0.07182979`, nearly every value gensim,
//! numpy or GloVe write) take the SWAR fast path of [`super::decimal`]; every
//! other field goes to `fast-float2` (1.6× std's `str::parse::<f32>` on the
//! same values). The fast path took the 100k × 300 file from 0.50 s to 0.37 s
//! (best of 7 interleaved runs of each build), its profile from number parsing
//! (fast-float2's Eisel–Lemire step alone was a fifth) to mostly the row loop.
//! Every value is the correctly rounded `f32`; gensim rounds through `f64`
//! first, which can differ in the last bit only for decimals within 2⁻⁵³ of a
//! midpoint between two `f32`, which no `f32` printed by gensim or numpy is.

use ndarray::Array2;
use rayon::prelude::*;

use super::byte_order_mark::text_start;
use super::decimal::plain_decimal;
use super::file_format::header_sizes;
use super::load::Table;
use super::load_error::{Location, Malformed, shown, token_text};
use super::mapped_rows::Pages;
use super::streamed::{RowReader, Source, grow_zeroed, read_rows};
use super::{ROWS_PER_TASK, task_values};
use crate::format::plural;

/// Bytes of a mapped file whose lines have been found before their pages are
/// given back.
const GIVE_BACK: usize = 64 << 20;

/// Reads word2vec text (`header = true`) or GloVe text (`header = false`).
///
/// At most `limit` rows are read. Invalid UTF-8 in a token is an error unless
/// `lossy`, which replaces it with U+FFFD as gensim's `unicode_errors='replace'`.
///
/// # Errors
/// A [`Malformed`] at the first offending line: an empty file, a header that
/// is not two positive integers, a row with too few or too many values, a value
/// that is not a finite number, invalid UTF-8, or a header count that differs
/// from the rows present.
///
/// # Examples
/// ```
/// use embspace::embeddings::{parse_text, Location};
///
/// let table = parse_text(b"2 3\nthe 1 2 3\nof 4 5 6\n", true, None, false).unwrap();
/// assert_eq!(table.tokens, ["the", "of"]);
/// assert_eq!(table.vectors[[1, 2]], 6.0);
///
/// let error = parse_text(b"the 1 2\nof 3\n", false, None, false).unwrap_err();
/// assert_eq!(error.at, Location::Line(2));
/// assert_eq!((error.expected.as_str(), error.found.as_str()), ("2 values after the token", "1"));
/// ```
pub fn parse_text(bytes: &[u8], header: bool, limit: Option<usize>, lossy: bool) -> Result<Table, Malformed> {
    Ok(read_rows(
        Source::Plain(bytes, Pages::Owned),
        TextRows::new(header, limit, lossy),
    )?
    .table)
}

/// word2vec or GloVe text read a window at a time ([`RowReader`]): the
/// rows that end in a window are found, then parsed on every core.
pub(crate) struct TextRows {
    header: bool,
    limit: usize,
    lossy: bool,
    /// The header's `count dim`, once read.
    declared: Option<(usize, usize)>,
    /// Values a row, once the header or GloVe's first row is read.
    dim: Option<usize>,
    /// The line number of the next row.
    next_line: usize,
    tokens: Vec<String>,
    /// The rows read so far, `dim` values each.
    values: Vec<f32>,
}

impl TextRows {
    /// A reader of word2vec text (`header`) or GloVe text, keeping the first
    /// `limit` rows; invalid UTF-8 in a token is an error unless `lossy`,
    /// which replaces it with U+FFFD as gensim's `unicode_errors='replace'`.
    pub(crate) fn new(header: bool, limit: Option<usize>, lossy: bool) -> TextRows {
        TextRows {
            header,
            limit: limit.unwrap_or(usize::MAX),
            lossy,
            declared: None,
            dim: None,
            next_line: 1,
            tokens: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The rows to read: the header's count, at most the limit.
    fn wanted(&self) -> usize {
        self.declared
            .map_or(self.limit, |(count, _)| count.min(self.limit))
    }

    /// Reads the header (or GloVe's dimension, from the first row) at the
    /// start of the file; returns where the rows start, or `None` when the
    /// window does not hold the first line yet.
    fn start(&mut self, window: &[u8], last: bool) -> Result<Option<usize>, Malformed> {
        if window.is_empty() && last {
            let expected = match self.header {
                true => "a header of two positive integers `count dim`",
                false => "a row `token v1 … vd`",
            };
            return Err(Malformed::new(Location::Line(1), expected, "an empty file"));
        }
        let Some(newline) = memchr::memchr(b'\n', window).or(last.then_some(window.len())) else {
            return Ok(None);
        };
        let start = text_start(window)?;
        if self.header {
            let header = read_header(&window[start..newline])?;
            (self.declared, self.dim, self.next_line) = (Some(header), Some(header.1), 2);
            return Ok(Some((newline + 1).min(window.len())));
        }
        let body = &window[start..];
        if body.len() == trailing_whitespace(body) {
            if !last {
                return Ok(None);
            }
            let found = match body.is_empty() {
                true => "an empty file",
                false => "only whitespace",
            };
            return Err(Malformed::new(Location::Line(1), "a row `token v1 … vd`", found));
        }
        self.dim = Some(glove_dim(
            &body[..memchr::memchr(b'\n', body).unwrap_or(body.len())],
        )?);
        Ok(Some(start))
    }

    /// With every wanted row read and `rest` the window after them: an
    /// error if the header's count has been read and another row follows,
    /// otherwise how much of `rest` is done with (all of it at the end of
    /// the file; none while what follows is not known yet).
    fn after_rows(&self, rest: &[u8], last: bool) -> Result<usize, Malformed> {
        let Some((count, _)) = self.declared.filter(|&(count, _)| count == self.tokens.len()) else {
            return Ok(rest.len());
        };
        // The next line as the whole file shows it: without trailing
        // whitespace only when nothing but whitespace follows.
        let text_end = rest.len() - trailing_whitespace(rest);
        let line_end = memchr::memchr(b'\n', &rest[..text_end]);
        if text_end == 0 || (line_end.is_none() && !last) {
            return Ok(if last { rest.len() } else { 0 });
        }
        Err(Malformed::new(
            Location::Line(self.next_line),
            format!(
                "the end of the file after the {} the header on line 1 announces",
                plural(count, "row")
            ),
            format!("another row {}", shown(&rest[..line_end.unwrap_or(text_end)])),
        ))
    }
}

impl RowReader for TextRows {
    type Output = Table;

    fn read(&mut self, window: &[u8], offset: usize, last: bool, pages: Pages) -> Result<usize, Malformed> {
        let from = match self.dim {
            Some(_) => 0,
            None => match self.start(window, last)? {
                Some(from) => from,
                None => return Ok(0),
            },
        };
        let dim = self.dim.expect("read with the first line");
        let wanted = self.wanted();
        let window_rest = &window[from..];
        if self.tokens.len() == wanted {
            return Ok(from + self.after_rows(window_rest, last)?);
        }
        let cut = match last {
            true => window_rest.len(),
            false => whole_lines(window_rest),
        };
        if cut == 0 {
            return Ok(from);
        }
        // Blank lines end a file unread; inside it they are empty rows.
        let body = &window_rest[..cut];
        let body = match last {
            true => &body[..body.len() - trailing_whitespace(body)],
            false => body,
        };

        let mut starts = Vec::new();
        let (mut end, mut given_back) = (0, 0);
        while end < body.len() && self.tokens.len() + starts.len() < wanted {
            starts.push(end);
            end = memchr::memchr(b'\n', &body[end..]).map_or(body.len(), |i| end + i + 1);
            if end - given_back >= GIVE_BACK {
                pages.done_with(&body[given_back..end]);
                given_back = end;
            }
        }
        let rows = starts.len();
        let lines = Lines {
            body,
            base: offset + from,
            starts: &starts,
            end,
            first_line: self.next_line,
        };
        // Never allocate from a header alone: a well-formed row holds at least
        // `2·dim` bytes (a space and a digit per value), so a table that big cannot
        // fit in what is there, and the first short row is the error to report.
        if rows
            .checked_mul(dim)
            .and_then(|n| n.checked_mul(2))
            .is_none_or(|need| need > end)
        {
            lines.parse(0..rows, dim, self.lossy, None)?;
        }
        let out = grow_zeroed(&mut self.values, rows * dim);
        self.tokens
            .extend(parse_parallel(&lines, dim, self.lossy, out, pages)?);
        self.next_line += rows;
        if self.tokens.len() == wanted {
            return Ok(from + end + self.after_rows(&window_rest[end..], last)?);
        }
        Ok(from + cut)
    }

    fn done(&self) -> bool {
        self.dim.is_some()
            && self.tokens.len() == self.wanted()
            && self.declared.is_none_or(|(count, _)| count > self.tokens.len())
    }

    fn finish(self) -> Result<Table, Malformed> {
        let rows = self.tokens.len();
        if let Some((count, _)) = self.declared.filter(|_| rows < self.wanted()) {
            return Err(Malformed::new(
                Location::Line(self.next_line),
                format!("{}, as the header on line 1 says", plural(count, "row")),
                format!("the end of the file after {}", plural(rows, "row")),
            ));
        }
        let dim = self.dim.expect("a table has its first line");
        let vectors = Array2::from_shape_vec((rows, dim), self.values).expect("rows × dim values");
        Ok(Table {
            tokens: self.tokens,
            vectors,
        })
    }
}

/// How many leading bytes of `bytes` are whole lines, not counting blank
/// lines at their end (a file may end with them, where they are ignored).
fn whole_lines(bytes: &[u8]) -> usize {
    let text_end = bytes.len() - trailing_whitespace(bytes);
    if text_end == 0 {
        return 0;
    }
    match memchr::memchr(b'\n', &bytes[text_end..]) {
        Some(newline) => text_end + newline + 1,
        None => memchr::memrchr(b'\n', &bytes[..text_end]).map_or(0, |newline| newline + 1),
    }
}

/// The `count dim` of a header line, refusing sizes whose table would not fit
/// in memory.
pub(crate) fn read_header(line: &[u8]) -> Result<(usize, usize), Malformed> {
    let line = &line[..line.len() - trailing_whitespace(line)];
    let expected = "a header of two positive integers `count dim`";
    let Some((count, dim)) = header_sizes(line) else {
        let found = if line.is_empty() {
            "an empty line".to_string()
        } else {
            shown(line)
        };
        return Err(Malformed::new(Location::Line(1), expected, found));
    };
    if count
        .checked_mul(dim)
        .and_then(|n| n.checked_mul(4))
        .is_none_or(|n| n > isize::MAX as usize)
    {
        return Err(Malformed::new(
            Location::Line(1),
            "a count × dimension whose f32 table fits in memory",
            format!("{count} × {dim}"),
        ));
    }
    Ok((count, dim))
}

/// The dimension of a headerless file: the number of values on its first row.
fn glove_dim(line: &[u8]) -> Result<usize, Malformed> {
    let line = &line[..line.len() - trailing_whitespace(line)];
    let values = memchr::memchr_iter(b' ', line).count();
    if values == 0 {
        // A table exported as TSV or CSV: say what separates its values.
        let separator = [(b'\t', "tabs"), (b',', "commas")]
            .into_iter()
            .find(|&(byte, _)| line.contains(&byte));
        let found = match separator {
            Some((_, name)) => format!(
                "{} (values separated by {name}; word2vec and GloVe text separate them by single spaces)",
                shown(line)
            ),
            None => shown(line),
        };
        return Err(Malformed::new(
            Location::Line(1),
            "a row `token v1 … vd` with at least one value",
            found,
        ));
    }
    Ok(values)
}

/// The rows of a file, as byte ranges of its body.
struct Lines<'a> {
    /// The file after the header, without trailing whitespace.
    body: &'a [u8],
    /// The body's offset in the file.
    base: usize,
    /// Where each row to read starts in `body`.
    starts: &'a [usize],
    /// Where the last row to read ends in `body`.
    end: usize,
    /// The line number of the first row.
    first_line: usize,
}

impl Lines<'_> {
    /// Row `i`, with its newline.
    fn line(&self, i: usize) -> &[u8] {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.end);
        &self.body[self.starts[i]..end]
    }

    /// Rows `range`, with their newlines.
    fn span(&self, range: std::ops::Range<usize>) -> &[u8] {
        let end = self.starts.get(range.end).copied().unwrap_or(self.end);
        &self.body[self.starts[range.start]..end]
    }

    /// Parses rows `range` into `out` (`dim` values a row), or only checks
    /// them when `out` is `None`; returns their tokens.
    fn parse(
        &self,
        range: std::ops::Range<usize>,
        dim: usize,
        lossy: bool,
        mut out: Option<&mut [f32]>,
    ) -> Result<Vec<String>, Malformed> {
        let mut tokens = Vec::with_capacity(range.len());
        for (k, i) in range.enumerate() {
            let row = out.as_deref_mut().map(|out| &mut out[k * dim..(k + 1) * dim]);
            let at = Row {
                line: self.first_line + i,
                offset: self.base + self.starts[i],
            };
            tokens.push(at.parse(self.line(i), dim, lossy, row)?);
        }
        Ok(tokens)
    }
}

/// Parses every row into `out`, blocks of rows on every core, each block's
/// bytes given back to `pages` once parsed; the first error in file order
/// wins.
fn parse_parallel(
    lines: &Lines<'_>,
    dim: usize,
    lossy: bool,
    out: &mut [f32],
    pages: Pages,
) -> Result<Vec<String>, Malformed> {
    let rows = lines.starts.len();
    if dim == 0 {
        return lines.parse(0..rows, dim, lossy, Some(out));
    }
    let blocks: Vec<_> = out
        .par_chunks_mut(task_values(dim))
        .enumerate()
        .map(|(b, out)| {
            let rows = b * ROWS_PER_TASK..b * ROWS_PER_TASK + out.len() / dim;
            let tokens = lines.parse(rows.clone(), dim, lossy, Some(out));
            pages.done_with(lines.span(rows));
            tokens
        })
        .collect();
    let mut tokens = Vec::with_capacity(rows);
    for block in blocks {
        tokens.extend(block?);
    }
    Ok(tokens)
}

/// Where a row is: its line number and its byte offset in the file.
struct Row {
    line: usize,
    offset: usize,
}

impl Row {
    /// Parses one line `token v1 … vd` into `out`, returning the token.
    fn parse(
        &self,
        line: &[u8],
        dim: usize,
        lossy: bool,
        mut out: Option<&mut [f32]>,
    ) -> Result<String, Malformed> {
        let line = &line[..line.len() - trailing_whitespace(line)];
        let at = Location::Line(self.line);
        if line.is_empty() {
            return Err(Malformed::new(
                at,
                format!("a token and {}", plural(dim, "value")),
                "an empty line",
            ));
        }
        let (token, mut rest) = match memchr::memchr(b' ', line) {
            Some(space) => (&line[..space], Some(&line[space + 1..])),
            None => (line, None),
        };
        let token = token_text(token, self.offset, lossy, |_| Location::Line(self.line))?;
        let mut k = 0;
        while let Some(values) = rest {
            if k == dim {
                let found = k + 1 + memchr::memchr_iter(b' ', values).count();
                return Err(Malformed::new(
                    at,
                    format!("{} after the token", plural(dim, "value")),
                    found.to_string(),
                ));
            }
            let (value, used) = match plain_decimal(values) {
                Some(read) => read,
                None => Self::general_value(values, k, dim).map_err(|(expected, found)| {
                    Malformed::new(Location::Line(self.line), expected, found)
                })?,
            };
            if let Some(out) = out.as_deref_mut() {
                out[k] = value;
            }
            k += 1;
            rest = values.get(used + 1..);
        }
        if k < dim {
            return Err(Malformed::new(
                at,
                format!("{} after the token", plural(dim, "value")),
                k.to_string(),
            ));
        }
        Ok(token)
    }

    /// Value `k` of `dim` when it is not a plain decimal: any number
    /// `fast-float2` reads, or what was expected and found instead.
    #[cold]
    fn general_value(values: &[u8], k: usize, dim: usize) -> Result<(f32, usize), (String, String)> {
        let field = &values[..memchr::memchr(b' ', values).unwrap_or(values.len())];
        match fast_float2::parse_partial::<f32, _>(field) {
            Ok((value, used)) if used == field.len() && value.is_finite() => Ok((value, used)),
            Ok((_, used)) if used == field.len() => {
                Err((format!("a finite f32 as value {} of {dim}", k + 1), shown(field)))
            }
            _ if field.is_empty() => Err((
                format!("a number as value {} of {dim}", k + 1),
                "an empty field (two spaces in a row)".into(),
            )),
            _ => Err((format!("a number as value {} of {dim}", k + 1), shown(field))),
        }
    }
}

/// How many bytes of ASCII whitespace end `bytes`, as Python's
/// `bytes.rstrip()` counts them (with vertical tab and form feed).
pub(crate) fn trailing_whitespace(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .rev()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(bytes: &[u8], header: bool) -> Malformed {
        parse_text(bytes, header, None, false).unwrap_err()
    }

    #[test]
    fn crlf_and_trailing_spaces_are_tolerated_like_fasttext_writes_them() {
        let table = parse_text(b"2 2\r\na 1 2 \r\nb 3 4 \r\n\r\n", true, None, false).unwrap();
        assert_eq!(table.tokens, ["a", "b"]);
        assert_eq!(table.vectors.as_slice().unwrap(), [1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn tokens_split_on_ascii_space_only() {
        let table = parse_text("new\u{a0}york\t! 1.5\n".as_bytes(), false, None, false).unwrap();
        assert_eq!(table.tokens, ["new\u{a0}york\t!"]);
    }

    #[test]
    fn values_are_the_correctly_rounded_f32() {
        let table = parse_text(b"a 0.1 -1e-3 3.4028235e38 1.17549435e-38\n", false, None, false).unwrap();
        assert_eq!(
            table.vectors.as_slice().unwrap(),
            [0.1f32, -1e-3, f32::MAX, f32::MIN_POSITIVE]
        );
    }

    #[test]
    fn a_value_beyond_f32_is_not_finite() {
        let e = error(b"a 1e39\n", false);
        assert_eq!(
            (e.expected.as_str(), e.found.as_str()),
            ("a finite f32 as value 1 of 1", "`1e39`")
        );
    }

    #[test]
    fn two_spaces_in_a_row_make_an_empty_value_as_in_gensim() {
        let e = error(b"1 2\na 1  2\n", true);
        assert_eq!(e.at, Location::Line(2));
        assert!(e.found.contains("empty field"), "{e:?}");
    }

    #[test]
    fn an_empty_line_inside_is_a_row_without_token() {
        let e = error(b"a 1\n\nb 2\n", false);
        assert_eq!((e.at, e.found.as_str()), (Location::Line(2), "an empty line"));
    }

    #[test]
    fn limit_reads_the_first_rows_and_ignores_the_rest() {
        let table = parse_text(b"3 1\na 1\nb 2\nc x y z\n", true, Some(2), false).unwrap();
        assert_eq!(table.tokens, ["a", "b"]);
        let table = parse_text(b"a 1\nb 2\nc x y z\n", false, Some(1), false).unwrap();
        assert_eq!(table.tokens, ["a"]);
        let table = parse_text(b"a 1 2\nb 2\n", false, Some(0), false).unwrap();
        assert_eq!(table.vectors.dim(), (0, 2));
    }

    #[test]
    fn the_error_of_a_later_band_reports_its_own_line() {
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&format!("w{i} {i} 0.5\n"));
        }
        text.push_str("bad 1\n");
        let e = error(text.as_bytes(), false);
        assert_eq!((e.at, e.found.as_str()), (Location::Line(5001), "1"));
        let table = parse_text(text.as_bytes(), false, Some(5000), false).unwrap();
        assert_eq!(table.vectors[[4321, 0]], 4321.0);
        assert_eq!(table.tokens[4999], "w4999");
    }

    #[test]
    fn a_dimension_too_large_for_a_block_of_rows_is_an_error_not_an_overflow() {
        // Found by the `text` fuzz target: 1024 rows × this dimension overflow usize.
        let e = error(b"2 50000000000000000", true);
        assert_eq!(e.found, "the end of the file after 0 rows");
        let e = error(b"1 50000000000000000\na 1\n", true);
        assert_eq!(e.at, Location::Line(2));
    }

    #[test]
    fn a_huge_header_over_short_rows_reports_the_short_row() {
        let e = error(b"99999 99999\na 1 2\n", true);
        assert_eq!(e.at, Location::Line(2));
        assert_eq!(e.expected, "99999 values after the token");
    }
}

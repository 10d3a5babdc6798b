//! Vocabularies for bare matrices (`.npy`, safetensors): a token-per-line
//! text file such as BERT's `vocab.txt`, or a Hugging Face `tokenizer.json`.
//!
//! A vocabulary names the rows of a matrix in order. [`load`](super::load)
//! requires exactly one line of a text vocabulary per row; a
//! `tokenizer.json` ([`parse_tokenizer`]) may have fewer tokens than the
//! matrix has rows, since models pad their embedding matrix past the
//! tokenizer's vocabulary (to a multiple of 64 or 128), and those rows are
//! named as padding ([`name_rows`](super::name_rows)).

use super::byte_order_mark::text_start;
use super::load_error::{Location, Malformed, token_text};
use super::tokenizer::parse_tokenizer;

/// The tokens of a vocabulary text file: one token a line, exact text.
///
/// Lines end at `\n`; a `\r` before it is dropped (a file saved on Windows),
/// and so is a UTF-8 byte-order mark before the first line; every other byte,
/// spaces included, belongs to the token. A final newline
/// does not start an extra, empty token. Invalid UTF-8 is an error unless
/// `lossy`, which replaces it with U+FFFD.
///
/// # Errors
/// A [`Malformed`] at the line of the first invalid UTF-8, or at byte 0 of a
/// UTF-16 file.
///
/// # Examples
/// ```
/// use embspace::embeddings::parse_vocab;
///
/// assert_eq!(parse_vocab(b"[PAD]\r\nthe\n of\n", false).unwrap(), ["[PAD]", "the", " of"]);
/// assert_eq!(parse_vocab(b"a\xffb\n", true).unwrap(), ["a\u{fffd}b"]);
/// assert!(parse_vocab(b"a\xffb\n", false).unwrap_err().found.contains("0xff"));
/// ```
pub fn parse_vocab(bytes: &[u8], lossy: bool) -> Result<Vec<String>, Malformed> {
    let mut start = text_start(bytes)?;
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.len() == start {
        return Ok(Vec::new());
    }
    let mut tokens = Vec::with_capacity(memchr::memchr_iter(b'\n', body).count() + 1);
    for end in memchr::memchr_iter(b'\n', body).chain([body.len()]) {
        let line = &body[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let number = tokens.len() + 1;
        tokens.push(token_text(line, start, lossy, |_| Location::Line(number))?);
        start = end + 1;
    }
    Ok(tokens)
}

/// The tokens of a Hugging Face `tokenizer.json`, ordered by id, as stored
/// (see [`parse_tokenizer`] for what else the file says about them).
///
/// # Errors
/// As [`parse_tokenizer`].
///
/// # Examples
/// ```
/// use embspace::embeddings::parse_tokenizer_json;
///
/// let json = br#"{"model": {"vocab": {"b": 1, "a": 0}}, "added_tokens": [{"id": 2, "content": "[X]"}]}"#;
/// assert_eq!(parse_tokenizer_json(json).unwrap(), ["a", "b", "[X]"]);
/// let gap = br#"{"model": {"vocab": {"a": 0, "c": 2}}}"#;
/// assert_eq!(parse_tokenizer_json(gap).unwrap_err().found, "no token for id 1");
/// ```
pub fn parse_tokenizer_json(bytes: &[u8]) -> Result<Vec<String>, Malformed> {
    parse_tokenizer(bytes).map(|tokenizer| tokenizer.tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_line_is_an_empty_token_but_a_final_newline_is_not() {
        assert_eq!(parse_vocab(b"a\n\nb\n", false).unwrap(), ["a", "", "b"]);
        assert_eq!(parse_vocab(b"a", false).unwrap(), ["a"]);
        assert!(parse_vocab(b"", false).unwrap().is_empty());
    }

    #[test]
    fn a_utf8_byte_order_mark_is_dropped_and_utf16_refused() {
        assert_eq!(
            parse_vocab(b"\xef\xbb\xbf[PAD]\nthe\n", false).unwrap(),
            ["[PAD]", "the"]
        );
        assert!(parse_vocab(b"\xef\xbb\xbf", false).unwrap().is_empty());
        let error = parse_vocab(b"\xef\xbb\xbfa\xffb\n", false).unwrap_err();
        assert_eq!(
            (error.at, error.found.contains("byte offset 4")),
            (Location::Line(1), true)
        );
        assert_eq!(
            parse_vocab(b"\xff\xfea\x00", true).unwrap_err().at,
            Location::Byte(0)
        );
    }

    #[test]
    fn invalid_utf8_names_its_line_and_offset() {
        let e = parse_vocab(b"ok\nb\xc3(\n", false).unwrap_err();
        assert_eq!(e.at, Location::Line(2));
        assert_eq!(e.found, "byte 0xc3 at byte offset 4 in `b\u{fffd}(`");
    }
}

//! Tokens as people read them, one name per row of a model's matrix.
//!
//! A token is shown as the text it stands for: byte-level BPE decoded
//! (`Ġthe` → ` the`), SentencePiece's `▁` as a space, WordPiece's `##` kept
//! (BERT users read continuations so), special, added, byte and unused
//! tokens as written. Control characters are escaped (a newline shows as
//! `\n`, other controls as `\u{…}`) and bytes that are not valid UTF-8 — the
//! halves of a multi-byte character split across tokens — as `\xNN`, so
//! distinct byte sequences stay distinct. Rows past the tokenizer's last
//! token are named `<padding row N>`.
//!
//! A checkpoint's row index is its token id, so every row keeps a name of
//! its own: when a row's shown text is taken by a lower id (an added token
//! repeating a vocabulary entry, a literal `\n` beside the newline token),
//! the later row shows its token as stored, and if that is taken too, its
//! shown text followed by ` <row N>`. The rule only looks at lower rows, so
//! a row's name never depends on rows after it.

use std::collections::HashSet;

use super::byte_level::byte_level_bytes;
use super::tokenizer_json::{Decoding, Tokenizer};
use crate::embeddings::TokenKind;

/// The rows of a matrix named by a tokenizer.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedRows {
    /// One distinct name per row, in row (token id) order.
    pub names: Vec<String>,
    /// What each row is; rows past the tokenizer are [`TokenKind::Padding`].
    pub kinds: Vec<TokenKind>,
    /// The rows whose shown text a lower row already had, named otherwise.
    pub renamed: Vec<usize>,
    /// How many rows lie past the tokenizer's last token.
    pub padding: usize,
}

/// Names the `rows` rows of a matrix after `tokenizer`'s tokens (ids are
/// rows); rows past its last token are padding.
///
/// # Panics
/// When the tokenizer has more tokens than `rows`: the caller refuses that
/// with the file's name.
///
/// # Examples
/// ```
/// use embspace::embeddings::{name_rows, parse_tokenizer, TokenKind};
///
/// let json = r#"{"model": {"type": "BPE", "vocab": {"Ġthe": 0, "Ċ": 1, "Ã": 2, "©": 3}},
///                 "decoder": {"type": "ByteLevel"}}"#;
/// let rows = name_rows(&parse_tokenizer(json.as_bytes()).unwrap(), 5);
/// assert_eq!(rows.names, [" the", "\\n", "\\xc3", "\\xa9", "<padding row 4>"]);
/// assert_eq!(rows.kinds[4], TokenKind::Padding);
/// ```
pub fn name_rows(tokenizer: &Tokenizer, rows: usize) -> NamedRows {
    let tokens = &tokenizer.tokens;
    assert!(tokens.len() <= rows, "more tokens than rows");
    let mut taken: HashSet<String> = HashSet::with_capacity(rows);
    let mut names = Vec::with_capacity(rows);
    let mut renamed = Vec::new();
    for row in 0..rows {
        let (shown, stored) = match tokens.get(row) {
            Some(token) => (
                shown_token(token, tokenizer.kinds[row], tokenizer.decoding),
                Some(escaped(token)),
            ),
            None => (format!("<padding row {row}>"), None),
        };
        let name = if !taken.contains(&shown) {
            shown
        } else {
            renamed.push(row);
            match stored.filter(|s| !taken.contains(s)) {
                Some(stored) => stored,
                None => {
                    let mut name = format!("{shown} <row {row}>");
                    while taken.contains(&name) {
                        name.push_str(" <row>");
                    }
                    name
                }
            }
        };
        taken.insert(name.clone());
        names.push(name);
    }
    let mut kinds = tokenizer.kinds.clone();
    kinds.resize(rows, TokenKind::Padding);
    NamedRows {
        names,
        kinds,
        renamed,
        padding: rows - tokens.len(),
    }
}

/// How one token reads as text (see the module docs).
///
/// # Examples
/// ```
/// use embspace::embeddings::{shown_token, Decoding, TokenKind};
///
/// let normal = TokenKind::Normal;
/// assert_eq!(shown_token("ĠHello", normal, Decoding::ByteLevel), " Hello");
/// assert_eq!(shown_token("ĊĊ", normal, Decoding::ByteLevel), "\\n\\n");
/// assert_eq!(shown_token("▁the", normal, Decoding::Metaspace('▁')), " the");
/// assert_eq!(shown_token("##ing", normal, Decoding::WordPiece), "##ing");
/// assert_eq!(shown_token("<0x0A>", TokenKind::Byte, Decoding::Metaspace('▁')), "<0x0A>");
/// ```
pub fn shown_token(token: &str, kind: TokenKind, decoding: Decoding) -> String {
    if kind != TokenKind::Normal {
        return escaped(token);
    }
    match decoding {
        Decoding::ByteLevel => match byte_level_bytes(token) {
            Some(bytes) => escaped_bytes(&bytes),
            None => escaped(token),
        },
        Decoding::Metaspace(marker) => escaped(&token.replace(marker, " ")),
        Decoding::WordPiece | Decoding::Verbatim => escaped(token),
    }
}

/// Text with control characters escaped: `\n`, `\t`, `\r`, others `\u{…}`.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Bytes as text: valid UTF-8 escaped as [`escaped`], other bytes as `\xNN`.
fn escaped_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        push_escaped(&mut out, chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer(tokens: &[&str], kinds: &[TokenKind], decoding: Decoding) -> Tokenizer {
        Tokenizer {
            tokens: tokens.iter().map(|t| t.to_string()).collect(),
            kinds: kinds.to_vec(),
            decoding,
            model: "BPE".into(),
            model_vocab: tokens.len(),
        }
    }

    #[test]
    fn a_multi_byte_character_split_across_tokens_shows_its_bytes() {
        let shown = |t| shown_token(t, TokenKind::Normal, Decoding::ByteLevel);
        // `€` is E2 82 AC: GPT-2 stores its bytes as `â`, `Ĥ`, `¬`.
        assert_eq!(shown("âĤ¬"), "€");
        assert_eq!(shown("Ġâ"), " \\xe2");
        assert_eq!(shown("Ĥ¬"), "\\x82\\xac");
        assert_eq!(shown("ĉ"), "\\t");
        assert_eq!(shown("Ā"), "\\u{0}");
    }

    #[test]
    fn a_repeated_shown_text_keeps_every_row_with_a_distinct_name() {
        use TokenKind::*;
        // Row 3, an added token, repeats row 1's text; row 4 is a literal
        // backslash-n beside the newline token (row 0); row 5 repeats row 1
        // literally, so neither its text nor its stored form is free.
        let t = tokenizer(
            &["Ċ", "Ġhi", "x", " hi", "\\n", "Ġhi"],
            &[Normal, Normal, Normal, UserDefined, Normal, Normal],
            Decoding::ByteLevel,
        );
        let rows = name_rows(&t, 7);
        assert_eq!(
            rows.names,
            [
                "\\n",
                " hi",
                "x",
                " hi <row 3>",
                "\\n <row 4>",
                "Ġhi",
                "<padding row 6>"
            ]
        );
        assert_eq!(rows.renamed, [3, 4, 5]);
        assert_eq!(rows.padding, 1);
        let distinct: HashSet<&String> = rows.names.iter().collect();
        assert_eq!(distinct.len(), 7);
    }

    #[test]
    fn a_padding_name_taken_by_a_token_moves_aside() {
        let t = tokenizer(&["<padding row 1>"], &[TokenKind::Normal], Decoding::Verbatim);
        assert_eq!(
            name_rows(&t, 2).names,
            ["<padding row 1>", "<padding row 1> <row 1>"]
        );
    }

    #[test]
    fn special_tokens_are_shown_as_written_even_in_byte_level_vocabularies() {
        let shown = shown_token("<|endoftext|>", TokenKind::Control, Decoding::ByteLevel);
        assert_eq!(shown, "<|endoftext|>");
        assert_eq!(
            shown_token("a\nb", TokenKind::UserDefined, Decoding::ByteLevel),
            "a\\nb"
        );
    }
}

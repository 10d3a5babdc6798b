//! Vocabularies for bare matrices (`.npy`, safetensors): a token-per-line
//! text file such as BERT's `vocab.txt`, or a Hugging Face `tokenizer.json`.
//!
//! A vocabulary names the rows of a matrix in order; [`load`](super::load)
//! requires exactly one token per row. Models often pad their embedding
//! matrix past the tokenizer's vocabulary (to a multiple of 64 or 128); such a
//! file is refused with both numbers rather than guessed at, so the user can
//! pass `--vocab` and `--limit` knowingly.

use serde_json::Value;

use super::load_error::{Location, Malformed, shown, token_text};

/// The tokens of a vocabulary text file: one token a line, exact text.
///
/// Lines end at `\n`; a `\r` before it is dropped (a file saved on Windows);
/// every other byte, spaces included, belongs to the token. A final newline
/// does not start an extra, empty token. Invalid UTF-8 is an error unless
/// `lossy`, which replaces it with U+FFFD.
///
/// # Errors
/// A [`Malformed`] at the line of the first invalid UTF-8.
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
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let mut tokens = Vec::with_capacity(memchr::memchr_iter(b'\n', body).count() + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', body).chain([body.len()]) {
        let line = &body[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let number = tokens.len() + 1;
        tokens.push(token_text(line, start, lossy, |_| Location::Line(number))?);
        start = end + 1;
    }
    Ok(tokens)
}

/// The tokens of a Hugging Face `tokenizer.json`, ordered by id.
///
/// Reads `model.vocab`, either a map token → id (WordPiece, BPE) or a list of
/// `[token, score]` pairs whose position is the id (Unigram), and the
/// `added_tokens` list of `{"id", "content"}`. Every id from 0 to the largest
/// must name exactly one token.
///
/// # Errors
/// A [`Malformed`] at the line of a JSON syntax error, or at the key that
/// lacks, repeats or skips an id.
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
    let json: Value = serde_json::from_slice(bytes)
        .map_err(|error| Malformed::new(Location::Line(error.line().max(1)), "JSON", error.to_string()))?;
    let key = |path: &str| Location::Key(path.to_string());
    let mut entries: Vec<(u64, String, &'static str)> = Vec::new();
    match json.pointer("/model/vocab") {
        Some(Value::Object(map)) => {
            for (token, id) in map {
                let id = id.as_u64().ok_or_else(|| {
                    Malformed::new(
                        key("model.vocab"),
                        format!("an integer id for {}", shown(token.as_bytes())),
                        id.to_string(),
                    )
                })?;
                entries.push((id, token.clone(), "model.vocab"));
            }
        }
        Some(Value::Array(pairs)) => {
            for (id, pair) in pairs.iter().enumerate() {
                let token = pair.get(0).and_then(Value::as_str).ok_or_else(|| {
                    Malformed::new(
                        key(&format!("model.vocab[{id}]")),
                        "a [token, score] pair",
                        pair.to_string(),
                    )
                })?;
                entries.push((id as u64, token.to_string(), "model.vocab"));
            }
        }
        other => {
            let found = other.map_or("no such key", kind);
            return Err(Malformed::new(
                key("model.vocab"),
                "a map token → id or a list of [token, score]",
                found,
            ));
        }
    }
    if let Some(Value::Array(added)) = json.get("added_tokens") {
        for (i, token) in added.iter().enumerate() {
            let id = token.get("id").and_then(Value::as_u64);
            let content = token.get("content").and_then(Value::as_str);
            let (Some(id), Some(content)) = (id, content) else {
                return Err(Malformed::new(
                    key(&format!("added_tokens[{i}]")),
                    "an object with an integer `id` and a string `content`",
                    shown(token.to_string().as_bytes()),
                ));
            };
            entries.push((id, content.to_string(), "added_tokens"));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    entries.dedup_by(|next, kept| next.0 == kept.0 && next.1 == kept.1);
    let mut tokens: Vec<String> = Vec::with_capacity(entries.len());
    for (id, token, from) in entries {
        let expected = tokens.len() as u64;
        if id < expected {
            return Err(Malformed::new(
                key(from),
                format!("one token for id {id}"),
                format!(
                    "{} and {}",
                    shown(tokens[id as usize].as_bytes()),
                    shown(token.as_bytes())
                ),
            ));
        }
        if id > expected {
            return Err(Malformed::new(
                key(from),
                format!("one token for every id 0..{id}"),
                format!("no token for id {expected}"),
            ));
        }
        tokens.push(token);
    }
    Ok(tokens)
}

/// A JSON value's kind, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
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
    fn invalid_utf8_names_its_line_and_offset() {
        let e = parse_vocab(b"ok\nb\xc3(\n", false).unwrap_err();
        assert_eq!(e.at, Location::Line(2));
        assert_eq!(e.found, "byte 0xc3 at byte offset 4 in `b\u{fffd}(`");
    }

    #[test]
    fn unigram_vocabularies_are_lists_in_id_order() {
        let json = r#"{"model": {"type": "Unigram", "vocab": [["<unk>", 0.0], ["▁the", -3.1]]}}"#;
        assert_eq!(parse_tokenizer_json(json.as_bytes()).unwrap(), ["<unk>", "▁the"]);
    }

    #[test]
    fn an_added_token_repeating_its_vocab_entry_is_one_token() {
        let json =
            br#"{"model": {"vocab": {"[CLS]": 0, "a": 1}}, "added_tokens": [{"id": 0, "content": "[CLS]"}]}"#;
        assert_eq!(parse_tokenizer_json(json).unwrap(), ["[CLS]", "a"]);
    }

    #[test]
    fn two_tokens_for_one_id_are_refused() {
        let json = br#"{"model": {"vocab": {"a": 0, "b": 0}}}"#;
        let e = parse_tokenizer_json(json).unwrap_err();
        assert_eq!(
            (e.expected.as_str(), e.found.as_str()),
            ("one token for id 0", "`a` and `b`")
        );
    }

    #[test]
    fn a_huge_id_is_a_gap_not_an_allocation() {
        let json = br#"{"model": {"vocab": {"a": 0, "b": 99999999999999}}}"#;
        assert_eq!(parse_tokenizer_json(json).unwrap_err().found, "no token for id 1");
    }

    #[test]
    fn broken_json_names_its_line() {
        let e = parse_tokenizer_json(b"{\n\"model\": }").unwrap_err();
        assert_eq!(e.at, Location::Line(2));
    }
}

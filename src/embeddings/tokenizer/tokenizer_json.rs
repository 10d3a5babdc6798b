//! A Hugging Face `tokenizer.json` as far as naming embedding rows needs it:
//! the tokens by id (`model.vocab` merged with `added_tokens`), what each
//! token is ([`TokenKind`]), and how the tokenizer turns tokens back into
//! text ([`Decoding`]).

use serde_json::Value;

use super::super::TokenKind;
use super::super::load_error::{Location, Malformed, shown};

/// How a tokenizer turns its tokens back into text, as far as showing one
/// token needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    /// Byte-level BPE (GPT-2, Llama 3, Qwen): each character stands for a
    /// byte (`Ġ` a space, `Ċ` a newline).
    ByteLevel,
    /// SentencePiece (Llama 2, Mistral, T5, Gemma): this character marks a
    /// space, usually `▁`.
    Metaspace(char),
    /// WordPiece (BERT): tokens are text; `##` marks a continuation, which
    /// BERT users read as it is.
    WordPiece,
    /// Anything else: tokens are shown as stored.
    Verbatim,
}

/// The tokens of a `tokenizer.json` and what they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Tokenizer {
    /// Every token as stored, by id (`model.vocab` and `added_tokens`).
    pub tokens: Vec<String>,
    /// What each token is, by id.
    pub kinds: Vec<TokenKind>,
    /// How tokens read as text.
    pub decoding: Decoding,
    /// `model.type`: `BPE`, `WordPiece`, `Unigram`, … (empty when absent).
    pub model: String,
    /// How many tokens `model.vocab` holds; ids from here on are added tokens only.
    pub model_vocab: usize,
}

/// Reads a Hugging Face `tokenizer.json`.
///
/// Tokens come from `model.vocab`, either a map token → id (WordPiece, BPE)
/// or a list of `[token, score]` pairs whose position is the id (Unigram),
/// and from the `added_tokens` list of `{"id", "content", "special"}`, whose
/// ids may lie past `model.vocab`. Every id from 0 to the largest must name
/// exactly one token (an added token repeating its `model.vocab` entry is
/// one token).
///
/// Kinds: added tokens are special ([`TokenKind::Control`]) or added
/// ([`TokenKind::UserDefined`]); the model's unknown token is
/// [`TokenKind::Unknown`]; `<0xNN>` tokens of a byte-fallback model are
/// [`TokenKind::Byte`]; reserved slots named like `[unused7]` are
/// [`TokenKind::Unused`] ([`TokenKind::names_unused_slot`]).
///
/// # Errors
/// A [`Malformed`] at the line of a JSON syntax error, or at the key that
/// lacks, repeats or skips an id.
///
/// # Examples
/// ```
/// use embspace::embeddings::{parse_tokenizer, Decoding, TokenKind};
///
/// let json = r#"{"model": {"type": "BPE", "vocab": {"Ġthe": 1, "a": 0}},
///                 "decoder": {"type": "ByteLevel"},
///                 "added_tokens": [{"id": 2, "content": "<|endoftext|>", "special": true}]}"#;
/// let tokenizer = parse_tokenizer(json.as_bytes()).unwrap();
/// assert_eq!(tokenizer.tokens, ["a", "Ġthe", "<|endoftext|>"]);
/// assert_eq!(tokenizer.kinds[2], TokenKind::Control);
/// assert_eq!(tokenizer.decoding, Decoding::ByteLevel);
/// assert_eq!(tokenizer.model_vocab, 2);
/// ```
pub fn parse_tokenizer(bytes: &[u8]) -> Result<Tokenizer, Malformed> {
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
    let model_vocab = entries.len();
    let mut added = Vec::new();
    if let Some(Value::Array(list)) = json.get("added_tokens") {
        for (i, token) in list.iter().enumerate() {
            let id = token.get("id").and_then(Value::as_u64);
            let content = token.get("content").and_then(Value::as_str);
            let (Some(id), Some(content)) = (id, content) else {
                return Err(Malformed::new(
                    key(&format!("added_tokens[{i}]")),
                    "an object with an integer `id` and a string `content`",
                    shown(token.to_string().as_bytes()),
                ));
            };
            let special = token.get("special").and_then(Value::as_bool).unwrap_or(false);
            added.push((id, special));
            entries.push((id, content.to_string(), "added_tokens"));
        }
    }
    let tokens = tokens_by_id(entries)?;
    let decoding = decoding(&json);
    let byte_fallback = json.pointer("/model/byte_fallback").and_then(Value::as_bool) == Some(true);
    let mut kinds: Vec<TokenKind> = tokens
        .iter()
        .map(|token| {
            if TokenKind::names_unused_slot(token) {
                TokenKind::Unused
            } else if byte_fallback && is_byte_token(token) {
                TokenKind::Byte
            } else {
                TokenKind::Normal
            }
        })
        .collect();
    let unknown = match json.pointer("/model/unk_token").and_then(Value::as_str) {
        Some(unk) => tokens.iter().position(|t| t == unk),
        None => json
            .pointer("/model/unk_id")
            .and_then(Value::as_u64)
            .map(|id| id as usize),
    };
    if let Some(kind) = unknown.and_then(|id| kinds.get_mut(id)) {
        *kind = TokenKind::Unknown;
    }
    for (id, special) in added {
        let kind = &mut kinds[id as usize];
        if *kind != TokenKind::Unused {
            *kind = if special {
                TokenKind::Control
            } else {
                TokenKind::UserDefined
            };
        }
    }
    Ok(Tokenizer {
        tokens,
        kinds,
        decoding,
        model: json
            .pointer("/model/type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        model_vocab,
    })
}

/// The tokens of `(id, token, key)` entries in id order: every id from 0 to
/// the largest exactly once (an entry repeated with the same token is one).
/// At an id with two tokens the later key is blamed, `added_tokens` after
/// `model.vocab`.
fn tokens_by_id(mut entries: Vec<(u64, String, &'static str)>) -> Result<Vec<String>, Malformed> {
    let added = |key: &str| key == "added_tokens";
    entries.sort_by(|a, b| (a.0, added(a.2), &a.1).cmp(&(b.0, added(b.2), &b.1)));
    entries.dedup_by(|next, kept| next.0 == kept.0 && next.1 == kept.1);
    let mut tokens: Vec<String> = Vec::with_capacity(entries.len());
    for (id, token, from) in entries {
        let expected = tokens.len() as u64;
        let at = Location::Key(from.to_string());
        if id < expected {
            return Err(Malformed::new(
                at,
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
                at,
                format!("one token for every id 0..{id}"),
                format!("no token for id {expected}"),
            ));
        }
        tokens.push(token);
    }
    Ok(tokens)
}

/// How the tokenizer's decoder (or, without one, its pre-tokenizer) turns
/// tokens into text. A `Replace` of `▁` by a space (Llama 2's decoder
/// sequence) is SentencePiece's marker too.
fn decoding(json: &Value) -> Decoding {
    for part in ["decoder", "pre_tokenizer"] {
        let mut steps = Vec::new();
        flatten(json.get(part), &mut steps);
        let of_type = |name: &str| {
            steps
                .iter()
                .find(|s| s.get("type").and_then(Value::as_str) == Some(name))
        };
        if of_type("ByteLevel").is_some() {
            return Decoding::ByteLevel;
        }
        if let Some(metaspace) = of_type("Metaspace") {
            let replacement = metaspace.get("replacement").and_then(Value::as_str);
            let marker = replacement.and_then(|r| r.chars().next()).unwrap_or('▁');
            return Decoding::Metaspace(marker);
        }
        let replaces_marker = steps.iter().any(|s| {
            s.get("type").and_then(Value::as_str) == Some("Replace")
                && s.pointer("/pattern/String").and_then(Value::as_str) == Some("▁")
                && s.get("content").and_then(Value::as_str) == Some(" ")
        });
        if replaces_marker {
            return Decoding::Metaspace('▁');
        }
        if of_type("WordPiece").is_some() {
            return Decoding::WordPiece;
        }
    }
    match json.pointer("/model/type").and_then(Value::as_str) {
        Some("WordPiece") => Decoding::WordPiece,
        _ => Decoding::Verbatim,
    }
}

/// The steps of a decoder or pre-tokenizer, `Sequence`s opened.
fn flatten<'a>(step: Option<&'a Value>, out: &mut Vec<&'a Value>) {
    let Some(step) = step.filter(|s| s.is_object()) else {
        return;
    };
    let inner = step.get("decoders").or_else(|| step.get("pretokenizers"));
    match inner {
        Some(Value::Array(steps)) => steps.iter().for_each(|s| flatten(Some(s), out)),
        _ => out.push(step),
    }
}

/// Whether a token is a byte-fallback token, `<0x0A>`.
fn is_byte_token(token: &str) -> bool {
    let bytes = token.as_bytes();
    bytes.len() == 6
        && token.starts_with("<0x")
        && token.ends_with('>')
        && bytes[3..5].iter().all(u8::is_ascii_hexdigit)
}

/// A JSON value's kind, for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
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

    fn parse(json: &str) -> Tokenizer {
        parse_tokenizer(json.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn unigram_vocabularies_are_lists_in_id_order() {
        let tokenizer = parse(
            r#"{"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["▁the", -3.1]]},
                "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"}}"#,
        );
        assert_eq!(tokenizer.tokens, ["<unk>", "▁the"]);
        assert_eq!(tokenizer.kinds, [TokenKind::Unknown, TokenKind::Normal]);
        assert_eq!(tokenizer.decoding, Decoding::Metaspace('▁'));
    }

    #[test]
    fn llama_2_s_decoder_sequence_is_sentencepiece_with_byte_tokens() {
        let tokenizer = parse(
            r#"{"model": {"type": "BPE", "byte_fallback": true, "unk_token": "<unk>",
                          "vocab": {"<unk>": 0, "<s>": 1, "<0x0A>": 2, "▁the": 3, "<0x0G>": 4}},
                "added_tokens": [{"id": 1, "content": "<s>", "special": true}],
                "decoder": {"type": "Sequence", "decoders": [
                    {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                    {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}}"#,
        );
        assert_eq!(tokenizer.decoding, Decoding::Metaspace('▁'));
        use TokenKind::*;
        assert_eq!(tokenizer.kinds, [Unknown, Control, Byte, Normal, Normal]);
    }

    #[test]
    fn bert_s_unused_slots_and_wordpiece_are_recognised() {
        let tokenizer = parse(
            r###"{"model": {"type": "WordPiece", "unk_token": "[UNK]",
                          "vocab": {"[PAD]": 0, "[unused0]": 1, "[UNK]": 2, "##ing": 3}},
                "added_tokens": [{"id": 0, "content": "[PAD]", "special": true},
                                 {"id": 2, "content": "[UNK]", "special": true}],
                "decoder": {"type": "WordPiece", "prefix": "##"}}"###,
        );
        use TokenKind::*;
        assert_eq!(tokenizer.kinds, [Control, Unused, Control, Normal]);
        assert_eq!(tokenizer.decoding, Decoding::WordPiece);
    }

    #[test]
    fn added_tokens_past_the_model_s_vocabulary_are_merged() {
        let tokenizer = parse(
            r#"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}},
                "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split"}, {"type": "ByteLevel"}]},
                "decoder": null,
                "added_tokens": [{"id": 3, "content": "<|im_end|>", "special": true},
                                 {"id": 2, "content": "<think>", "special": false}]}"#,
        );
        assert_eq!(tokenizer.tokens, ["a", "b", "<think>", "<|im_end|>"]);
        assert_eq!(tokenizer.kinds[2..], [TokenKind::UserDefined, TokenKind::Control]);
        assert_eq!(
            (tokenizer.model_vocab, tokenizer.decoding),
            (2, Decoding::ByteLevel)
        );
    }

    #[test]
    fn an_added_token_repeating_its_vocab_entry_is_one_token() {
        let json =
            r#"{"model": {"vocab": {"[CLS]": 0, "a": 1}}, "added_tokens": [{"id": 0, "content": "[CLS]"}]}"#;
        assert_eq!(parse(json).tokens, ["[CLS]", "a"]);
    }

    #[test]
    fn two_tokens_for_one_id_are_refused() {
        let e = parse_tokenizer(br#"{"model": {"vocab": {"a": 0, "b": 0}}}"#).unwrap_err();
        assert_eq!(
            (e.expected.as_str(), e.found.as_str()),
            ("one token for id 0", "`a` and `b`")
        );
        let e = parse_tokenizer(
            br#"{"model": {"vocab": {"a": 0}}, "added_tokens": [{"id": 0, "content": "<s>"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.at, Location::Key("added_tokens".into()));
    }

    #[test]
    fn a_huge_id_is_a_gap_not_an_allocation() {
        let json = br#"{"model": {"vocab": {"a": 0, "b": 99999999999999}}}"#;
        assert_eq!(parse_tokenizer(json).unwrap_err().found, "no token for id 1");
    }

    #[test]
    fn broken_json_names_its_line() {
        let e = parse_tokenizer(b"{\n\"model\": }").unwrap_err();
        assert_eq!(e.at, Location::Line(2));
    }
}

//! The reference set of the under-trained-token indicators: rows known to be
//! unused, found from the tokenizer or given by the user.
//!
//! The rules, applied to the tokens as the loader names them (a model
//! directory's byte-level tokens decoded, a GGUF file's as stored) and to
//! their [`TokenKind`]s when the loader knows them:
//!
//! - **names of reserved tokens**: `[unused12]` (BERT), `<unused12>` (Gemma),
//!   `<|unused_token_12|>`, `<|reserved_special_token_12|>` (Llama 3),
//!   `<madeupword12>` (XGLM): in `[…]`, `<…>` or `<|…|>`, a reserved word,
//!   optionally `_token`, an optional `_` or `-`, and a number;
//! - **token kind "unused"** (GGUF's `tokenizer.ggml.token_type` 5);
//! - **padding rows**: rows of a checkpoint's matrix past its tokenizer's last
//!   token (padding to a multiple of 64 or 128), which no text reaches;
//! - **bytes that never occur in UTF-8 text** (`0xC0`, `0xC1`, `0xF5`–`0xFF`,
//!   magikarp's `unused_utf8` byte type): SentencePiece byte tokens `<0xC0>`;
//!   a decoded byte-level token that is that lone byte (shown `\xc0`); and in
//!   a byte-level BPE vocabulary as stored (GPT-2's byte-to-character map,
//!   told apart as magikarp does it: over a tenth of the tokens start with
//!   `Ġ`) the one-character tokens `À`, `Á`, `õ`–`ÿ` that stand for those bytes.

use serde::Serialize;

use crate::embeddings::{Embeddings, TokenKind};

/// Words that name a reserved, never-trained token.
const RESERVED_WORDS: [&str; 4] = ["unused", "reserved_special_token", "reserved", "madeupword"];

/// The bytes that never occur in valid UTF-8: `0xC0` and `0xC1` (overlong
/// two-byte starts) and `0xF5`–`0xFF` (beyond U+10FFFF or never valid).
const NEVER_IN_UTF8: [u8; 13] = [
    0xC0, 0xC1, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF,
];

/// A way the tokenizer marks a row unused: its name on the page, and the
/// test of a row and its token.
type Rule<'a> = (&'static str, &'a dyn Fn(usize, &str) -> bool);

/// Where the reference rows came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceRows {
    /// The rows, ascending.
    pub rows: Vec<usize>,
    /// How many rows each rule found, in rule order (rules that found none
    /// are left out); a row found by two rules counts for the first.
    pub rules: Vec<(String, usize)>,
    /// Tokens of a given list that are not in the table (the first 20).
    pub not_in_table: Vec<String>,
    /// How many given tokens are not in the table.
    pub not_in_table_count: usize,
}

impl ReferenceRows {
    /// The rows of `tokens` (one a line of `file`, as the user listed them)
    /// in `table`; the list replaces every rule.
    pub fn given(table: &Embeddings, tokens: &[String], file: &str) -> Self {
        let mut rows = Vec::new();
        let mut not_in_table = Vec::new();
        for token in tokens {
            match table.id(token) {
                Some(row) => rows.push(row),
                None => not_in_table.push(token.clone()),
            }
        }
        rows.sort_unstable();
        rows.dedup();
        let not_in_table_count = not_in_table.len();
        not_in_table.truncate(20);
        ReferenceRows {
            rules: vec![(format!("listed in {file}"), rows.len())],
            rows,
            not_in_table,
            not_in_table_count,
        }
    }

    /// The rows the tokenizer marks as unused: by name, by token kind
    /// (`kinds`, one per row, when the loader knows them) and by byte.
    ///
    /// # Examples
    /// ```
    /// use embspace::analyze::ReferenceRows;
    /// let tokens = ["[PAD]", "[unused0]", "[unused1]", "the", "<0xC0>"].map(String::from);
    /// let found = ReferenceRows::from_tokenizer(&tokens, None);
    /// assert_eq!(found.rows, vec![1, 2, 4]);
    /// ```
    pub fn from_tokenizer(tokens: &[String], kinds: Option<&[TokenKind]>) -> Self {
        let byte_level = is_byte_level(tokens);
        // Kinds name our rows only when there is one per row.
        let kinds = kinds.filter(|kinds| kinds.len() == tokens.len());
        let kind_is = |row: usize, kind: TokenKind| kinds.is_some_and(|kinds| kinds[row] == kind);
        let rules: [Rule; 4] = [
            (
                "named as reserved ([unusedN], <unusedN>, <|reserved_special_token_N|>, …)",
                &|_, t| is_reserved_name(t),
            ),
            ("token type \"unused\"", &|row, _| kind_is(row, TokenKind::Unused)),
            ("padding rows past the tokenizer's last token", &|row, _| {
                kind_is(row, TokenKind::Padding)
            }),
            ("bytes never in UTF-8 text (0xC0, 0xC1, 0xF5–0xFF)", &|_, t| {
                never_produced_byte(t, byte_level)
            }),
        ];
        let mut taken = vec![false; tokens.len()];
        let mut counts = Vec::new();
        for (name, rule) in rules {
            let mut count = 0;
            for (row, token) in tokens.iter().enumerate() {
                if !taken[row] && rule(row, token) {
                    taken[row] = true;
                    count += 1;
                }
            }
            if count > 0 {
                counts.push((name.to_string(), count));
            }
        }
        ReferenceRows {
            rows: (0..tokens.len()).filter(|&r| taken[r]).collect(),
            rules: counts,
            not_in_table: Vec::new(),
            not_in_table_count: 0,
        }
    }
}

/// `[unused3]`, `<unused3>`, `<|unused_token_3|>`, `<|reserved_special_token_3|>`, `<madeupword3>`.
fn is_reserved_name(token: &str) -> bool {
    let inner = ["<|", "<", "["]
        .iter()
        .zip(["|>", ">", "]"])
        .find_map(|(open, close)| token.strip_prefix(open)?.strip_suffix(close));
    let Some(inner) = inner else {
        return false;
    };
    let inner = inner.to_ascii_lowercase();
    RESERVED_WORDS.iter().any(|word| {
        let Some(rest) = inner.strip_prefix(word) else {
            return false;
        };
        let rest = rest.strip_prefix("_token").unwrap_or(rest);
        let rest = rest.strip_prefix(['_', '-']).unwrap_or(rest);
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
    })
}

/// GPT-2's byte-level vocabulary writes a leading space as `Ġ`; magikarp
/// takes a vocabulary where over a tenth of the tokens start with it for one.
fn is_byte_level(tokens: &[String]) -> bool {
    tokens.iter().filter(|t| t.starts_with('Ġ')).count() * 10 > tokens.len()
}

/// A token standing for one byte that UTF-8 text never contains.
fn never_produced_byte(token: &str, byte_level: bool) -> bool {
    if let Some(hex) = token.strip_prefix("<0x").and_then(|t| t.strip_suffix('>'))
        && hex.len() == 2
        && let Ok(byte) = u8::from_str_radix(hex, 16)
    {
        return NEVER_IN_UTF8.contains(&byte);
    }
    // A decoded byte-level token that is one byte no UTF-8 text holds.
    if let Some(hex) = token.strip_prefix("\\x")
        && hex.len() == 2
        && let Ok(byte) = u8::from_str_radix(hex, 16)
    {
        return NEVER_IN_UTF8.contains(&byte);
    }
    // GPT-2's map sends the bytes 0xAE–0xFF to the characters of the same
    // code point, so these bytes are the one-character tokens U+00C0, U+00C1, U+00F5–U+00FF.
    let mut chars = token.chars();
    match (byte_level, chars.next(), chars.next()) {
        (true, Some(c), None) => u8::try_from(u32::from(c)).is_ok_and(|b| NEVER_IN_UTF8.contains(&b)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(tokens: &[&str]) -> Vec<String> {
        tokens.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn reserved_names_are_recognised_in_every_bracket_style() {
        for name in [
            "[unused0]",
            "[unused993]",
            "<unused12>",
            "<unused_12>",
            "<|unused_token_7|>",
            "<|reserved_special_token_250|>",
            "<madeupword3>",
            "[UNUSED4]",
        ] {
            assert!(is_reserved_name(name), "{name}");
        }
        for name in [
            "unused1",
            "[unused]",
            "[unused1",
            "<unusedx>",
            "[used1]",
            "[PAD]",
            "<0xC0>",
            "<s>",
        ] {
            assert!(!is_reserved_name(name), "{name}");
        }
    }

    #[test]
    fn impossible_bytes_count_only_as_byte_tokens_or_in_a_byte_level_vocabulary() {
        assert!(never_produced_byte("<0xC0>", false) && never_produced_byte("<0xFF>", false));
        assert!(!never_produced_byte("<0xC2>", false) && !never_produced_byte("<0x41>", false));
        assert!(never_produced_byte("õ", true) && never_produced_byte("À", true));
        assert!(
            !never_produced_byte("õ", false),
            "in a WordPiece vocabulary õ is a letter"
        );
        assert!(!never_produced_byte("é", true) && !never_produced_byte("õõ", true));
        assert!(never_produced_byte("\\xc0", false) && never_produced_byte("\\xff", false));
        assert!(
            !never_produced_byte("\\xc3", false),
            "0xC3 starts a two-byte character"
        );
    }

    #[test]
    fn each_row_counts_for_the_first_rule_that_finds_it() {
        let mut tokens = strings(&["Ġthe", "Ġa", "õ", "x", "<unused1>", "<0xFE>", "<padding row 6>"]);
        tokens.extend((0..4).map(|i| format!("Ġw{i}")));
        let mut kinds = vec![
            TokenKind::Normal,
            TokenKind::Normal,
            TokenKind::Normal,
            TokenKind::Unused,
            TokenKind::Unused,
            TokenKind::Byte,
            TokenKind::Padding,
        ];
        kinds.extend([TokenKind::Normal; 4]);
        let found = ReferenceRows::from_tokenizer(&tokens, Some(&kinds));
        assert_eq!(found.rows, vec![2, 3, 4, 5, 6]);
        let counts: Vec<usize> = found.rules.iter().map(|r| r.1).collect();
        assert_eq!(counts, vec![1, 1, 1, 2], "{:?}", found.rules);
        let without_kinds = ReferenceRows::from_tokenizer(&tokens, Some(&kinds[..3]));
        assert_eq!(
            without_kinds.rows,
            vec![2, 4, 5],
            "kinds of another length are ignored"
        );
    }

    #[test]
    fn a_given_list_names_rows_and_the_tokens_it_could_not_find() {
        let (table, _) = Embeddings::new(strings(&["a", "b", "c"]), ndarray::Array2::zeros((3, 2))).unwrap();
        let given = ReferenceRows::given(&table, &strings(&["c", "zz", "a", "c"]), "ref.txt");
        assert_eq!(given.rows, vec![0, 2]);
        assert_eq!(
            (given.not_in_table_count, given.not_in_table),
            (1, strings(&["zz"]))
        );
        assert_eq!(given.rules, vec![("listed in ref.txt".to_string(), 2)]);
    }
}

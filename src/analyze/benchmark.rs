//! What the two gensim-compatible evaluators share: reading a benchmark file,
//! splitting words as Python's `str.split()` does, and the case-folded
//! vocabulary (`ok_vocab`) that gensim evaluates against.

use std::collections::HashMap;
use std::path::Path;

use crate::embeddings::byte_order_mark::text_start;
use crate::error::{Error, Result};

/// Reads a whole benchmark file as UTF-8 (gensim decodes strictly too).
/// A UTF-8 byte-order mark before the first line is dropped (gensim would
/// read it as part of the first line), and a UTF-16 file refused with what to do.
pub(crate) fn read_utf8(path: &Path) -> Result<String> {
    let unreadable = |reason: String| Error::Read {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| unreadable(format!("cannot read the file: {e}")))?;
    let start = text_start(&bytes)
        .map_err(|e| unreadable(format!("byte 0: expected {}, found {}", e.expected, e.found)))?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        unreadable(format!(
            "line {line} (byte {at}): expected UTF-8 text, found the byte 0x{:02X}",
            bytes[at]
        ))
    })?;
    text.drain(..start);
    Ok(text)
}

/// Whitespace as Python's `str.split()` and `str.strip()` see it: Unicode
/// `White_Space` plus the four information separators `\x1c`–`\x1f`.
pub(crate) fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `line.split()`: runs of whitespace separate, no empty pieces.
pub(crate) fn split_python(line: &str) -> Vec<&str> {
    line.split(is_python_space).filter(|w| !w.is_empty()).collect()
}

/// A word as gensim compares it: upper-cased (Python's full Unicode
/// `str.upper()`, e.g. `ß` → `SS`) when `case_insensitive`, else unchanged.
pub(crate) fn fold(word: &str, case_insensitive: bool) -> String {
    if case_insensitive {
        word.to_uppercase()
    } else {
        word.to_string()
    }
}

/// gensim's `ok_vocab`: the (folded) tokens of the first `restrict_vocab`
/// rows, each mapped to its row. gensim fills a dict from the reversed list,
/// so the *first* row of several case variants wins; here the first
/// insertion is kept, which is the same.
pub(crate) fn ok_vocab(
    tokens: &[String],
    restrict_vocab: usize,
    case_insensitive: bool,
) -> HashMap<String, usize> {
    let n = restrict_vocab.min(tokens.len());
    let mut map = HashMap::with_capacity(n);
    for (row, token) in tokens[..n].iter().enumerate() {
        map.entry(fold(token, case_insensitive)).or_insert(row);
    }
    map
}

/// `"; 2 lines skipped as not {what} (first: line 3)"`, or nothing.
pub(crate) fn skipped(lines: &[usize], what: &str) -> String {
    match lines {
        [] => String::new(),
        [line] => format!("; 1 line skipped as not {what} (line {line})"),
        [first, ..] => format!(
            "; {} lines skipped as not {what} (first: line {first})",
            lines.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn the_first_case_variant_wins_and_restrict_cuts() {
        let vocab = ok_vocab(&strings(&["Paris", "paris", "PARIS", "rome", "Berlin"]), 4, true);
        assert_eq!(vocab.get("PARIS"), Some(&0));
        assert_eq!(vocab.get("ROME"), Some(&3));
        assert_eq!(vocab.get("BERLIN"), None);
        let exact = ok_vocab(&strings(&["Paris", "paris"]), 10, false);
        assert_eq!((exact.get("paris"), exact.get("PARIS")), (Some(&1), None));
    }

    #[test]
    fn splitting_follows_python() {
        assert_eq!(split_python(" a\tb\u{a0}c\x1fd \r"), vec!["a", "b", "c", "d"]);
        assert_eq!(fold("straße", true), "STRASSE");
    }
}

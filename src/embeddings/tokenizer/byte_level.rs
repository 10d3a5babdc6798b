//! GPT-2's byte-level alphabet: every byte of UTF-8 text stands for one
//! printable character, so a byte-level BPE vocabulary can store any byte
//! sequence as a JSON string (`Ġ` is the space byte, `Ċ` the newline).
//!
//! Bytes that are printable Latin-1 (`!`..=`~`, `¡`..=`¬`, `®`..=`ÿ`) stand for
//! themselves; the other 68 (controls, space, DEL, the C1 range, the soft
//! hyphen) stand for U+0100, U+0101, … in byte order. This is
//! `bytes_to_unicode` of GPT-2's `encoder.py`, which Hugging Face's
//! `tokenizers` (`ByteLevel`) and llama.cpp share.

/// Whether `byte` stands for itself in the alphabet.
fn printable(byte: u32) -> bool {
    matches!(byte, 0x21..=0x7e | 0xa1..=0xac | 0xae..=0xff)
}

/// The byte a character of the byte-level alphabet stands for, `None` for a
/// character outside the alphabet.
///
/// # Examples
/// ```
/// use embspace::embeddings::byte_level_byte;
///
/// assert_eq!(byte_level_byte('Ġ'), Some(b' '));
/// assert_eq!(byte_level_byte('Ċ'), Some(b'\n'));
/// assert_eq!(byte_level_byte('a'), Some(b'a'));
/// assert_eq!(byte_level_byte(' '), None);
/// ```
pub fn byte_level_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if printable(code) {
        return Some(code as u8);
    }
    // The n-th byte that is not printable, in byte order: 0..=32, 127..=160, 173.
    let n = code.checked_sub(0x100)?;
    match n {
        0..=32 => Some(n as u8),
        33..=66 => Some((127 + n - 33) as u8),
        67 => Some(173),
        _ => None,
    }
}

/// The bytes a byte-level token stands for, `None` when a character is
/// outside the alphabet (then the token is not byte-level text, e.g. an
/// added token written literally).
pub fn byte_level_bytes(token: &str) -> Option<Vec<u8>> {
    token.chars().map(byte_level_byte).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table as GPT-2's `bytes_to_unicode` builds it: printable bytes
    /// first, then the others mapped to 256, 257, … in byte order.
    fn gpt2_table() -> Vec<(u8, char)> {
        let mut table: Vec<(u8, char)> = (0..=255u8)
            .filter(|&b| printable(b.into()))
            .map(|b| (b, char::from(b)))
            .collect();
        for (next, b) in (256..).zip((0..=255u8).filter(|&b| !printable(b.into()))) {
            table.push((b, char::from_u32(next).unwrap()));
        }
        table
    }

    #[test]
    fn every_byte_is_read_back_from_gpt2_s_table() {
        let table = gpt2_table();
        assert_eq!(table.len(), 256);
        for (byte, c) in table {
            assert_eq!(byte_level_byte(c), Some(byte), "{c:?}");
        }
    }

    #[test]
    fn characters_outside_the_alphabet_have_no_byte() {
        for c in [' ', '\n', '\u{ad}', '\u{144}', '▁', '😀'] {
            assert_eq!(byte_level_byte(c), None, "{c:?}");
        }
        assert_eq!(byte_level_byte('\u{143}'), Some(173));
    }

    #[test]
    fn a_token_decodes_to_its_bytes() {
        assert_eq!(byte_level_bytes("Ġthe").unwrap(), b" the");
        assert_eq!(byte_level_bytes("ĊĊ").unwrap(), b"\n\n");
        // `é` (C3 A9) as GPT-2 stores it, and the two halves apart.
        assert_eq!(byte_level_bytes("Ã©").unwrap(), "é".as_bytes());
        assert_eq!(byte_level_bytes("Ã").unwrap(), [0xc3]);
        assert_eq!(byte_level_bytes("<|endoftext|>").unwrap(), b"<|endoftext|>");
        assert_eq!(byte_level_bytes("a b"), None);
    }
}

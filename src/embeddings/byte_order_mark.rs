//! Byte-order marks at the start of a text file. Windows editors ("UTF-8 with
//! BOM"), Excel and PowerShell's `Out-File -Encoding utf8` put `EF BB BF`
//! before the text: it is not part of the first token or header, so every text
//! reader (tables, vocabularies, analogy and token lists) starts after it, as
//! Python's `utf-8-sig` codec does. Windows PowerShell 5's `>` writes UTF-16
//! instead, which no reader here takes: such a file is refused at byte 0 with
//! what to do, rather than at its first NUL byte as a row that makes no sense.

use super::load_error::{Location, Malformed};

/// Where the text of a UTF-8 file starts: 3 after a UTF-8 byte-order mark,
/// 0 without one.
///
/// # Errors
/// A [`Malformed`] at byte 0 when the file starts with a UTF-16 (or UTF-32)
/// byte-order mark.
pub(crate) fn text_start(bytes: &[u8]) -> Result<usize, Malformed> {
    let utf16 = match bytes {
        [0xEF, 0xBB, 0xBF, ..] => return Ok(3),
        [0xFF, 0xFE, ..] => "little-endian",
        [0xFE, 0xFF, ..] => "big-endian",
        _ => return Ok(0),
    };
    Err(Malformed::new(
        Location::Byte(0),
        "UTF-8 text",
        format!(
            "a {utf16} UTF-16 byte-order mark: convert the file to UTF-8 first \
             (`iconv -f UTF-16 -t UTF-8`, or PowerShell's `Out-File -Encoding utf8`)"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_mark_is_skipped_and_nothing_else_is() {
        assert_eq!(text_start(b"\xef\xbb\xbfking 1 2").unwrap(), 3);
        assert_eq!(text_start(b"\xef\xbb\xbf").unwrap(), 3);
        for plain in [&b""[..], b"king 1 2", b"\xef\xbb", b"\xef\xbbx", b"\xff"] {
            assert_eq!(text_start(plain).unwrap(), 0, "{plain:?}");
        }
    }

    #[test]
    fn utf16_is_refused_at_byte_0_with_what_to_do() {
        for (bytes, order) in [
            (&b"\xff\xfe2\x00"[..], "little-endian"),
            (b"\xfe\xff\x002", "big-endian"),
        ] {
            let error = text_start(bytes).unwrap_err();
            assert_eq!(
                (error.at, error.expected.as_str()),
                (Location::Byte(0), "UTF-8 text")
            );
            assert!(
                error
                    .found
                    .starts_with(&format!("a {order} UTF-16 byte-order mark")),
                "{}",
                error.found
            );
            assert!(error.found.contains("iconv"), "{}", error.found);
        }
    }
}

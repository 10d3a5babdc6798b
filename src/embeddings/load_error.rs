//! Why an embedding file could not be loaded, and where in it.
//!
//! Every refusal names the file, the place in it (a 1-based line for text, a
//! byte offset for binary data, a key for JSON), what was expected there and
//! what was found:
//!
//! ```text
//! vectors.txt:3: expected 300 values after the token, found 299
//! vectors.bin:byte 1307: expected 1200 bytes of vector for row 3 (`queen`), found 408 before the end of the file
//! tokenizer.json:model.vocab: expected one token for every id 0..30521, found no token for id 17
//! ```
//!
//! Parsers build a [`Malformed`] without knowing the file's name; [`Malformed::in_file`]
//! names it once, at the boundary.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The place in a file an error points at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A 1-based line of a text file.
    Line(usize),
    /// A byte offset from the start of the file.
    Byte(u64),
    /// A key path inside a JSON file, e.g. `model.vocab`.
    Key(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(f, "{line}"),
            Location::Byte(offset) => write!(f, "byte {offset}"),
            Location::Key(key) => f.write_str(key),
        }
    }
}

/// Everything [`load`](super::load) can refuse.
///
/// Exit codes are the CLI's business; both variants are bad input (code 2).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be opened or read.
    #[error("{}: cannot read the file: {error}", file.display())]
    Io {
        /// The file, as the caller named it.
        file: PathBuf,
        /// What the operating system said.
        error: io::Error,
    },
    /// The file's content does not match its format.
    #[error("{}:{at}: expected {expected}, found {found}", file.display())]
    Malformed {
        /// The file, as the caller named it.
        file: PathBuf,
        /// Where in the file.
        at: Location,
        /// What the format requires there.
        expected: String,
        /// What the file holds there.
        found: String,
    },
    /// An option the file's format has no use for: a vocabulary for a table
    /// whose rows name themselves, a tensor name for a file of one matrix.
    /// Refused rather than ignored: the table read would not be the one meant.
    #[error("{}: {option} {applies_to}; this {format} file {instead}", file.display())]
    Inapplicable {
        /// The file, as the caller named it.
        file: PathBuf,
        /// The option, as the command line spells it: `--vocab`, `--tensor`.
        option: &'static str,
        /// The formats it is for.
        applies_to: &'static str,
        /// The file's format, by its `--format` name.
        format: &'static str,
        /// What the file has instead.
        instead: &'static str,
    },
    /// A table of no rows (a tensor of shape 0 × d): there is nothing to
    /// analyse, and nothing but the shape to say so.
    #[error("{}: expected a table of at least one row, found 0 rows of {dim} columns", file.display())]
    NoRows {
        /// The file, as the caller named it.
        file: PathBuf,
        /// The table's columns.
        dim: usize,
    },
}

impl LoadError {
    /// Shorthand for [`LoadError::Io`].
    pub fn io(file: &Path, error: io::Error) -> Self {
        LoadError::Io {
            file: file.to_path_buf(),
            error,
        }
    }

    /// Where the error points, if it points into the file.
    ///
    /// # Examples
    /// ```
    /// use embspace::embeddings::{Location, Malformed};
    ///
    /// let error = Malformed::new(Location::Line(3), "300 values", "299").in_file("v.txt".as_ref());
    /// assert_eq!(error.location(), Some(&Location::Line(3)));
    /// assert_eq!(error.to_string(), "v.txt:3: expected 300 values, found 299");
    /// ```
    pub fn location(&self) -> Option<&Location> {
        match self {
            LoadError::Io { .. } | LoadError::Inapplicable { .. } | LoadError::NoRows { .. } => None,
            LoadError::Malformed { at, .. } => Some(at),
        }
    }
}

/// A format violation found by a parser that does not know the file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Where in the file.
    pub at: Location,
    /// What the format requires there.
    pub expected: String,
    /// What the file holds there.
    pub found: String,
}

impl Malformed {
    /// A violation at `at`: `expected` was required, `found` was there.
    pub fn new(at: Location, expected: impl Into<String>, found: impl Into<String>) -> Self {
        Malformed {
            at,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Names the file the violation was found in.
    pub fn in_file(self, file: &Path) -> LoadError {
        LoadError::Malformed {
            file: file.to_path_buf(),
            at: self.at,
            expected: self.expected,
            found: self.found,
        }
    }
}

/// A token's bytes as UTF-8, or with U+FFFD for invalid bytes when `lossy` (as
/// gensim's `unicode_errors='replace'`). `offset` is where the token starts in
/// the file; `at` turns the offset of the first invalid byte into where the
/// error points (the token's line, or that byte).
pub(crate) fn token_text(
    bytes: &[u8],
    offset: usize,
    lossy: bool,
    at: impl FnOnce(usize) -> Location,
) -> Result<String, Malformed> {
    match std::str::from_utf8(bytes) {
        Ok(token) => Ok(token.to_string()),
        Err(_) if lossy => Ok(String::from_utf8_lossy(bytes).into_owned()),
        Err(error) => {
            let bad = offset + error.valid_up_to();
            Err(Malformed::new(
                at(bad),
                "a UTF-8 token (`--lossy` would replace the bytes with U+FFFD)",
                format!(
                    "byte 0x{:02x} at byte offset {bad} in {}",
                    bytes[error.valid_up_to()],
                    shown(bytes)
                ),
            ))
        }
    }
}

/// Bytes from a file, shown safely in a message: lossy UTF-8, control and
/// bidi characters escaped, at most 40 characters, as a code span.
pub(crate) fn shown(bytes: &[u8]) -> String {
    const MAX: usize = 40;
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    crate::code_span::code_span(&out)
}

/// The Unicode bidirectional formatting characters, which could reorder the
/// rest of a terminal line if printed raw.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How many tensors a "not found" message lists before "… and N more".
#[cfg(feature = "analyze")]
const LISTED: usize = 12;

/// The 2-D tensors among a file's tensors (name, and rows × columns when
/// 2-D), for a message saying which tensor was not found.
#[cfg(feature = "analyze")]
pub(crate) fn matrix_listing<N: fmt::Display, D: fmt::Display>(
    tensors: impl IntoIterator<Item = (N, Option<[D; 2]>)>,
) -> String {
    let mut count = 0;
    let mut matrices = Vec::new();
    for (name, shape) in tensors {
        count += 1;
        if let Some([rows, dim]) = shape {
            matrices.push(format!(
                "{} ({rows}×{dim})",
                crate::code_span::code_span(&name.to_string())
            ));
        }
    }
    match matrices.len() {
        0 => format!("no 2-D tensor among {count} tensors"),
        n if n <= LISTED => format!("2-D tensors: {}", matrices.join(", ")),
        n => format!(
            "2-D tensors: {}, … and {} more",
            matrices[..LISTED].join(", "),
            n - LISTED
        ),
    }
}

/// The last component of `path` (all of it when it has none), for messages
/// that name a second file and for the titles of reports.
#[cfg(feature = "analyze")]
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_file_place_expectation_and_finding() {
        let error = Malformed::new(Location::Byte(12), "a digit", "`x`").in_file(Path::new("dir/v.bin"));
        assert_eq!(
            error.to_string(),
            "dir/v.bin:byte 12: expected a digit, found `x`"
        );
    }

    #[test]
    fn shown_text_escapes_controls_and_bidi_and_is_short() {
        assert_eq!(shown(b"a\x01b"), "`a\\u{1}b`");
        assert_eq!(shown("x\u{202e}y".as_bytes()), "`x\\u{202e}y`");
        assert_eq!(shown(&[b'a'; 100]).chars().count(), 43);
        assert_eq!(shown(b"\xffz"), "`\u{fffd}z`");
    }
}

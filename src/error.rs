//! The one library error type.
//!
//! Every fallible function in `embspace` returns [`Result<T>`]. Variants carry
//! what a caller needs to act on the failure: the expected and actual shapes,
//! the parameter and why it was refused.

use thiserror::Error;

/// Everything the library can refuse to do.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Two arrays whose shapes must agree do not.
    #[error("shape mismatch in {what}: expected {expected}, found {found}")]
    Shape {
        /// Which operation or argument was checked.
        what: &'static str,
        /// The shape that was required, e.g. `"d = 4"` or `"(3, 2)"`.
        expected: String,
        /// The shape that was given.
        found: String,
    },
    /// An index (token id, row, class) lies outside its table.
    #[error("{what} {index} is out of range for {len} rows")]
    OutOfRange {
        /// What kind of index it was, e.g. `"token id"`.
        what: &'static str,
        /// The offending index.
        index: usize,
        /// The number of valid entries (valid indices are `0..len`).
        len: usize,
    },
    /// A parameter outside its valid domain.
    #[error("invalid parameter `{name}`: {reason}")]
    Parameter {
        /// The parameter's name as it appears in the API.
        name: &'static str,
        /// Why the value was refused.
        reason: String,
    },
    /// A numerical routine failed to converge or met a degenerate input.
    #[error("numerical failure in {what}: {reason}")]
    Numerical {
        /// The routine that failed.
        what: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// A benchmark file (word analogies, word-pair similarities) has a line
    /// that cannot be read.
    #[error("{path}:{line}: expected {expected}, found {found:?}")]
    BenchmarkLine {
        /// The file, as given.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What the line should hold, e.g. `"four words"`.
        expected: String,
        /// The offending text.
        found: String,
    },
    /// A benchmark file leaves nothing to evaluate (every line invalid, or
    /// every question outside the vocabulary).
    #[error("{path}: {reason}")]
    Benchmark {
        /// The file, as given.
        path: String,
        /// Why nothing could be evaluated.
        reason: String,
    },
    /// A file could not be read at all, or not as text.
    #[error("{path}: {reason}")]
    Read {
        /// The file, as given.
        path: String,
        /// The operating system's reason (`cannot read the file: …`), or
        /// where the text stops being UTF-8.
        reason: String,
    },
    /// Words a computation needs have no row in the embedding table.
    #[error("no row for {}", .words.iter().map(|w| crate::code_span::code_span(w)).collect::<Vec<_>>().join(", "))]
    NotInTable {
        /// The missing words.
        words: Vec<String>,
    },
    /// Rendering a figure or a template failed.
    #[error("could not render {what}: {reason}")]
    Render {
        /// What was being rendered, e.g. ``figure `curves` ``.
        what: String,
        /// Why it failed.
        reason: String,
    },
}

/// `Result` with the library's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::Shape`].
    pub fn shape(what: &'static str, expected: impl ToString, found: impl ToString) -> Self {
        Error::Shape {
            what,
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    /// What went wrong, for a reader rather than a caller: a refused
    /// parameter's reason without the parameter's name (a claim NOT TESTED
    /// because "the table has none of the 20 occupations"), else the message.
    ///
    /// # Examples
    /// ```
    /// let e = embspace::Error::parameter("table", "the table has no rows");
    /// assert_eq!((e.to_string().as_str(), e.explanation().as_str()), ("invalid parameter `table`: the table has no rows", "the table has no rows"));
    /// ```
    pub fn explanation(&self) -> String {
        match self {
            Error::Parameter { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }

    /// Shorthand for [`Error::Parameter`].
    pub fn parameter(name: &'static str, reason: impl ToString) -> Self {
        Error::Parameter {
            name,
            reason: reason.to_string(),
        }
    }
}

//! [`Embeddings`]: tokens and their vectors with a token → row index, the
//! table every loader returns and `analyze` measures.
//!
//! The matrix is on the heap, or, when the file's bytes already are the
//! matrix (`f32`, little-endian, C order), read in place from the file's
//! memory map ([`MappedRows`]); callers see an `ArrayView2` either way.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};

use super::Vocabulary;
use super::mapped_rows::MappedRows;
use crate::error::{Error, Result};

/// Tokens and their vectors, with a token → row index.
#[derive(Debug, Clone)]
pub struct Embeddings {
    vocabulary: Vocabulary,
    vectors: Vectors,
}

/// Where the matrix lives.
#[derive(Debug, Clone)]
enum Vectors {
    Owned(Array2<f32>),
    Mapped(MappedRows),
}

/// What [`Embeddings::new`] dropped: repeated tokens keep their first row, as
/// gensim's `load_word2vec_format` does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Duplicates {
    /// How many rows were dropped.
    pub count: usize,
    /// The first few repeated tokens, for the warning.
    pub examples: Vec<String>,
}

impl Embeddings {
    /// Builds a table from tokens and one vector row per token, keeping the
    /// first row of a repeated token and dropping the others.
    ///
    /// # Errors
    /// [`Error::Shape`] when the number of tokens differs from the number of rows.
    ///
    /// # Examples
    /// ```
    /// use embspace::embeddings::Embeddings;
    /// use embspace::ndarray::array;
    ///
    /// let tokens = vec!["a".to_string(), "b".to_string(), "a".to_string()];
    /// let (table, dropped) = Embeddings::new(tokens, array![[1.0f32, 0.0], [0.0, 1.0], [9.0, 9.0]])?;
    /// assert_eq!(table.len(), 2);
    /// assert_eq!(dropped.count, 1);
    /// assert_eq!(table.vector(table.id("a").unwrap()).to_vec(), vec![1.0, 0.0]);
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn new(tokens: Vec<String>, vectors: Array2<f32>) -> Result<(Self, Duplicates)> {
        Embeddings::build(tokens, Vectors::Owned(vectors))
    }

    /// [`Embeddings::new`] on a matrix read in place from a mapped file; a
    /// table with repeated tokens gets a heap copy of the rows it keeps.
    pub(crate) fn mapped(tokens: Vec<String>, vectors: MappedRows) -> Result<(Self, Duplicates)> {
        Embeddings::build(tokens, Vectors::Mapped(vectors))
    }

    fn build(tokens: Vec<String>, vectors: Vectors) -> Result<(Self, Duplicates)> {
        let rows = vectors.view().nrows();
        if tokens.len() != rows {
            return Err(Error::shape(
                "embedding table",
                "one vector row per token",
                format!("{} tokens and {rows} rows", tokens.len()),
            ));
        }
        let (vocabulary, dropped) = Vocabulary::new(tokens);
        let (repeats, repeated): (Vec<usize>, Vec<String>) = dropped.into_iter().unzip();
        let duplicates = Duplicates {
            count: repeats.len(),
            examples: repeated.into_iter().take(5).collect(),
        };
        if repeats.is_empty() {
            return Ok((Embeddings { vocabulary, vectors }, duplicates));
        }
        let mut repeats = repeats.into_iter().peekable();
        let kept: Vec<usize> = (0..rows)
            .filter(|&row| repeats.next_if_eq(&row).is_none())
            .collect();
        let vectors = Vectors::Owned(vectors.view().select(Axis(0), &kept));
        Ok((Embeddings { vocabulary, vectors }, duplicates))
    }

    /// Number of tokens (rows).
    pub fn len(&self) -> usize {
        self.vocabulary.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.vocabulary.is_empty()
    }

    /// Vector dimension (columns).
    pub fn dim(&self) -> usize {
        self.vectors.view().ncols()
    }

    /// Tokens in row order.
    pub fn tokens(&self) -> &[String] {
        self.vocabulary.tokens()
    }

    /// The token of row `id`.
    ///
    /// # Panics
    /// When `id >= len()`, like slice indexing.
    pub fn token(&self, id: usize) -> &str {
        self.vocabulary.token(id)
    }

    /// The row of `token`, if present (exact, case-sensitive match).
    pub fn id(&self, token: &str) -> Option<usize> {
        self.vocabulary.id(token)
    }

    /// The whole `V×d` matrix.
    pub fn vectors(&self) -> ArrayView2<'_, f32> {
        self.vectors.view()
    }

    /// Whether the matrix is read in place from the file's memory map rather
    /// than held on the heap.
    pub fn is_mapped(&self) -> bool {
        matches!(self.vectors, Vectors::Mapped(_))
    }

    /// The vector of row `id`.
    ///
    /// # Panics
    /// When `id >= len()`, like slice indexing.
    pub fn vector(&self, id: usize) -> ArrayView1<'_, f32> {
        self.vectors.view().index_axis_move(Axis(0), id)
    }

    /// Takes the table apart: its vocabulary and its matrix, so a caller can
    /// transform the matrix in place (e.g. normalise it) without a second copy.
    /// A matrix read in place from a file is copied onto the heap, its
    /// mapping's pages released behind the copy, so the two are never both
    /// whole in memory.
    pub fn into_parts(self) -> (Vocabulary, Array2<f32>) {
        let vectors = match self.vectors {
            Vectors::Owned(vectors) => vectors,
            Vectors::Mapped(vectors) => vectors.into_owned(),
        };
        (self.vocabulary, vectors)
    }

    /// Keeps the first `n` rows (all when `n >= len()`), like gensim's `limit`.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.len() {
            return;
        }
        self.vocabulary.truncate(n);
        match &mut self.vectors {
            Vectors::Owned(vectors) => *vectors = vectors.slice(ndarray::s![..n, ..]).to_owned(),
            Vectors::Mapped(vectors) => vectors.truncate(n),
        }
    }
}

impl Vectors {
    fn view(&self) -> ArrayView2<'_, f32> {
        match self {
            Vectors::Owned(vectors) => vectors.view(),
            Vectors::Mapped(vectors) => vectors.view(),
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn a_repeated_token_keeps_its_first_row_and_is_counted() {
        let vectors = array![[1.0f32], [2.0], [3.0], [4.0], [5.0]];
        let (table, dropped) = Embeddings::new(strings(&["x", "y", "x", "z", "y"]), vectors).unwrap();
        assert_eq!(table.tokens(), &strings(&["x", "y", "z"])[..]);
        assert_eq!(table.vectors().column(0).to_vec(), vec![1.0, 2.0, 4.0]);
        assert_eq!(
            dropped,
            Duplicates {
                count: 2,
                examples: strings(&["x", "y"])
            }
        );
        assert_eq!(table.id("z"), Some(2));
    }

    #[test]
    fn tokens_and_rows_must_agree_in_number() {
        assert!(Embeddings::new(strings(&["x"]), Array2::zeros((2, 3))).is_err());
    }

    #[test]
    fn truncating_forgets_the_dropped_tokens() {
        let (mut table, _) = Embeddings::new(strings(&["a", "b", "c"]), Array2::zeros((3, 2))).unwrap();
        table.truncate(2);
        assert_eq!((table.len(), table.dim()), (2, 2));
        assert_eq!(table.id("c"), None);
        assert_eq!(table.id("b"), Some(1));
    }

    #[test]
    fn tokens_are_kept_exactly() {
        let token = "new\u{a0}york";
        let (table, _) = Embeddings::new(strings(&[token, "New York"]), Array2::zeros((2, 1))).unwrap();
        assert_eq!(table.id(token), Some(0));
        assert_eq!(table.id("new york"), None);
    }
}

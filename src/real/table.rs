//! [`RealTable`]: a trained embedding table as the demos read it: tokens in
//! frequency order, a token → row index and an `f64` matrix.

use std::collections::HashMap;

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::demos::SEED;
use crate::error::{Error, Result};
use crate::math::ZERO_NORM;

/// Rows with a direction (norm at least [`ZERO_NORM`]) that a statistic
/// over a table's rows needs: a pair that is not the only one (after
/// centring, two rows always point in opposite directions), and a plane.
pub const MIN_NON_ZERO_ROWS: usize = 3;

/// Why `non_zero` rows with a direction, of dimension `dim`, are too few for
/// statistics over a table's rows (random pairs, principal components, a 2-D
/// map, a claim about trained embeddings), or `None` when they are enough.
///
/// # Examples
/// ```
/// use embspace::real::too_small;
/// assert_eq!(too_small(2, 300).as_deref(), Some("needs at least 3 non-zero rows; the table has 2"));
/// assert_eq!(too_small(3, 2), None);
/// ```
pub fn too_small(non_zero: usize, dim: usize) -> Option<String> {
    let min = MIN_NON_ZERO_ROWS;
    match (non_zero < min, dim < 2) {
        (false, false) => None,
        (true, false) => Some(format!(
            "needs at least {min} non-zero rows; the table has {non_zero}"
        )),
        (false, true) => Some(format!("needs at least 2 dimensions; the table has {dim}")),
        (true, true) => Some(format!(
            "needs at least {min} non-zero rows of at least 2 dimensions; the table has {non_zero} of {dim}"
        )),
    }
}

/// A trained table: tokens (most frequent first), their vectors, and where it came from.
#[derive(Debug, Clone)]
pub struct RealTable {
    id: String,
    name: String,
    about: String,
    shipped: bool,
    tokens: Vec<String>,
    index: HashMap<String, usize>,
    vectors: Array2<f64>,
}

/// The `f64` copy of a loaded `f32` matrix, in memory the kernel may back
/// with huge pages (a fresh matrix costs a page fault per 4 kB otherwise).
#[cfg(feature = "analyze")]
pub(crate) fn widened(vectors: ArrayView2<f32>) -> Array2<f64> {
    let mut wide = crate::embeddings::huge_pages::zeroed::<f64>(vectors.len());
    for (w, &v) in wide.iter_mut().zip(vectors.iter()) {
        *w = f64::from(v);
    }
    Array2::from_shape_vec(vectors.dim(), wide).expect("one value per element")
}

impl RealTable {
    /// A reader's table: `name` is shown in verdicts, `about` in transcripts.
    /// Rows are taken to be in frequency order (as word2vec, GloVe and
    /// fastText files are); a repeated token keeps its first row.
    ///
    /// # Errors
    /// [`Error::Shape`] when tokens and rows differ in number.
    ///
    /// # Examples
    /// ```
    /// use embspace::real::RealTable;
    /// let table = RealTable::new("mine", "a table", vec!["a".into(), "b".into()], embspace::ndarray::array![[1.0, 0.0], [0.0, 1.0]])?;
    /// assert_eq!(table.id_of("b"), Some(1));
    /// assert_eq!(table.rows(&["a", "c"]).unwrap_err().to_string(), "no row for `c`");
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn new(name: &str, about: &str, tokens: Vec<String>, vectors: Array2<f64>) -> Result<Self> {
        if tokens.len() != vectors.nrows() {
            return Err(Error::shape(
                "real table",
                "one vector row per token",
                format!("{} tokens and {} rows", tokens.len(), vectors.nrows()),
            ));
        }
        let mut index = HashMap::with_capacity(tokens.len());
        for (row, token) in tokens.iter().enumerate() {
            index.entry(token.clone()).or_insert(row);
        }
        Ok(RealTable {
            id: name.into(),
            name: name.into(),
            about: about.into(),
            shipped: false,
            tokens,
            index,
            vectors,
        })
    }

    /// A reader's table from a file `embspace analyze` read (see [`RealTable::new`]).
    #[cfg(feature = "analyze")]
    pub fn from_embeddings(name: &str, about: &str, table: crate::embeddings::Embeddings) -> Self {
        let (vocabulary, vectors) = table.into_parts();
        let tokens = vocabulary.tokens().to_vec();
        RealTable::new(name, about, tokens, widened(vectors.view())).expect("a loaded table names every row")
    }

    /// Marks a table as one of the shipped ones, known by `id`.
    pub(crate) fn shipped_as(mut self, id: &str) -> Self {
        self.id = id.into();
        self.shipped = true;
        self
    }

    /// The table's id: a shipped table's short name (see [`super::GLOVE`]), or the reader's name for their table.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The name shown in verdicts and figures.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the table came from (source, licence, subset), one line.
    pub fn about(&self) -> &str {
        &self.about
    }

    /// Whether this is a table shipped in `data/real/` (whose verdicts are known and checked).
    pub fn is_shipped(&self) -> bool {
        self.shipped
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.vectors.ncols()
    }

    /// Why the table is too small for a claim about its rows, if it is
    /// (see [`too_small`]).
    pub fn too_small(&self) -> Option<String> {
        let with_direction = self
            .vectors
            .rows()
            .into_iter()
            .filter(|row| row.dot(row).sqrt() >= ZERO_NORM)
            .take(MIN_NON_ZERO_ROWS)
            .count();
        too_small(with_direction, self.dim())
    }

    /// Tokens in row order (most frequent first).
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The whole matrix.
    pub fn vectors(&self) -> ArrayView2<'_, f64> {
        self.vectors.view()
    }

    /// The first `n` rows (all when `n` exceeds the table): the most frequent tokens.
    pub fn head(&self, n: usize) -> ArrayView2<'_, f64> {
        self.vectors.slice(ndarray::s![..n.min(self.len()), ..])
    }

    /// The row of `token`, if present (exact match).
    pub fn id_of(&self, token: &str) -> Option<usize> {
        self.index.get(token).copied()
    }

    /// The vector of row `row`.
    ///
    /// # Panics
    /// When `row >= len()`, like slice indexing.
    pub fn vector(&self, row: usize) -> ArrayView1<'_, f64> {
        self.vectors.row(row)
    }

    /// The rows of all `words`.
    ///
    /// # Errors
    /// [`Error::NotInTable`] naming every absent word.
    pub fn rows(&self, words: &[&str]) -> Result<Vec<usize>> {
        let missing: Vec<String> = words
            .iter()
            .filter(|w| self.id_of(w).is_none())
            .map(|w| w.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(Error::NotInTable { words: missing });
        }
        Ok(words.iter().map(|w| self.index[*w]).collect())
    }

    /// The vectors of `rows`, as a new matrix.
    pub fn select(&self, rows: &[usize]) -> Array2<f64> {
        self.vectors.select(Axis(0), rows)
    }

    /// A generator seeded with [`SEED`], fresh for every call: a claim's
    /// sampling depends only on the table, so `report --vectors` on a shipped
    /// file gives the report's verdicts.
    pub fn rng(&self) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(SEED)
    }
}

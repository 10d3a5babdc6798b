//! fastText's subwords: a word's character n-grams, hashed into a fixed
//! number of buckets, each bucket a row of vectors.
//!
//! The n-grams are those of `<word>` (the word between the markers `<` and
//! `>`) of `minn` to `maxn` characters, a character being a UTF-8 lead byte
//! and its continuation bytes, without the lone markers; each is hashed by
//! fastText's FNV-1a on its bytes **as signed chars** (a byte above 0x7f is
//! sign-extended before the xor), modulo the number of buckets. This is
//! fastText's `Dictionary::computeSubwords` and gensim's
//! `ft_ngram_hashes`, which agree on every word.

use std::sync::Arc;

use memmap2::Mmap;
use ndarray::{Array1, Array2};

/// FNV-1a's 32-bit offset basis, as fastText's `Dictionary::hash` starts.
const FNV_OFFSET: u32 = 2_166_136_261;

/// FNV-1a's 32-bit prime.
const FNV_PRIME: u32 = 16_777_619;

/// A fastText model's character n-gram vectors, which give any word a
/// vector: the mean of its n-grams' bucket rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Subwords {
    minn: usize,
    maxn: usize,
    /// One row per bucket; at least one row.
    buckets: Buckets,
}

/// The bucket rows: on the heap, or where they lie in the model's mapped
/// file (2.4 GB for a 2M-bucket model of 300 dimensions, which a word
/// outside the table reads a few dozen rows of). A fastText matrix starts at
/// any byte, so mapped rows are decoded, little-endian, as they are added.
#[derive(Debug, Clone)]
enum Buckets {
    Heap(Array2<f32>),
    Mapped {
        map: Arc<Mmap>,
        /// Where the first bucket's row starts in the file.
        at: usize,
        rows: usize,
        dim: usize,
    },
}

impl Buckets {
    fn shape(&self) -> (usize, usize) {
        match self {
            Buckets::Heap(rows) => rows.dim(),
            Buckets::Mapped { rows, dim, .. } => (*rows, *dim),
        }
    }

    /// Adds row `bucket` to `sum`, in `f32`, element by element.
    fn add_row(&self, bucket: usize, sum: &mut [f32]) {
        match self {
            Buckets::Heap(rows) => {
                let row = rows.row(bucket);
                let row = row.as_slice().expect("rows of a standard-layout matrix");
                sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
            }
            Buckets::Mapped { map, at, dim, .. } => {
                let start = at + 4 * dim * bucket;
                for (s, b) in sum.iter_mut().zip(map[start..start + 4 * dim].chunks_exact(4)) {
                    *s += f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
            }
        }
    }
}

/// Equal rows, wherever they lie.
impl PartialEq for Buckets {
    fn eq(&self, other: &Self) -> bool {
        let (rows, dim) = self.shape();
        let row = |buckets: &Buckets, bucket| {
            let mut sum = vec![0.0; dim];
            buckets.add_row(bucket, &mut sum);
            sum
        };
        self.shape() == other.shape() && (0..rows).all(|b| row(self, b) == row(other, b))
    }
}

impl Subwords {
    /// N-grams of `minn` to `maxn` characters hashed into the rows of
    /// `buckets`, which has at least one row.
    pub(crate) fn new(minn: usize, maxn: usize, buckets: Array2<f32>) -> Self {
        debug_assert!(buckets.nrows() > 0, "hashing needs a bucket");
        Subwords {
            minn,
            maxn,
            buckets: Buckets::Heap(buckets),
        }
    }

    /// [`new`](Self::new), the `rows × dim` little-endian `f32` buckets read
    /// where they lie in `map`, from byte `at` (checked finite by the caller).
    pub(crate) fn mapped(
        minn: usize,
        maxn: usize,
        map: Arc<Mmap>,
        at: usize,
        rows: usize,
        dim: usize,
    ) -> Self {
        debug_assert!(rows > 0 && at + 4 * rows * dim <= map.len());
        Subwords {
            minn,
            maxn,
            buckets: Buckets::Mapped { map, at, rows, dim },
        }
    }

    /// The vector dimension.
    pub fn dim(&self) -> usize {
        self.buckets.shape().1
    }

    /// The number of buckets.
    pub fn len(&self) -> usize {
        self.buckets.shape().0
    }

    /// Never: a model without buckets has no `Subwords`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shortest and longest n-gram, in characters.
    pub fn ngram_lengths(&self) -> (usize, usize) {
        (self.minn, self.maxn)
    }

    /// The bucket of each character n-gram of `word` (its bytes, whatever
    /// their encoding: fastText hashes bytes), in fastText's order: by start,
    /// then by length. An n-gram that occurs twice is listed twice.
    pub fn buckets_of(&self, word: &[u8]) -> Vec<usize> {
        let mut buckets = Vec::new();
        let count = self.len() as u32;
        ngram_hashes(word, self.minn, self.maxn, |hash| {
            buckets.push((hash % count) as usize);
        });
        buckets
    }

    /// Adds the bucket rows of `word`'s n-grams to `sum`, one after the other
    /// in [`buckets_of`](Self::buckets_of)'s order (the order gensim adds
    /// them in, so the `f32` sums are the same); returns how many were added.
    pub(crate) fn add_ngrams(&self, word: &[u8], sum: &mut [f32]) -> usize {
        let count = self.len() as u32;
        let mut added = 0;
        ngram_hashes(word, self.minn, self.maxn, |hash| {
            self.buckets.add_row((hash % count) as usize, sum);
            added += 1;
        });
        added
    }

    /// The vector of a word outside the table, as gensim's `wv[word]` gives
    /// it: the mean of its n-grams' bucket rows, with their number.
    ///
    /// `None` when the word has no n-gram of `minn` to `maxn` characters
    /// (gensim then returns the zero vector with a warning) or when the mean
    /// overflows `f32`.
    ///
    /// # Examples
    /// ```
    /// use std::path::Path;
    /// use embspace::embeddings::{load, LoadOptions};
    ///
    /// let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fasttext/skipgram.bin");
    /// let loaded = load(&path, &LoadOptions::default())?;
    /// let subwords = loaded.subwords.expect("a model with n-gram buckets");
    /// let (vector, ngrams) = subwords.vector("unseen").expect("n-grams of 3 to 6 characters");
    /// assert_eq!((vector.len(), ngrams), (loaded.embeddings.dim(), 18));
    /// # Ok::<(), embspace::embeddings::LoadError>(())
    /// ```
    pub fn vector(&self, word: &str) -> Option<(Array1<f32>, usize)> {
        let mut sum = Array1::zeros(self.dim());
        let ngrams = self.add_ngrams(word.as_bytes(), sum.as_slice_mut().expect("a fresh array"));
        sum /= ngrams as f32;
        (ngrams > 0 && sum.iter().all(|v| v.is_finite())).then_some((sum, ngrams))
    }
}

/// Calls `emit` with the hash of each character n-gram of `<word>`, by start
/// and then by length, as fastText's `computeSubwords` walks them. The hash
/// of a longer n-gram continues the shorter one's (FNV-1a is a running hash),
/// so nothing is allocated.
fn ngram_hashes(word: &[u8], minn: usize, maxn: usize, mut emit: impl FnMut(u32)) {
    let len = word.len() + 2;
    let byte = |k: usize| match k {
        0 => b'<',
        k if k == len - 1 => b'>',
        k => word[k - 1],
    };
    let continues = |k: usize| byte(k) & 0xc0 == 0x80;
    let step = |hash: u32, k: usize| (hash ^ byte(k) as i8 as u32).wrapping_mul(FNV_PRIME);
    for start in (0..len).filter(|&k| !continues(k)) {
        let (mut hash, mut end) = (FNV_OFFSET, start);
        for chars in 1..=maxn {
            if end == len {
                break;
            }
            hash = step(hash, end);
            end += 1;
            while end < len && continues(end) {
                hash = step(hash, end);
                end += 1;
            }
            let lone_marker = chars == 1 && (start == 0 || end == len);
            if chars >= minn && !lone_marker {
                emit(hash);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a over the bytes as signed chars, written the plain way.
    fn fasttext_hash(bytes: &[u8]) -> u32 {
        bytes.iter().fold(FNV_OFFSET, |h, &b| {
            (h ^ (b as i8 as i32 as u32)).wrapping_mul(FNV_PRIME)
        })
    }

    /// The n-grams of `<word>` listed the way gensim's `compute_ngrams_bytes` builds them.
    fn ngrams(word: &str, minn: usize, maxn: usize) -> Vec<Vec<u8>> {
        let bytes = format!("<{word}>").into_bytes();
        let chars: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] & 0xc0 != 0x80).collect();
        let mut out = Vec::new();
        for (c, &start) in chars.iter().enumerate() {
            for n in 1..=maxn {
                let Some(end) = chars
                    .get(c + n)
                    .copied()
                    .or((c + n == chars.len()).then_some(bytes.len()))
                else {
                    break;
                };
                if n >= minn && !(n == 1 && (start == 0 || end == bytes.len())) {
                    out.push(bytes[start..end].to_vec());
                }
            }
        }
        out
    }

    fn hashes(word: &[u8], minn: usize, maxn: usize) -> Vec<u32> {
        let mut out = Vec::new();
        ngram_hashes(word, minn, maxn, |h| out.push(h));
        out
    }

    #[test]
    fn the_running_hash_equals_hashing_each_ngram_as_gensim_lists_them() {
        for word in ["where", "a", "", "café", "東京", "🙂x", "</s>", "naïve-ß"] {
            for (minn, maxn) in [(3, 6), (1, 3), (2, 2), (0, 9), (4, 3)] {
                let want: Vec<u32> = ngrams(word, minn, maxn)
                    .iter()
                    .map(|n| fasttext_hash(n))
                    .collect();
                assert_eq!(hashes(word.as_bytes(), minn, maxn), want, "{word} {minn}..{maxn}");
            }
        }
    }

    #[test]
    fn bytes_above_0x7f_are_hashed_as_signed_chars() {
        // 'Ы' is 0xd0 0xab; gensim 4.4's `ft_hash_bytes('Ы'.encode())` is 1758743084.
        assert_eq!(fasttext_hash("Ы".as_bytes()), 1_758_743_084);
        assert_eq!(hashes("Ы".as_bytes(), 3, 3), [fasttext_hash("<Ы>".as_bytes())]);
        let unsigned = "<Ы>"
            .bytes()
            .fold(FNV_OFFSET, |h, b| (h ^ u32::from(b)).wrapping_mul(FNV_PRIME));
        assert_ne!(hashes("Ы".as_bytes(), 3, 3), [unsigned]);
    }

    #[test]
    fn where_has_fasttext_s_documented_trigrams() {
        // fastText's paper: `where` with n = 3 is <wh, whe, her, ere, re>.
        let want: Vec<u32> = ["<wh", "whe", "her", "ere", "re>"]
            .iter()
            .map(|n| fasttext_hash(n.as_bytes()))
            .collect();
        assert_eq!(hashes(b"where", 3, 3), want);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_hashed_as_they_are() {
        // A continuation byte never starts an n-gram, a lead byte always does.
        let word = b"\xe9t\x80";
        assert_eq!(
            hashes(word, 1, 1),
            [fasttext_hash(b"\xe9"), fasttext_hash(b"t\x80")]
        );
    }

    #[test]
    fn a_word_s_vector_is_the_mean_of_its_ngram_rows_in_order() {
        let buckets = Array2::from_shape_fn((7, 2), |(r, c)| (r * 2 + c) as f32);
        let subwords = Subwords::new(3, 4, buckets.clone());
        let rows = subwords.buckets_of(b"ab");
        assert_eq!(rows.len(), 3); // <ab, <ab>, ab>
        let (vector, n) = subwords.vector("ab").unwrap();
        let mut sum = Array1::<f32>::zeros(2);
        rows.iter().for_each(|&r| sum += &buckets.row(r));
        assert_eq!((vector, n), (sum / 3.0, 3));
    }

    #[test]
    fn a_word_without_ngrams_has_no_vector() {
        let subwords = Subwords::new(5, 6, Array2::ones((3, 2)));
        assert_eq!(subwords.buckets_of(b"ab"), Vec::<usize>::new());
        assert_eq!(subwords.vector("ab"), None);
        let none = Subwords::new(3, 0, Array2::ones((3, 2)));
        assert_eq!(none.vector("word"), None);
    }

    #[test]
    fn a_mean_that_overflows_is_no_vector() {
        let subwords = Subwords::new(1, 2, Array2::from_elem((1, 2), f32::MAX));
        assert_eq!(subwords.vector("word"), None);
    }
}

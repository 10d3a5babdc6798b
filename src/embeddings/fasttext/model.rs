//! A fastText model's table: its words with the vectors gensim composes for
//! them, and the n-gram buckets that compose one for any other word.

use std::sync::Arc;

use memmap2::Mmap;
use ndarray::Array2;
use rayon::prelude::*;

use super::header::{Args, Header};
use super::subwords::Subwords;
use crate::embeddings::load::Table;
use crate::embeddings::load_error::{Location, Malformed, shown, token_text};
use crate::embeddings::mapped_rows::Pages;
use crate::embeddings::npy::decode_finite;
use crate::embeddings::raw_floats::{first_non_finite, read_f32};
use crate::embeddings::task_values;

/// A fastText model, as [`parse_fasttext`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct FastTextModel {
    /// The words in file order (most frequent first), at most the limit
    /// asked for, each with the vector gensim's `load_facebook_vectors`
    /// gives it.
    pub table: Table,
    /// The n-gram buckets that give any other word a vector; `None` when the
    /// model has none (`bucket` 0).
    pub subwords: Option<Subwords>,
    /// The format version; `None` for a model from before fastText signed
    /// its files with a magic and a version.
    pub version: Option<i32>,
    /// The training arguments.
    pub args: Args,
    /// The words in the file's dictionary (the table may keep fewer).
    pub words: usize,
}

/// Reads a fastText `.bin` model (an unsupervised one: cbow or skipgram), at
/// most `limit` words, as gensim's `load_facebook_vectors` reads it.
///
/// Each word's vector is its own row of the input matrix plus the rows of
/// its character n-grams' buckets, added one after the other in `f32` and
/// divided by their number plus one: gensim's `adjust_vectors`, so the
/// vectors are gensim's bit for bit (fastText's own `getWordVector` gives
/// the same, except for `</s>`, which it gives no n-grams). The bucket rows
/// are kept in [`FastTextModel::subwords`] for words outside the
/// dictionary. Invalid UTF-8 in a word is an error unless `lossy`, which
/// replaces it with U+FFFD (the n-grams still hash the file's bytes, as
/// fastText trained them).
///
/// # Errors
/// A [`Malformed`] at the offending byte: a file that is neither signed
/// with fastText's magic nor starts with the arguments of an older model; a
/// version above 12; arguments cut short or out of range (`dim` below 1, a
/// negative `bucket`, `minn` or `maxn`); a supervised model (labels), as
/// gensim refuses them; a dictionary whose counts disagree or that the
/// file cannot hold; a word without its NUL; an entry that is not a word;
/// a quantised model (`.ftz`) or a pruned one; a matrix whose shape is not
/// `nwords + bucket` (input) or `nwords` (output) × `dim`, or cut short;
/// bytes after the output matrix; a value that is not finite, or a word
/// whose mean overflows.
///
/// # Examples
/// ```
/// use embspace::embeddings::{Location, parse_fasttext};
///
/// let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fasttext/skipgram.bin"))?;
/// let model = parse_fasttext(&bytes, Some(3), false).unwrap();
/// assert_eq!((model.version, model.args.model_name()), (Some(12), "skipgram".to_string()));
/// assert_eq!(model.table.tokens, ["the", "of", "and"]);
///
/// // Cut inside the arguments, in `wordNgrams` (bytes 28 to 31).
/// let error = parse_fasttext(&bytes[..30], None, false).unwrap_err();
/// assert_eq!(error.at, Location::Byte(28));
/// assert_eq!(error.expected, "4 bytes of the argument `wordNgrams`");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn parse_fasttext(bytes: &[u8], limit: Option<usize>, lossy: bool) -> Result<FastTextModel, Malformed> {
    read_fasttext(bytes, None, limit, lossy)
}

/// [`parse_fasttext`], where `map`, when given, is the mapping `bytes` are:
/// the buckets are then read where they lie, and the pages of the words'
/// rows given back as they are decoded, so that a model of 2M words and 2M
/// buckets peaks at its words' vectors and its buckets' pages (4.8 GB at 300
/// dimensions), not those beside the whole file's pages and a heap copy of
/// the buckets (12 GB).
pub(crate) fn read_fasttext(
    bytes: &[u8],
    map: Option<&Arc<Mmap>>,
    limit: Option<usize>,
    lossy: bool,
) -> Result<FastTextModel, Malformed> {
    debug_assert!(map.is_none_or(|map| map.as_ptr() == bytes.as_ptr() && map.len() == bytes.len()));
    let header = Header::read(bytes, limit.unwrap_or(usize::MAX))?;
    let tokens = header
        .words
        .iter()
        .map(|&(word, at)| token_text(word, at, lossy, |bad| Location::Byte(bad as u64)))
        .collect::<Result<Vec<String>, _>>()?;
    let args = header.args;
    let (dim, bucket) = (args.dim as usize, args.bucket as usize);
    let row_bytes = 4 * dim; // Header::read checked the matrix is in the file
    let keep = header.words.len();
    let input = &bytes[header.input_at..];
    let non_finite = |row: usize, column: usize, what: String, value: f32| {
        Malformed::new(
            Location::Byte((header.input_at + row * row_bytes + 4 * column) as u64),
            format!(
                "a finite f32 at row {}, column {} of the input matrix ({what})",
                row + 1,
                column + 1
            ),
            format!("{value:?}"),
        )
    };

    let pages = Pages::of(map);
    let done = |bytes: &[u8]| pages.done_with(bytes);
    let mut vectors: Vec<f32> = decode_finite(&input[..keep * row_bytes], 4, done).map_err(|bad| {
        let (row, column) = (bad / dim, bad % dim);
        let value = f32_at(input, bad);
        non_finite(
            row,
            column,
            format!("the row of {}", shown(header.words[row].0)),
            value,
        )
    })?;
    let buckets_at = header.nwords * row_bytes;
    let bucket_bytes = &input[buckets_at..buckets_at + bucket * row_bytes];
    let bad_bucket = |bad: usize| {
        let (row, column) = (bad / dim, bad % dim);
        let value = f32_at(bucket_bytes, bad);
        non_finite(header.nwords + row, column, format!("n-gram bucket {row}"), value)
    };
    let (minn, maxn) = (args.minn as usize, args.maxn as usize);
    let subwords = match map {
        _ if bucket == 0 => None,
        Some(map) => {
            if let Some(bad) = first_non_finite_f32(bucket_bytes) {
                return Err(bad_bucket(bad));
            }
            let at = header.input_at + buckets_at;
            Some(Subwords::mapped(minn, maxn, Arc::clone(map), at, bucket, dim))
        }
        None => {
            let buckets = decode_finite(bucket_bytes, 4, |_| ()).map_err(bad_bucket)?;
            let buckets = Array2::from_shape_vec((bucket, dim), buckets).expect("dim values per bucket");
            Some(Subwords::new(minn, maxn, buckets))
        }
    };
    if let Some(subwords) = &subwords
        && let Some(row) = compose(&mut vectors, &header.words, dim, subwords)
    {
        return Err(Malformed::new(
            Location::Byte((header.input_at + row * row_bytes) as u64),
            format!(
                "a vector for {} whose mean with its n-gram buckets is finite",
                shown(header.words[row].0)
            ),
            "a mean that overflows f32",
        ));
    }
    // A word outside the table reads a few bucket rows back from the page cache.
    pages.done_with(bytes);
    let vectors = Array2::from_shape_vec((keep, dim), vectors).expect("dim values per word");
    Ok(FastTextModel {
        table: Table { tokens, vectors },
        subwords,
        version: header.version,
        args,
        words: header.nwords,
    })
}

/// The index of the first little-endian `f32` of `bytes` that is not finite,
/// checked on every core, a block at a time through one buffer per thread.
fn first_non_finite_f32(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 1 << 16;
    bytes
        .par_chunks(4 * BLOCK)
        .enumerate()
        .map_init(
            || vec![0f32; BLOCK],
            |values, (block, bytes)| {
                let values = &mut values[..bytes.len() / 4];
                read_f32(values, bytes);
                first_non_finite(values).map(|bad| block * BLOCK + bad)
            },
        )
        .flatten()
        .min()
}

/// The `index`-th little-endian `f32` of `bytes`.
fn f32_at(bytes: &[u8], index: usize) -> f32 {
    f32::from_le_bytes(bytes[4 * index..4 * index + 4].try_into().expect("4 bytes"))
}

/// Turns each word's row in `vectors` into its vector as gensim's
/// `adjust_vectors` composes it: the row, plus each of its n-grams' bucket
/// rows in order, divided by their number plus one, all in `f32`. Rows are
/// shared out over the cores; returns the first row whose mean is not
/// finite.
fn compose(vectors: &mut [f32], words: &[(&[u8], usize)], dim: usize, subwords: &Subwords) -> Option<usize> {
    let task_rows = task_values(dim) / dim;
    vectors
        .par_chunks_mut(task_rows * dim)
        .enumerate()
        .filter_map(|(task, rows)| {
            rows.chunks_exact_mut(dim).enumerate().find_map(|(i, row)| {
                let row_id = task * task_rows + i;
                let count = (subwords.add_ngrams(words[row_id].0, row) + 1) as f32;
                row.iter_mut().for_each(|v| *v /= count);
                (!row.iter().all(|v| v.is_finite())).then_some(row_id)
            })
        })
        .min()
}

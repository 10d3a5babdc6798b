//! A fastText model's table: its words with the vectors gensim composes for
//! them, and the n-gram buckets that compose one for any other word.
//!
//! The file is read a window at a time ([`FastTextRows`], a [`RowReader`]),
//! as the text and word2vec binary tables are: a file on disk is one window
//! (its buckets then read where they lie in the mapping), a gzipped model
//! (`cc.en.300.bin.gz`) or one piped in arrives in pieces, so that only its
//! words' vectors and its buckets are ever held, never the file inside.

use std::sync::Arc;

use memmap2::Mmap;
use ndarray::Array2;
use rayon::prelude::*;

use super::header::{Args, Front, matrix_shape, refuse_cut_short, refuse_pruned, refuse_trailing};
use super::subwords::Subwords;
use crate::embeddings::byte_cursor::ByteCursor;
use crate::embeddings::load::Table;
use crate::embeddings::load_error::{Location, Malformed, shown, token_text};
use crate::embeddings::mapped_rows::Pages;
use crate::embeddings::npy::decode_finite_into;
use crate::embeddings::raw_floats::{first_non_finite, read_f32};
use crate::embeddings::streamed::{RowReader, Source, grow_zeroed, read_rows, read_split};
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
    let reader = FastTextRows::new(limit, lossy, None);
    Ok(read_rows(Source::Plain(bytes, Pages::Owned), reader)?.table)
}

/// `bytes` read as a gzip file's decompressed bytes are, in pieces of
/// `piece` bytes: what the fuzz target holds equal to [`parse_fasttext`].
///
/// # Errors
/// As [`parse_fasttext`].
#[doc(hidden)]
pub fn parse_fasttext_in_pieces(
    bytes: &[u8],
    piece: usize,
    limit: Option<usize>,
    lossy: bool,
) -> Result<FastTextModel, Malformed> {
    read_split(bytes, piece, FastTextRows::new(limit, lossy, None))
}

/// A fastText model read a window at a time ([`RowReader`]), part after part
/// of the file. Whatever is wrong with the file's structure is found where it
/// lies, so a model cut short says so as a whole file's reader would; its
/// values' faults (a word that is not UTF-8, a value that is not finite) are
/// reported once the whole file is read, in the order of a whole file's
/// reader too, so that every error is the same however the file arrives.
pub(crate) struct FastTextRows {
    keep: usize,
    lossy: bool,
    /// The mapping the one window is, when it is: the buckets are then read
    /// where they lie.
    map: Option<Arc<Mmap>>,
    part: Part,
    /// What the front said, and the rows read since.
    model: Option<Model>,
    /// The model, once the file is read to its end.
    read: Option<FastTextModel>,
}

/// Where in the file a [`FastTextRows`] is.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// The signature, the arguments, the dictionary and the input matrix's
    /// shape, parsed in one go once a window holds them all; `tried` is the
    /// window's size at the last try.
    Front { tried: usize },
    /// Row `row` of the input matrix (the words', then the buckets') next.
    Input { row: usize },
    /// The output matrix's flag and shape next.
    OutputShape,
    /// `left` bytes of the output matrix's values, which start at `at`, next.
    Output { at: usize, left: usize },
    /// The output matrix ended at `at`: the file must end there.
    End { at: usize },
}

/// A model's front, and its input rows read so far.
struct Model {
    version: Option<i32>,
    args: Args,
    nwords: usize,
    pruned: Option<(Location, i64)>,
    input_at: usize,
    /// The kept words' tokens, or why one is not UTF-8.
    tokens: Result<Vec<String>, Malformed>,
    /// The kept words as the file spells them (their n-grams hash these
    /// bytes), one after another; word `i` ends at `word_ends[i]`.
    words: Vec<u8>,
    word_ends: Vec<usize>,
    /// The kept words' rows.
    vectors: Vec<f32>,
    /// The bucket rows, unless read in place.
    buckets: Vec<f32>,
    /// The first value of the words' rows, and of the buckets', that is
    /// not finite.
    bad_word: Option<usize>,
    bad_bucket: Option<usize>,
}

impl FastTextRows {
    /// A reader keeping the first `limit` words; invalid UTF-8 in a word is
    /// an error unless `lossy`. With `map`, the one window read is that
    /// mapping: the buckets are then read where they lie, and the pages of
    /// the words' rows given back as they are decoded, so that a model of 2M
    /// words and 2M buckets peaks at its words' vectors and its buckets'
    /// pages (4.8 GB at 300 dimensions), not those beside the whole file's
    /// pages and a heap copy of the buckets (12 GB). In pieces (a gzip
    /// stream, a pipe) the buckets are decoded onto the heap, and the peak is
    /// the same.
    pub(crate) fn new(limit: Option<usize>, lossy: bool, map: Option<Arc<Mmap>>) -> FastTextRows {
        FastTextRows {
            keep: limit.unwrap_or(usize::MAX),
            lossy,
            map,
            part: Part::Front { tried: 0 },
            model: None,
            read: None,
        }
    }
}

impl RowReader for FastTextRows {
    type Output = FastTextModel;

    fn read(&mut self, window: &[u8], offset: usize, last: bool, pages: Pages) -> Result<usize, Malformed> {
        // The file's bytes so far: its size, when `last`.
        let end = offset + window.len();
        let mut pos = 0;
        loop {
            match self.part {
                Part::Front { tried } => {
                    // Parsed from the file's first byte each time: the window must double.
                    if !last && window.len() < 2 * tried {
                        return Ok(0);
                    }
                    let mut r = ByteCursor::new(window);
                    match Front::read(&mut r, self.keep) {
                        Ok(front) => {
                            self.model = Some(Model::new(front, self.lossy));
                            pos = r.pos();
                            self.part = Part::Input { row: 0 };
                        }
                        Err(_) if r.ran_out() && !last => {
                            self.part = Part::Front { tried: window.len() };
                            return Ok(0);
                        }
                        Err(error) => return Err(error),
                    }
                }
                Part::Input { row } => {
                    let model = self.model.as_mut().expect("the front was read");
                    let (rows, row_bytes) = (model.nwords + model.bucket(), 4 * model.dim());
                    let n = ((window.len() - pos) / row_bytes).min(rows - row);
                    model.read_rows(&window[pos..pos + n * row_bytes], row, pages, self.map.is_some());
                    pos += n * row_bytes;
                    if row + n < rows {
                        if last {
                            let at = model.input_at;
                            return Err(refuse_cut_short("input", rows, model.dim(), at, end - at));
                        }
                        self.part = Part::Input { row: row + n };
                        return Ok(pos);
                    }
                    if let Some(pruned) = model.pruned.clone() {
                        return Err(refuse_pruned(pruned));
                    }
                    self.part = Part::OutputShape;
                }
                Part::OutputShape => {
                    let model = self.model.as_ref().expect("the front was read");
                    let (signed, rows) = (model.version.is_some(), model.nwords as u64);
                    let mut r = ByteCursor::within(&window[pos..], offset + pos);
                    match matrix_shape(&mut r, signed, "output", rows, "one per word", model.args.dim) {
                        Ok(()) => {
                            pos = r.pos() - offset;
                            // No more than the input matrix just read: it cannot overflow.
                            let left = model.nwords * 4 * model.dim();
                            self.part = Part::Output { at: r.pos(), left };
                        }
                        Err(_) if r.ran_out() && !last => return Ok(pos),
                        Err(error) => return Err(error),
                    }
                }
                Part::Output { at, left } => {
                    let skipped = left.min(window.len() - pos);
                    pos += skipped;
                    if skipped < left {
                        if last {
                            let model = self.model.as_ref().expect("the front was read");
                            return Err(refuse_cut_short(
                                "output",
                                model.nwords,
                                model.dim(),
                                at,
                                end - at,
                            ));
                        }
                        self.part = Part::Output {
                            at,
                            left: left - skipped,
                        };
                        return Ok(pos);
                    }
                    self.part = Part::End { at: offset + pos };
                }
                Part::End { at } => {
                    if !last {
                        return Ok(window.len());
                    }
                    if end > at {
                        return Err(refuse_trailing(at, (end - at) as u64));
                    }
                    let model = self.model.take().expect("the front was read");
                    self.read = Some(model.finish(self.map.as_ref())?);
                    // A word outside the table reads a few bucket rows back from the page cache.
                    pages.done_with(window);
                    return Ok(window.len());
                }
            }
        }
    }

    fn done(&self) -> bool {
        // The buckets that compose the words' vectors follow all the words.
        false
    }

    fn finish(self) -> Result<FastTextModel, Malformed> {
        Ok(self.read.expect("the last window was read"))
    }
}

impl Model {
    fn new(front: Front<'_>, lossy: bool) -> Model {
        let tokens = front
            .words
            .iter()
            .map(|&(word, at)| token_text(word, at, lossy, |bad| Location::Byte(bad as u64)))
            .collect();
        let mut words = Vec::new();
        let word_ends = front
            .words
            .iter()
            .map(|(word, _)| {
                words.extend_from_slice(word);
                words.len()
            })
            .collect();
        Model {
            version: front.version,
            args: front.args,
            nwords: front.nwords,
            pruned: front.pruned,
            input_at: front.input_at,
            tokens,
            words,
            word_ends,
            vectors: Vec::new(),
            buckets: Vec::new(),
            bad_word: None,
            bad_bucket: None,
        }
    }

    fn dim(&self) -> usize {
        self.args.dim as usize
    }

    fn bucket(&self) -> usize {
        self.args.bucket as usize
    }

    /// Word `i` as the file spells it.
    fn word(&self, i: usize) -> &[u8] {
        let start = i.checked_sub(1).map_or(0, |before| self.word_ends[before]);
        &self.words[start..self.word_ends[i]]
    }

    /// Reads the input matrix's rows in `bytes`, from row `first` on: the
    /// kept words' are decoded (their mapped pages given back), the other
    /// words' skipped, the buckets' decoded, or checked where they lie
    /// when `in_place`.
    fn read_rows(&mut self, bytes: &[u8], first: usize, pages: Pages, in_place: bool) {
        let dim = self.dim();
        let end = first + bytes.len() / (4 * dim);
        let kept_end = end.min(self.word_ends.len());
        if first < kept_end {
            let data = &bytes[..(kept_end - first) * 4 * dim];
            let out = grow_zeroed(&mut self.vectors, data.len() / 4);
            if let Some(bad) = decode_finite_into(out, data, 4, |rows| pages.done_with(rows)) {
                self.bad_word.get_or_insert(first * dim + bad);
            }
        }
        let bucket_start = first.max(self.nwords);
        if bucket_start < end {
            let data = &bytes[(bucket_start - first) * 4 * dim..];
            let bad = match in_place {
                true => first_non_finite_f32(data),
                false => decode_finite_into(grow_zeroed(&mut self.buckets, data.len() / 4), data, 4, |_| ()),
            };
            if let Some(bad) = bad {
                self.bad_bucket
                    .get_or_insert((bucket_start - self.nwords) * dim + bad);
            }
        }
    }

    /// The model, once its file is read to its end: each word's vector
    /// composed with its n-grams' buckets (read where they lie in `map`, when
    /// given).
    ///
    /// # Errors
    /// The first word that is not UTF-8, the first value that is not finite
    /// (a word's, then a bucket's), the first word whose mean overflows.
    fn finish(mut self, map: Option<&Arc<Mmap>>) -> Result<FastTextModel, Malformed> {
        let tokens = std::mem::replace(&mut self.tokens, Ok(Vec::new()))?;
        let (dim, row_bytes) = (self.dim(), 4 * self.dim());
        let non_finite = |row: usize, column: usize, what: String, value: f32| {
            Malformed::new(
                Location::Byte((self.input_at + row * row_bytes + 4 * column) as u64),
                format!(
                    "a finite f32 at row {}, column {} of the input matrix ({what})",
                    row + 1,
                    column + 1
                ),
                format!("{value:?}"),
            )
        };
        if let Some(bad) = self.bad_word {
            let (row, column) = (bad / dim, bad % dim);
            let what = format!("the row of {}", shown(self.word(row)));
            return Err(non_finite(row, column, what, self.vectors[bad]));
        }
        let buckets_at = self.input_at + self.nwords * row_bytes;
        if let Some(bad) = self.bad_bucket {
            let value = match map {
                Some(map) => f32_at(&map[buckets_at..], bad),
                None => self.buckets[bad],
            };
            let (row, column) = (bad / dim, bad % dim);
            return Err(non_finite(
                self.nwords + row,
                column,
                format!("n-gram bucket {row}"),
                value,
            ));
        }
        let (minn, maxn, bucket) = (self.args.minn as usize, self.args.maxn as usize, self.bucket());
        let subwords = match map {
            _ if bucket == 0 => None,
            Some(map) => Some(Subwords::mapped(
                minn,
                maxn,
                Arc::clone(map),
                buckets_at,
                bucket,
                dim,
            )),
            None => {
                let buckets = std::mem::take(&mut self.buckets);
                let buckets = Array2::from_shape_vec((bucket, dim), buckets).expect("dim values per bucket");
                Some(Subwords::new(minn, maxn, buckets))
            }
        };
        let mut vectors = std::mem::take(&mut self.vectors);
        let words: Vec<&[u8]> = (0..self.word_ends.len()).map(|i| self.word(i)).collect();
        if let Some(subwords) = &subwords
            && let Some(row) = compose(&mut vectors, &words, dim, subwords)
        {
            return Err(Malformed::new(
                Location::Byte((self.input_at + row * row_bytes) as u64),
                format!(
                    "a vector for {} whose mean with its n-gram buckets is finite",
                    shown(words[row])
                ),
                "a mean that overflows f32",
            ));
        }
        let vectors = Array2::from_shape_vec((words.len(), dim), vectors).expect("dim values per word");
        Ok(FastTextModel {
            table: Table { tokens, vectors },
            subwords,
            version: self.version,
            args: self.args,
            words: self.nwords,
        })
    }
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
fn compose(vectors: &mut [f32], words: &[&[u8]], dim: usize, subwords: &Subwords) -> Option<usize> {
    let task_rows = task_values(dim) / dim;
    vectors
        .par_chunks_mut(task_rows * dim)
        .enumerate()
        .filter_map(|(task, rows)| {
            rows.chunks_exact_mut(dim).enumerate().find_map(|(i, row)| {
                let row_id = task * task_rows + i;
                let count = (subwords.add_ngrams(words[row_id], row) + 1) as f32;
                row.iter_mut().for_each(|v| *v /= count);
                (!row.iter().all(|v| v.is_finite())).then_some(row_id)
            })
        })
        .min()
}

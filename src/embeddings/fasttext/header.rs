//! Everything in a fastText `.bin` but the matrices' values: the signature,
//! the training arguments, the dictionary and the matrices' shapes, and the
//! refusals of a file whose matrices are cut short or followed by more bytes
//! (the values are read by `model.rs`, in file order).
//!
//! Every count and size is untrusted: each is checked against the bytes left
//! before a loop or a reservation follows it, in arithmetic that cannot
//! overflow, so a hostile header costs neither memory nor time.

use crate::embeddings::byte_cursor::ByteCursor;
use crate::embeddings::load_error::{Location, Malformed, shown};
use crate::format::plural;

/// fastText's `FASTTEXT_FILEFORMAT_MAGIC`, the first `i32` of every model
/// written since 2017.
const MAGIC: i32 = 793_712_314;

/// fastText's `FASTTEXT_VERSION`: the newest format version, which reads
/// every older one.
const VERSION: i32 = 12;

/// The twelve `i32` arguments of `Args::save`, in file order; the `f64` `t`
/// follows them.
const ARG_NAMES: [&str; 12] = [
    "dim",
    "ws",
    "epoch",
    "minCount",
    "neg",
    "wordNgrams",
    "loss",
    "model",
    "bucket",
    "minn",
    "maxn",
    "lrUpdateRate",
];

/// The bytes that tell the arguments of a model from before the signature
/// ([`looks_like_model`]): `dim` to `model`.
const UNSIGNED_HEAD: usize = 32;

/// The smallest dictionary entry: an empty word's NUL, its `i64` count and
/// its `i8` entry type.
const MIN_ENTRY: u64 = 10;

/// The training arguments of a fastText model (`Args::save`), as its file
/// holds them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Args {
    /// The vector dimension (`-dim`).
    pub dim: i32,
    /// The context window (`-ws`).
    pub ws: i32,
    /// The training epochs (`-epoch`).
    pub epoch: i32,
    /// The minimum count of a word kept (`-minCount`).
    pub min_count: i32,
    /// Negatives sampled per positive (`-neg`).
    pub neg: i32,
    /// The longest word n-gram (`-wordNgrams`, used by supervised models).
    pub word_ngrams: i32,
    /// The loss: 1 hierarchical softmax, 2 negative sampling, 3 softmax,
    /// 4 one-vs-all.
    pub loss: i32,
    /// The model: 1 cbow, 2 skipgram, 3 supervised.
    pub model: i32,
    /// The character n-gram buckets, whose rows follow the words' rows.
    pub bucket: i32,
    /// The shortest character n-gram, in characters (`-minn`).
    pub minn: i32,
    /// The longest character n-gram (`-maxn`); 0 for none.
    pub maxn: i32,
    /// How often the learning rate was updated (`-lrUpdateRate`).
    pub lr_update_rate: i32,
    /// The sampling threshold (`-t`).
    pub t: f64,
}

impl Args {
    /// The model's name as fastText's command line spells it: `cbow`,
    /// `skipgram`, `supervised` (or its number).
    ///
    /// # Examples
    /// ```
    /// # let args = embspace::embeddings::FastTextArgs { dim: 1, ws: 5, epoch: 5, min_count: 5, neg: 5,
    /// #     word_ngrams: 1, loss: 2, model: 2, bucket: 0, minn: 3, maxn: 6, lr_update_rate: 100, t: 1e-4 };
    /// assert_eq!((args.model_name(), args.loss_name()), ("skipgram".to_string(), "negative sampling".to_string()));
    /// ```
    pub fn model_name(&self) -> String {
        match self.model {
            1 => "cbow".into(),
            2 => "skipgram".into(),
            3 => "supervised".into(),
            other => format!("model {other}"),
        }
    }

    /// The loss's name: `hierarchical softmax`, `negative sampling`,
    /// `softmax`, `one-vs-all` (or its number).
    pub fn loss_name(&self) -> String {
        match self.loss {
            1 => "hierarchical softmax".into(),
            2 => "negative sampling".into(),
            3 => "softmax".into(),
            4 => "one-vs-all".into(),
            other => format!("loss {other}"),
        }
    }
}

/// Whether `head`, a file's first bytes, is a fastText model: it starts with
/// the magic, or (a model from before the magic) with arguments no text file
/// could hold: a dimension below 2²⁴ (so byte 3 is zero, where a word2vec
/// header has a digit or a space), a loss from 1 to 4 and a model from 1 to 3.
pub(crate) fn looks_like_model(head: &[u8]) -> bool {
    let field = |i: usize| {
        head.get(4 * i..4 * i + 4)
            .map(|b| i32::from_le_bytes(b.try_into().expect("4 bytes")))
    };
    field(0) == Some(MAGIC)
        || matches!(
            (field(0), field(6), field(7)),
            (Some(1..=0xff_ffff), Some(1..=4), Some(1..=3))
        )
}

/// Everything in a model file before the input matrix's values, borrowing
/// its bytes.
#[derive(Debug)]
pub(crate) struct Front<'a> {
    /// The format version; `None` for a model from before the signature.
    pub version: Option<i32>,
    pub args: Args,
    /// The first words (at most the `keep` asked for), each with the offset
    /// of its first byte.
    pub words: Vec<(&'a [u8], usize)>,
    /// The words in the dictionary (the rows before the buckets').
    pub nwords: usize,
    /// Where a pruned index's size is, and the size, when the dictionary has
    /// one: refused after the input matrix ([`refuse_pruned`]).
    pub pruned: Option<(Location, i64)>,
    /// Where the input matrix's values start.
    pub input_at: usize,
}

impl<'a> Front<'a> {
    /// Reads and checks the signature, the arguments, the dictionary
    /// (keeping its first `keep` words) and the input matrix's flag and
    /// shape, from the start of a model file; `r` is left at the input
    /// matrix's values.
    ///
    /// # Errors
    /// A [`Malformed`] at the first offending byte; when `r` then
    /// [ran out](ByteCursor::ran_out), bytes after those `r` holds could
    /// mend it.
    pub fn read(r: &mut ByteCursor<'a>, keep: usize) -> Result<Front<'a>, Malformed> {
        let head = r.rest();
        let first = r.i32(|| "the fastText magic 793712314".into())?;
        let version = if first == MAGIC {
            let at = r.at();
            let version = r.i32(|| "the format version".into())?;
            if !(1..=VERSION).contains(&version) {
                return Err(Malformed::new(
                    at,
                    format!("a fastText format version from 1 to {VERSION}"),
                    format!("version {version}"),
                ));
            }
            Some(version)
        } else if looks_like_model(head) {
            r.rewind(); // the arguments start the file, `dim` and `ws` first
            None
        } else {
            if head.len() < UNSIGNED_HEAD {
                r.run_out(); // the arguments that say it is a model may follow
            }
            return Err(Malformed::new(
                Location::Byte(0),
                "the fastText magic 793712314, or the arguments of a model from before it \
                 (a dimension below 2^24, loss 1 to 4 at byte 24, model 1 to 3 at byte 28)",
                format!("{first} ({})", shown(&head[..4])),
            ));
        };
        let signed = version.is_some();
        let args = read_args(r)?;
        let (words, nwords, pruned) = read_dictionary(r, signed, keep)?;
        let rows = nwords as u64 + args.bucket as u64;
        matrix_shape(r, signed, "input", rows, "nwords + bucket", args.dim)?;
        Ok(Front {
            version,
            args,
            words,
            nwords,
            pruned,
            input_at: r.pos(),
        })
    }
}

/// Refuses a pruned model, once its input matrix is read (a whole file's
/// reader finds the flag and the matrix first): a pruned model is a
/// quantised one, and is refused as such.
pub(crate) fn refuse_pruned((at, pruned): (Location, i64)) -> Malformed {
    Malformed::new(
        at,
        "no pruned index (-1), as fastText writes it for every unquantised model",
        format!("a pruned index of {}", plural(pruned as usize, "pair")),
    )
}

/// Refuses the `more` bytes from `at` after the output matrix.
pub(crate) fn refuse_trailing(at: usize, more: u64) -> Malformed {
    Malformed::new(
        Location::Byte(at as u64),
        "the end of the file after the output matrix",
        format!("{} more", plural(more as usize, "byte")),
    )
}

/// The training arguments, with the ones reading depends on checked.
fn read_args(r: &mut ByteCursor<'_>) -> Result<Args, Malformed> {
    let mut fields = [0i32; 12];
    let mut offsets = [0usize; 12];
    for ((field, at), name) in fields.iter_mut().zip(&mut offsets).zip(ARG_NAMES) {
        *at = r.pos();
        *field = r.i32(|| format!("the argument `{name}`"))?;
    }
    let t = r.f64(|| "the argument `t`".into())?;
    for (i, least) in [(0, 1), (8, 0), (9, 0), (10, 0)] {
        if fields[i] < least {
            return Err(Malformed::new(
                Location::Byte(offsets[i] as u64),
                format!("`{}` of at least {least}", ARG_NAMES[i]),
                fields[i].to_string(),
            ));
        }
    }
    let [
        dim,
        ws,
        epoch,
        min_count,
        neg,
        word_ngrams,
        loss,
        model,
        bucket,
        minn,
        maxn,
        lr_update_rate,
    ] = fields;
    Ok(Args {
        dim,
        ws,
        epoch,
        min_count,
        neg,
        word_ngrams,
        loss,
        model,
        bucket,
        minn,
        maxn,
        lr_update_rate,
        t,
    })
}

/// The words a dictionary keeps, their number, and where a pruned index's
/// size is (with the size) when the dictionary has one.
type Dictionary<'a> = (Vec<(&'a [u8], usize)>, usize, Option<(Location, i64)>);

/// The dictionary (`Dictionary::save`): its counts, then per entry the word
/// up to a NUL, an `i64` count and an `i8` type, then (signed files) the
/// pruned index's pairs of `i32`.
fn read_dictionary<'a>(
    r: &mut ByteCursor<'a>,
    signed: bool,
    keep: usize,
) -> Result<Dictionary<'a>, Malformed> {
    let size_at = r.at();
    let size = r.i32(|| "the dictionary size".into())?;
    let nwords_at = r.at();
    let nwords = r.i32(|| "the word count `nwords`".into())?;
    let nlabels_at = r.at();
    let nlabels = r.i32(|| "the label count `nlabels`".into())?;
    if nlabels != 0 {
        let found = match nlabels {
            1.. => format!(
                "a supervised model with {} (gensim refuses these too)",
                plural(nlabels as usize, "label")
            ),
            _ => format!("{nlabels} labels"),
        };
        return Err(Malformed::new(
            nlabels_at,
            "an unsupervised model (cbow or skipgram: no labels), as gensim reads",
            found,
        ));
    }
    if nwords < 0 {
        return Err(Malformed::new(
            nwords_at,
            "`nwords` of at least 0",
            nwords.to_string(),
        ));
    }
    if size != nwords {
        return Err(Malformed::new(
            size_at,
            format!("a dictionary of nwords = {nwords} entries, as it has no labels"),
            format!("{size} entries"),
        ));
    }
    r.i64(|| "the token count `ntokens`".into())?;
    let pruned = if signed {
        let at = r.at();
        let pruned = r.i64(|| "the pruned index size".into())?;
        if pruned < -1 {
            return Err(Malformed::new(
                at,
                "a pruned index size of -1 (none) or more",
                pruned.to_string(),
            ));
        }
        (pruned >= 0).then_some((at, pruned))
    } else {
        None
    };

    let nwords = nwords as usize;
    if !r.holds(nwords as u64 * MIN_ENTRY) {
        return Err(Malformed::new(
            size_at,
            format!("a dictionary the file can hold (each entry needs at least {MIN_ENTRY} bytes)"),
            format!("{nwords} entries in the {} bytes left", r.left()),
        ));
    }
    let mut words = Vec::with_capacity(keep.min(nwords));
    for entry in 1..=nwords {
        let at = r.pos();
        let word = r.word(entry)?;
        r.i64(|| format!("the count of {}", shown(word)))?;
        let type_at = r.at();
        let kind = r.take(1, || format!("the entry type of {}", shown(word)))?[0] as i8;
        if kind != 0 {
            let label = if kind == 1 { " (a label)" } else { "" };
            return Err(Malformed::new(
                type_at,
                format!("entry type 0 (a word) for entry {entry}, {}", shown(word)),
                format!("type {kind}{label}"),
            ));
        }
        if words.len() < keep {
            words.push((word, at));
        }
    }
    if let Some((_, pruned)) = pruned {
        if !r.holds((pruned as u64).saturating_mul(8)) {
            return Err(Malformed::new(
                r.at(),
                format!("{pruned} pairs of i32 in the pruned index"),
                format!("{} bytes before the end of the file", r.left()),
            ));
        }
        r.take(pruned as u64 * 8, || "the pruned index".into())?;
    }
    Ok((words, nwords, pruned))
}

/// A matrix's quantisation flag (signed files) and shape
/// (`DenseMatrix::save`), which must be `rows` rows of `dim` `f32`; `r` is
/// left at its values.
pub(crate) fn matrix_shape(
    r: &mut ByteCursor<'_>,
    signed: bool,
    which: &str,
    rows: u64,
    rows_are: &str,
    dim: i32,
) -> Result<(), Malformed> {
    if signed {
        let at = r.at();
        let flag = r.take(1, || format!("the {which} matrix's quantisation flag"))?[0];
        if flag != 0 {
            let quantised = if flag == 1 { " (a quantised model)" } else { "" };
            return Err(Malformed::new(
                at,
                format!(
                    "an unquantised {which} matrix (flag 0): embspace does not read the quantised \
                     models `fasttext quantize` writes (.ftz)"
                ),
                format!("flag {flag}{quantised}"),
            ));
        }
    }
    let m_at = r.at();
    let m = r.i64(|| format!("the {which} matrix's row count"))?;
    let n_at = r.at();
    let n = r.i64(|| format!("the {which} matrix's column count"))?;
    if n != i64::from(dim) {
        return Err(Malformed::new(
            n_at,
            format!("an {which} matrix of dim = {dim} columns"),
            format!("{n} columns"),
        ));
    }
    if m != rows as i64 {
        return Err(Malformed::new(
            m_at,
            format!("an {which} matrix of {rows} rows ({rows_are})"),
            format!("{m} rows"),
        ));
    }
    Ok(())
}

/// Refuses the `rows × dim` matrix whose values start at `at`, with only
/// `left` bytes of the file from there.
pub(crate) fn refuse_cut_short(which: &str, rows: usize, dim: usize, at: usize, left: usize) -> Malformed {
    let need = rows as u128 * dim as u128 * 4;
    Malformed::new(
        Location::Byte(at as u64),
        format!("{need} bytes of the {rows}×{dim} {which} matrix"),
        format!("{left} before the end of the file"),
    )
}

/// The fastText reads.
impl<'a> ByteCursor<'a> {
    /// The bytes of dictionary entry `entry` (1-based) up to its NUL, which is
    /// skipped.
    fn word(&mut self, entry: usize) -> Result<&'a [u8], Malformed> {
        let rest = self.rest();
        let Some(end) = memchr::memchr(0, rest) else {
            self.run_out();
            return Err(Malformed::new(
                self.at(),
                format!("a word ended by a NUL byte for dictionary entry {entry}"),
                format!("the end of the file after {}", shown(rest)),
            ));
        };
        let word = self.take(end as u64 + 1, || format!("dictionary entry {entry}"))?;
        Ok(&word[..end])
    }
}

//! Loading an embedding file of any [`Format`] into [`Embeddings`]: what
//! `embspace analyze FILE` reads.
//!
//! The file is memory-mapped, so its bytes never sit on the heap beside the
//! matrix; the `f32` matrix is allocated once, at its final size, and the
//! tokens beside it. When the file's bytes already are that matrix (`.npy`
//! `<f4`, a safetensors file's `F32` tensor) it is not copied at all: the
//! table reads it in place from the mapping. A half-precision tensor's pages
//! are given back as they are widened. Repeated tokens keep their first row,
//! as in gensim.

use std::fs::File;
use std::io::{Cursor, Read as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::Array2;

use super::compressed::{MappedGzip, StreamedGzip, is_gzip_file};
use super::fasttext::{FastTextModel, FastTextRows, Subwords};
use super::file_bytes::FileBytes;
use super::file_format::Format;
use super::gguf::{GgufTable, INPUT_EMBEDDING, OUTPUT_EMBEDDING, read_gguf};
use super::load_error::{LoadError, Location, Malformed, file_name, shown};
use super::mapped_rows::{MappedRows, Pages, populate};
use super::model_dir::{OutputEmbedding, Tying, read_model_dir};
use super::npy::{Located, decode_npy};
use super::npy_rows::NpyRows;
use super::safetensors_file::{find_tensor, read_in_place, read_tensor};
use super::streamed::{Counted, PieceSource, Rows, Source, read_rows};
use super::tokenizer::{Decoding, NamedRows, Tokenizer, parse_tokenizer};
use super::vocab_file::parse_vocab;
use super::{Duplicates, Embeddings, Matrix, TokenKind};
use crate::code_span::code_span;

/// How many leading bytes [`Format::detect`] sees.
const SNIFF: usize = 64 * 1024;

/// What [`load`] should do beyond reading the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// The file's format; `None` detects it with [`Format::detect`].
    pub format: Option<Format>,
    /// Read only the first rows (file order), like gensim's `limit`.
    pub limit: Option<usize>,
    /// Replace invalid UTF-8 in tokens with U+FFFD instead of refusing the
    /// file, like gensim's `unicode_errors='replace'`.
    pub lossy: bool,
    /// The vocabulary of a `.npy` or safetensors matrix or a model
    /// directory, or of a GGUF file without tokens (or instead of its
    /// tokens): one token a line, or a `tokenizer.json`. `None` looks for
    /// `tokenizer.json`, then `vocab.txt`, beside the file (in the directory).
    pub vocab: Option<PathBuf>,
    /// The safetensors or GGUF tensor to read (in a sharded model directory,
    /// from any shard); `None` picks the input embedding: in safetensors
    /// [`input_embedding`](super::input_embedding), in GGUF `token_embd.weight`.
    pub tensor: Option<String>,
    /// Also read the untied output embedding (LM head) of a model directory
    /// or a GGUF file (`output.weight`) into [`Loaded::output`]: a second
    /// matrix as large as the table.
    pub output: bool,
}

/// A loaded table and what loading it noticed.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The table, repeated tokens dropped. Rows named by a `tokenizer.json`
    /// are never dropped: their names are distinct (see `name_rows`), so a
    /// checkpoint's row index stays its token id.
    pub embeddings: Embeddings,
    /// The format read (given or detected).
    pub format: Format,
    /// The repeated tokens dropped.
    pub duplicates: Duplicates,
    /// The tensor read, when the format is safetensors or GGUF.
    pub tensor: Option<String>,
    /// What the file says about its table beyond the numbers, for the user:
    /// the tensor read, its type, whether the model ties its output embedding.
    pub notes: Vec<String>,
    /// What each row is (special, added, byte, unused, padding, …), one per
    /// row read in file order, when the source says: a GGUF tokenizer's token
    /// types (repeated tokens' rows included), or a `tokenizer.json`.
    pub token_kinds: Option<Vec<TokenKind>>,
    /// Whether a model ties its output embedding to the input one, when the
    /// source says (a model directory).
    pub tying: Option<Tying>,
    /// The untied output embedding, read when [`LoadOptions::output`] asks.
    pub output: Option<OutputEmbedding>,
    /// Vectors for tokens outside the table: a fastText model's character
    /// n-gram buckets, when it has them.
    pub subwords: Option<Subwords>,
    /// Messages for the user about what was read, e.g. dropped duplicates.
    pub warnings: Vec<String>,
    /// The size of the file read, as read (a gzip file's compressed size;
    /// known for a pipe too, unlike its metadata); `None` for a model
    /// directory.
    pub file_bytes: Option<u64>,
}

/// Tokens in file order and their vectors, before duplicates are dropped:
/// what the text and binary parsers return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// One token per row, exactly as in the file.
    pub tokens: Vec<String>,
    /// The `rows × dim` vectors.
    pub vectors: Array2<f32>,
}

/// Reads the embedding file at `path`.
///
/// The format is `options.format`, or detected from the name and first
/// bytes. `.npy` and safetensors matrices take their tokens from
/// `options.vocab`, or from `vocab.txt` or `tokenizer.json` beside the file;
/// GGUF files from their tokenizer, unless `options.vocab` is given or the
/// file has no tokens.
///
/// # Errors
/// [`LoadError::Io`] when a file cannot be read; [`LoadError::Malformed`],
/// naming the file, the line or byte and what was expected there, for
/// anything its format does not allow (see [`parse_text`](super::parse_text),
/// [`parse_binary`](super::parse_binary), [`parse_npy`](super::parse_npy),
/// [`parse_safetensors`](super::parse_safetensors), [`parse_gguf`](super::parse_gguf)) and for a
/// vocabulary whose length differs from the matrix's rows; [`LoadError::NoRows`] for a tensor of
/// no rows.
///
/// # Examples
/// ```
/// use embspace::embeddings::{load, Format, LoadOptions};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("vectors.txt");
/// std::fs::write(&path, "3 2\nthe 0.5 1\nof -1 2\nthe 9 9\n")?;
/// let loaded = load(&path, &LoadOptions::default())?;
/// assert_eq!(loaded.format, Format::Word2VecText);
/// assert_eq!(loaded.embeddings.tokens(), ["the", "of"]);
/// assert_eq!(loaded.duplicates.count, 1);
///
/// std::fs::write(&path, "3 2\nthe 0.5 1\nof -1\n")?;
/// let error = load(&path, &LoadOptions::default()).unwrap_err().to_string();
/// assert!(error.ends_with("vectors.txt:3: expected 2 values after the token, found 1"), "{error}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load(path: &Path, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let loaded = if path.is_dir() {
        load_model_dir(path, options)
    } else {
        match FileBytes::open_or_pipe(path)? {
            Ok(bytes) => load_sized(path, &bytes, bytes.mapping(), options),
            Err(pipe) => load_pipe(path, pipe, options),
        }
    };
    refuse_no_rows(path, loaded?)
}

/// `loaded`, unless its table has no rows (a tensor of shape 0 × d, which
/// every format but text can hold).
fn refuse_no_rows(path: &Path, loaded: Loaded) -> Result<Loaded, LoadError> {
    match loaded.embeddings.is_empty() {
        true => Err(LoadError::NoRows {
            file: path.to_path_buf(),
            dim: loaded.embeddings.dim(),
        }),
        false => Ok(loaded),
    }
}

/// [`load`] of a pipe: its bytes (decompressed, when they are gzip data)
/// read as they arrive ([`load_stream`]).
fn load_pipe(path: &Path, pipe: File, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let mut raw = Vec::with_capacity(SNIFF);
    (&pipe)
        .take(SNIFF as u64)
        .read_to_end(&mut raw)
        .map_err(|error| LoadError::io(path, error))?;
    let gzip = is_gzip_file(&raw).map_err(|error| error.in_file(path))?;
    let bytes = Cursor::new(raw).chain(pipe);
    match gzip {
        true => load_stream(path, Box::new(StreamedGzip::new(bytes)), options),
        false => load_stream(path, Box::new(Counted::new(bytes)), options),
    }
}

/// [`load`] of bytes that arrive in order, from a pipe or decompressed from
/// gzip data: a format read in file order ([`Format::reads_in_order`]) is
/// read as they arrive, any other read whole first, then loaded. The bytes
/// read (compressed ones, for gzip data) are the file's size.
fn load_stream(
    path: &Path,
    mut source: Box<dyn PieceSource + '_>,
    options: &LoadOptions,
) -> Result<Loaded, LoadError> {
    let mut head = Vec::with_capacity(SNIFF);
    source
        .read_up_to(SNIFF, &mut head)
        .map_err(|error| error.in_file(path))?;
    let (format, in_file) = format_and_errors(path, &head, options)?;
    let gzip = source.compressed().is_some();
    if !read_as_it_arrives(format, gzip, &head) {
        let mut bytes = head;
        source
            .read_up_to(usize::MAX, &mut bytes)
            .map_err(|error| error.in_file(path))?;
        // Read once: compressed pages need not count while the table is parsed.
        source.after_piece();
        let mut loaded = load_sized(path, &bytes, None, options)?;
        if let Some(compressed) = source.compressed() {
            loaded.notes.insert(0, gzip_note(bytes.len(), compressed, true));
            loaded.file_bytes = Some(compressed as u64);
        }
        return Ok(loaded);
    }
    let (read, size) = read_in_order(
        path,
        Source::Stream(head, source),
        format,
        None,
        options,
        &in_file,
    )?;
    let mut loaded = finish(path, format, read);
    loaded.file_bytes = Some(size as u64);
    Ok(loaded)
}

/// [`load_from`], saying how many bytes it read.
fn load_sized(
    path: &Path,
    bytes: &[u8],
    map: Option<&Arc<memmap2::Mmap>>,
    options: &LoadOptions,
) -> Result<Loaded, LoadError> {
    let mut loaded = load_from(path, bytes, map, options)?;
    loaded.file_bytes = Some(bytes.len() as u64);
    Ok(loaded)
}

/// [`load`] of a Hugging Face model directory ([`read_model_dir`]), its rows
/// named by the directory's `tokenizer.json` (or `vocab.txt`, or `--vocab`).
fn load_model_dir(dir: &Path, options: &LoadOptions) -> Result<Loaded, LoadError> {
    if let Some(format) = options.format.filter(|&f| f != Format::ModelDir) {
        return Err(Malformed::new(
            Location::Byte(0),
            format!("a {format} file (--format {format})"),
            "a directory",
        )
        .in_file(dir));
    }
    let model = read_model_dir(dir, options)?;
    let mut notes = model.notes;
    let named = name_rows(dir, dir, model.matrix, options)?;
    notes.extend(named.notes);
    let read = Read {
        tensor: Some(model.tensor),
        notes,
        token_kinds: named.kinds,
        tying: model.tying,
        output: model.output,
        warnings: model.warnings,
        ..Read::heap(named.table)
    };
    Ok(finish(dir, Format::ModelDir, read))
}

/// A reader's rows: decoded onto the heap, or read in place from the
/// file's mapping.
enum Vectors {
    Heap(Array2<f32>),
    InPlace(MappedRows),
}

impl Default for Vectors {
    fn default() -> Self {
        Vectors::Heap(Array2::zeros((0, 0)))
    }
}

/// The note on a gzip file: how much was decompressed, and whether a limit
/// stopped the reading before the end.
fn gzip_note(decompressed: usize, compressed: usize, whole: bool) -> String {
    let (decompressed, compressed) = (
        crate::format::bytes(decompressed),
        crate::format::bytes(compressed),
    );
    match whole {
        true => format!("gzip: {decompressed} decompressed from {compressed}"),
        false => {
            format!("gzip: the first {decompressed} decompressed from {compressed}, as far as --limit reads")
        }
    }
}

/// What a format's reader gives before [`finish`] indexes the tokens.
#[derive(Default)]
struct Read {
    /// One token per row, in file order.
    tokens: Vec<String>,
    vectors: Vectors,
    tensor: Option<String>,
    notes: Vec<String>,
    token_kinds: Option<Vec<TokenKind>>,
    subwords: Option<Subwords>,
    tying: Option<Tying>,
    output: Option<OutputEmbedding>,
    warnings: Vec<String>,
}

impl Read {
    /// A table decoded onto the heap, nothing else said about it yet.
    fn heap(table: Table) -> Read {
        Read {
            tokens: table.tokens,
            vectors: Vectors::Heap(table.vectors),
            ..Read::default()
        }
    }

    /// A matrix named by a vocabulary ([`name_shape`]), with what the
    /// vocabulary says about its rows.
    fn named(naming: Naming, vectors: Vectors) -> Read {
        Read {
            tokens: naming.tokens,
            vectors,
            notes: naming.notes,
            token_kinds: naming.kinds,
            ..Read::default()
        }
    }
}

/// [`load`] on bytes already in memory; `path` names them in errors and
/// locates a vocabulary beside them.
///
/// # Errors
/// As [`load`].
///
/// # Examples
/// ```
/// use std::path::Path;
/// use embspace::embeddings::{load_bytes, Format, LoadOptions};
///
/// let options = LoadOptions { format: Some(Format::Glove), ..LoadOptions::default() };
/// let loaded = load_bytes(Path::new("glove.txt"), b"a 1 2\nb 3 4\n", &options).unwrap();
/// assert_eq!(loaded.embeddings.dim(), 2);
/// ```
pub fn load_bytes(path: &Path, bytes: &[u8], options: &LoadOptions) -> Result<Loaded, LoadError> {
    refuse_no_rows(path, load_sized(path, bytes, None, options)?)
}

/// [`load_bytes`], where `map`, when given, is the mapping `bytes` are: an
/// aligned little-endian `f32` `.npy` or safetensors matrix is then read in
/// place, and a widened tensor's pages are given back as they are read.
fn load_from(
    path: &Path,
    bytes: &[u8],
    map: Option<&Arc<memmap2::Mmap>>,
    options: &LoadOptions,
) -> Result<Loaded, LoadError> {
    if is_gzip_file(bytes).map_err(|error| error.in_file(path))? {
        return load_stream(path, Box::new(MappedGzip::new(bytes, Pages::of(map))), options);
    }
    let (format, in_file) = format_and_errors(path, &bytes[..bytes.len().min(SNIFF)], options)?;
    let in_file = &in_file;
    // Readers give a mapped file's pages back as they go, and a safetensors,
    // GGUF or fastText file holds more than the table: only the table's
    // pages are read (an `.npy` read in place is read in at once, below).
    let pages = Pages::of(map);
    let beside = path.parent().unwrap_or(Path::new(""));
    let read = match format {
        Format::Word2VecText
        | Format::FastText
        | Format::Glove
        | Format::Word2VecBinary
        | Format::FastTextBinary => {
            read_in_order(path, Source::Plain(bytes, pages), format, map, options, in_file)?.0
        }
        Format::Npy => {
            let npy = Located::read(bytes, options.limit).map_err(in_file)?;
            let in_place = map
                .filter(|_| npy.item == 4)
                .and_then(|map| MappedRows::new(Arc::clone(map), npy.data, npy.keep, npy.dim));
            match in_place {
                Some(rows) => {
                    // The table is the file: faster with every page read in at once.
                    if let Some(map) = map {
                        populate(map);
                    }
                    if let Some(bad) = rows.first_non_finite() {
                        return Err(in_file(npy.not_finite(bytes, 0, bad)));
                    }
                    let naming = name_shape(path, beside, [npy.rows, npy.keep, npy.dim], options)?;
                    Read::named(naming, Vectors::InPlace(rows))
                }
                None => {
                    let matrix =
                        decode_npy(bytes, options.limit, |block| pages.done_with(block)).map_err(in_file)?;
                    let naming = name_shape(path, beside, shape_of(&matrix), options)?;
                    Read::named(naming, Vectors::Heap(matrix.vectors))
                }
            }
        }
        Format::Safetensors => {
            let (name, view) = find_tensor(bytes, options.tensor.as_deref()).map_err(in_file)?;
            let in_place = match map {
                Some(map) => read_in_place(map, bytes, &name, &view, options.limit).map_err(in_file)?,
                None => None,
            };
            let (shape, vectors) = match in_place {
                Some((rows, in_file_rows)) => {
                    let shape = [in_file_rows, rows.view().nrows(), rows.view().ncols()];
                    (shape, Vectors::InPlace(rows))
                }
                None => {
                    let matrix = read_tensor(bytes, &name, &view, options.limit, pages).map_err(in_file)?;
                    (shape_of(&matrix), Vectors::Heap(matrix.vectors))
                }
            };
            let naming = name_shape(path, beside, shape, options)?;
            let mut read = Read::named(naming, vectors);
            read.notes.insert(0, format!("tensor {}", code_span(&name)));
            read.tensor = Some(name);
            read
        }
        Format::Gguf => {
            let gguf = read_gguf(bytes, options, pages).map_err(in_file)?;
            let output = match options.output && gguf.has_output && gguf.tensor == INPUT_EMBEDDING {
                true => Some(gguf_output(bytes, options, &gguf.matrix, pages).map_err(in_file)?),
                false => None,
            };
            let mut read = Read {
                output,
                notes: gguf_notes(&gguf).to_vec(),
                token_kinds: gguf.token_kinds,
                // Tying is about the input embedding; another tensor read has none.
                tying: (gguf.tensor == INPUT_EMBEDDING).then(|| match gguf.has_output {
                    true => Tying::Untied(OUTPUT_EMBEDDING.to_string()),
                    false => Tying::Tied,
                }),
                tensor: Some(gguf.tensor),
                ..Read::default()
            };
            match gguf.tokens {
                Some(tokens) => {
                    // A model's row is its token id: repeated tokens get distinct names, never
                    // lose their rows (the rule `tokenizer.json` rows follow).
                    let rows = tokens.len();
                    let tokenizer = Tokenizer {
                        kinds: read
                            .token_kinds
                            .clone()
                            .unwrap_or_else(|| vec![TokenKind::Normal; rows]),
                        tokens,
                        decoding: gguf.decoding,
                        model: String::new(),
                        model_vocab: rows,
                    };
                    let named = super::name_rows(&tokenizer, rows);
                    read.notes.push(match &gguf.tokenizer_model {
                        Some(model) => {
                            format!(
                                "tokenizer.ggml.model {}: {}",
                                code_span(model),
                                decoding_note(gguf.decoding)
                            )
                        }
                        None => format!("no tokenizer.ggml.model: {}", decoding_note(gguf.decoding)),
                    });
                    if !named.renamed.is_empty() {
                        read.notes.push(renamed_note(&named));
                    }
                    read.tokens = named.names;
                    read.vectors = Vectors::Heap(gguf.matrix.vectors);
                }
                None => {
                    let naming = name_shape(path, beside, shape_of(&gguf.matrix), options)?;
                    read.tokens = naming.tokens;
                    read.vectors = Vectors::Heap(gguf.matrix.vectors);
                    read.notes.extend(naming.notes);
                    read.token_kinds = naming.kinds;
                }
            }
            read
        }
        Format::ModelDir => {
            return Err(Malformed::new(
                Location::Byte(0),
                "a Hugging Face model directory (--format model-dir)",
                "a file",
            )
            .in_file(path));
        }
    };
    Ok(finish(path, format, read))
}

/// Whether a file of `format` whose first bytes (decompressed, when it is
/// `gzip` data) are `head` is read as it arrives: formats read in file order
/// are; the others read their parts where they lie, so are read whole
/// first, and so is gzip data inside gzip data (then decompressed twice).
fn read_as_it_arrives(format: Format, gzip: bool, head: &[u8]) -> bool {
    format.reads_in_order() && !(gzip && is_gzip_file(head).unwrap_or(true))
}

/// The format of the file at `path` whose first bytes (decompressed, for
/// gzip data) are `head`: `--format`, or detected. The options it has no use
/// for are refused; then how a reader's errors name the file, adding a hint
/// where a `--format` contradicts `head`: the likely cause of whatever the
/// reader then finds, when the bytes are sure (a magic number, or binary rows
/// where text was asked for; a text table with a broken header reads as
/// GloVe, which says little).
fn format_and_errors<'a>(
    path: &'a Path,
    head: &[u8],
    options: &LoadOptions,
) -> Result<(Format, impl Fn(Malformed) -> LoadError + 'a), LoadError> {
    let format = match options.format {
        Some(format) => format,
        None => Format::detect(path, head)?,
    };
    refuse_inapplicable(path, format, options)?;
    let text = |f: Format| matches!(f, Format::Word2VecText | Format::FastText | Format::Glove);
    let hint = options.format.and_then(|given| {
        let found = Format::detect(path, head).ok()?;
        let sure = match found {
            Format::Npy | Format::Gguf | Format::Safetensors | Format::FastTextBinary => found != given,
            Format::Word2VecBinary => text(given),
            _ => false,
        };
        sure.then(|| format!(" (its first bytes read as {found}: omit --format, or give --format {found})"))
    });
    let in_file = move |error: Malformed| {
        let mut error = error.in_file(path);
        if let (Some(hint), LoadError::Malformed { found, .. }) = (&hint, &mut error) {
            found.push_str(hint);
        }
        error
    };
    Ok((format, in_file))
}

/// A table of a format read in file order, read from `source` (whose
/// mapping is `map`, when it is a mapped file), with a note on a gzip file
/// and a warning when the last line of a text table has no newline; and the
/// bytes of the file read (compressed ones, for a gzip file).
fn read_in_order(
    path: &Path,
    source: Source<'_>,
    format: Format,
    map: Option<&Arc<memmap2::Mmap>>,
    options: &LoadOptions,
    in_file: &impl Fn(Malformed) -> LoadError,
) -> Result<(Read, usize), LoadError> {
    let (mut read, streamed) = match format {
        Format::FastTextBinary => {
            let reader = FastTextRows::new(options.limit, options.lossy, map.cloned());
            let (model, streamed) = read_rows(source, reader).map_err(in_file)?.split();
            let read = Read {
                notes: fasttext_notes(&model).to_vec(),
                subwords: model.subwords,
                ..Read::heap(model.table)
            };
            (read, streamed)
        }
        Format::Npy => {
            let reader = NpyRows::new(options.limit);
            let (matrix, streamed) = read_rows(source, reader).map_err(in_file)?.split();
            let beside = path.parent().unwrap_or(Path::new(""));
            let naming = name_shape(path, beside, shape_of(&matrix), options)?;
            (Read::named(naming, Vectors::Heap(matrix.vectors)), streamed)
        }
        _ => {
            let (table, streamed) = read_rows(source, Rows::new(format, options))
                .map_err(in_file)?
                .split();
            (Read::heap(table), streamed)
        }
    };
    if let Some(compressed) = streamed.compressed {
        read.notes
            .insert(0, gzip_note(streamed.read, compressed, streamed.whole));
    }
    // A file cut inside its last number still parses (`-0.3523` of
    // `-0.35233665`); the missing newline is the only sign of it.
    let text = matches!(format, Format::Word2VecText | Format::FastText | Format::Glove);
    if text && options.limit.is_none() && streamed.last_byte.is_some_and(|b| b != b'\n') {
        read.warnings.push(format!(
            "{}: the last line ends without a newline: if the file was cut short, its last row \
             may be incomplete",
            path.display()
        ));
    }
    Ok((read, streamed.compressed.unwrap_or(streamed.read)))
}

/// Indexes a reader's tokens into the table, dropping repeated tokens with
/// a warning.
fn finish(path: &Path, format: Format, read: Read) -> Loaded {
    let Read {
        tokens,
        vectors,
        tensor,
        notes,
        token_kinds,
        subwords,
        tying,
        output,
        mut warnings,
    } = read;
    let (embeddings, duplicates) = match vectors {
        Vectors::Heap(vectors) => Embeddings::new(tokens, vectors),
        Vectors::InPlace(rows) => Embeddings::mapped(tokens, rows),
    }
    .expect("every parser returns one row per token");
    if duplicates.count > 0 {
        let mut examples: Vec<String> = Vec::new();
        for token in &duplicates.examples {
            let token = shown(token.as_bytes());
            if !examples.contains(&token) {
                examples.push(token);
            }
        }
        warnings.push(format!(
            "{}: dropped {} repeated {}, keeping the first row of each (e.g. {})",
            path.display(),
            duplicates.count,
            if duplicates.count == 1 { "token" } else { "tokens" },
            examples.join(", ")
        ));
    }
    Loaded {
        embeddings,
        format,
        duplicates,
        tensor,
        notes,
        token_kinds,
        tying,
        output,
        subwords,
        warnings,
        file_bytes: None,
    }
}

/// What a fastText model says about its table: how it was trained, and
/// whether words outside it get a vector.
fn fasttext_notes(model: &FastTextModel) -> [String; 2] {
    let args = &model.args;
    let version = match model.version {
        Some(version) => format!("v{version}"),
        None => "from before format versions".to_string(),
    };
    let subwords = match &model.subwords {
        Some(subwords) => {
            let (minn, maxn) = subwords.ngram_lengths();
            format!(
                "{} character n-gram buckets of {minn} to {maxn} characters: a --query word not in \
                 the table gets the mean of its n-gram vectors, as in gensim",
                subwords.len()
            )
        }
        None => "no character n-gram buckets: a word not in the table has no vector".to_string(),
    };
    [
        format!(
            "fastText model {version}: {}, {} loss, {} epochs, {} words",
            args.model_name(),
            args.loss_name(),
            args.epoch,
            model.words
        ),
        subwords,
    ]
}

/// Refuses `--vocab` for a table whose rows name themselves and `--tensor`
/// for a file of one table: ignoring either would read another table than the
/// one meant. (A model directory takes both.)
fn refuse_inapplicable(path: &Path, format: Format, options: &LoadOptions) -> Result<(), LoadError> {
    let inapplicable = |option, applies_to, instead| LoadError::Inapplicable {
        file: path.to_path_buf(),
        option,
        applies_to,
        format: format.name(),
        instead,
    };
    let has_tensors = matches!(format, Format::Safetensors | Format::Gguf);
    if options.vocab.is_some() && !(has_tensors || format == Format::Npy) {
        return Err(inapplicable(
            "--vocab",
            "names the rows of an npy or safetensors matrix, a GGUF file or a model directory",
            "names its own rows",
        ));
    }
    if options.tensor.is_some() && !has_tensors {
        return Err(inapplicable(
            "--tensor",
            "picks one tensor of a safetensors or GGUF file or a model directory",
            "holds one table",
        ));
    }
    Ok(())
}

/// A GGUF model's untied output embedding `output.weight`, read as the
/// input embedding was (same row limit), which it must match in shape.
fn gguf_output(
    bytes: &[u8],
    options: &LoadOptions,
    input: &Matrix,
    pages: Pages,
) -> Result<OutputEmbedding, Malformed> {
    let output_options = LoadOptions {
        tensor: Some(OUTPUT_EMBEDDING.to_string()),
        // The tokens were read with the input embedding; a vocabulary given skips them.
        vocab: Some(PathBuf::new()),
        ..options.clone()
    };
    let output = read_gguf(bytes, &output_options, pages)?;
    let (rows, dim) = (input.rows, input.vectors.ncols());
    if (output.matrix.rows, output.matrix.vectors.ncols()) != (rows, dim) {
        return Err(Malformed::new(
            Location::Byte(output.tensor_at as u64),
            format!("`{OUTPUT_EMBEDDING}` of {rows}×{dim}, the shape of `{INPUT_EMBEDDING}`"),
            format!("{}×{}", output.matrix.rows, output.matrix.vectors.ncols()),
        ));
    }
    Ok(OutputEmbedding {
        tensor: OUTPUT_EMBEDDING.to_string(),
        matrix: output.matrix,
    })
}

/// What a GGUF file says about its table: the tensor and its type, and
/// whether the model has a separate output embedding.
fn gguf_notes(gguf: &GgufTable) -> [String; 2] {
    let output = if gguf.tensor == OUTPUT_EMBEDDING {
        "the model's output embedding (LM head)".to_string()
    } else if gguf.has_output {
        format!(
            "untied: `{OUTPUT_EMBEDDING}` holds a separate output embedding (--tensor {OUTPUT_EMBEDDING})"
        )
    } else {
        format!("tied: no `{OUTPUT_EMBEDDING}`, so the model's output embedding is its input embedding")
    };
    [
        format!(
            "tensor {} ({}, GGUF v{})",
            code_span(&gguf.tensor),
            gguf.ggml_type,
            gguf.version
        ),
        output,
    ]
}

/// A matrix's rows named by a vocabulary.
struct NamedTable {
    table: Table,
    /// What each row is, when a `tokenizer.json` says.
    kinds: Option<Vec<TokenKind>>,
    /// What the vocabulary says about the rows: the tokenizer, padding rows,
    /// rows shown otherwise because their text was taken.
    notes: Vec<String>,
}

/// The names [`name_shape`] gives the rows read of a matrix.
struct Naming {
    /// One per row read.
    tokens: Vec<String>,
    /// What each row read is, when a `tokenizer.json` says.
    kinds: Option<Vec<TokenKind>>,
    /// What the vocabulary says about the rows: the tokenizer, padding rows,
    /// rows shown otherwise because their text was taken.
    notes: Vec<String>,
}

/// A matrix's shape for [`name_shape`]: rows in the file, rows read, columns.
fn shape_of(matrix: &Matrix) -> [usize; 3] {
    [matrix.rows, matrix.vectors.nrows(), matrix.vectors.ncols()]
}

/// Gives a bare matrix (of the file or directory `path`) its tokens from the
/// vocabulary, as [`name_shape`] names them.
fn name_rows(
    path: &Path,
    beside: &Path,
    matrix: Matrix,
    options: &LoadOptions,
) -> Result<NamedTable, LoadError> {
    let naming = name_shape(path, beside, shape_of(&matrix), options)?;
    Ok(NamedTable {
        table: Table {
            tokens: naming.tokens,
            vectors: matrix.vectors,
        },
        kinds: naming.kinds,
        notes: naming.notes,
    })
}

/// The tokens of a bare matrix (of the file or directory `path`) of `rows`
/// rows in the file, `keep` of them read, `dim` columns, from the
/// vocabulary: `--vocab`, else `tokenizer.json` or `vocab.txt` in `beside`.
/// A `vocab.txt` must have one token per row of the file; a
/// `tokenizer.json` at most one (later rows are padding), and its tokens are
/// shown as people read them ([`name_rows`](super::name_rows)). The names
/// are then cut to the rows read. It needs only the shape, so a matrix read
/// in place and one decoded onto the heap are named alike.
fn name_shape(
    path: &Path,
    beside: &Path,
    [rows, keep, dim]: [usize; 3],
    options: &LoadOptions,
) -> Result<Naming, LoadError> {
    let vocab_path = match &options.vocab {
        Some(vocab) => vocab.clone(),
        None => {
            let candidates = ["tokenizer.json", "vocab.txt"].map(|name| beside.join(name));
            candidates.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
                Malformed::new(
                    Location::Byte(0),
                    "a vocabulary: --vocab FILE, or tokenizer.json or vocab.txt beside the file",
                    format!(
                        "neither in {}",
                        if beside.as_os_str().is_empty() {
                            ".".into()
                        } else {
                            beside.display().to_string()
                        }
                    ),
                )
                .in_file(path)
            })?
        }
    };
    let bytes = std::fs::read(&vocab_path).map_err(|error| LoadError::io(&vocab_path, error))?;
    let json = vocab_path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let one_per_row = format!("one per row of {} ({rows}×{dim})", file_name(path));
    if !json {
        let mut tokens = parse_vocab(&bytes, options.lossy).map_err(|error| error.in_file(&vocab_path))?;
        if tokens.len() != rows {
            return Err(Malformed::new(
                Location::Line(tokens.len().min(rows) + 1),
                format!("{rows} tokens, {one_per_row}"),
                format!("{} tokens", tokens.len()),
            )
            .in_file(&vocab_path));
        }
        tokens.truncate(keep);
        return Ok(Naming {
            tokens,
            kinds: None,
            notes: Vec::new(),
        });
    }
    let tokenizer = parse_tokenizer(&bytes).map_err(|error| error.in_file(&vocab_path))?;
    let count = tokenizer.tokens.len();
    if count > rows {
        let key = if count > tokenizer.model_vocab {
            "added_tokens"
        } else {
            "model.vocab"
        };
        return Err(Malformed::new(
            Location::Key(key.into()),
            format!("at most {rows} tokens, {one_per_row}"),
            format!("{count} tokens (ids 0..{})", count - 1),
        )
        .in_file(&vocab_path));
    }
    let named = super::name_rows(&tokenizer, rows);
    let mut notes = vec![tokenizer_note(&tokenizer, &vocab_path)];
    if named.padding > 0 {
        notes.push(format!(
            "{} rows past the tokenizer's {count} tokens: padding (the matrix has {rows} rows{}), named `<padding row N>`",
            named.padding,
            padding_multiple(rows).map_or(String::new(), |m| format!(", a multiple of {m}")),
        ));
    }
    if !named.renamed.is_empty() {
        notes.push(renamed_note(&named));
    }
    let mut tokens = named.names;
    let mut kinds = named.kinds;
    tokens.truncate(keep);
    kinds.truncate(keep);
    Ok(Naming {
        tokens,
        kinds: Some(kinds),
        notes,
    })
}

/// The note on rows whose shown text a lower id had: they keep their rows
/// under other names.
fn renamed_note(named: &NamedRows) -> String {
    let examples: Vec<String> = named
        .renamed
        .iter()
        .take(3)
        .map(|&row| format!("{row} {}", code_span(&named.names[row])))
        .collect();
    format!(
        "{} tokens read as the text of a lower id and are shown otherwise, so each row keeps a name \
         (e.g. rows {})",
        named.renamed.len(),
        examples.join(", ")
    )
}

/// How tokens are shown, for the notes.
fn decoding_note(decoding: Decoding) -> &'static str {
    match decoding {
        Decoding::ByteLevel => "byte-level (shown decoded)",
        Decoding::Metaspace(_) => "SentencePiece (▁ shown as a space)",
        Decoding::WordPiece => "## continuations as written",
        Decoding::Verbatim => "tokens as written",
    }
}

/// What a tokenizer is, for the notes: `tokenizer.json: BPE, byte-level, 50257 tokens (1 added past model.vocab)`.
fn tokenizer_note(tokenizer: &Tokenizer, path: &Path) -> String {
    let decoding = decoding_note(tokenizer.decoding);
    let count = tokenizer.tokens.len();
    let added = count.saturating_sub(tokenizer.model_vocab);
    let model = if tokenizer.model.is_empty() {
        "no model type"
    } else {
        &tokenizer.model
    };
    format!(
        "{}: {model}, {decoding}, {count} tokens{}",
        file_name(path),
        if added > 0 {
            format!(" ({added} added past model.vocab)")
        } else {
            String::new()
        }
    )
}

/// The largest of 128 and 64 that `rows` is a multiple of: what a matrix
/// padded for fast kernels is usually rounded to.
fn padding_multiple(rows: usize) -> Option<usize> {
    [128, 64].into_iter().find(|&m| rows.is_multiple_of(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embeddings::npy::tests::npy;

    fn npy_f32(rows: usize, dim: usize) -> Vec<u8> {
        let data: Vec<u8> = (0..rows * dim).flat_map(|i| (i as f32).to_le_bytes()).collect();
        npy("<f4", false, &format!("({rows}, {dim})"), &data)
    }

    /// A safetensors file of one tensor `name` whose data starts 8-byte
    /// aligned (the header padded with spaces, as the `safetensors` crate
    /// writes it).
    fn safetensors(name: &str, dtype: &str, [rows, dim]: [usize; 2], data: Vec<u8>) -> Vec<u8> {
        let mut header = format!(
            r#"{{"{name}":{{"dtype":"{dtype}","shape":[{rows},{dim}],"data_offsets":[0,{}]}}}}"#,
            data.len()
        );
        while !header.len().is_multiple_of(8) {
            header.push(' ');
        }
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend(header.bytes());
        out.extend(data);
        out
    }

    #[test]
    fn a_npy_matrix_takes_vocab_txt_from_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.npy"), npy_f32(2, 3)).unwrap();
        std::fs::write(dir.path().join("vocab.txt"), "x\ny\n").unwrap();
        let loaded = load(&dir.path().join("m.npy"), &LoadOptions::default()).unwrap();
        assert_eq!(loaded.format, Format::Npy);
        assert_eq!(loaded.embeddings.vector(1).to_vec(), [3.0, 4.0, 5.0]);
    }

    /// An `f32` `.npy` is read in place from the mapping (the same values,
    /// no heap copy until `into_parts`); `f64` data, or bytes that are not a
    /// mapping, are decoded onto the heap.
    #[test]
    fn an_f32_npy_is_read_in_place_and_other_data_is_decoded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vocab.txt"), "x\ny\nz\n").unwrap();
        let path = dir.path().join("m.npy");
        std::fs::write(&path, npy_f32(3, 2)).unwrap();
        let limited = LoadOptions {
            limit: Some(2),
            ..LoadOptions::default()
        };
        let mapped = load(&path, &limited).unwrap().embeddings;
        let heap = load_bytes(&path, &npy_f32(3, 2), &limited).unwrap().embeddings;
        assert!(mapped.is_mapped() && !heap.is_mapped());
        assert_eq!(mapped.tokens(), heap.tokens());
        assert_eq!(mapped.vectors(), heap.vectors());
        assert_eq!(mapped.vectors(), ndarray::array![[0.0f32, 1.0], [2.0, 3.0]]);
        let (_, owned) = mapped.into_parts();
        assert_eq!(owned, heap.vectors());

        let f64s: Vec<u8> = (0..6).flat_map(|i| f64::from(i).to_le_bytes()).collect();
        std::fs::write(&path, npy("<f8", false, "(3, 2)", &f64s)).unwrap();
        let decoded = load(&path, &LoadOptions::default()).unwrap().embeddings;
        assert!(!decoded.is_mapped());
        assert_eq!(decoded.vector(2).to_vec(), [4.0, 5.0]);
    }

    #[test]
    fn a_non_finite_value_read_in_place_is_refused_at_its_byte() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vocab.txt"), "x\ny\n").unwrap();
        let mut bytes = npy_f32(2, 2);
        let at = bytes.len() - 4;
        bytes[at..].copy_from_slice(&f32::NAN.to_le_bytes());
        let path = dir.path().join("m.npy");
        std::fs::write(&path, &bytes).unwrap();
        let mapped = load(&path, &LoadOptions::default()).unwrap_err().to_string();
        let heap = load_bytes(&path, &bytes, &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert_eq!(mapped, heap);
        assert!(
            mapped.contains(&format!("byte {at}: expected a finite f32 at row 2, column 2")),
            "{mapped}"
        );
    }

    /// A safetensors `F32` tensor is read in place and named by
    /// `tokenizer.json` as the heap path names it: padding rows, token kinds
    /// and notes alike; a `BF16` one is widened onto the heap.
    #[test]
    fn an_f32_safetensors_tensor_is_read_in_place_and_named_as_on_the_heap() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("tokenizer.json"),
            r#"{"model":{"type":"WordLevel","vocab":{"a":0,"b":1}},"added_tokens":[]}"#,
        )
        .unwrap();
        let name = "model.embed_tokens.weight";
        let f32s = (0..8).flat_map(|i| (i as f32).to_le_bytes()).collect();
        let bytes = safetensors(name, "F32", [4, 2], f32s);
        let path = dir.path().join("model.safetensors");
        std::fs::write(&path, &bytes).unwrap();
        let limited = LoadOptions {
            limit: Some(3),
            ..LoadOptions::default()
        };
        let mapped = load(&path, &limited).unwrap();
        let heap = load_bytes(&path, &bytes, &limited).unwrap();
        assert!(mapped.embeddings.is_mapped() && !heap.embeddings.is_mapped());
        assert_eq!(mapped.embeddings.vectors(), heap.embeddings.vectors());
        assert_eq!(mapped.embeddings.vector(2).to_vec(), [4.0, 5.0]);
        assert_eq!(mapped.embeddings.tokens(), heap.embeddings.tokens());
        assert_eq!(mapped.embeddings.len(), 3);
        assert_eq!(mapped.token_kinds, heap.token_kinds);
        assert_eq!(mapped.notes, heap.notes);
        assert_eq!(mapped.tensor.as_deref(), Some(name));
        assert!(
            mapped.notes.iter().any(|n| n.contains("padding")),
            "{:?}",
            mapped.notes
        );

        let bf16s = (0..8)
            .flat_map(|i| half::bf16::from_f32(i as f32).to_le_bytes())
            .collect();
        std::fs::write(&path, safetensors(name, "BF16", [4, 2], bf16s)).unwrap();
        let widened = load(&path, &LoadOptions::default()).unwrap().embeddings;
        assert!(!widened.is_mapped());
        assert_eq!(widened.vector(3).to_vec(), [6.0, 7.0]);
    }

    #[test]
    fn a_non_finite_value_in_a_safetensors_tensor_read_in_place_is_refused_at_its_byte() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vocab.txt"), "x\ny\n").unwrap();
        let mut bytes = safetensors("w", "F32", [2, 2], vec![0; 16]);
        let at = bytes.len() - 8;
        bytes[at..at + 4].copy_from_slice(&f32::INFINITY.to_le_bytes());
        let path = dir.path().join("m.safetensors");
        std::fs::write(&path, &bytes).unwrap();
        let options = LoadOptions {
            tensor: Some("w".into()),
            ..LoadOptions::default()
        };
        let mapped = load(&path, &options).unwrap_err().to_string();
        let heap = load_bytes(&path, &bytes, &options).unwrap_err().to_string();
        assert_eq!(mapped, heap);
        assert!(
            mapped.contains(&format!(
                "byte {at}: expected a finite f32 in `w` at row 2, column 1, found inf"
            )),
            "{mapped}"
        );
    }

    #[test]
    fn limit_cuts_the_vocabulary_after_checking_its_length() {
        let dir = tempfile::tempdir().unwrap();
        let vocab = dir.path().join("words.txt");
        std::fs::write(&vocab, "x\ny\nz\n").unwrap();
        let options = LoadOptions {
            limit: Some(2),
            vocab: Some(vocab.clone()),
            ..LoadOptions::default()
        };
        let loaded = load_bytes(&dir.path().join("m.npy"), &npy_f32(3, 1), &options).unwrap();
        assert_eq!(loaded.embeddings.tokens(), ["x", "y"]);
        let e = load_bytes(&dir.path().join("m.npy"), &npy_f32(4, 1), &options).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("words.txt:4: expected 4 tokens, one per row of m.npy (4×1), found 3 tokens"),
            "{e}"
        );
    }

    #[test]
    fn a_npy_matrix_without_vocabulary_says_where_it_looked() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_bytes(&dir.path().join("m.npy"), &npy_f32(1, 1), &LoadOptions::default()).unwrap_err();
        assert!(
            e.to_string().contains("m.npy:byte 0: expected a vocabulary"),
            "{e}"
        );
    }

    #[test]
    fn tables_decoded_from_a_mapped_file_equal_those_decoded_from_memory() {
        // From a mapped file, the readers give pages back as they go (they
        // fault in again if read); bytes in memory must never be given back.
        let rows = 5000; // five tasks of rows, ~40 pages
        let dir = tempfile::tempdir().unwrap();
        let mut text = format!("{rows} 2\n").into_bytes();
        let mut binary = text.clone();
        let (mut f64s, mut vocab) = (Vec::new(), String::new());
        for i in 0..rows {
            let (a, b) = (i as f32 / 7.0, -(i as f32) * 0.25);
            text.extend(format!("w{i} {a} {b}\n").bytes());
            binary.extend(format!("w{i} ").bytes());
            binary.extend([a, b].iter().flat_map(|v| v.to_le_bytes()));
            f64s.extend([f64::from(a), f64::from(b)].iter().flat_map(|v| v.to_le_bytes()));
            vocab.push_str(&format!("w{i}\n"));
        }
        // A `.npy` that is not `f32` is decoded onto the heap, not read in place.
        let npy = crate::embeddings::npy::tests::npy("<f8", false, &format!("({rows}, 2)"), &f64s);
        std::fs::write(dir.path().join("vocab.txt"), vocab).unwrap();
        for (name, bytes) in [("t.txt", text), ("b.bin", binary), ("f.npy", npy)] {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let mapped = load(&path, &LoadOptions::default()).unwrap().embeddings;
            let owned = load_bytes(&path, &bytes, &LoadOptions::default())
                .unwrap()
                .embeddings;
            assert_eq!(mapped.len(), rows, "{name}");
            assert_eq!(mapped.tokens(), owned.tokens(), "{name}");
            assert_eq!(mapped.vectors(), owned.vectors(), "{name}");
            assert_eq!(mapped.vector(4999).to_vec(), [4999.0 / 7.0, -1249.75], "{name}");
            let intact = bytes == std::fs::read(&path).unwrap();
            assert!(intact, "{name}: bytes in memory were given back");
        }
    }

    #[test]
    fn options_a_format_has_no_use_for_are_refused_not_ignored() {
        let text = b"2 2\na 1 2\nb 3 4\n";
        let refused = |bytes: &[u8], name: &str, options: LoadOptions| {
            load_bytes(Path::new(name), bytes, &options)
                .unwrap_err()
                .to_string()
        };
        let vocab = LoadOptions {
            vocab: Some("words.txt".into()),
            ..LoadOptions::default()
        };
        assert_eq!(
            refused(text, "v.txt", vocab),
            "v.txt: --vocab names the rows of an npy or safetensors matrix, a GGUF file or a model \
             directory; this word2vec file names its own rows"
        );
        let tensor = LoadOptions {
            tensor: Some("lm_head.weight".into()),
            ..LoadOptions::default()
        };
        assert_eq!(
            refused(&npy_f32(2, 2), "m.npy", tensor),
            "m.npy: --tensor picks one tensor of a safetensors or GGUF file or a model directory; \
             this npy file holds one table"
        );
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let e = load(Path::new("/nonexistent/v.txt"), &LoadOptions::default()).unwrap_err();
        assert!(matches!(e, LoadError::Io { .. }));
        assert!(
            e.to_string()
                .starts_with("/nonexistent/v.txt: cannot read the file"),
            "{e}"
        );
    }
}

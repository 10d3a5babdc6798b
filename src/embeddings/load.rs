//! Loading an embedding file of any [`Format`] into [`Embeddings`]: what
//! `embspace analyze FILE` reads.
//!
//! The file is memory-mapped, so its bytes never sit on the heap beside the
//! matrix; the `f32` matrix is allocated once, at its final size, and the
//! tokens beside it. Repeated tokens keep their first row, as in gensim.

use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::binary::parse_binary;
use super::fasttext::{FastTextModel, Subwords, parse_fasttext};
use super::file_bytes::{FileBytes, Prefault};
use super::file_format::Format;
use super::gguf::{GgufTable, INPUT_EMBEDDING, OUTPUT_EMBEDDING, parse_gguf};
use super::load_error::{LoadError, Location, Malformed, file_name, shown};
use super::model_dir::{OutputEmbedding, Tying, read_model_dir};
use super::npy::parse_npy;
use super::safetensors_file::parse_safetensors;
use super::text::parse_text;
use super::tokenizer::{Decoding, NamedRows, Tokenizer, parse_tokenizer};
use super::vocab_file::parse_vocab;
use super::{Duplicates, Embeddings, Matrix, TokenKind};

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
    /// are never dropped: their names are distinct ([`name_rows`]), so a
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
/// anything its format does not allow (see [`parse_text`], [`parse_binary`],
/// [`parse_npy`], [`parse_safetensors`], [`parse_gguf`]) and for a vocabulary whose length
/// differs from the matrix's rows.
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
    if path.is_dir() {
        return load_model_dir(path, options);
    }
    let bytes = FileBytes::open(path, Prefault::Whole)?;
    load_bytes(path, &bytes, options)
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
        table: named.table,
        tensor: Some(model.tensor),
        notes,
        token_kinds: named.kinds,
        tying: model.tying,
        output: model.output,
        warnings: model.warnings,
        ..Read::default()
    };
    Ok(finish(dir, Format::ModelDir, read))
}

/// What a format's reader gives before [`finish`] indexes the tokens.
#[derive(Default)]
struct Read {
    table: Table,
    tensor: Option<String>,
    notes: Vec<String>,
    token_kinds: Option<Vec<TokenKind>>,
    subwords: Option<Subwords>,
    tying: Option<Tying>,
    output: Option<OutputEmbedding>,
    warnings: Vec<String>,
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
    let format = match options.format {
        Some(format) => format,
        None => Format::detect(path, &bytes[..bytes.len().min(SNIFF)])?,
    };
    let in_file = |error: Malformed| error.in_file(path);
    let beside = path.parent().unwrap_or(Path::new(""));
    let read = match format {
        Format::Word2VecText | Format::FastText | Format::Glove => {
            let header = format != Format::Glove;
            Read {
                table: parse_text(bytes, header, options.limit, options.lossy).map_err(in_file)?,
                ..Read::default()
            }
        }
        Format::Word2VecBinary => Read {
            table: parse_binary(bytes, options.limit, options.lossy).map_err(in_file)?,
            ..Read::default()
        },
        Format::FastTextBinary => {
            let model = parse_fasttext(bytes, options.limit, options.lossy).map_err(in_file)?;
            Read {
                notes: fasttext_notes(&model).to_vec(),
                subwords: model.subwords,
                table: model.table,
                ..Read::default()
            }
        }
        Format::Npy => {
            let matrix = parse_npy(bytes, options.limit).map_err(in_file)?;
            let named = name_rows(path, beside, matrix, options)?;
            Read {
                table: named.table,
                notes: named.notes,
                token_kinds: named.kinds,
                ..Read::default()
            }
        }
        Format::Safetensors => {
            let (name, matrix) =
                parse_safetensors(bytes, options.tensor.as_deref(), options.limit).map_err(in_file)?;
            let named = name_rows(path, beside, matrix, options)?;
            let mut notes = vec![format!("tensor `{name}`")];
            notes.extend(named.notes);
            Read {
                table: named.table,
                tensor: Some(name),
                notes,
                token_kinds: named.kinds,
                ..Read::default()
            }
        }
        Format::Gguf => {
            let gguf = parse_gguf(bytes, options).map_err(in_file)?;
            let output = match options.output && gguf.has_output && gguf.tensor == INPUT_EMBEDDING {
                true => Some(gguf_output(bytes, options, &gguf.matrix).map_err(in_file)?),
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
                        decoding: Decoding::Verbatim,
                        model: String::new(),
                        model_vocab: rows,
                    };
                    let named = super::name_rows(&tokenizer, rows);
                    if !named.renamed.is_empty() {
                        read.notes.push(renamed_note(&named));
                    }
                    read.table = Table {
                        tokens: named.names,
                        vectors: gguf.matrix.vectors,
                    }
                }
                None => {
                    let named = name_rows(path, beside, gguf.matrix, options)?;
                    read.table = named.table;
                    read.notes.extend(named.notes);
                    read.token_kinds = named.kinds;
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

/// Indexes a reader's tokens into the table, dropping repeated tokens with
/// a warning.
fn finish(path: &Path, format: Format, read: Read) -> Loaded {
    let Read {
        table,
        tensor,
        notes,
        token_kinds,
        subwords,
        tying,
        output,
        mut warnings,
    } = read;
    let (embeddings, duplicates) =
        Embeddings::new(table.tokens, table.vectors).expect("every parser returns one row per token");
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

/// A GGUF model's untied output embedding `output.weight`, read as the
/// input embedding was (same row limit), which it must match in shape.
fn gguf_output(bytes: &[u8], options: &LoadOptions, input: &Matrix) -> Result<OutputEmbedding, Malformed> {
    let output_options = LoadOptions {
        tensor: Some(OUTPUT_EMBEDDING.to_string()),
        // The tokens were read with the input embedding; a vocabulary given skips them.
        vocab: Some(PathBuf::new()),
        ..options.clone()
    };
    let output = parse_gguf(bytes, &output_options)?;
    let (rows, dim) = (input.rows, input.vectors.ncols());
    if (output.matrix.rows, output.matrix.vectors.ncols()) != (rows, dim) {
        return Err(Malformed::new(
            Location::Byte(0),
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
            "tensor `{}` ({}, GGUF v{})",
            gguf.tensor, gguf.ggml_type, gguf.version
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

/// Gives a bare matrix (of the file or directory `path`) its tokens from the
/// vocabulary: `--vocab`, else `tokenizer.json` or `vocab.txt` in `beside`.
/// A `vocab.txt` must have one token per row of the file; a
/// `tokenizer.json` at most one (later rows are padding), and its tokens are
/// shown as people read them ([`name_rows`](super::name_rows)). The rows
/// are then cut to those read.
fn name_rows(
    path: &Path,
    beside: &Path,
    matrix: Matrix,
    options: &LoadOptions,
) -> Result<NamedTable, LoadError> {
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
    let (rows, dim) = (matrix.rows, matrix.vectors.ncols());
    let keep = matrix.vectors.nrows();
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
        let table = Table {
            tokens,
            vectors: matrix.vectors,
        };
        return Ok(NamedTable {
            table,
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
    let table = Table {
        tokens,
        vectors: matrix.vectors,
    };
    Ok(NamedTable {
        table,
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
        .map(|&row| format!("{row} `{}`", named.names[row]))
        .collect();
    format!(
        "{} tokens read as the text of a lower id and are shown otherwise, so each row keeps a name \
         (e.g. rows {})",
        named.renamed.len(),
        examples.join(", ")
    )
}

/// What a tokenizer is, for the notes: `tokenizer.json: BPE, byte-level, 50257 tokens (1 added past model.vocab)`.
fn tokenizer_note(tokenizer: &Tokenizer, path: &Path) -> String {
    let decoding = match tokenizer.decoding {
        Decoding::ByteLevel => "byte-level (shown decoded)",
        Decoding::Metaspace(_) => "SentencePiece (▁ shown as a space)",
        Decoding::WordPiece => "## continuations as written",
        Decoding::Verbatim => "tokens as written",
    };
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

    fn npy_f32(rows: usize, dim: usize) -> Vec<u8> {
        let header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dim}), }}\n");
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.bytes());
        out.extend((0..rows * dim).flat_map(|i| (i as f32).to_le_bytes()));
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

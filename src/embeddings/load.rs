//! Loading an embedding file of any [`Format`] into [`Embeddings`]: what
//! `embspace analyze FILE` reads.
//!
//! The file is memory-mapped, so its bytes never sit on the heap beside the
//! matrix; the `f32` matrix is allocated once, at its final size, and the
//! tokens beside it. When the file's bytes already are that matrix (`.npy`
//! `<f4`, safetensors `F32`) it is not copied at all: the table reads it in
//! place from the mapping. A half-precision tensor's pages are given back as
//! they are widened. Repeated tokens keep their first row, as in gensim.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::Array2;

use super::binary::parse_binary;
use super::fasttext::{FastTextModel, Subwords, parse_fasttext};
use super::file_format::Format;
use super::gguf::{GgufTable, OUTPUT_EMBEDDING, TokenType, parse_gguf};
use super::load_error::{LoadError, Location, Malformed, file_name, shown};
use super::mapped_rows::MappedRows;
use super::npy::{Located, parse_npy};
use super::safetensors_file::Tensor;
use super::text::parse_text;
use super::vocab_file::{parse_tokenizer_json, parse_vocab};
use super::{Duplicates, Embeddings, Matrix};

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
    /// The vocabulary of a `.npy` or safetensors matrix, or of a GGUF file
    /// without tokens (or instead of its tokens): one token a line, or a
    /// `tokenizer.json`. `None` looks for `vocab.txt`, then `tokenizer.json`,
    /// beside the file.
    pub vocab: Option<PathBuf>,
    /// The safetensors or GGUF tensor to read; `None` picks, in safetensors,
    /// the first 2-D tensor whose name contains `word_embeddings` or
    /// `embed_tokens`, and in GGUF `token_embd.weight`.
    pub tensor: Option<String>,
}

/// A loaded table and what loading it noticed.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The table, repeated tokens dropped.
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
    /// A GGUF tokenizer's token types, one per row read in file order
    /// (repeated tokens' rows included), when the file has them.
    pub token_types: Option<Vec<TokenType>>,
    /// Vectors for tokens outside the table: a fastText model's character
    /// n-gram buckets, when it has them.
    pub subwords: Option<Subwords>,
    /// Messages for the user about what was read, e.g. dropped duplicates.
    pub warnings: Vec<String>,
}

/// Tokens in file order and their vectors, before duplicates are dropped:
/// what the text and binary parsers return.
#[derive(Debug, Clone, PartialEq)]
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
/// [`parse_npy`], [`parse_safetensors`](super::parse_safetensors), [`parse_gguf`]) and for a vocabulary whose length
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
    let bytes = Bytes::open(path)?;
    let map = match &bytes {
        Bytes::Mapped(map) => Some(map),
        Bytes::Read(_) => None,
    };
    load_from(path, &bytes, map, options)
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
    load_from(path, bytes, None, options)
}

/// What a parser gave: a table on the heap, or tokens for a matrix read in
/// place from the mapping.
enum Parsed {
    Heap(Table),
    InPlace(Vec<String>, MappedRows),
}

/// [`load_bytes`], where `map`, when given, is the mapping `bytes` are: an
/// `f32` matrix is then read in place, and decoded pages are released.
fn load_from(
    path: &Path,
    bytes: &[u8],
    map: Option<&Arc<memmap2::Mmap>>,
    options: &LoadOptions,
) -> Result<Loaded, LoadError> {
    let format = match options.format {
        Some(format) => format,
        None => Format::detect(path, &bytes[..bytes.len().min(SNIFF)])?,
    };
    let in_file = |error: Malformed| error.in_file(path);
    let mut notes = Vec::new();
    let mut token_types = None;
    let mut subwords = None;
    let (parsed, tensor) = match format {
        Format::Word2VecText | Format::FastText | Format::Glove => {
            let header = format != Format::Glove;
            (
                Parsed::Heap(parse_text(bytes, header, options.limit, options.lossy).map_err(in_file)?),
                None,
            )
        }
        Format::Word2VecBinary => (
            Parsed::Heap(parse_binary(bytes, options.limit, options.lossy).map_err(in_file)?),
            None,
        ),
        Format::FastTextBinary => {
            let model = parse_fasttext(bytes, options.limit, options.lossy).map_err(in_file)?;
            notes.extend(fasttext_notes(&model));
            subwords = model.subwords;
            (Parsed::Heap(model.table), None)
        }
        Format::Npy => {
            let npy = Located::read(bytes, options.limit).map_err(in_file)?;
            let in_place = map
                .filter(|_| npy.item == 4)
                .and_then(|map| MappedRows::new(Arc::clone(map), npy.data, npy.keep, npy.dim));
            let parsed = match in_place {
                Some(rows) => {
                    if let Some(bad) = rows.first_non_finite() {
                        return Err(in_file(npy.not_finite(bytes, bad)));
                    }
                    let tokens = vocabulary_for(path, [npy.rows, npy.keep, npy.dim], options)?;
                    Parsed::InPlace(tokens, rows)
                }
                None => Parsed::Heap(name_rows(
                    path,
                    parse_npy(bytes, options.limit).map_err(in_file)?,
                    options,
                )?),
            };
            (parsed, None)
        }
        Format::Safetensors => {
            let found = Tensor::locate(bytes, options.tensor.as_deref(), options.limit).map_err(in_file)?;
            notes.push(format!("tensor `{}`", found.name));
            let in_place = map
                .filter(|_| found.item == 4)
                .and_then(|map| MappedRows::new(Arc::clone(map), found.data, found.keep, found.dim));
            let parsed = match in_place {
                Some(rows) => {
                    if let Some(bad) = rows.first_non_finite() {
                        let value = rows.view().as_slice().expect("C order")[bad];
                        return Err(in_file(found.not_finite(bad, value)));
                    }
                    let tokens = vocabulary_for(path, [found.rows, found.keep, found.dim], options)?;
                    Parsed::InPlace(tokens, rows)
                }
                None => {
                    let matrix = found.decode(bytes, map.is_some()).map_err(in_file)?;
                    Parsed::Heap(name_rows(path, matrix, options)?)
                }
            };
            (parsed, Some(found.name))
        }
        Format::Gguf => {
            let gguf = parse_gguf(bytes, options).map_err(in_file)?;
            notes.extend(gguf_notes(&gguf));
            token_types = gguf.token_types;
            let table = match gguf.tokens {
                Some(tokens) => Table {
                    tokens,
                    vectors: gguf.matrix.vectors,
                },
                None => name_rows(path, gguf.matrix, options)?,
            };
            (Parsed::Heap(table), Some(gguf.tensor))
        }
    };
    let (embeddings, duplicates) = match parsed {
        Parsed::Heap(table) => Embeddings::new(table.tokens, table.vectors),
        Parsed::InPlace(tokens, rows) => Embeddings::mapped(tokens, rows),
    }
    .expect("every parser returns one row per token");
    let mut warnings = Vec::new();
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
    Ok(Loaded {
        embeddings,
        format,
        duplicates,
        tensor,
        notes,
        token_types,
        subwords,
        warnings,
    })
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

/// Gives a bare matrix its tokens from the vocabulary, which must have one
/// token per row of the file (then cut to the rows read).
fn name_rows(path: &Path, matrix: Matrix, options: &LoadOptions) -> Result<Table, LoadError> {
    let shape = [matrix.rows, matrix.vectors.nrows(), matrix.vectors.ncols()];
    Ok(Table {
        tokens: vocabulary_for(path, shape, options)?,
        vectors: matrix.vectors,
    })
}

/// The tokens of a bare matrix of `rows × dim` in the file of which `keep`
/// rows are read: the vocabulary must have one token per row of the file.
fn vocabulary_for(
    path: &Path,
    [rows, keep, dim]: [usize; 3],
    options: &LoadOptions,
) -> Result<Vec<String>, LoadError> {
    let vocab_path = match &options.vocab {
        Some(vocab) => vocab.clone(),
        None => {
            let dir = path.parent().unwrap_or(Path::new(""));
            let beside = ["vocab.txt", "tokenizer.json"].map(|name| dir.join(name));
            beside.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
                Malformed::new(
                    Location::Byte(0),
                    "a vocabulary: --vocab FILE, or vocab.txt or tokenizer.json beside the file",
                    format!(
                        "neither in {}",
                        if dir.as_os_str().is_empty() {
                            ".".into()
                        } else {
                            dir.display().to_string()
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
    let mut tokens = if json {
        parse_tokenizer_json(&bytes)
    } else {
        parse_vocab(&bytes, options.lossy)
    }
    .map_err(|error| error.in_file(&vocab_path))?;
    if tokens.len() != rows {
        let at = if json {
            Location::Key("model.vocab".into())
        } else {
            Location::Line(tokens.len().min(rows) + 1)
        };
        return Err(Malformed::new(
            at,
            format!("{rows} tokens, one per row of {} ({rows}×{dim})", file_name(path)),
            format!("{} tokens", tokens.len()),
        )
        .in_file(&vocab_path));
    }
    tokens.truncate(keep);
    Ok(tokens)
}

/// A file's bytes: memory-mapped, or read when it cannot be mapped (pipes,
/// empty files).
enum Bytes {
    Mapped(Arc<memmap2::Mmap>),
    Read(Vec<u8>),
}

impl Bytes {
    fn open(path: &Path) -> Result<Bytes, LoadError> {
        let io = |error| LoadError::io(path, error);
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len > 0 {
            // SAFETY: the map is read-only and lives only while the file is
            // parsed. Another process truncating or rewriting the file during
            // the load could change the bytes under us (or fault on a
            // truncated page); that is the accepted contract of every mapped
            // reader (ripgrep, safetensors), and far cheaper than a heap copy
            // of a multi-GB file.
            let mapped = unsafe { memmap2::MmapOptions::new().populate().map(&file) };
            if let Ok(mapped) = mapped {
                return Ok(Bytes::Mapped(Arc::new(mapped)));
            }
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes).map_err(io)?;
        Ok(Bytes::Read(bytes))
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(mapped) => mapped,
            Bytes::Read(bytes) => bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy_f32(rows: usize, dim: usize) -> Vec<u8> {
        let data = (0..rows * dim).flat_map(|i| (i as f32).to_le_bytes()).collect();
        npy("<f4", rows, dim, data)
    }

    /// A `.npy` file whose data starts 64-byte aligned, as numpy writes it.
    fn npy(descr: &str, rows: usize, dim: usize, data: Vec<u8>) -> Vec<u8> {
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {dim}), }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
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
        assert_eq!(mapped.vectors(), heap.vectors());
        assert_eq!(mapped.vectors(), ndarray::array![[0.0f32, 1.0], [2.0, 3.0]]);
        let (_, owned) = mapped.into_parts();
        assert_eq!(owned, heap.vectors());

        let f64s = (0..6).flat_map(|i| f64::from(i).to_le_bytes()).collect();
        std::fs::write(&path, npy("<f8", 3, 2, f64s)).unwrap();
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

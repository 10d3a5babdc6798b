//! A GGUF model's embedding table: one 2-D tensor dequantised to `f32`, its
//! rows named by the tokenizer's tokens.

use ndarray::Array2;
use rayon::prelude::*;

use super::dequantize::SUPPORTED;
use super::header::{Header, TensorInfo, data_bytes};
use super::value::{INT32, STRING, Value};
use crate::embeddings::load::LoadOptions;
use crate::embeddings::load_error::{Location, Malformed, matrix_listing, shown, token_text};
use crate::embeddings::mapped_rows::Pages;
use crate::embeddings::raw_floats::first_non_finite;
use crate::embeddings::{Decoding, Matrix, TokenKind, huge_pages, task_values};

/// The input embedding, the tensor read by default.
pub const INPUT_EMBEDDING: &str = "token_embd.weight";

/// The output embedding (the LM head); a model without it ties its output to
/// the input embedding.
pub const OUTPUT_EMBEDDING: &str = "output.weight";

/// The table of a GGUF file, as [`parse_gguf`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufTable {
    /// The GGUF version, 2 or 3.
    pub version: u32,
    /// The tensor read.
    pub tensor: String,
    /// The file offset of its entry in the header (name, shape, type).
    pub tensor_at: usize,
    /// Its ggml type, e.g. `Q4_K`.
    pub ggml_type: &'static str,
    /// Its rows (the tokens; GGUF lists the dimensions fastest first, so a
    /// `[n_embd, n_vocab]` tensor has `n_vocab` rows), dequantised.
    pub matrix: Matrix,
    /// `tokenizer.ggml.tokens`, one per row read; `None` when the file has
    /// none or `--vocab` names the rows instead.
    pub tokens: Option<Vec<String>>,
    /// `tokenizer.ggml.token_type`, one per token, when the file has them.
    pub token_kinds: Option<Vec<TokenKind>>,
    /// `tokenizer.ggml.model` (`gpt2`, `llama`, `bert`, …), when given.
    pub tokenizer_model: Option<String>,
    /// How the tokens read as text, from the tokenizer model (see
    /// [`gguf_decoding`]).
    pub decoding: Decoding,
    /// Whether the file holds `output.weight`; without it the model ties its
    /// output embedding to `token_embd.weight`.
    pub has_output: bool,
}

/// Reads the embedding table of a llama.cpp GGUF file (versions 2 and 3):
/// the tensor `options.tensor`, by default `token_embd.weight`, at most
/// `options.limit` rows, named by `tokenizer.ggml.tokens` unless
/// `options.vocab` is given (then the file's tokens are not read).
///
/// F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K to Q6_K, IQ4_NL and
/// IQ4_XS tensors are dequantised exactly as llama.cpp does, rows in parallel. Invalid UTF-8 in a token is
/// an error unless `options.lossy`.
///
/// # Errors
/// A [`Malformed`] at the offending byte: a bad magic, a version other than
/// 2 and 3, a header cut short or with counts the file cannot hold, an
/// unknown value type, a bad `general.alignment`, a misaligned or
/// out-of-file tensor, a missing or non-2-D tensor, a type embspace does not
/// dequantise, a value that is not finite, tokens that are not strings or
/// whose count differs from the rows.
///
/// # Examples
/// ```
/// use embspace::embeddings::{parse_gguf, LoadOptions};
///
/// // GGUF v3: no metadata, one F32 tensor `token_embd.weight` of 2 rows × 2.
/// let mut file = b"GGUF".to_vec();
/// file.extend(3u32.to_le_bytes());
/// file.extend(1u64.to_le_bytes()); // one tensor
/// file.extend(0u64.to_le_bytes()); // no metadata
/// file.extend(17u64.to_le_bytes());
/// file.extend(b"token_embd.weight");
/// file.extend(2u32.to_le_bytes()); // two dimensions, fastest first
/// file.extend([2u64, 2].iter().flat_map(|d| d.to_le_bytes()));
/// file.extend(0u32.to_le_bytes()); // F32
/// file.extend(0u64.to_le_bytes()); // at the data section's start
/// file.resize(file.len().next_multiple_of(32), 0);
/// file.extend([1.0f32, 2.0, 3.0, 4.0].iter().flat_map(|v| v.to_le_bytes()));
///
/// let table = parse_gguf(&file, &LoadOptions::default()).unwrap();
/// assert_eq!(table.matrix.vectors.row(1).to_vec(), [3.0, 4.0]);
/// assert!(table.tokens.is_none() && !table.has_output);
///
/// let error = parse_gguf(&file[..100], &LoadOptions::default()).unwrap_err();
/// assert_eq!(error.found, "4 before the end of the file");
/// ```
pub fn parse_gguf(bytes: &[u8], options: &LoadOptions) -> Result<GgufTable, Malformed> {
    read_gguf(bytes, options, Pages::Owned)
}

/// [`parse_gguf`], giving back the pages of mapped `bytes` as each block of
/// the tensor is dequantised: a model file holds far more than its
/// embedding, and only the tensor's pages are ever read.
pub(crate) fn read_gguf(bytes: &[u8], options: &LoadOptions, pages: Pages) -> Result<GgufTable, Malformed> {
    let header = Header::read(bytes)?;
    let name = options.tensor.as_deref().unwrap_or(INPUT_EMBEDDING);
    let Some(tensor) = header.tensor(name) else {
        let matrices = header.tensors.iter().map(|t| {
            let shape = match t.dims[..] {
                [dim, rows] => Some([rows, dim]),
                _ => None,
            };
            (String::from_utf8_lossy(t.name), shape)
        });
        return Err(Malformed::new(
            Location::Byte(header.tensors_at as u64),
            format!("a tensor named `{name}`"),
            matrix_listing(matrices),
        ));
    };
    // A row, as in `.npy` and safetensors: the data bounds the columns only of a tensor with rows.
    let shape = match tensor.dims[..] {
        [dim, rows] if dim > 0 && rows > 0 => usize::try_from(rows).ok().zip(usize::try_from(dim).ok()),
        _ => None,
    };
    let Some((rows, dim)) = shape else {
        return Err(Malformed::new(
            Location::Byte(tensor.at as u64),
            format!("a 2-D tensor `{name}` with at least one row and one column"),
            format!("shape {}", tensor.shape()),
        ));
    };
    // The tokens first: a count that does not match fails before the long part.
    let vocabulary = match options.vocab {
        Some(_) => None,
        None => read_tokens(&header, name, rows, dim, options.lossy)?,
    };
    let (matrix, ggml_type) = dequantize(bytes, &header, tensor, [rows, dim], options.limit, pages)?;
    let keep = matrix.vectors.nrows();
    let model = header.get("tokenizer.ggml.model").and_then(|v| v.as_str());
    let decoding = gguf_decoding(model.unwrap_or(""));
    let (tokens, token_types) = match vocabulary {
        Some((mut tokens, types)) => {
            tokens.truncate(keep);
            let types = types.map(|t| t[..keep].to_vec());
            if model == Some("bert") {
                undo_phantom_spaces(&mut tokens, types.as_deref());
            }
            (Some(tokens), types)
        }
        None => (None, None),
    };
    Ok(GgufTable {
        version: header.version,
        tensor: name.to_string(),
        tensor_at: tensor.at,
        ggml_type,
        matrix,
        tokens,
        token_kinds: token_types,
        tokenizer_model: model.map(String::from),
        decoding,
        has_output: header.tensor(OUTPUT_EMBEDDING).is_some(),
    })
}

/// The first `limit` rows of a 2-D tensor, dequantised on every core, each
/// block's bytes given back to `pages`, and its type's name.
fn dequantize(
    bytes: &[u8],
    header: &Header<'_>,
    tensor: &TensorInfo<'_>,
    [rows, dim]: [usize; 2],
    limit: Option<usize>,
    pages: Pages,
) -> Result<(Matrix, &'static str), Malformed> {
    let type_at = Location::Byte(tensor.type_at as u64);
    let Some(ty) = tensor.ggml_type else {
        return Err(Malformed::new(
            type_at,
            format!("a ggml type id for {} (one of {SUPPORTED})", shown(tensor.name)),
            format!("type id {}, which ggml does not define", tensor.type_id),
        ));
    };
    let Some(dequantizer) = ty.dequantizer() else {
        return Err(Malformed::new(
            type_at,
            format!(
                "a type embspace dequantises for tensor {}: {SUPPORTED}",
                shown(tensor.name)
            ),
            format!("type {} ({}), which embspace does not dequantise", ty.name, ty.id),
        ));
    };
    // Header::read checked that the data lies inside the file.
    let start = (header.data_start + tensor.offset) as usize;
    let data = &bytes[start..start + data_bytes(tensor).expect("checked by Header::read") as usize];
    let row_bytes = ty.row_bytes(dim);
    let keep = rows.min(limit.unwrap_or(usize::MAX));
    let mut values = huge_pages::zeroed(keep * dim);
    // No more rows a task than there are: the data then bounds every product.
    let task_rows = (task_values(dim) / dim).clamp(1, keep.max(1));
    let first_bad = values
        .par_chunks_mut(task_rows * dim)
        .zip(data.par_chunks(task_rows * row_bytes))
        .enumerate()
        .filter_map(|(task, (out, data))| {
            dequantizer.run(out, data);
            pages.done_with(data);
            first_non_finite(out).map(|bad| task * task_rows * dim + bad)
        })
        .min();
    if let Some(bad) = first_bad {
        let (row, column) = (bad / dim, bad % dim);
        let block = start + row * row_bytes + column / ty.block * ty.size;
        return Err(Malformed::new(
            Location::Byte(block as u64),
            format!(
                "a finite value at row {}, column {} of {} (its {} block starts here)",
                row + 1,
                column + 1,
                shown(tensor.name),
                ty.name
            ),
            format!("{:?}", values[bad]),
        ));
    }
    let vectors = Array2::from_shape_vec((keep, dim), values).expect("dim values per row");
    Ok((Matrix { vectors, rows }, ty.name))
}

/// How the tokens of a `tokenizer.ggml.model` read as text, as the Hugging
/// Face tokenizer they were converted from decodes them, so a model reads
/// the same from its GGUF file as from its model directory: `gpt2` is
/// byte-level BPE, `llama` and `t5` SentencePiece, `bert` WordPiece (after
/// `undo_phantom_spaces`); other models' tokens are shown as stored.
///
/// # Examples
/// ```
/// use embspace::embeddings::{gguf_decoding, Decoding};
/// assert_eq!(gguf_decoding("gpt2"), Decoding::ByteLevel);
/// assert_eq!(gguf_decoding("llama"), Decoding::Metaspace('▁'));
/// assert_eq!(gguf_decoding("rwkv"), Decoding::Verbatim);
/// ```
pub fn gguf_decoding(model: &str) -> Decoding {
    match model {
        "gpt2" => Decoding::ByteLevel,
        "llama" | "t5" => Decoding::Metaspace('▁'),
        "bert" => Decoding::WordPiece,
        _ => Decoding::Verbatim,
    }
}

/// llama.cpp's converter stores a BERT vocabulary with "phantom spaces": a
/// word-initial token gains a leading `▁` and a continuation loses its `##`
/// (control tokens stay as they are). This puts the WordPiece spelling
/// back, so the tokens equal the model directory's.
fn undo_phantom_spaces(tokens: &mut [String], kinds: Option<&[TokenKind]>) {
    for (row, token) in tokens.iter_mut().enumerate() {
        if kinds.is_some_and(|k| k[row] == TokenKind::Control) {
            continue;
        }
        *token = match token.strip_prefix('▁') {
            Some(word) => word.to_string(),
            None => format!("##{token}"),
        };
    }
}

/// A tokenizer's tokens and, when it gives them, their types.
type Tokens = (Vec<String>, Option<Vec<TokenKind>>);

/// `tokenizer.ggml.tokens` and `tokenizer.ggml.token_type`, when present:
/// one token per row of the tensor, and one type per token.
fn read_tokens(
    header: &Header<'_>,
    name: &str,
    rows: usize,
    dim: usize,
    lossy: bool,
) -> Result<Option<Tokens>, Malformed> {
    let Some(value) = header.get("tokenizer.ggml.tokens") else {
        return Ok(None);
    };
    let count = array_of(value, STRING, "tokenizer.ggml.tokens", "strings")?;
    if count != rows as u64 {
        return Err(Malformed::new(
            Location::Byte(value.start as u64),
            format!("{rows} tokens, one per row of `{name}` ({rows}×{dim})"),
            format!("{count} in tokenizer.ggml.tokens"),
        ));
    }
    let mut tokens = Vec::with_capacity(rows);
    for token in value.elements() {
        let token = token?;
        tokens.push(token_text(token.bytes, token.at, lossy, |at| {
            Location::Byte(at as u64)
        })?);
    }
    let Some(types) = header.get("tokenizer.ggml.token_type") else {
        return Ok(Some((tokens, None)));
    };
    let count = array_of(types, INT32, "tokenizer.ggml.token_type", "int32")?;
    if count != rows as u64 {
        return Err(Malformed::new(
            Location::Byte(types.start as u64),
            format!("{rows} token types, one per token"),
            format!("{count} in tokenizer.ggml.token_type"),
        ));
    }
    let token_types = types
        .bytes
        .chunks_exact(4)
        .map(|b| TokenKind::from_gguf(i32::from_le_bytes([b[0], b[1], b[2], b[3]])))
        .collect();
    Ok(Some((tokens, Some(token_types))))
}

/// The length of `value`, an array of `element`s.
fn array_of(value: &Value<'_>, element: u32, key: &str, elements: &str) -> Result<u64, Malformed> {
    match value.array {
        Some((kind, len)) if kind == element => Ok(len),
        _ => Err(Malformed::new(
            Location::Byte(value.start as u64),
            format!("`{key}` as an array of {elements}"),
            value.describe(),
        )),
    }
}

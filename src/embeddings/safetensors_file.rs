//! Hugging Face `.safetensors` files: the embedding matrix is one 2-D tensor
//! among the model's weights.
//!
//! The header is read and checked by Hugging Face's own `safetensors` crate.
//! Without `--tensor NAME`, the table is the input embedding
//! ([`input_embedding`]): a name from the architectures people have
//! ([`INPUT_EMBEDDING_NAMES`]), else the first 2-D tensor, in name order,
//! whose name contains `word_embeddings` or `embed_tokens`. `F32`, `F16`,
//! `BF16` and `F64` values become `f32` ([`read_tensor`], which a model
//! directory's shards share), their pages in the mapping given back as they
//! are widened; an `F32` tensor in a mapped file is read in place instead
//! ([`read_in_place`]).

use std::sync::Arc;

use half::bf16;
use memmap2::Mmap;
use ndarray::Array2;
use rayon::prelude::*;
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensorError, SafeTensors};

use super::huge_pages;
use super::load_error::{Location, Malformed, matrix_listing};
use super::mapped_rows::{MappedRows, Pages};
use super::raw_floats::{first_non_finite, read_f16, read_f32, read_f64};
use super::{Matrix, task_values};

/// The offset of the JSON header: after its 8-byte length.
pub(crate) const HEADER: u64 = 8;

/// The input embedding's name in the architectures people have, tried in
/// this order: Llama, Mistral, Qwen, Gemma, Phi-3, OLMo (`model.embed_tokens`);
/// multimodal wrappers (LLaVA, Gemma 3); GPT-2, GPT-J, CodeGen, Qwen 1
/// (`transformer.wte`, or `wte` in GPT-2's own checkpoint); BLOOM and Falcon
/// (`transformer.word_embeddings`); Pythia and GPT-NeoX (`gpt_neox.embed_in`);
/// OPT and BART decoders; BERT, RoBERTa, DistilBERT and sentence-transformers
/// encoders; T5 (`shared`); Mamba; a base model saved without its prefix.
pub const INPUT_EMBEDDING_NAMES: &[&str] = &[
    "model.embed_tokens.weight",
    "model.language_model.embed_tokens.weight",
    "language_model.model.embed_tokens.weight",
    "transformer.wte.weight",
    "wte.weight",
    "transformer.word_embeddings.weight",
    "gpt_neox.embed_in.weight",
    "model.decoder.embed_tokens.weight",
    "embeddings.word_embeddings.weight",
    "bert.embeddings.word_embeddings.weight",
    "roberta.embeddings.word_embeddings.weight",
    "distilbert.embeddings.word_embeddings.weight",
    "shared.weight",
    "backbone.embeddings.weight",
    "embed_tokens.weight",
];

/// The output embedding's (LM head's) name, tried in this order: most
/// architectures (`lm_head`), Pythia and GPT-NeoX (`embed_out`), LLaVA.
pub const OUTPUT_EMBEDDING_NAMES: &[&str] = &[
    "lm_head.weight",
    "embed_out.weight",
    "language_model.lm_head.weight",
];

/// The input embedding among a checkpoint's 2-D tensors (`names` with
/// their shapes): the first of [`INPUT_EMBEDDING_NAMES`] present, else the
/// first 2-D tensor in name order whose name contains `word_embeddings` or
/// `embed_tokens`.
///
/// # Examples
/// ```
/// use embspace::embeddings::input_embedding;
///
/// let tensors = [("lm_head.weight", 2), ("transformer.wte.weight", 2), ("x.embed_tokens.weight", 2)];
/// assert_eq!(input_embedding(tensors), Some("transformer.wte.weight"));
/// assert_eq!(input_embedding([("a.word_embeddings.weight", 2), ("b.word_embeddings.bias", 1)]),
///            Some("a.word_embeddings.weight"));
/// ```
pub fn input_embedding<'a>(tensors: impl IntoIterator<Item = (&'a str, usize)>) -> Option<&'a str> {
    let matrices: Vec<&str> = tensors
        .into_iter()
        .filter(|&(_, rank)| rank == 2)
        .map(|(name, _)| name)
        .collect();
    INPUT_EMBEDDING_NAMES
        .iter()
        .find_map(|known| matrices.iter().find(|&&name| name == *known))
        .or_else(|| {
            matrices
                .iter()
                .filter(|name| name.contains("word_embeddings") || name.contains("embed_tokens"))
                .min()
        })
        .copied()
}

/// Reads the embedding matrix of a safetensors file: the tensor `tensor`, or
/// the input embedding ([`input_embedding`]); at most `limit` rows. Returns
/// the tensor's name and matrix.
///
/// # Errors
/// A [`Malformed`] for a header the `safetensors` crate refuses, a missing
/// tensor (listing the 2-D tensors there are), a tensor that is not 2-D, a
/// dtype other than F32, F16, BF16 and F64, or a value that is not a finite
/// `f32`.
///
/// # Examples
/// ```
/// use embspace::embeddings::parse_safetensors;
///
/// let header = br#"{"bert.embeddings.word_embeddings.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}"#;
/// let mut file = (header.len() as u64).to_le_bytes().to_vec();
/// file.extend_from_slice(header);
/// file.extend([0.5f32, 2.0].iter().flat_map(|v| v.to_le_bytes()));
/// let (name, matrix) = parse_safetensors(&file, None, None).unwrap();
/// assert_eq!(name, "bert.embeddings.word_embeddings.weight");
/// assert_eq!(matrix.vectors.row(0).to_vec(), [0.5, 2.0]);
///
/// let error = parse_safetensors(&file, Some("lm_head.weight"), None).unwrap_err();
/// assert_eq!(error.found, "2-D tensors: `bert.embeddings.word_embeddings.weight` (1×2)");
/// ```
pub fn parse_safetensors(
    bytes: &[u8],
    tensor: Option<&str>,
    limit: Option<usize>,
) -> Result<(String, Matrix), Malformed> {
    let (name, view) = find_tensor(bytes, tensor)?;
    let matrix = read_tensor(bytes, &name, &view, limit, Pages::Owned)?;
    Ok((name, matrix))
}

/// The tensor [`parse_safetensors`] reads from a safetensors file: `tensor`,
/// or the input embedding ([`input_embedding`]); its name and view.
///
/// # Errors
/// A [`Malformed`] for a header the `safetensors` crate refuses, or a
/// missing tensor (listing the 2-D tensors there are).
pub(crate) fn find_tensor<'a>(
    bytes: &'a [u8],
    tensor: Option<&str>,
) -> Result<(String, TensorView<'a>), Malformed> {
    let file = SafeTensors::deserialize(bytes).map_err(|error| refused(error, bytes))?;
    let mut tensors = file.tensors();
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let name = match tensor {
        Some(name) => Some(name),
        None => input_embedding(tensors.iter().map(|(n, view)| (n.as_str(), view.shape().len()))),
    };
    let Some(at) = name.and_then(|name| tensors.iter().position(|(n, _)| n == name)) else {
        return Err(not_found(tensor, listing(&tensors)));
    };
    Ok(tensors.swap_remove(at))
}

/// The first `limit` rows of the tensor `view` of the mapped file `map`
/// (whose bytes `bytes` are) read in place, when they are `F32` values of a
/// 2-D tensor aligned for `f32`; `None` otherwise (then [`read_tensor`]
/// decodes or refuses them).
///
/// # Errors
/// A [`Malformed`] for a value that is not finite (at its byte), as
/// [`read_tensor`] gives it.
pub(crate) fn read_in_place(
    map: &Arc<Mmap>,
    bytes: &[u8],
    name: &str,
    view: &TensorView<'_>,
    limit: Option<usize>,
) -> Result<Option<(MappedRows, usize)>, Malformed> {
    assert_eq!(map.as_ptr(), bytes.as_ptr(), "`bytes` are the mapping");
    let (&[rows, dim], Dtype::F32) = (view.shape(), view.dtype()) else {
        return Ok(None);
    };
    if rows == 0 {
        return Ok(None); // refused by `read_tensor`
    }
    let keep = rows.min(limit.unwrap_or(usize::MAX));
    let offset = view.data().as_ptr() as usize - bytes.as_ptr() as usize;
    let Some(matrix) = MappedRows::new(Arc::clone(map), offset, keep, dim) else {
        return Ok(None);
    };
    if let Some(bad) = matrix.first_non_finite() {
        let value = matrix.view().as_slice().expect("C order")[bad];
        return Err(not_finite(name, offset, 4, dim, bad, value));
    }
    Ok(Some((matrix, rows)))
}

/// The refusal of the `bad`-th value (row-major, `value` as read) of the
/// tensor `name` whose data starts at byte `offset`, `item` bytes a value.
fn not_finite(name: &str, offset: usize, item: usize, dim: usize, bad: usize, value: f32) -> Malformed {
    Malformed::new(
        Location::Byte((offset + bad * item) as u64),
        format!(
            "a finite f32 in `{name}` at row {}, column {}",
            bad / dim + 1,
            bad % dim + 1
        ),
        format!("{value:?}"),
    )
}

/// A [`Malformed`] for a tensor not found: `tensor` when one was named, else
/// the input embedding; `listing` from [`matrix_listing`].
pub(crate) fn not_found(tensor: Option<&str>, listing: String) -> Malformed {
    let expected = match tensor {
        Some(name) => format!("a tensor named `{name}`"),
        None => "an input embedding: a 2-D tensor named like `model.embed_tokens.weight`, \
                 `transformer.wte.weight` or `embeddings.word_embeddings.weight` (or name one with --tensor)"
            .to_string(),
    };
    Malformed::new(Location::Byte(HEADER), expected, listing)
}

/// The 2-D tensors among `tensors`, for a message.
pub(crate) fn listing(tensors: &[(String, TensorView<'_>)]) -> String {
    matrix_listing(tensors.iter().map(|(name, view)| match view.shape() {
        &[rows, dim] => (name, Some([rows, dim])),
        _ => (name, None),
    }))
}

/// The first `limit` rows of the 2-D tensor `name` of a safetensors file
/// (`bytes`, the whole file, so errors can give offsets), widened to `f32`
/// from the mapping straight into the one matrix, a block of rows per task
/// on every core. From a mapped file ([`Pages::Mapped`]) each block's source
/// pages are given back as soon as it is widened, so a `bf16` checkpoint and
/// its `f32` matrix are never both whole in memory.
///
/// # Errors
/// A [`Malformed`] for a tensor that is not 2-D, a dtype other than F32,
/// F16, BF16 and F64, or a value that is not a finite `f32` (at its byte).
pub(crate) fn read_tensor(
    bytes: &[u8],
    name: &str,
    view: &TensorView<'_>,
    limit: Option<usize>,
    pages: Pages,
) -> Result<Matrix, Malformed> {
    // No rows would leave the columns unbounded by any data.
    let (rows, dim) = match *view.shape() {
        [rows, dim] if rows > 0 && dim > 0 => (rows, dim),
        _ => {
            return Err(Malformed::new(
                Location::Byte(HEADER),
                format!("a 2-D tensor `{name}` with at least one row and one column"),
                format!("shape {:?}", view.shape()),
            ));
        }
    };
    let dtype = view.dtype();
    let item = match dtype {
        Dtype::F32 => 4,
        Dtype::F16 | Dtype::BF16 => 2,
        Dtype::F64 => 8,
        other => {
            return Err(Malformed::new(
                Location::Byte(HEADER),
                format!("F32, F16, BF16 or F64 values in `{name}`"),
                other.to_string(),
            ));
        }
    };
    let keep = rows.min(limit.unwrap_or(usize::MAX));
    let data = &view.data()[..keep * dim * item];
    let mut values = huge_pages::zeroed(keep * dim);
    let task = task_values(dim);
    values
        .par_chunks_mut(task)
        .zip(data.par_chunks(task * item))
        .for_each(|(out, data)| {
            match dtype {
                Dtype::F32 => read_f32(out, data),
                Dtype::F16 => read_f16(out, data),
                Dtype::BF16 => {
                    for (v, b) in out.iter_mut().zip(data.chunks_exact(2)) {
                        *v = bf16::from_le_bytes([b[0], b[1]]).to_f32();
                    }
                }
                _ => read_f64(out, data),
            }
            pages.done_with(data);
        });
    if let Some(bad) = first_non_finite(&values) {
        let offset = data.as_ptr() as usize - bytes.as_ptr() as usize;
        return Err(not_finite(name, offset, item, dim, bad, values[bad]));
    }
    let vectors = Array2::from_shape_vec((keep, dim), values).expect("dim values per row");
    Ok(Matrix { vectors, rows })
}

/// A header the `safetensors` crate refused, placed at the length prefix or
/// the JSON header.
pub(crate) fn refused(error: SafeTensorError, bytes: &[u8]) -> Malformed {
    let length = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
    match error {
        SafeTensorError::HeaderTooSmall
        | SafeTensorError::HeaderTooLarge
        | SafeTensorError::InvalidHeaderLength => Malformed::new(
            Location::Byte(0),
            "an 8-byte little-endian header length within the file",
            match length {
                Some(n) => format!("{n} ({} bytes in the file)", bytes.len()),
                None => format!("a file of {} bytes", bytes.len()),
            },
        ),
        SafeTensorError::MetadataIncompleteBuffer => Malformed::new(
            Location::Byte(bytes.len() as u64),
            "tensor data ending exactly where the header's data_offsets end",
            format!("a file of {} bytes", bytes.len()),
        ),
        other => Malformed::new(
            Location::Byte(HEADER),
            "a valid safetensors JSON header",
            other.to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(tensors: &[(&str, &str, &[usize], Vec<u8>)]) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        let mut data = Vec::new();
        for (name, dtype, shape, bytes) in tensors {
            let begin = data.len();
            data.extend_from_slice(bytes);
            header.insert(
                name.to_string(),
                serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [begin, data.len()]}),
            );
        }
        let header = serde_json::to_vec(&header).unwrap();
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend(header);
        out.extend(data);
        out
    }

    #[test]
    fn bf16_and_f16_widen_exactly() {
        let bf: Vec<u8> = [1.5f32, -0.25]
            .iter()
            .flat_map(|&v| bf16::from_f32(v).to_le_bytes())
            .collect();
        let h: Vec<u8> = [2.0f32, 0.125]
            .iter()
            .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
            .collect();
        let bytes = file(&[
            ("a.embed_tokens.weight", "BF16", &[1, 2], bf),
            ("b", "F16", &[2, 1], h),
        ]);
        assert_eq!(
            parse_safetensors(&bytes, None, None)
                .unwrap()
                .1
                .vectors
                .as_slice()
                .unwrap(),
            [1.5, -0.25]
        );
        assert_eq!(
            parse_safetensors(&bytes, Some("b"), None)
                .unwrap()
                .1
                .vectors
                .as_slice()
                .unwrap(),
            [2.0, 0.125]
        );
    }

    #[test]
    fn the_default_is_the_first_matching_2d_tensor_by_name() {
        let f32s = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let bytes = file(&[
            ("z.word_embeddings.weight", "F32", &[1, 1], f32s(&[2.0])),
            ("a.word_embeddings.bias", "F32", &[1], f32s(&[9.0])),
            ("m.word_embeddings.weight", "F32", &[1, 1], f32s(&[1.0])),
        ]);
        assert_eq!(
            parse_safetensors(&bytes, None, None).unwrap().0,
            "m.word_embeddings.weight"
        );
    }

    #[test]
    fn integer_tensors_and_wrong_ranks_are_refused() {
        let bytes = file(&[
            ("ids", "I64", &[1, 1], vec![0; 8]),
            ("v", "F32", &[2], vec![0; 8]),
        ]);
        assert_eq!(
            parse_safetensors(&bytes, Some("ids"), None).unwrap_err().found,
            "I64"
        );
        assert_eq!(
            parse_safetensors(&bytes, Some("v"), None).unwrap_err().found,
            "shape [2]"
        );
        let e = parse_safetensors(&bytes, None, None).unwrap_err();
        assert_eq!(e.found, "2-D tensors: `ids` (1×1)");
    }

    #[test]
    fn a_truncated_file_is_refused_at_its_end() {
        let bytes = file(&[("w", "F32", &[1, 2], vec![0; 8])]);
        let e = parse_safetensors(&bytes[..bytes.len() - 3], None, None).unwrap_err();
        assert_eq!(e.at, Location::Byte(bytes.len() as u64 - 3));
    }
}

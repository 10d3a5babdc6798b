//! Hugging Face `.safetensors` files: the embedding matrix is one 2-D tensor
//! among the model's weights.
//!
//! The header is read and checked by Hugging Face's own `safetensors` crate.
//! Without `--tensor NAME`, the table is the first 2-D tensor, in name order,
//! whose name contains `word_embeddings` (BERT family) or `embed_tokens`
//! (Llama family). `F32`, `F16`, `BF16` and `F64` values become `f32`.

use half::bf16;
use ndarray::Array2;
use safetensors::{Dtype, SafeTensorError, SafeTensors};

use rayon::prelude::*;

use super::Matrix;
use super::huge_pages;
use super::load_error::{Location, Malformed, matrix_listing};
use super::mapped_rows;
use super::raw_floats::{first_non_finite, read_f16, read_f32, read_f64};

/// The offset of the JSON header: after its 8-byte length.
const HEADER: u64 = 8;

/// Reads the embedding matrix of a safetensors file: the tensor `tensor`, or
/// the default one; at most `limit` rows. Returns the tensor's name and matrix.
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
    let found = Tensor::locate(bytes, tensor, limit)?;
    let matrix = found.decode(bytes, false)?;
    Ok((found.name, matrix))
}

/// A checked tensor: its name, type, shape, and where its data is.
#[derive(Debug, Clone)]
pub(crate) struct Tensor {
    /// The tensor's name.
    pub name: String,
    dtype: Dtype,
    /// Bytes per value.
    pub item: usize,
    /// Rows in the file.
    pub rows: usize,
    /// Rows kept (at most the limit).
    pub keep: usize,
    /// Columns.
    pub dim: usize,
    /// Where the data starts in the file.
    pub data: usize,
}

impl Tensor {
    /// Finds and checks the tensor [`parse_safetensors`] reads (everything it
    /// refuses except a value that is not finite).
    pub(crate) fn locate(
        bytes: &[u8],
        tensor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Tensor, Malformed> {
        let file = SafeTensors::deserialize(bytes).map_err(|error| refused(error, bytes))?;
        let mut tensors = file.tensors();
        tensors.sort_by(|a, b| a.0.cmp(&b.0));
        let found = match tensor {
            Some(name) => tensors.iter().find(|(n, _)| n == name),
            None => tensors.iter().find(|(n, view)| {
                view.shape().len() == 2 && (n.contains("word_embeddings") || n.contains("embed_tokens"))
            }),
        };
        let Some((name, view)) = found else {
            let expected = match tensor {
                Some(name) => format!("a tensor named `{name}`"),
                None => "a 2-D tensor whose name contains `word_embeddings` or `embed_tokens` (or name one with --tensor)"
                    .to_string(),
            };
            return Err(Malformed::new(
                Location::Byte(HEADER),
                expected,
                matrix_listing(tensors.iter().map(|(name, view)| match view.shape() {
                    &[rows, dim] => (name, Some([rows, dim])),
                    _ => (name, None),
                })),
            ));
        };
        let &[rows, dim] = view.shape() else {
            return Err(Malformed::new(
                Location::Byte(HEADER),
                format!("a 2-D tensor `{name}`"),
                format!("shape {:?}", view.shape()),
            ));
        };
        let item = match view.dtype() {
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
        Ok(Tensor {
            name: name.clone(),
            dtype: view.dtype(),
            item,
            rows,
            keep: rows.min(limit.unwrap_or(usize::MAX)),
            dim,
            data: view.data().as_ptr() as usize - bytes.as_ptr() as usize,
        })
    }

    /// The kept rows as `f32`, decoded on every core. With `release` (only
    /// for bytes in a read-only file mapping) each block's source pages are
    /// given back as soon as it is decoded, so a `bf16` file and its `f32`
    /// matrix are never both whole in memory.
    pub(crate) fn decode(&self, bytes: &[u8], release: bool) -> Result<Matrix, Malformed> {
        const BLOCK: usize = 1 << 20;
        let (item, dim) = (self.item, self.dim);
        let data = &bytes[self.data..self.data + self.keep * dim * item];
        let mut values = huge_pages::zeroed(self.keep * dim);
        let first_bad = values
            .par_chunks_mut(BLOCK)
            .zip(data.par_chunks(BLOCK * item))
            .enumerate()
            .filter_map(|(block, (out, data))| {
                match self.dtype {
                    Dtype::F32 => read_f32(out, data),
                    Dtype::F16 => read_f16(out, data),
                    Dtype::BF16 => {
                        for (v, b) in out.iter_mut().zip(data.chunks_exact(2)) {
                            *v = bf16::from_le_bytes([b[0], b[1]]).to_f32();
                        }
                    }
                    _ => read_f64(out, data),
                }
                if release {
                    mapped_rows::release(data);
                }
                first_non_finite(out).map(|bad| block * BLOCK + bad)
            })
            .min();
        if let Some(bad) = first_bad {
            return Err(self.not_finite(bad, values[bad]));
        }
        let vectors = Array2::from_shape_vec((self.keep, dim), values).expect("dim values per row");
        Ok(Matrix {
            vectors,
            rows: self.rows,
        })
    }

    /// The refusal of the `bad`-th value (row-major), `value` as read.
    pub(crate) fn not_finite(&self, bad: usize, value: f32) -> Malformed {
        Malformed::new(
            Location::Byte((self.data + bad * self.item) as u64),
            format!(
                "a finite f32 in `{}` at row {}, column {}",
                self.name,
                bad / self.dim + 1,
                bad % self.dim + 1
            ),
            format!("{value:?}"),
        )
    }
}

/// A header the `safetensors` crate refused, placed at the length prefix or
/// the JSON header.
fn refused(error: SafeTensorError, bytes: &[u8]) -> Malformed {
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

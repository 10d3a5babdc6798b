//! The structure of a GGUF file before its tensor data: magic, version,
//! metadata and tensor infos, and where the aligned data section starts.
//!
//! Every count and length in a header is untrusted: each is checked against
//! the bytes left before anything is reserved or read, in overflow-checked
//! arithmetic, so a hostile header costs neither memory nor time. Metadata
//! values are kept as spans of the file (no copy); arrays are decoded when a
//! caller walks them.

use std::collections::HashSet;

use super::dequantize::GgmlType;
use super::value::Value;
use crate::embeddings::byte_cursor::ByteCursor;
use crate::embeddings::load_error::{Location, Malformed, shown};

/// The data section's alignment when `general.alignment` is absent.
const DEFAULT_ALIGNMENT: u64 = 32;

/// ggml's `GGML_MAX_DIMS`: llama.cpp refuses tensors of more dimensions.
const MAX_DIMS: u32 = 4;

/// The smallest tensor info: an empty name (8), `n_dims` (4), one dimension
/// (8), the type (4) and the offset (8).
const MIN_TENSOR_INFO: u64 = 32;

/// The smallest metadata entry: an empty key (8), the value type (4) and a
/// one-byte value.
const MIN_METADATA_ENTRY: u64 = 13;

/// The most entries or tensor infos reserved for before they are read: a
/// count the file can hold may still be a lie, and each parsed item takes
/// more memory than its smallest encoding.
const RESERVE: u64 = 4096;

/// A GGUF header, borrowing the file's bytes.
#[derive(Debug)]
pub(crate) struct Header<'a> {
    /// 2 or 3 (the same layout in little-endian files; 3 allows big-endian).
    pub version: u32,
    /// Key–value pairs in file order.
    pub metadata: Vec<Entry<'a>>,
    /// Tensor infos in file order.
    pub tensors: Vec<TensorInfo<'a>>,
    /// Where the tensor infos start in the file.
    pub tensors_at: usize,
    /// Where the data section starts: after the tensor infos, aligned.
    pub data_start: u64,
}

/// One metadata key and its value.
#[derive(Debug)]
pub(crate) struct Entry<'a> {
    pub key: &'a [u8],
    pub value: Value<'a>,
}

/// A tensor as the header describes it.
#[derive(Debug)]
pub(crate) struct TensorInfo<'a> {
    pub name: &'a [u8],
    /// Dimensions fastest first, as GGUF lists them (`ne[0]` is a row's length).
    pub dims: Vec<u64>,
    /// The ggml type id, and the type when it is one ggml defines.
    pub type_id: u32,
    pub ggml_type: Option<GgmlType>,
    /// The data's offset from the data section's start.
    pub offset: u64,
    /// Where this tensor's info starts in the file.
    pub at: usize,
    /// Where its type id is in the file.
    pub type_at: usize,
}

impl TensorInfo<'_> {
    /// The shape as rows × columns are usually written: slowest first.
    pub fn shape(&self) -> String {
        let dims: Vec<String> = self.dims.iter().rev().map(u64::to_string).collect();
        dims.join("×")
    }
}

impl<'a> Header<'a> {
    /// Reads and checks the header of the GGUF file `bytes`.
    ///
    /// Beyond the layout, it checks what llama.cpp checks: a power-of-two
    /// `general.alignment` of type `uint32`, unique keys and tensor names, one
    /// to four dimensions, rows of whole blocks, tensor offsets on the
    /// alignment, and data inside the file for every tensor of a known type.
    pub fn read(bytes: &'a [u8]) -> Result<Header<'a>, Malformed> {
        let mut r = ByteCursor::new(bytes);
        let magic = r.take(4, || "the GGUF magic".into()).map_err(|e| {
            Malformed::new(
                e.at,
                "the GGUF magic `GGUF`",
                format!("a file of {} bytes", bytes.len()),
            )
        })?;
        if magic != b"GGUF" {
            return Err(Malformed::new(
                Location::Byte(0),
                "the GGUF magic `GGUF`",
                shown(magic),
            ));
        }
        let version = r.u32(|| "the GGUF version".into())?;
        if !matches!(version, 2 | 3) {
            let found = match version {
                1 => "version 1 (2023's first GGUF, which llama.cpp no longer reads either)".to_string(),
                v if matches!(v.swap_bytes(), 2 | 3) => {
                    format!("version {v} (a big-endian file, which embspace does not read)")
                }
                v => format!("version {v}"),
            };
            return Err(Malformed::new(Location::Byte(4), "GGUF version 2 or 3", found));
        }
        let tensor_count = r.count(MIN_TENSOR_INFO, "tensor count")?;
        let entry_count = r.count(MIN_METADATA_ENTRY, "metadata entry count")?;

        let mut metadata: Vec<Entry<'a>> = Vec::with_capacity(entry_count.min(RESERVE) as usize);
        let mut keys = HashSet::new();
        let mut alignment = DEFAULT_ALIGNMENT;
        for i in 0..entry_count {
            let at = r.at();
            let key = r.string(|| format!("the key of metadata entry {}", i + 1))?;
            if !keys.insert(key) {
                return Err(Malformed::new(
                    at,
                    "unique metadata keys",
                    format!("{} again", shown(key)),
                ));
            }
            let kind = r.kind()?;
            let value = r.value(kind, 1)?;
            if key == b"general.alignment" {
                alignment = match value.as_u32() {
                    Some(a) if a.is_power_of_two() => u64::from(a),
                    _ => {
                        let found = match value.as_u32() {
                            Some(a) => format!("{a}"),
                            None => value.describe(),
                        };
                        return Err(Malformed::new(
                            Location::Byte(value.start as u64),
                            "a `general.alignment` that is a uint32 power of two",
                            found,
                        ));
                    }
                };
            }
            metadata.push(Entry { key, value });
        }

        let tensors_at = r.pos();
        let mut tensors: Vec<TensorInfo<'a>> = Vec::with_capacity(tensor_count.min(RESERVE) as usize);
        let mut names = HashSet::new();
        for i in 0..tensor_count {
            let tensor = tensor_info(&mut r, i + 1, alignment)?;
            if !names.insert(tensor.name) {
                return Err(Malformed::new(
                    Location::Byte(tensor.at as u64),
                    "unique tensor names",
                    format!("{} again", shown(tensor.name)),
                ));
            }
            tensors.push(tensor);
        }
        let data_start = (r.pos() as u64).next_multiple_of(alignment);
        for tensor in &tensors {
            check_extent(tensor, data_start, bytes.len() as u64)?;
        }
        Ok(Header {
            version,
            metadata,
            tensors,
            tensors_at,
            data_start,
        })
    }

    /// The value of `key`, if the file has it.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.metadata
            .iter()
            .find(|entry| entry.key == key.as_bytes())
            .map(|entry| &entry.value)
    }

    /// The tensor named `name`.
    pub fn tensor(&self, name: &str) -> Option<&TensorInfo<'a>> {
        self.tensors.iter().find(|t| t.name == name.as_bytes())
    }
}

/// Tensor info number `number` (1-based).
fn tensor_info<'a>(r: &mut ByteCursor<'a>, number: u64, alignment: u64) -> Result<TensorInfo<'a>, Malformed> {
    let at = r.pos();
    let name = r.string(|| format!("the name of tensor {number}"))?;
    let dims_at = r.at();
    let n_dims = r.u32(|| format!("the dimension count of {}", shown(name)))?;
    if !(1..=MAX_DIMS).contains(&n_dims) {
        return Err(Malformed::new(
            dims_at,
            format!("1 to {MAX_DIMS} dimensions for tensor {}", shown(name)),
            format!("{n_dims}"),
        ));
    }
    let mut dims = Vec::with_capacity(n_dims as usize);
    for _ in 0..n_dims {
        dims.push(r.u64(|| format!("a dimension of {}", shown(name)))?);
    }
    let type_at = r.pos();
    let type_id = r.u32(|| format!("the type of {}", shown(name)))?;
    let ggml_type = GgmlType::from_id(type_id);
    let offset_at = r.at();
    let offset = r.u64(|| format!("the data offset of {}", shown(name)))?;
    let tensor = TensorInfo {
        name,
        dims,
        type_id,
        ggml_type,
        offset,
        at,
        type_at,
    };
    if let Some(ty) = ggml_type {
        let row = tensor.dims[0];
        if !row.is_multiple_of(ty.block as u64) {
            return Err(Malformed::new(
                Location::Byte(type_at as u64),
                format!(
                    "rows of whole {} blocks ({} values) in {}",
                    ty.name,
                    ty.block,
                    shown(name)
                ),
                format!("rows of {row} values"),
            ));
        }
    }
    if !offset.is_multiple_of(alignment) {
        return Err(Malformed::new(
            offset_at,
            format!(
                "a data offset of {} on the {alignment}-byte alignment",
                shown(name)
            ),
            format!("offset {offset}"),
        ));
    }
    Ok(tensor)
}

/// The number of bytes of a tensor of a known type, if it fits in a `u64`.
pub(crate) fn data_bytes(tensor: &TensorInfo<'_>) -> Option<u64> {
    let ty = tensor.ggml_type?;
    let values = tensor.dims.iter().try_fold(1u64, |n, &d| n.checked_mul(d))?;
    (values / ty.block as u64).checked_mul(ty.size as u64)
}

/// Whether the data of a tensor of a known type lies inside the file.
fn check_extent(tensor: &TensorInfo<'_>, data_start: u64, file_len: u64) -> Result<(), Malformed> {
    let Some(ty) = tensor.ggml_type else {
        return Ok(()); // its size is unknown; refused only if it is the one read
    };
    let start = data_start.checked_add(tensor.offset);
    let need = data_bytes(tensor);
    let end = start.zip(need).and_then(|(s, n)| s.checked_add(n));
    if end.is_some_and(|end| end <= file_len) {
        return Ok(());
    }
    let start = start.unwrap_or(u64::MAX);
    let expected = format!(
        "{} bytes of {} data for tensor {} ({}) from byte {start}",
        need.map_or_else(|| "more than 2^64".into(), |n| n.to_string()),
        ty.name,
        shown(tensor.name),
        tensor.shape()
    );
    let (at, found) = if start < file_len {
        (start, format!("{} before the end of the file", file_len - start))
    } else {
        (file_len, format!("the end of the file at byte {file_len}"))
    };
    Err(Malformed::new(Location::Byte(at), expected, found))
}

//! TEMPORARY minimal word2vec binary reader for the analyze examples: it stands
//! in for `embspace::embeddings::load`, which is being written; switch to it
//! when it lands and delete this file.
//!
//! Format: a `V d` header line, then per token the UTF-8 token, a space, `d`
//! little-endian `f32`s and an optional newline.

use std::path::Path;

use anyhow::{Context, bail};
use embspace::ndarray::Array2;

/// Reads word2vec binary: tokens in file order and the `V×d` matrix.
pub fn read_binary(path: &Path) -> anyhow::Result<(Vec<String>, Array2<f32>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let header_end = bytes.iter().position(|&b| b == b'\n').context("no header line")?;
    let header = std::str::from_utf8(&bytes[..header_end])?;
    let mut fields = header.split_whitespace().map(str::parse::<usize>);
    let (Some(Ok(rows)), Some(Ok(dim))) = (fields.next(), fields.next()) else {
        bail!("header {header:?} is not `rows dim`");
    };
    let mut at = header_end + 1;
    let mut tokens = Vec::with_capacity(rows);
    let mut values = Vec::with_capacity(rows * dim);
    for row in 0..rows {
        while bytes.get(at) == Some(&b'\n') {
            at += 1;
        }
        let space = bytes[at..]
            .iter()
            .position(|&b| b == b' ')
            .context("token without vector")?;
        tokens
            .push(String::from_utf8(bytes[at..at + space].to_vec()).with_context(|| format!("token {row}"))?);
        at += space + 1;
        let end = at + 4 * dim;
        let chunk = bytes
            .get(at..end)
            .with_context(|| format!("vector {row} is cut short"))?;
        values.extend(
            chunk
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        at = end;
    }
    Ok((tokens, Array2::from_shape_vec((rows, dim), values)?))
}

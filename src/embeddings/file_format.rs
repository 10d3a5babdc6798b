//! The embedding file formats `embspace analyze` reads, their `--format`
//! names, and how a file's format is recognised from its name and first bytes.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use super::byte_order_mark::text_start;
use super::fasttext::looks_like_model;
use super::load_error::{LoadError, Location, Malformed};

/// An embedding file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// word2vec text: a `count dim` header line, then `token v1 … vd` rows.
    Word2VecText,
    /// word2vec binary: a `count dim` header line, then per row the token, a
    /// space and `dim` little-endian `f32`.
    Word2VecBinary,
    /// GloVe: `token v1 … vd` rows without a header.
    Glove,
    /// fastText `.vec`: word2vec text (header and rows).
    FastText,
    /// A fastText `.bin` model: word vectors composed with their character
    /// n-grams, and the n-gram buckets that give other words a vector.
    FastTextBinary,
    /// A NumPy `.npy` matrix (`f32` or `f64`, 2-D) with a vocabulary file.
    Npy,
    /// A Hugging Face `.safetensors` file, one 2-D tensor of which is the table.
    Safetensors,
    /// A llama.cpp GGUF model, whose `token_embd.weight` (or another 2-D
    /// tensor) is the table and whose tokenizer names its rows.
    Gguf,
    /// A Hugging Face model directory: `config.json`, `model.safetensors` or
    /// shards listed in `model.safetensors.index.json`, `tokenizer.json`.
    /// Recognised by being a directory ([`load`](super::load)).
    ModelDir,
}

impl Format {
    /// Whether the format is read in file order, a part after the other
    /// (text, word2vec binary, fastText models, `.npy`), as it arrives from a
    /// pipe or a gzip stream.
    pub(crate) fn reads_in_order(self) -> bool {
        matches!(
            self,
            Format::Word2VecText
                | Format::FastText
                | Format::Glove
                | Format::Word2VecBinary
                | Format::FastTextBinary
                | Format::Npy
        )
    }

    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 9] = [
        Format::Word2VecText,
        Format::Word2VecBinary,
        Format::Glove,
        Format::FastText,
        Format::FastTextBinary,
        Format::Npy,
        Format::Safetensors,
        Format::Gguf,
        Format::ModelDir,
    ];

    /// The name a `--format` flag takes.
    ///
    /// # Examples
    /// ```
    /// use embspace::embeddings::Format;
    ///
    /// assert_eq!(Format::Word2VecBinary.name(), "word2vec-binary");
    /// assert_eq!("glove".parse::<Format>(), Ok(Format::Glove));
    /// assert!("pickle".parse::<Format>().unwrap_err().to_string().contains("word2vec-binary"));
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Format::Word2VecText => "word2vec",
            Format::Word2VecBinary => "word2vec-binary",
            Format::Glove => "glove",
            Format::FastText => "fasttext",
            Format::FastTextBinary => "fasttext-binary",
            Format::Npy => "npy",
            Format::Safetensors => "safetensors",
            Format::Gguf => "gguf",
            Format::ModelDir => "model-dir",
        }
    }

    /// Recognises the format of `path` from its extension and its first bytes
    /// `head` (a few kB are plenty; [`load`](super::load) passes 64 kB).
    ///
    /// Content decides where it can: the `.npy` magic `\x93NUMPY`; the GGUF
    /// magic `GGUF` and a binary version; safetensors' 8-byte little-endian header length followed
    /// by `{`; fastText's magic 793712314 as the first little-endian `i32`, or
    /// the arguments of a fastText model from before the magic (binary
    /// integers no text file holds). Then the extension (`.npy`, `.safetensors`, `.gguf`;
    /// the one before `.gz` for a decompressed file). A first line of two positive integers is a
    /// word2vec header: the file is text (fastText for `.vec`) when the first
    /// row after it reads as text, printable ASCII values after the token,
    /// and binary otherwise, or when undecidable and the extension is `.bin`.
    /// Anything else is headerless GloVe text.
    ///
    /// # Errors
    /// [`LoadError::Malformed`] for an empty file or a UTF-16 one.
    ///
    /// # Examples
    /// ```
    /// use std::path::Path;
    /// use embspace::embeddings::Format;
    ///
    /// let detect = |name: &str, head: &[u8]| Format::detect(Path::new(name), head).unwrap();
    /// assert_eq!(detect("v.txt", b"2 3\na 1 2 3\n"), Format::Word2VecText);
    /// assert_eq!(detect("v.vec", b"2 3\na 1 2 3\n"), Format::FastText);
    /// assert_eq!(detect("v.txt", b"2 1\na \x00\x00\x80\x3f"), Format::Word2VecBinary);
    /// assert_eq!(detect("v.txt", b"the 0.1 0.2\n"), Format::Glove);
    /// assert_eq!(detect("v.vec.gz", b"2 3\na 1 2 3\n"), Format::FastText);
    /// assert_eq!(detect("v.dat", b"\x93NUMPY\x01\x00"), Format::Npy);
    /// assert_eq!(detect("model.bin", b"GGUF\x03\x00\x00\x00"), Format::Gguf);
    /// assert_eq!(detect("model.bin", b"\xba\x16\x4f\x2f\x0c\x00\x00\x00"), Format::FastTextBinary);
    /// assert!(Format::detect(Path::new("v.txt"), b"").is_err());
    /// ```
    pub fn detect(path: &Path, head: &[u8]) -> Result<Format, LoadError> {
        if head.is_empty() {
            return Err(
                Malformed::new(Location::Byte(0), "an embedding file", "an empty file").in_file(path),
            );
        }
        if head.starts_with(b"\x93NUMPY") {
            return Ok(Format::Npy);
        }
        // The version after the magic is a small little-endian u32: zero
        // bytes, never the printable text a GloVe token `GGUF…` would go on with.
        let text = |b: &u8| (b' '..=b'~').contains(b) || b.is_ascii_whitespace();
        if head.starts_with(b"GGUF") && !head[4..head.len().min(8)].iter().all(text) {
            return Ok(Format::Gguf);
        }
        if is_safetensors(head) {
            return Ok(Format::Safetensors);
        }
        if looks_like_model(head) {
            return Ok(Format::FastTextBinary);
        }
        let extension = |path: &Path| {
            path.extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default()
        };
        // `vectors.bin.gz` holds a `vectors.bin` (see `compressed.rs`).
        let extension = match extension(path).as_str() {
            "gz" => extension(Path::new(path.file_stem().unwrap_or_default())),
            other => other.to_string(),
        };
        match extension.as_str() {
            "npy" => return Ok(Format::Npy),
            "safetensors" => return Ok(Format::Safetensors),
            "gguf" => return Ok(Format::Gguf),
            _ => {}
        }
        let head = &head[text_start(head).map_err(|e| e.in_file(path))?..];
        let (first, rest) = match memchr::memchr(b'\n', head) {
            Some(end) => (&head[..end], Some(&head[end + 1..])),
            None => (head, None),
        };
        if header_sizes(first).is_none() {
            return Ok(if extension == "bin" {
                Format::Word2VecBinary
            } else {
                Format::Glove
            });
        }
        let text = match rest.map(first_row_reads_as_text) {
            Some(Some(text)) => text,
            _ => extension != "bin",
        };
        Ok(match (text, extension.as_str()) {
            (false, _) => Format::Word2VecBinary,
            (true, "vec") => Format::FastText,
            (true, _) => Format::Word2VecText,
        })
    }
}

/// Whether `head` starts as a safetensors file does: an 8-byte little-endian
/// header length, then the header's JSON. Text read as a little-endian u64 is
/// at least 0x20 << 56; a header is at most 100 MB (the `safetensors` crate's
/// limit). Other magics (gzip's, a pickle's) can share the first bytes, never
/// the `{` at byte 8.
pub(crate) fn is_safetensors(head: &[u8]) -> bool {
    head.len() > 8
        && head[8] == b'{'
        && (2..=100_000_000).contains(&u64::from_le_bytes(head[..8].try_into().expect("8 bytes")))
}

/// The `count dim` of a word2vec header line: two positive integers separated
/// by ASCII whitespace, as gensim's `header.split()` reads it.
pub(crate) fn header_sizes(line: &[u8]) -> Option<(usize, usize)> {
    let mut fields = line.split(|b| b.is_ascii_whitespace()).filter(|f| !f.is_empty());
    let mut positive = || -> Option<usize> {
        let field = fields.next()?;
        if !field.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(field).ok()?.parse().ok().filter(|&n| n > 0)
    };
    let sizes = (positive()?, positive()?);
    fields.next().is_none().then_some(sizes)
}

/// Whether the first row after a header holds printable ASCII after its token
/// (text) or not (binary `f32`); `None` when the sample ends inside the token.
fn first_row_reads_as_text(rest: &[u8]) -> Option<bool> {
    let row = memchr::memchr(b'\n', rest).map_or(rest, |end| &rest[..end]);
    let space = memchr::memchr(b' ', row)?;
    let values = &row[space + 1..];
    if values.is_empty() && row.len() == rest.len() {
        return None;
    }
    Some(
        values
            .iter()
            .all(|&b| (b' '..=b'~').contains(&b) || b == b'\t' || b == b'\r'),
    )
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--format` name that is none of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown format `{0}`: expected one of word2vec, word2vec-binary, glove, fasttext, fasttext-binary, npy, safetensors, gguf, model-dir"
)]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == name)
            .ok_or_else(|| UnknownFormat(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(name: &str, head: &[u8]) -> Format {
        Format::detect(Path::new(name), head).unwrap()
    }

    #[test]
    fn every_name_parses_back_to_its_format() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>(), Ok(format));
        }
    }

    #[test]
    fn a_header_needs_exactly_two_positive_integers() {
        assert_eq!(header_sizes(b"3 300\r"), Some((3, 300)));
        assert_eq!(header_sizes(b" 3\t300 "), Some((3, 300)));
        for bad in [
            &b"3"[..],
            b"3 300 1",
            b"0 300",
            b"3 -1",
            b"3 3.0",
            b"+3 3",
            b"the 0.1",
        ] {
            assert_eq!(header_sizes(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn a_text_row_with_a_non_utf8_token_is_still_text() {
        assert_eq!(detect("v.txt", b"1 2\n\xff\xfe 0.5 0.25\n"), Format::Word2VecText);
    }

    #[test]
    fn a_text_row_with_a_malformed_value_is_still_text() {
        assert_eq!(detect("v.bin", b"1 2\nx 0.5  abc\n"), Format::Word2VecText);
    }

    #[test]
    fn the_bin_extension_decides_when_the_sample_ends_inside_the_token() {
        assert_eq!(detect("v.bin", b"1 2\nlongtoken"), Format::Word2VecBinary);
        assert_eq!(detect("v.txt", b"1 2\nlongtoken"), Format::Word2VecText);
    }

    #[test]
    fn safetensors_is_recognised_by_its_header() {
        let mut head = 30u64.to_le_bytes().to_vec();
        head.extend_from_slice(b"{\"a\":");
        assert_eq!(detect("model.bin", &head), Format::Safetensors);
        assert_eq!(detect("model.safetensors", b"junk"), Format::Safetensors);
        assert_eq!(detect("glove.txt", b"abcdefgh{ 0.5\n"), Format::Glove);
    }

    /// The first 32 bytes of a fastText model from before the magic: `dim`,
    /// `ws`, `epoch`, `minCount`, `neg`, `wordNgrams`, `loss`, `model`.
    fn unsigned_fasttext(dim: i32, loss: i32, model: i32) -> Vec<u8> {
        [dim, 5, 5, 5, 5, 1, loss, model]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }

    #[test]
    fn fasttext_is_recognised_by_its_magic_or_its_old_arguments_whatever_the_name() {
        let signed = [793_712_314i32, 12, 100].map(i32::to_le_bytes).concat();
        assert_eq!(detect("model.bin", &signed), Format::FastTextBinary);
        assert_eq!(detect("model", &signed), Format::FastTextBinary);
        assert_eq!(
            detect("cc.en.300.bin", &unsigned_fasttext(300, 2, 2)),
            Format::FastTextBinary
        );
        assert_eq!(
            detect("m.txt", &unsigned_fasttext(10, 4, 3)),
            Format::FastTextBinary
        );
    }

    #[test]
    fn a_bin_without_fasttext_s_magic_or_arguments_stays_word2vec_binary() {
        // gensim's euclidean_vectors.bin starts so; bytes 24 to 31 are its first row's floats.
        let mut word2vec = b"2747 10\nkangaroo.n.0001 ".to_vec();
        word2vec.extend([1i32, 2].map(i32::to_le_bytes).concat());
        assert_eq!(detect("vectors.bin", &word2vec), Format::Word2VecBinary);
        for (dim, loss, model) in [(0, 2, 2), (1 << 24, 2, 2), (10, 5, 2), (10, 2, 4), (10, 0, 1)] {
            let head = unsigned_fasttext(dim, loss, model);
            assert_eq!(
                detect("v.bin", &head),
                Format::Word2VecBinary,
                "{dim} {loss} {model}"
            );
        }
        assert_eq!(
            detect("v.bin", &unsigned_fasttext(10, 2, 2)[..28]),
            Format::Word2VecBinary
        );
    }

    #[test]
    fn gguf_is_recognised_by_its_magic_or_its_extension() {
        assert_eq!(detect("model.bin", b"GGUF\x02\x00\x00\x00"), Format::Gguf);
        assert_eq!(detect("model.gguf", b"junk"), Format::Gguf);
        assert_eq!(detect("ggufs.txt", b"GGUFs 0.5\n"), Format::Glove);
    }
}

//! Compressed embedding files, as they are published: fastText's
//! `cc.en.300.vec.gz` and `.bin.gz`, word2vec's
//! `GoogleNews-vectors-negative300.bin.gz`, which gensim reads as they are.
//!
//! A gzip file (`1f 8b`, one member or several) is read as the file inside:
//! its format is found from its first decompressed bytes and the name
//! without `.gz`, and lines and byte offsets in errors count in the
//! decompressed data (as `zcat FILE | sed -n Np` shows them). Text,
//! word2vec binary tables and fastText models are parsed as they are
//! decompressed (see `streamed.rs`), as a pipe's bytes are, so the peak memory
//! is the table and a few pieces, and `--limit` stops decompressing a table at
//! its last row; the other formats read their parts where they lie, so they
//! are decompressed whole: the peak is then the file inside plus the table.
//! The compressed file's mapped pages are given back once read. Archives and
//! other compressions are refused with the command that unpacks them, and a
//! PyTorch checkpoint (a pickle, alone or in `torch.save`'s zip) with how to
//! save it as safetensors, rather than read as a table of noise.

use std::io::{BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use super::file_format::is_safetensors;
use super::load_error::{Location, Malformed};
use super::mapped_rows::Pages;
use super::streamed::{Counted, PieceSource};

/// Whether `bytes` are gzip data (safetensors files, whose header length can
/// start as gzip's or a pickle's magic does, are recognised first).
///
/// # Errors
/// A [`Malformed`] at byte 0 of a zip archive or of bzip2, xz or zstd data,
/// naming the command that unpacks it, and of a PyTorch checkpoint, saying
/// how to save it as safetensors.
pub(crate) fn is_gzip_file(bytes: &[u8]) -> Result<bool, Malformed> {
    if is_safetensors(bytes) {
        return Ok(false);
    }
    if let Some((what, advice)) = unsupported(bytes) {
        return Err(Malformed::new(
            Location::Byte(0),
            "an embedding file",
            format!("{what}: {advice}"),
        ));
    }
    Ok(is_gzip(bytes))
}

/// The decompressed bytes of gzip data in memory (or mapped, its pages
/// given back behind each piece).
pub(crate) struct MappedGzip<'a> {
    decoder: Counted<MultiGzDecoder<&'a [u8]>>,
    bytes: &'a [u8],
    pages: Pages,
    given_back: usize,
}

impl<'a> MappedGzip<'a> {
    /// The gzip data in `bytes`, whose pages are `pages`.
    pub(crate) fn new(bytes: &'a [u8], pages: Pages) -> MappedGzip<'a> {
        MappedGzip {
            decoder: Counted::new(MultiGzDecoder::new(bytes)),
            bytes,
            pages,
            given_back: 0,
        }
    }

    /// The compressed bytes read so far.
    fn at(&self) -> usize {
        self.bytes.len() - self.decoder.inner.get_ref().len()
    }
}

impl Read for MappedGzip<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        self.decoder.read(out)
    }
}

impl PieceSource for MappedGzip<'_> {
    fn failure(&self, error: std::io::Error) -> Malformed {
        gzip_failure(error, self.at(), self.decoder.read)
    }

    fn after_piece(&mut self) {
        let at = self.at();
        self.pages.done_with(&self.bytes[self.given_back..at]);
        self.given_back = at;
    }

    fn compressed(&self) -> Option<usize> {
        Some(self.at())
    }
}

/// The decompressed bytes of a gzip stream (a pipe).
pub(crate) struct StreamedGzip<R: Read> {
    decoder: Counted<MultiGzDecoder<BufReader<Counted<R>>>>,
}

impl<R: Read> StreamedGzip<R> {
    /// The gzip data `compressed` reads.
    pub(crate) fn new(compressed: R) -> StreamedGzip<R> {
        let decoder = MultiGzDecoder::new(BufReader::new(Counted::new(compressed)));
        StreamedGzip {
            decoder: Counted::new(decoder),
        }
    }

    /// The compressed bytes read so far.
    fn at(&self) -> usize {
        let buffered = self.decoder.inner.get_ref();
        buffered.get_ref().read - buffered.buffer().len()
    }
}

impl<R: Read> Read for StreamedGzip<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        self.decoder.read(out)
    }
}

impl<R: Read + Send> PieceSource for StreamedGzip<R> {
    fn failure(&self, error: std::io::Error) -> Malformed {
        gzip_failure(error, self.at(), self.decoder.read)
    }

    fn compressed(&self) -> Option<usize> {
        Some(self.at())
    }
}

/// What a failed read of gzip data means: where, at compressed byte `at`
/// after `decompressed` bytes, the data is corrupt or ends.
fn gzip_failure(error: std::io::Error, at: usize, decompressed: usize) -> Malformed {
    let found = if error.kind() == std::io::ErrorKind::UnexpectedEof {
        format!("the end of the file after {decompressed} decompressed bytes (a truncated download?)")
    } else {
        error.to_string()
    };
    Malformed::new(Location::Byte(at as u64), "gzip data", found)
}

/// gzip's magic and its only compression method (deflate), with none of the
/// reserved flag bits set.
fn is_gzip(bytes: &[u8]) -> bool {
    matches!(bytes, [0x1F, 0x8B, 0x08, flags, ..] if flags & 0xE0 == 0)
}

/// What to do with a PyTorch checkpoint, a file or a model directory's
/// `pytorch_model.bin`: a pickle is a program, and unpickling runs it.
pub(crate) const PYTORCH_ADVICE: &str = "save the model as safetensors first \
    (transformers: `model.save_pretrained(DIR, safe_serialization=True)`); pickles are not read, \
    since loading one runs its code";

/// What a file is that only another tool unpacks, and how to unpack it.
fn unsupported(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    const BZIP2_BLOCK: &[u8] = b"1AY&SY";
    const BZIP2_END: &[u8] = b"\x17rE8P\x90";
    // `torch.save` writes a zip whose first member is `<name>/data.pkl`: the
    // local header's name length is at byte 26, the name at byte 30.
    let torch_zip = || {
        let length = bytes
            .get(26..28)
            .map_or(0, |l| usize::from(u16::from_le_bytes([l[0], l[1]])));
        bytes
            .get(30..30 + length)
            .is_some_and(|name| name.ends_with(b"data.pkl"))
    };
    Some(match bytes {
        [b'P', b'K', 3, 4, ..] if torch_zip() => {
            ("a PyTorch checkpoint (`torch.save`'s zip)", PYTORCH_ADVICE)
        }
        // A pickle of protocol 2 to 5, as PyTorch wrote before 1.6 (`.bin`, `.pt`, `.ckpt`).
        [0x80, 2..=5, ..] => ("a Python pickle (PyTorch's older `torch.save`)", PYTORCH_ADVICE),
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => (
            "a zip archive",
            "extract the table first (`unzip -l FILE` lists what it holds)",
        ),
        [b'B', b'Z', b'h', b'1'..=b'9', rest @ ..]
            if rest.starts_with(BZIP2_BLOCK) || rest.starts_with(BZIP2_END) =>
        {
            ("bzip2-compressed data", "decompress it first (`bunzip2 -k FILE`)")
        }
        [0xFD, b'7', b'z', b'X', b'Z', 0, ..] => {
            ("xz-compressed data", "decompress it first (`unxz -k FILE`)")
        }
        [0x28, 0xB5, 0x2F, 0xFD, ..] => ("zstd-compressed data", "decompress it first (`unzstd FILE`)"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;
    use crate::embeddings::streamed::in_pieces;

    /// The decompressed bytes of gzip data, or where it is damaged.
    fn decompressed(bytes: &[u8]) -> Result<Vec<u8>, Malformed> {
        let mut inner = Vec::new();
        MappedGzip::new(bytes, Pages::Owned).read_up_to(usize::MAX, &mut inner)?;
        Ok(inner)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gzip_members_decompress_to_the_file_inside() {
        let text = b"2 2\nking 1 2\nqueen 1 3\n";
        assert_eq!(decompressed(&gzip(text)).unwrap(), text);
        // Members written one after another (bgzip, `cat a.gz b.gz`) read as one file.
        let two = [gzip(b"2 2\nking 1 2\n"), gzip(b"queen 1 3\n")].concat();
        assert_eq!(decompressed(&two).unwrap(), text);
        assert_eq!(decompressed(&gzip(b"")).unwrap(), b"");
    }

    #[test]
    fn pieces_are_the_file_inside_in_order_and_stop_when_the_reader_does() {
        let text = b"king 1 2\n".repeat(1000);
        let data = gzip(&text);
        let in_pieces_of = |data, piece| {
            in_pieces(MappedGzip::new(data, Pages::Owned), piece, |pieces| {
                pieces.collect::<Vec<_>>()
            })
            .0
        };
        let pieces: Vec<_> = in_pieces_of(&data, 1000)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert!(pieces[..pieces.len() - 1].iter().all(|piece| piece.len() == 1000));
        assert_eq!(pieces.concat(), text);
        // A reader that stops early leaves the thread nothing to wait for.
        let (first, gzip) = in_pieces(MappedGzip::new(&data, Pages::Owned), 10, |pieces| pieces.next());
        assert_eq!(first.unwrap().unwrap(), b"king 1 2\nk");
        assert!(gzip.decoder.read < text.len());
        // A truncated file: the pieces before the damage, then its error.
        let cut = &data[..data.len() / 2];
        let read = in_pieces_of(cut, 1000);
        let error = read.last().unwrap().as_ref().unwrap_err();
        assert_eq!(error.at, decompressed(cut).unwrap_err().at);
        assert!(read[..read.len() - 1].iter().all(Result::is_ok));
    }

    #[test]
    fn a_damaged_size_in_the_trailer_is_refused() {
        let mut bytes = gzip(b"king 1 2\n");
        let end = bytes.len();
        bytes[end - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        // Checked after the data, the size is refused.
        assert_eq!(decompressed(&bytes).unwrap_err().expected, "gzip data");
    }

    #[test]
    fn other_files_are_left_alone() {
        for bytes in [
            &b""[..],
            b"2 2\nking 1 2\n",
            b"\x93NUMPY",
            b"\x1f\x8b",
            b"BZh9 1 2\n",
            b"PK 1 2\n",
        ] {
            assert!(!is_gzip_file(bytes).unwrap(), "{bytes:?}");
        }
        // A safetensors header of 560 927 bytes starts as gzip does; its JSON gives it away.
        let mut safetensors = 560_927u64.to_le_bytes().to_vec();
        safetensors.extend(b"{\"a\":1}");
        assert!(!is_gzip_file(&safetensors).unwrap());
    }

    #[test]
    fn a_truncated_or_corrupt_gzip_names_the_compressed_byte() {
        let whole = gzip(&b"king 1 2\n".repeat(1000));
        let error = decompressed(&whole[..whole.len() / 2]).unwrap_err();
        assert_eq!(error.expected, "gzip data");
        assert!(
            error
                .found
                .ends_with("decompressed bytes (a truncated download?)"),
            "{}",
            error.found
        );
        assert_eq!(error.at, Location::Byte(whole.len() as u64 / 2));

        let mut corrupt = whole.clone();
        corrupt[12] ^= 0xFF;
        let error = decompressed(&corrupt).unwrap_err();
        assert!(
            matches!(error.at, Location::Byte(at) if at <= corrupt.len() as u64),
            "{error:?}"
        );
        assert_eq!(error.expected, "gzip data");
    }

    #[test]
    fn pytorch_checkpoints_say_how_to_save_them_as_safetensors() {
        // The local header of `torch.save`'s first member, `archive/data.pkl`.
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend([0; 22]);
        zip.extend(16u16.to_le_bytes());
        zip.extend([0, 0]);
        zip.extend(b"archive/data.pkl\x80\x02");
        // PyTorch's legacy format starts with a pickled magic number.
        let pickle = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.";
        for (bytes, what) in [
            (&zip[..], "a PyTorch checkpoint (`torch.save`'s zip)"),
            (pickle, "a Python pickle (PyTorch's older `torch.save`)"),
        ] {
            let error = is_gzip_file(bytes).unwrap_err();
            assert_eq!(error.found, format!("{what}: {PYTORCH_ADVICE}"));
        }
        // A safetensors header of 640 bytes starts as a pickle does.
        let mut safetensors = 640u64.to_le_bytes().to_vec();
        safetensors.extend(b"{\"a\":1}");
        assert!(!is_gzip_file(&safetensors).unwrap());
    }

    #[test]
    fn archives_and_other_compressions_say_how_to_unpack_them() {
        for (bytes, found) in [
            (
                &b"PK\x03\x04\x14\x00"[..],
                "a zip archive: extract the table first (`unzip -l FILE` lists what it holds)",
            ),
            (
                b"BZh91AY&SY\x00",
                "bzip2-compressed data: decompress it first (`bunzip2 -k FILE`)",
            ),
            (
                b"\xfd7zXZ\x00\x00",
                "xz-compressed data: decompress it first (`unxz -k FILE`)",
            ),
            (
                b"\x28\xb5\x2f\xfd\x00",
                "zstd-compressed data: decompress it first (`unzstd FILE`)",
            ),
        ] {
            let error = is_gzip_file(bytes).unwrap_err();
            assert_eq!(
                (error.at, error.expected.as_str(), error.found.as_str()),
                (Location::Byte(0), "an embedding file", found)
            );
        }
    }
}

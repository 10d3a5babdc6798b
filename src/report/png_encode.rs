//! PNG encoding of the figures: RGB, 8 bits, the Up filter, zlib at level 1.
//!
//! This writes the bytes the `png` crate writes with those settings (a unit
//! test compares them), with less work around the compressor: each thread
//! keeps its compressor (about 300 kB of window and hash tables) and resets
//! it rather than allocating and zeroing a new one for every figure, filters
//! into a row it keeps, and compresses into a buffer it keeps, so a figure
//! costs one allocation, its file.

use std::cell::RefCell;

use flate2::{Compress, Compression, FlushCompress, Status};

/// The PNG signature.
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
/// Filter type byte of the Up filter: each byte minus the one above it.
const UP: u8 = 2;

/// What a thread keeps between figures: the compressor, a filtered row and
/// room for the compressed stream.
struct Encoder {
    zlib: Compress,
    row: Vec<u8>,
    idat: Vec<u8>,
}

thread_local! {
    static ENCODER: RefCell<Option<Encoder>> = const { RefCell::new(None) };
}

/// `rgb` (`width × height` pixels, row-major, 3 bytes each) as a PNG file.
///
/// # Panics
/// When `rgb` does not hold `width × height` pixels.
pub(crate) fn encode_rgb(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
    let row_bytes = width as usize * 3;
    assert_eq!(
        rgb.len(),
        row_bytes * height as usize,
        "one RGB pixel per position"
    );
    ENCODER.with_borrow_mut(|encoder| {
        let Encoder { zlib, row, idat } = encoder.get_or_insert_with(|| Encoder {
            zlib: Compress::new(Compression::new(1), true),
            row: Vec::new(),
            idat: Vec::new(),
        });
        zlib.reset();
        idat.clear();
        // Row by row, the filter type byte and then the row, each in a call
        // of its own, as the `png` crate writes them through flate2: where
        // deflate slides its window depends on how its input arrives, and
        // with it which matches it finds, so this keeps the crate's bytes.
        row.resize(row_bytes, 0);
        let mut above: &[u8] = &[];
        for line in rgb.chunks_exact(row_bytes) {
            if above.is_empty() {
                row.copy_from_slice(line);
            } else {
                for ((r, &x), &b) in row.iter_mut().zip(line).zip(above) {
                    *r = x.wrapping_sub(b);
                }
            }
            deflate(zlib, &[UP], idat, FlushCompress::None);
            deflate(zlib, row, idat, FlushCompress::None);
            above = line;
        }
        deflate(zlib, &[], idat, FlushCompress::Finish);
        let mut png = Vec::with_capacity(SIGNATURE.len() + 3 * 12 + 13 + idat.len());
        png.extend_from_slice(&SIGNATURE);
        let mut header = [0u8; 13];
        header[..4].copy_from_slice(&width.to_be_bytes());
        header[4..8].copy_from_slice(&height.to_be_bytes());
        // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
        header[8..].copy_from_slice(&[8, 2, 0, 0, 0]);
        chunk(&mut png, b"IHDR", &header);
        chunk(&mut png, b"IDAT", idat);
        chunk(&mut png, b"IEND", &[]);
        png
    })
}

/// Feed all of `input` to `zlib`, appending its output to `out`; with
/// `Finish`, until the stream ends.
fn deflate(zlib: &mut Compress, input: &[u8], out: &mut Vec<u8>, flush: FlushCompress) {
    /// Free room for output before each call (flate2's writer offers 32 kB).
    const ROOM: usize = 32 * 1024;
    let start = zlib.total_in();
    loop {
        out.reserve(ROOM);
        let consumed = (zlib.total_in() - start) as usize;
        let status = zlib
            .compress_vec(&input[consumed..], out, flush)
            .expect("deflating a buffer in memory cannot fail");
        let all_in = (zlib.total_in() - start) as usize == input.len();
        let finished = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            _ => all_in,
        };
        if finished {
            return;
        }
    }
}

/// Append a chunk: length, type, data, and the CRC-32 of type and data.
fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let length = u32::try_from(data.len()).expect("a figure's chunk is far below 2 GB");
    png.extend_from_slice(&length.to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(&crc.sum().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: the `png` crate with the same settings.
    fn png_crate(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_filter(png::Filter::Up);
        encoder.set_deflate_compression(png::DeflateCompression::Level(1));
        encoder.write_header().unwrap().write_image_data(rgb).unwrap();
        bytes
    }

    #[test]
    fn bytes_equal_the_png_crates_and_decode_to_the_pixels() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
        let (w, h) = (300u32, 200u32);
        // A white page with a noisy block (incompressible rows), a flat band
        // (long matches) and a gradient, encoded twice on the same thread
        // (the second time from the reset compressor).
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        for (i, px) in rgb.chunks_exact_mut(3).enumerate() {
            let (x, y) = (i as u32 % w, i as u32 / w);
            if x < 120 && y < 80 {
                rng.fill(px);
            } else if y > 150 {
                px.copy_from_slice(&[(x % 256) as u8, 0x77, (y % 256) as u8]);
            } else if (100..110).contains(&y) {
                px.copy_from_slice(&[0x00, 0x77, 0xBB]);
            }
        }
        for _ in 0..2 {
            let ours = encode_rgb(&rgb, w, h);
            assert_eq!(ours, png_crate(&rgb, w, h));
            let mut reader = png::Decoder::new(std::io::Cursor::new(&ours))
                .read_info()
                .unwrap();
            let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
            reader.next_frame(&mut pixels).unwrap();
            assert_eq!(pixels, rgb);
        }
        let tiny = [1, 2, 3, 4, 5, 6];
        assert_eq!(encode_rgb(&tiny, 1, 2), png_crate(&tiny, 1, 2));
    }
}

//! Text and word2vec binary tables, fastText models and `.npy` matrices read
//! as their bytes arrive, a window at a time, so that a gzipped table
//! (fastText's `cc.en.300.vec.gz` and `.bin.gz`, word2vec's
//! `GoogleNews-vectors-negative300.bin.gz`) or a table piped in never sits
//! whole in memory beside its matrix.
//!
//! A [`RowReader`] (the text, the binary, the fastText and the `.npy` reader) is given a
//! window of the file's bytes, reads the rows that end inside it, and says
//! how many bytes it is done with; the rest (a row cut by the window's end)
//! starts the next window. A file on disk or in memory is one window, read exactly as before;
//! a gzip file or a pipe is read in pieces on a thread of its own
//! ([`in_pieces`], from a [`PieceSource`]) while the rows of the previous
//! piece are parsed, and reading stops at `--limit` rows without reading the
//! rest. Each window's rows are read onto the end of one growing matrix
//! ([`grow_zeroed`]), so the peak is the table and a few pieces.

use std::io::Read;
use std::sync::mpsc::sync_channel;

use super::binary::BinaryRows;
use super::file_format::Format;
use super::huge_pages;
use super::load::{LoadOptions, Table};
use super::load_error::{Location, Malformed};
use super::mapped_rows::Pages;
use super::text::TextRows;

/// Bytes handed to a reader at a time: large enough that
/// joining a piece to the previous one's unread tail and splitting it into
/// parallel tasks cost little, small enough to be nothing beside a table.
const PIECE: usize = 16 << 20;

/// A table format read a window of bytes at a time, in file order.
pub(crate) trait RowReader {
    /// What the reader reads: a [`Table`], or a fastText model.
    type Output;

    /// Reads the rows that end in `window`, the file's bytes from byte
    /// `offset` on (to its end when `last`), giving back mapped `pages` as
    /// it goes; returns how many leading bytes of `window` it is done with.
    /// With `last`, every row must end in the window.
    ///
    /// # Errors
    /// A [`Malformed`] at the first offending line or byte of the file.
    fn read(&mut self, window: &[u8], offset: usize, last: bool, pages: Pages) -> Result<usize, Malformed>;

    /// Whether the rows wanted have all been read and nothing after them
    /// matters (a `limit` below the table's size).
    fn done(&self) -> bool;

    /// The table read.
    ///
    /// # Errors
    /// A [`Malformed`] for what only the end of the file shows: fewer rows
    /// than a header announced, or data after them.
    fn finish(self) -> Result<Self::Output, Malformed>;
}

/// The reader of a format whose rows follow one another (text, word2vec binary).
pub(crate) enum Rows {
    Text(TextRows),
    Binary(BinaryRows),
}

impl Rows {
    /// `format`'s reader, keeping `options`' limit and lossiness.
    pub(crate) fn new(format: Format, options: &LoadOptions) -> Rows {
        let (limit, lossy) = (options.limit, options.lossy);
        match format {
            Format::Word2VecBinary => Rows::Binary(BinaryRows::new(limit, lossy)),
            _ => Rows::Text(TextRows::new(format != Format::Glove, limit, lossy)),
        }
    }
}

impl RowReader for Rows {
    type Output = Table;

    fn read(&mut self, window: &[u8], offset: usize, last: bool, pages: Pages) -> Result<usize, Malformed> {
        match self {
            Rows::Text(rows) => rows.read(window, offset, last, pages),
            Rows::Binary(rows) => rows.read(window, offset, last, pages),
        }
    }

    fn done(&self) -> bool {
        match self {
            Rows::Text(rows) => rows.done(),
            Rows::Binary(rows) => rows.done(),
        }
    }

    fn finish(self) -> Result<Table, Malformed> {
        match self {
            Rows::Text(rows) => rows.finish(),
            Rows::Binary(rows) => rows.finish(),
        }
    }
}

/// Where a reader's bytes come from.
pub(crate) enum Source<'a> {
    /// The file's bytes, mapped or in memory.
    Plain(&'a [u8], Pages),
    /// Bytes that arrive in order (a pipe's, or gzip data's decompressed):
    /// the first ones, then the rest.
    Stream(Vec<u8>, Box<dyn PieceSource + 'a>),
}

/// A table read from a [`Source`].
pub(crate) struct Streamed<T> {
    pub(crate) table: T,
    /// Bytes of the (decompressed) file read.
    pub(crate) read: usize,
    /// Whether the file was read to its end (not stopped at a limit).
    pub(crate) whole: bool,
    /// The file's last byte, when it was read to its end.
    pub(crate) last_byte: Option<u8>,
    /// Compressed bytes read, when the file is gzip data.
    pub(crate) compressed: Option<usize>,
}

impl<T> Streamed<T> {
    /// The table, and what was said about its reading.
    pub(crate) fn split(self) -> (T, Streamed<()>) {
        let Streamed {
            table,
            read,
            whole,
            last_byte,
            compressed,
        } = self;
        let streamed = Streamed {
            table: (),
            read,
            whole,
            last_byte,
            compressed,
        };
        (table, streamed)
    }
}

/// Reads the table in `source` with `reader`.
///
/// # Errors
/// The reader's [`Malformed`], or the gzip data's at its compressed byte.
pub(crate) fn read_rows<R: RowReader>(
    source: Source<'_>,
    mut reader: R,
) -> Result<Streamed<R::Output>, Malformed> {
    let (read, compressed) = match source {
        Source::Plain(bytes, pages) => {
            reader.read(bytes, 0, true, pages)?;
            let streamed = Streamed {
                table: reader.finish()?,
                read: bytes.len(),
                whole: true,
                last_byte: bytes.last().copied(),
                compressed: None,
            };
            return Ok(streamed);
        }
        Source::Stream(head, rest) => {
            let (read, rest) = in_pieces(rest, PIECE, |pieces| {
                read_pieces(std::iter::once(Ok(head)).chain(pieces), reader)
            });
            (read, rest.compressed())
        }
    };
    Ok(Streamed { compressed, ..read? })
}

/// Bytes a [`RowReader`] takes in pieces: a gzip file's decompressed
/// bytes, or a pipe's.
pub(crate) trait PieceSource: Read + Send {
    /// What a failed read means: where the data is damaged or ends early.
    fn failure(&self, error: std::io::Error) -> Malformed;

    /// Called after each piece (to give back the pages read for it).
    fn after_piece(&mut self) {}

    /// Compressed bytes read so far, when the bytes are decompressed.
    fn compressed(&self) -> Option<usize> {
        None
    }

    /// Reads up to `size` more bytes onto `out`.
    ///
    /// # Errors
    /// A [`failure`](Self::failure) to read.
    fn read_up_to(&mut self, size: usize, out: &mut Vec<u8>) -> Result<(), Malformed> {
        let read = Read::take(&mut *self, size as u64).read_to_end(out);
        read.map(drop).map_err(|error| self.failure(error))
    }
}

impl<S: PieceSource + ?Sized> PieceSource for Box<S> {
    fn failure(&self, error: std::io::Error) -> Malformed {
        (**self).failure(error)
    }

    fn after_piece(&mut self) {
        (**self).after_piece();
    }

    fn compressed(&self) -> Option<usize> {
        (**self).compressed()
    }
}

/// A reader that counts the bytes read from it: a pipe after its first
/// `read` bytes, or gzip data, compressed or decompressed.
pub(crate) struct Counted<R> {
    pub(crate) inner: R,
    pub(crate) read: usize,
}

impl<R> Counted<R> {
    /// `inner`, with nothing read from it yet.
    pub(crate) fn new(inner: R) -> Self {
        Counted { inner, read: 0 }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(out)?;
        self.read += read;
        Ok(read)
    }
}

impl<R: Read + Send> PieceSource for Counted<R> {
    fn failure(&self, error: std::io::Error) -> Malformed {
        Malformed::new(
            Location::Byte(self.read as u64),
            "the rest of the file",
            error.to_string(),
        )
    }
}

/// Reads `source` in pieces of `piece` bytes on a thread of its own while
/// `read` takes them in order (a failed read ends them); reading stops when
/// `read` returns. Returns what `read` returns, and the source.
pub(crate) fn in_pieces<S: PieceSource, T>(
    mut source: S,
    piece: usize,
    read: impl FnOnce(&mut dyn Iterator<Item = Result<Vec<u8>, Malformed>>) -> T,
) -> (T, S) {
    // A source that ends in its first piece (a small file) needs no thread.
    let (first, last) = next_piece(&mut source, piece);
    if last {
        return (read(&mut std::iter::once(first)), source);
    }
    // One piece waits while the reader parses the one before: decompressing
    // (one core) and parsing (the others) overlap.
    let (send, receive) = sync_channel(1);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            loop {
                let (read, last) = next_piece(&mut source, piece);
                // A closed channel: the reader has what it wants, or failed.
                if send.send(read).is_err() || last {
                    return source;
                }
            }
        });
        let read = read(&mut std::iter::once(first).chain(receive));
        (read, reading.join().expect("the reading thread does not panic"))
    })
}

/// The next `piece` bytes of `source` (fewer at its end), or why they
/// cannot be read; and whether they are its last.
fn next_piece<S: PieceSource>(source: &mut S, piece: usize) -> (Result<Vec<u8>, Malformed>, bool) {
    let mut out = Vec::with_capacity(piece);
    let read = source.read_up_to(piece, &mut out);
    source.after_piece();
    let last = read.is_err() || out.len() < piece;
    (read.map(|()| out), last)
}

/// Reads the table whose bytes are `pieces`, in order, with `reader`: each
/// piece is joined to what the reader left of the previous ones.
pub(crate) fn read_pieces<R: RowReader>(
    pieces: impl IntoIterator<Item = Result<Vec<u8>, Malformed>>,
    mut reader: R,
) -> Result<Streamed<R::Output>, Malformed> {
    let (mut window, mut offset, mut last_byte) = (Vec::new(), 0, None);
    for piece in pieces {
        let piece = piece?;
        last_byte = piece.last().copied().or(last_byte);
        if window.is_empty() {
            window = piece;
        } else {
            window.extend_from_slice(&piece);
        }
        let used = reader.read(&window, offset, false, Pages::Owned)?;
        window.drain(..used);
        offset += used;
        if reader.done() {
            return Ok(Streamed {
                read: offset + window.len(),
                table: reader.finish()?,
                whole: false,
                last_byte: None,
                compressed: None,
            });
        }
    }
    reader.read(&window, offset, true, Pages::Owned)?;
    Ok(Streamed {
        table: reader.finish()?,
        read: offset + window.len(),
        whole: true,
        last_byte,
        compressed: None,
    })
}

/// `bytes` read as a gzip file's decompressed bytes are, in pieces of
/// `piece` bytes, by `format`'s reader (text or word2vec binary): what the
/// fuzz targets hold equal to reading the bytes whole.
///
/// # Errors
/// As the format's `parse_*` function.
#[doc(hidden)]
pub fn parse_in_pieces(
    bytes: &[u8],
    piece: usize,
    format: Format,
    limit: Option<usize>,
    lossy: bool,
) -> Result<Table, Malformed> {
    let options = LoadOptions {
        limit,
        lossy,
        ..LoadOptions::default()
    };
    read_split(bytes, piece, Rows::new(format, &options))
}

/// `bytes` read by `reader` split in pieces of `piece` bytes, as a gzip
/// file's decompressed bytes arrive: what the fuzz targets compare with
/// reading them whole.
pub(crate) fn read_split<R: RowReader>(
    bytes: &[u8],
    piece: usize,
    reader: R,
) -> Result<R::Output, Malformed> {
    let pieces = bytes.chunks(piece.max(1)).map(|piece| Ok(piece.to_vec()));
    Ok(read_pieces(pieces, reader)?.table)
}

/// `more` zeros at the end of `values`, for a window's rows to be read
/// into. The first window's are fresh pages (a file read whole, as one
/// window, is allocated once, at its size); later windows grow the same
/// allocation, which for a table of any size is its own mapping, so `realloc`
/// moves it with `mremap` and copies nothing. (Blocks of their own, joined
/// at the end, would have cost a copy of the table, and blocks below glibc's
/// 32 MB mapping threshold stayed in its heap once freed: a GoogleNews-sized
/// table peaked at twice its size.)
pub(crate) fn grow_zeroed(values: &mut Vec<f32>, more: usize) -> &mut [f32] {
    let start = values.len();
    match start {
        0 => *values = huge_pages::zeroed(more),
        _ => values.resize(start + more, 0.0),
    }
    &mut values[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table's tokens and values, or its error.
    type Outcome = Result<(Vec<String>, Vec<f32>), String>;

    fn outcome(read: Result<Streamed<Table>, Malformed>, bytes: &[u8]) -> Outcome {
        let read = read.map_err(|error| format!("{error:?}"))?;
        if read.whole {
            assert_eq!((read.read, read.last_byte), (bytes.len(), bytes.last().copied()));
        }
        Ok((read.table.tokens, read.table.vectors.iter().copied().collect()))
    }

    /// The file in `bytes` read whole and read in pieces of every size up to
    /// its length: the same table, or the same error at the same place.
    fn same_in_pieces<R: RowReader<Output = Table>>(bytes: &[u8], reader: impl Fn() -> R) -> Outcome {
        let whole = outcome(read_rows(Source::Plain(bytes, Pages::Owned), reader()), bytes);
        for size in 1..=bytes.len() {
            let pieces = bytes.chunks(size).map(|piece| Ok(piece.to_vec()));
            let read = outcome(read_pieces(pieces, reader()), bytes);
            assert_eq!(
                read,
                whole,
                "pieces of {size} bytes of {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        whole
    }

    #[test]
    fn text_read_in_pieces_is_the_text_read_whole() {
        let files: [&[u8]; 16] = [
            b"2 2\nking 1 2\nqueen 1.5 -3e2\n",
            b"\xef\xbb\xbf2 2\r\nking 1 2 \r\nqueen 3 4 \r\n\r\n\n",
            b"2 2\nking 1 2\nqueen 3 4",
            b"2 2\nking 1 2\n\nqueen 3 4\n",
            b"2 2\nking 1 2\nqueen 3 4\nrook 5 6\n",
            b"2 2\nking 1 2\nqueen 3 4\n  \n\n rook 5 6  \n\n",
            b"2 2\nking 1 2\nqueen 3 4\nrook 5 6  \n\n",
            b"3 2\nking 1 2\nqueen 3 4\n\n",
            b"2 2\nking 1 2\nqueen 3\n",
            b"2 2\nking 1 nan\nqueen 3 4\n",
            b"2 2\nk\xffng 1 2\nqueen 3 4\n",
            b"2 2",
            b"",
            b"\n\n  \n",
            b"king 1 2 3\nqueen 4 5 6\n\n",
            b"\nking 1 2\n",
        ];
        for file in files {
            for (header, limit, lossy) in [(true, None, false), (false, None, false), (true, Some(1), true)] {
                let _ = same_in_pieces(file, || TextRows::new(header, limit, lossy));
            }
        }
        let table = same_in_pieces(files[1], || TextRows::new(true, None, false)).unwrap();
        assert_eq!(
            table,
            (vec!["king".into(), "queen".into()], vec![1.0, 2.0, 3.0, 4.0])
        );
    }

    #[test]
    fn binary_read_in_pieces_is_the_binary_read_whole() {
        let row = |token: &[u8], values: &[f32]| {
            let mut row = token.to_vec();
            row.push(b' ');
            row.extend(values.iter().flat_map(|v| v.to_le_bytes()));
            row
        };
        let (king, queen) = (row(b"king", &[1.0, 2.0]), row(b"queen", &[3.0, -4.0]));
        let files = [
            [&b"2 2\n"[..], &king, &queen].concat(),
            [&b"2 2\n"[..], &king, b"\n", &queen, b"\n\n"].concat(),
            [&b"2 2\n"[..], &king, &queen, b"\n more"].concat(),
            [&b"3 2\n"[..], &king, &queen].concat(),
            [&b"2 2\n"[..], &king, &queen[..7]].concat(),
            [&b"2 2\n"[..], &king, b"qu\xffen"].concat(),
            [&b"2 2\n"[..], &king, &row(b"queen", &[f32::NAN, 1.0])].concat(),
            b"2 2".to_vec(),
            Vec::new(),
        ];
        for file in &files {
            for (limit, lossy) in [(None, false), (Some(1), true), (Some(2), false)] {
                let _ = same_in_pieces(file, || BinaryRows::new(limit, lossy));
            }
        }
        let table = same_in_pieces(&files[1], || BinaryRows::new(None, false)).unwrap();
        assert_eq!(
            table,
            (vec!["king".into(), "queen".into()], vec![1.0, 2.0, 3.0, -4.0])
        );
    }

    #[test]
    fn a_source_that_ends_in_its_first_piece_is_read_without_a_thread() {
        use std::sync::{Arc, Mutex};
        use std::thread::ThreadId;

        /// Bytes that note the thread each read of them runs on.
        struct Noted(std::io::Cursor<Vec<u8>>, Arc<Mutex<Vec<ThreadId>>>);
        impl Read for Noted {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                self.1.lock().unwrap().push(std::thread::current().id());
                self.0.read(out)
            }
        }
        let threads_reading = |size: usize| {
            let threads = Arc::new(Mutex::new(Vec::new()));
            let source = Counted::new(Noted(std::io::Cursor::new(vec![7; size]), Arc::clone(&threads)));
            let (pieces, _) = in_pieces(source, 100, |pieces| {
                pieces.map(Result::unwrap).collect::<Vec<_>>()
            });
            assert_eq!(pieces.concat(), vec![7; size]);
            let threads = threads.lock().unwrap().clone();
            threads.into_iter().any(|id| id != std::thread::current().id())
        };
        assert!(!threads_reading(99));
        assert!(threads_reading(250));
    }

    #[test]
    fn a_limit_stops_reading_at_its_last_row() {
        let mut pieces = [b"3 1\na 1\nb".to_vec(), b" 2\nc 3\n".to_vec(), b"broken".to_vec()]
            .into_iter()
            .map(Ok);
        let read = read_pieces(pieces.by_ref(), TextRows::new(true, Some(2), false)).unwrap();
        assert_eq!(
            (read.table.tokens, read.whole),
            (vec!["a".into(), "b".into()], false)
        );
        assert!(pieces.next().is_some(), "the last piece was never asked for");
    }

    #[test]
    fn grown_values_keep_what_they_held() {
        let mut values = Vec::new();
        grow_zeroed(&mut values, 2).copy_from_slice(&[1.0, 2.0]);
        assert_eq!(grow_zeroed(&mut values, 3), [0.0; 3]);
        assert_eq!(values, [1.0, 2.0, 0.0, 0.0, 0.0]);
    }
}

//! A cursor over a binary file's bytes, shared by the GGUF and fastText
//! readers: every read names what it reads, so a file that ends first says
//! at which byte, what was expected there and how many bytes were left.
//! Each format adds its own reads (GGUF strings and values, fastText words)
//! in an `impl` block of its own.
//!
//! A cursor also says whether a read failed for want of bytes
//! ([`ByteCursor::ran_out`]): a reader given the first part of a file (a
//! gzip stream's first pieces) then knows that more bytes may mend it.

use crate::embeddings::load_error::{Location, Malformed};

/// A position in part of a file; `base` is the file offset of `bytes[0]`.
pub(crate) struct ByteCursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    /// Whether a read or a check needed more bytes than were left.
    ran_out: bool,
}

impl<'a> ByteCursor<'a> {
    /// A cursor at the start of the file `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        ByteCursor::within(bytes, 0)
    }

    /// A cursor at the start of `bytes`, the part of a file from offset `base`.
    pub fn within(bytes: &'a [u8], base: usize) -> Self {
        ByteCursor {
            bytes,
            pos: 0,
            base,
            ran_out: false,
        }
    }

    /// The file offset of the next byte.
    pub fn pos(&self) -> usize {
        self.base + self.pos
    }

    /// Where the next byte is, for messages.
    pub fn at(&self) -> Location {
        Location::Byte(self.pos() as u64)
    }

    /// How many bytes are left.
    pub fn left(&self) -> u64 {
        (self.bytes.len() - self.pos) as u64
    }

    /// Whether at least `n` bytes are left; when not, the cursor
    /// [ran out](Self::ran_out).
    pub fn holds(&mut self, n: u64) -> bool {
        let holds = n <= self.left();
        self.ran_out |= !holds;
        holds
    }

    /// Whether a read or a [`holds`](Self::holds) check failed for want of
    /// bytes: the first error a cursor finds is then one that more bytes
    /// after these could mend.
    pub fn ran_out(&self) -> bool {
        self.ran_out
    }

    /// Records that the bytes left are too few for what comes next (a word
    /// without its end).
    pub fn run_out(&mut self) {
        self.ran_out = true;
    }

    /// The bytes left, without reading them.
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }

    /// The bytes read since file offset `start` (at most the cursor's position).
    pub fn since(&self, start: usize) -> &'a [u8] {
        &self.bytes[start - self.base..self.pos]
    }

    /// Goes back to the start of the bytes, to read them again.
    pub fn rewind(&mut self) {
        self.pos = 0;
    }

    /// The next `n` bytes, which hold `what`.
    pub fn take(&mut self, n: u64, what: impl FnOnce() -> String) -> Result<&'a [u8], Malformed> {
        if !self.holds(n) {
            let bytes = if n == 1 { "byte" } else { "bytes" };
            return Err(Malformed::new(
                self.at(),
                format!("{n} {bytes} of {}", what()),
                format!("{} before the end of the file", self.left()),
            ));
        }
        let taken = &self.bytes[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(taken)
    }

    /// The next `N` bytes, which hold `what`.
    fn array<const N: usize>(&mut self, what: impl FnOnce() -> String) -> Result<[u8; N], Malformed> {
        Ok(self.take(N as u64, what)?.try_into().expect("N bytes"))
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self, what: impl FnOnce() -> String) -> Result<u32, Malformed> {
        self.array(what).map(u32::from_le_bytes)
    }

    /// A little-endian `u64`.
    pub fn u64(&mut self, what: impl FnOnce() -> String) -> Result<u64, Malformed> {
        self.array(what).map(u64::from_le_bytes)
    }

    /// A little-endian `i32`.
    pub fn i32(&mut self, what: impl FnOnce() -> String) -> Result<i32, Malformed> {
        self.array(what).map(i32::from_le_bytes)
    }

    /// A little-endian `i64`.
    pub fn i64(&mut self, what: impl FnOnce() -> String) -> Result<i64, Malformed> {
        self.array(what).map(i64::from_le_bytes)
    }

    /// A little-endian `f64`.
    pub fn f64(&mut self, what: impl FnOnce() -> String) -> Result<f64, Malformed> {
        self.array(what).map(f64::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_the_offset_what_was_expected_and_what_was_left() {
        let bytes = [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9];
        let mut r = ByteCursor::within(&bytes, 100);
        assert_eq!(r.u32(|| "a".into()), Ok(1));
        assert_eq!(r.i64(|| "b".into()), Ok(2));
        assert_eq!((r.pos(), r.left(), r.since(104)), (112, 1, &bytes[4..12]));
        let error = r.u32(|| "the count".into()).unwrap_err();
        assert_eq!(
            error,
            Malformed::new(
                Location::Byte(112),
                "4 bytes of the count",
                "1 before the end of the file"
            )
        );
        assert_eq!(r.take(1, || "x".into()), Ok(&[9][..]));
        let error = r.take(1, || "a flag".into()).unwrap_err();
        assert_eq!(error.expected, "1 byte of a flag");
        r.rewind();
        assert_eq!(r.rest(), &bytes[..]);
    }
}

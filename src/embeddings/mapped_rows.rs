//! A matrix read in place: when a file's bytes already are the table
//! (little-endian `f32`, C order, as `.npy` `<f4` and safetensors `F32` store
//! it), the table is a view into the file's memory map, not a heap copy.
//!
//! A 2M × 300 `.npy` is 2.4 GB; decoding it onto the heap while the mapping
//! stays resident peaked at twice that. Read in place, `analyze` holds the
//! mapping and nothing else of that size. [`release`] gives a mapping's
//! pages back once they have been read into another form (a `bf16` tensor
//! widened to `f32`, or this matrix copied for in-place normalisation), so
//! the source and its copy are never both whole in memory.

use std::sync::Arc;

use memmap2::Mmap;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::huge_pages;
use super::raw_floats::first_non_finite;

/// Bytes copied (and released behind) per parallel task.
const BLOCK_BYTES: usize = 8 << 20;

/// `rows × dim` little-endian `f32` values at `offset` in a mapped file.
#[derive(Debug, Clone)]
pub(crate) struct MappedRows {
    map: Arc<Mmap>,
    offset: usize,
    rows: usize,
    dim: usize,
}

impl MappedRows {
    /// The matrix at `offset`, or `None` when it cannot be read in place: the
    /// data is not 4-byte aligned in memory, lies outside the mapping, or the
    /// machine is big-endian (then the bytes are not its `f32` values).
    pub(crate) fn new(map: Arc<Mmap>, offset: usize, rows: usize, dim: usize) -> Option<Self> {
        let len = rows.checked_mul(dim)?.checked_mul(4)?;
        let fits = offset.checked_add(len).is_some_and(|end| end <= map.len());
        let aligned = (map.as_ptr() as usize + offset).is_multiple_of(align_of::<f32>());
        (cfg!(target_endian = "little") && fits && aligned).then_some(MappedRows {
            map,
            offset,
            rows,
            dim,
        })
    }

    /// The values as a slice of the mapping.
    fn values(&self) -> &[f32] {
        let start = self.map[self.offset..].as_ptr();
        // SAFETY: `new` checked that `rows·dim` values fit in the mapping from
        // `offset` and that the start is aligned for `f32`; every bit pattern
        // is an `f32`, and on a little-endian machine these are the file's
        // values. The mapping is read-only and lives as long as `self` (the
        // `Arc`), so the slice cannot outlive it. (A process that rewrites the
        // file meanwhile changes the values under us: the accepted contract of
        // every mapped reader, see `load.rs`.)
        unsafe { std::slice::from_raw_parts(start.cast::<f32>(), self.rows * self.dim) }
    }

    /// The matrix.
    pub(crate) fn view(&self) -> ArrayView2<'_, f32> {
        ArrayView2::from_shape((self.rows, self.dim), self.values()).expect("rows·dim values")
    }

    /// The index (row-major) of the first value that is not finite, checked
    /// on every core.
    pub(crate) fn first_non_finite(&self) -> Option<usize> {
        let block = BLOCK_BYTES / size_of::<f32>();
        self.values()
            .par_chunks(block)
            .enumerate()
            .filter_map(|(i, part)| first_non_finite(part).map(|bad| i * block + bad))
            .min()
    }

    /// Keeps the first `rows` rows.
    pub(crate) fn truncate(&mut self, rows: usize) {
        self.rows = self.rows.min(rows);
    }

    /// The matrix on the heap, copied on every core; the mapping's pages are
    /// released behind the copy, so the peak stays one matrix and a block.
    pub(crate) fn into_owned(self) -> Array2<f32> {
        let source = self.values();
        let mut values = huge_pages::zeroed(source.len());
        let block = BLOCK_BYTES / size_of::<f32>();
        values
            .par_chunks_mut(block)
            .zip(source.par_chunks(block))
            .for_each(|(out, part)| {
                out.copy_from_slice(part);
                // SAFETY of the release: `part` lies in our own read-only file
                // mapping, which `self` keeps alive until this returns.
                release(bytemuck_bytes(part));
            });
        Array2::from_shape_vec((self.rows, self.dim), values).expect("rows·dim values")
    }
}

/// The bytes of `values`.
fn bytemuck_bytes(values: &[f32]) -> &[u8] {
    // SAFETY: any initialised memory can be read as bytes; same span, same lifetime.
    unsafe { std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), size_of_val(values)) }
}

/// Where the bytes a parser reads lie, which decides whether it may give
/// their pages back once it has read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pages {
    /// In a read-only file mapping: pages given back stay in the page cache
    /// and fault in again if read.
    Mapped,
    /// In memory the caller owns: a pipe read, a gzip file decompressed,
    /// bytes handed to `load_bytes`.
    Owned,
}

impl Pages {
    /// [`Pages::Mapped`] when the bytes are the mapping `map`.
    pub(crate) fn of(map: Option<&Arc<Mmap>>) -> Pages {
        match map {
            Some(_) => Pages::Mapped,
            None => Pages::Owned,
        }
    }

    /// Gives back the whole pages inside `bytes` ([`release`]) when they are
    /// mapped: a text or binary table decoded onto the heap then never holds
    /// its file's pages and its matrix at once.
    pub(crate) fn done_with(self, bytes: &[u8]) {
        if self == Pages::Mapped {
            release(bytes);
        }
    }
}

/// Reads every page of `map` in now (`MADV_POPULATE_READ`, Linux 5.14 and
/// later), as `MAP_POPULATE` would have when it was mapped: a file parsed from
/// end to end then takes one call instead of a fault every few pages. On an
/// older kernel, or off Linux, its pages fault in as they are read.
pub(crate) fn populate(map: &Mmap) {
    #[cfg(target_os = "linux")]
    let _ = map.advise(memmap2::Advice::PopulateRead);
    #[cfg(not(target_os = "linux"))]
    let _ = map;
}

/// Gives back the whole pages inside `bytes` (which must lie in a read-only
/// file mapping) to the kernel: they stop counting towards the process's
/// resident memory and stay in the page cache. Reading them again is still
/// correct (the kernel refaults them from the file), only slower. A no-op
/// off Linux and for spans shorter than a page.
pub(crate) fn release(bytes: &[u8]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = (bytes.as_ptr() as usize).next_multiple_of(PAGE);
        let end = (bytes.as_ptr() as usize + bytes.len()) / PAGE * PAGE;
        if end > start {
            // SAFETY: the caller promises a read-only file mapping; for such
            // pages MADV_DONTNEED only drops this process's copy of the page
            // table entries, never data (a later read refaults from the file).
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = bytes;
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn mapped(values: &[f32], prefix: usize) -> Arc<Mmap> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&vec![0u8; prefix]).unwrap();
        for v in values {
            file.write_all(&v.to_le_bytes()).unwrap();
        }
        // SAFETY: a private temporary file nobody else writes.
        Arc::new(unsafe { Mmap::map(&file) }.unwrap())
    }

    #[test]
    fn a_mapped_matrix_reads_the_files_values_and_copies_them_equal() {
        let values: Vec<f32> = (0..(3 << 20)).map(|i| i as f32 * 0.5).collect();
        let map = mapped(&values, 64);
        let rows = MappedRows::new(map, 64, 3 << 10, 1 << 10).unwrap();
        assert_eq!(rows.view()[[2, 5]], values[2 * 1024 + 5]);
        let copy = rows.clone().into_owned();
        assert_eq!(copy, rows.view());
        // Released pages read back the same (refaulted from the file).
        assert_eq!(rows.view()[[3071, 1023]], values[3 * 1024 * 1024 - 1]);
    }

    #[test]
    fn misaligned_or_short_data_is_not_read_in_place() {
        let map = mapped(&[1.0, 2.0, 3.0, 4.0], 2);
        assert!(MappedRows::new(map.clone(), 2, 2, 2).is_none());
        let map = mapped(&[1.0, 2.0, 3.0, 4.0], 4);
        assert!(MappedRows::new(map.clone(), 4, 3, 2).is_none());
        let mut rows = MappedRows::new(map, 4, 2, 2).unwrap();
        rows.truncate(1);
        assert_eq!(rows.view(), ndarray::array![[1.0f32, 2.0]]);
    }
}

//! Room for a large matrix that the kernel may back with 2 MB pages.
//!
//! A freshly allocated matrix is mapped page by page as it is first written:
//! a 120 MB table takes 30 000 page faults of 4 kB, about a third of an `.npy`
//! load. On Linux, `madvise(MADV_HUGEPAGE)` on the untouched allocation lets
//! the kernel fault it in 2 MB at a time wherever transparent huge pages are
//! enabled (`always` or `madvise`, the common defaults): the 100k × 300 `.npy`
//! load went from 60 to 40 ms (best of 7 interleaved runs). The advice is only
//! a hint, so where it is refused or unknown (other systems) nothing changes
//! but the speed. Only allocations up to 256 MB are advised: beyond, the
//! kernel's compaction for huge pages can cost more than the faults (see
//! `ADVISED_AT_MOST`). (The advice needs `libc`, an `analyze` dependency; the
//! notebooks' build reads only the small shipped tables.)

/// Allocations below this stay as they are: fewer than two huge pages.
#[cfg(all(target_os = "linux", feature = "analyze"))]
const WORTH_ADVISING: usize = 4 << 20;

/// Allocations above this stay as they are too. Where the kernel has no free
/// huge page left it compacts memory for each one before the fault returns
/// (`defrag` = `madvise`, the common default), and on a machine whose memory
/// is mostly page cache that costs far more than the faults it saves: the
/// Qwen-sized `analyze` (a 2.5 GB `f32` matrix) took 21–26 s with 16–20 s of
/// system time advised, 12–13 s with 1.7 s not (alternating runs, same
/// minutes), about 13 ms of compaction a huge page. A 100k × 300 table
/// (120 MB) found its huge pages free and kept its 30 ms gain in the same
/// state; at most 128 of them bound a stall, where none are free, near 1.7 s.
#[cfg(all(target_os = "linux", feature = "analyze"))]
const ADVISED_AT_MOST: usize = 256 << 20;

/// `len` zeros. Large vectors come from the allocator's fresh, still unmapped
/// zero pages (`calloc` on a new mapping), advised before the first write.
/// (`T` is `f32` for loaded tables, `f64` for the demos' real tables; their
/// default, zero, is all zero bits, which `vec!` takes from fresh pages.)
pub(crate) fn zeroed<T: Copy + Default>(len: usize) -> Vec<T> {
    let values = vec![T::default(); len];
    advise(&values);
    values
}

/// Asks for huge pages over the whole pages inside `values`' allocation.
#[cfg(all(target_os = "linux", feature = "analyze"))]
fn advise<T>(values: &Vec<T>) {
    const PAGE: usize = 4096;
    let bytes = values.capacity() * size_of::<T>();
    if !(WORTH_ADVISING..=ADVISED_AT_MOST).contains(&bytes) {
        return;
    }
    let start = values.as_ptr() as usize;
    let first = start.next_multiple_of(PAGE);
    let end = (start + bytes) / PAGE * PAGE;
    // SAFETY: the range lies inside an allocation this vector owns, and
    // MADV_HUGEPAGE changes only how its pages are backed, never their
    // contents. A refusal (EINVAL without THP support) is harmless.
    unsafe {
        libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(all(target_os = "linux", feature = "analyze")))]
fn advise<T>(_: &Vec<T>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advised_vectors_are_ordinary_vectors() {
        let mut values = zeroed::<f32>(3 << 20);
        assert!(values.iter().all(|&v| v == 0.0));
        values[12345] = 1.5;
        assert_eq!((values.len(), values[12345]), (3 << 20, 1.5));
    }
}

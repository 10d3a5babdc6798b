//! `.npy`: any bytes are refused with a located error or give a finite matrix no taller than the file says.
#![no_main]

use embspace::embeddings::parse_npy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for limit in [None, Some(1)] {
        if let Ok(matrix) = parse_npy(data, limit) {
            assert!(matrix.vectors.nrows() <= matrix.rows);
            assert!(matrix.vectors.iter().all(|v| v.is_finite()));
        }
    }
});

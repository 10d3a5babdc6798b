//! `.npy`: any bytes are refused with a located error or give a finite matrix no taller than the
//! file says; read in pieces (as a gzip file's decompressed bytes are), they give the same matrix
//! or the same error, except that with a limit reading stops after the rows kept, so a fault in
//! the data's length after them goes unseen.
#![no_main]

use embspace::embeddings::{parse_npy, parse_npy_in_pieces};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let piece = 1 + data.last().map_or(0, |&b| usize::from(b % 64));
    let about_the_length =
        |error: &embspace::embeddings::Malformed| error.expected.contains(" bytes of data for shape ");
    for limit in [None, Some(1)] {
        let whole = parse_npy(data, limit);
        let read = parse_npy_in_pieces(data, piece, limit);
        match (&whole, &read) {
            (Err(whole), Ok(read)) if limit.is_some() && about_the_length(whole) => {
                assert_eq!(Some(read.vectors.nrows()), limit);
            }
            (Err(whole), Err(read)) if limit.is_some() && about_the_length(whole) => {
                assert!(!about_the_length(read) || read == whole);
            }
            _ => assert_eq!(read, whole),
        }
        if let Ok(matrix) = whole {
            assert!(matrix.vectors.nrows() <= matrix.rows);
            assert!(matrix.vectors.iter().all(|v| v.is_finite()));
        }
    }
});

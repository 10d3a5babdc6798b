//! word2vec binary: any bytes are refused with a located error or give a consistent table, and
//! read in pieces (as a gzip file's decompressed bytes are) give the same table or error.
#![no_main]

use embspace::embeddings::{Format, parse_binary, parse_in_pieces};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let piece = 1 + data.last().map_or(0, |&b| usize::from(b % 64));
    for (limit, lossy) in [(None, false), (Some(1), true)] {
        let whole = parse_binary(data, limit, lossy);
        if let Ok(table) = &whole {
            assert_eq!(table.tokens.len(), table.vectors.nrows());
            assert!(table.vectors.iter().all(|v| v.is_finite()));
        }
        let pieces = parse_in_pieces(data, piece, Format::Word2VecBinary, limit, lossy);
        assert_eq!(pieces, whole);
    }
});

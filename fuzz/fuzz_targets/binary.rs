//! word2vec binary: any bytes are refused with a located error or give a consistent table.
#![no_main]

use embspace::embeddings::parse_binary;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (limit, lossy) in [(None, false), (Some(1), true)] {
        if let Ok(table) = parse_binary(data, limit, lossy) {
            assert_eq!(table.tokens.len(), table.vectors.nrows());
            assert!(table.vectors.iter().all(|v| v.is_finite()));
        }
    }
});

//! word2vec / GloVe text: any bytes are refused with a located error or give a consistent table.
#![no_main]

use embspace::embeddings::{Format, parse_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Format::detect(std::path::Path::new("fuzz.txt"), data);
    for (header, limit, lossy) in [(true, None, false), (false, None, true), (true, Some(2), true)] {
        if let Ok(table) = parse_text(data, header, limit, lossy) {
            assert_eq!(table.tokens.len(), table.vectors.nrows());
            assert!(limit.is_none_or(|n| table.tokens.len() <= n));
            assert!(table.vectors.iter().all(|v| v.is_finite()));
        }
    }
});

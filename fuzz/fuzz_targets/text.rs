//! word2vec / GloVe text: any bytes are refused with a located error or give a consistent table,
//! and read in pieces (as a gzip file's decompressed bytes are) give the same table or error.
#![no_main]

use embspace::embeddings::{Format, parse_in_pieces, parse_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Format::detect(std::path::Path::new("fuzz.txt"), data);
    let piece = 1 + data.first().map_or(0, |&b| usize::from(b % 32));
    for (header, limit, lossy) in [(true, None, false), (false, None, true), (true, Some(2), true)] {
        let whole = parse_text(data, header, limit, lossy);
        if let Ok(table) = &whole {
            assert_eq!(table.tokens.len(), table.vectors.nrows());
            assert!(limit.is_none_or(|n| table.tokens.len() <= n));
            assert!(table.vectors.iter().all(|v| v.is_finite()));
        }
        let format = if header { Format::Word2VecText } else { Format::Glove };
        assert_eq!(parse_in_pieces(data, piece, format, limit, lossy), whole);
    }
});

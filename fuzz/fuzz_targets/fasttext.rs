//! fastText `.bin`: any bytes are refused with a located error or give a finite table of one
//! token per row, no more rows than the limit or the dictionary, and n-gram buckets that give
//! any word a finite vector or none; read in pieces (as a gzip file's decompressed bytes are),
//! they give the same model or the same error.
#![no_main]

use embspace::embeddings::{parse_fasttext, parse_fasttext_in_pieces};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let piece = 1 + data.last().map_or(0, |&b| usize::from(b % 64));
    for (limit, lossy) in [(None, false), (Some(2), true)] {
        let whole = parse_fasttext(data, limit, lossy);
        assert_eq!(parse_fasttext_in_pieces(data, piece, limit, lossy), whole);
        if let Ok(model) = whole {
            let table = &model.table;
            let rows = table.vectors.nrows();
            assert_eq!(table.tokens.len(), rows);
            assert!(rows <= model.words && limit.is_none_or(|l| rows <= l));
            assert_eq!(table.vectors.ncols(), model.args.dim as usize);
            assert!(table.vectors.iter().all(|v| v.is_finite()));
            if let Some(subwords) = &model.subwords {
                assert_eq!(subwords.len(), model.args.bucket as usize);
                for word in ["", "a", "word", "\u{e9}\u{6771}\u{1f642}"] {
                    if let Some((vector, ngrams)) = subwords.vector(word) {
                        assert!(ngrams > 0 && vector.iter().all(|v| v.is_finite()));
                    }
                }
            }
        }
    }
});

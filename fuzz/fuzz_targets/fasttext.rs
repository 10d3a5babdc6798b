//! fastText `.bin`: any bytes are refused with a located error or give a finite table of one
//! token per row, no more rows than the limit or the dictionary, and n-gram buckets that give
//! any word a finite vector or none.
#![no_main]

use embspace::embeddings::parse_fasttext;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (limit, lossy) in [(None, false), (Some(2), true)] {
        if let Ok(model) = parse_fasttext(data, limit, lossy) {
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

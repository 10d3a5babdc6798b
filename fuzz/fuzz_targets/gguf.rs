//! GGUF: any bytes are refused with a located error or give a finite matrix no taller than the
//! file says, with one token (and token type) per row read.
#![no_main]

use embspace::embeddings::{LoadOptions, parse_gguf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = [
        LoadOptions::default(),
        LoadOptions {
            tensor: Some("output.weight".into()),
            limit: Some(3),
            lossy: true,
            ..LoadOptions::default()
        },
    ];
    for options in &options {
        if let Ok(table) = parse_gguf(data, options) {
            let rows = table.matrix.vectors.nrows();
            assert!(rows <= table.matrix.rows);
            assert!(table.matrix.vectors.iter().all(|v| v.is_finite()));
            assert!(table.tokens.as_ref().is_none_or(|t| t.len() == rows));
            assert!(table.token_kinds.as_ref().is_none_or(|t| t.len() == rows));
        }
    }
});

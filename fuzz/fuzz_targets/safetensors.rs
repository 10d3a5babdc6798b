//! safetensors: any bytes are refused with a located error or give a finite 2-D matrix.
#![no_main]

use embspace::embeddings::parse_safetensors;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for (tensor, limit) in [(None, None), (Some("embeddings.word_embeddings.weight"), Some(3))] {
        if let Ok((_, matrix)) = parse_safetensors(data, tensor, limit) {
            assert!(matrix.vectors.nrows() <= matrix.rows);
            assert!(matrix.vectors.iter().all(|v| v.is_finite()));
        }
    }
});

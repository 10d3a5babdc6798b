//! gzip files: any bytes read as a `.gz` are refused with a located error or
//! load, and a text table gzipped loads exactly as the table itself (or is
//! refused with the same message).
#![no_main]

use std::io::Write;
use std::path::Path;

use embspace::embeddings::{Format, LoadOptions, load_bytes};
use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = load_bytes(Path::new("fuzz.txt.gz"), data, &LoadOptions::default());
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(data).unwrap();
    let gzipped = encoder.finish().unwrap();
    for format in [Format::Glove, Format::Word2VecText] {
        let options = LoadOptions {
            format: Some(format),
            ..LoadOptions::default()
        };
        let plain = load_bytes(Path::new("fuzz.txt"), data, &options);
        let inside = load_bytes(Path::new("fuzz.txt"), &gzipped, &options);
        match (plain, inside) {
            (Ok(plain), Ok(inside)) => {
                assert_eq!(plain.embeddings.tokens(), inside.embeddings.tokens());
                assert_eq!(plain.embeddings.vectors(), inside.embeddings.vectors());
            }
            (Err(plain), Err(inside)) => assert_eq!(plain.to_string(), inside.to_string()),
            (plain, inside) => panic!("{:?} against {:?}", plain.err(), inside.err()),
        }
    }
});

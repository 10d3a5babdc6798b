//! The input side of `embspace analyze`: every format written by the reference
//! tools loads exactly, and every malformed file is refused with a message that
//! names the file, the line or byte, and what was expected there.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::gzip;
use embspace::embeddings::{Format, LoadError, LoadOptions, Loaded, load};
use tempfile::TempDir;

/// The fixtures written by `scripts/make_embedding_fixtures.py`.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/embeddings")
}

/// A file `name` holding `bytes` in a fresh directory (kept alive by the `TempDir`).
fn file(name: &str, bytes: &[u8]) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn with_format(format: Format) -> LoadOptions {
    LoadOptions {
        format: Some(format),
        ..LoadOptions::default()
    }
}

fn refused(path: &Path, options: &LoadOptions) -> LoadError {
    match load(path, options) {
        Ok(loaded) => panic!("{} loaded {} rows", path.display(), loaded.embeddings.len()),
        Err(error) => error,
    }
}

/// The whole message: `file:place: expected …, found …`.
fn assert_message(error: &LoadError, file: &Path, place: &str, expected: &str, found: &str) {
    assert_eq!(
        error.to_string(),
        format!("{}:{place}: expected {expected}, found {found}", file.display())
    );
}

/// A C-order `.npy` file (format 1.0) whose data starts 64-byte aligned, as numpy writes it.
pub(crate) fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    // magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
    let header = format!(
        "{header:<width$}\n",
        width = (header.len() + 11).next_multiple_of(64) - 11
    );
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.bytes());
    out.extend_from_slice(data);
    out
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

// ---- round trips: files written by gensim, numpy and safetensors ----

#[test]
fn every_fixture_loads_exactly_as_gensim_and_numpy_read_it() {
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap();
    let tokens: Vec<String> = serde_json::from_value(expected["tokens"].clone()).unwrap();
    let files = expected["files"].as_object().unwrap();
    assert_eq!(files.len(), 8);
    for (name, spec) in files {
        let loaded = load(&fixtures().join(name), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.format.name(), spec["format"], "{name}: detected format");
        // A tokenizer.json's tokens are shown as people read them: a tab inside one as `\t`.
        let shown: Vec<String> = match name.starts_with("hf/") {
            true => tokens.iter().map(|t| t.replace('\t', "\\t")).collect(),
            false => tokens.clone(),
        };
        assert_eq!(loaded.embeddings.tokens(), &shown[..], "{name}: tokens");
        let vectors: Vec<Vec<f64>> =
            serde_json::from_value(expected["vectors"][spec["vectors"].as_str().unwrap()].clone()).unwrap();
        for (row, values) in vectors.iter().enumerate() {
            let want: Vec<f32> = values.iter().map(|&v| v as f32).collect();
            assert_eq!(loaded.embeddings.vector(row).to_vec(), want, "{name}: row {row}");
        }
        assert!(
            loaded.warnings.is_empty() && loaded.duplicates.count == 0,
            "{name}"
        );
    }
}

#[test]
fn the_no_break_space_token_is_kept_distinct_from_a_space() {
    let loaded = load(&fixtures().join("word2vec.txt"), &LoadOptions::default()).unwrap();
    assert!(loaded.embeddings.id("new\u{a0}york").is_some());
    assert!(loaded.embeddings.id("tab\tinside").is_some());
}

#[test]
fn the_safetensors_default_tensor_is_the_word_embeddings() {
    let loaded = load(&fixtures().join("model.safetensors"), &LoadOptions::default()).unwrap();
    assert_eq!(
        loaded.tensor.as_deref(),
        Some("embeddings.word_embeddings.weight")
    );
}

// ---- malformed text ----

#[test]
fn an_empty_file_is_refused() {
    let (_dir, path) = file("vectors.txt", b"");
    assert_message(
        &refused(&path, &LoadOptions::default()),
        &path,
        "byte 0",
        "an embedding file",
        "an empty file",
    );
    let error = refused(&path, &with_format(Format::Word2VecText));
    assert_message(
        &error,
        &path,
        "1",
        "a header of two positive integers `count dim`",
        "an empty file",
    );
}

#[test]
fn a_header_that_is_not_two_positive_integers_is_refused() {
    let (_dir, path) = file("vectors.vec", b"3 x\na 1 2\n");
    let error = refused(&path, &with_format(Format::FastText));
    assert_message(
        &error,
        &path,
        "1",
        "a header of two positive integers `count dim`",
        "`3 x`",
    );
    let (_dir, path) = file("vectors.txt", b"0 300\n");
    let error = refused(&path, &with_format(Format::Word2VecText));
    assert_message(
        &error,
        &path,
        "1",
        "a header of two positive integers `count dim`",
        "`0 300`",
    );
}

#[test]
fn a_header_count_larger_than_the_rows_is_an_unexpected_end() {
    let (_dir, path) = file("vectors.txt", b"3 2\na 1 2\nb 3 4\n");
    let error = refused(&path, &LoadOptions::default());
    assert_message(
        &error,
        &path,
        "4",
        "3 rows, as the header on line 1 says",
        "the end of the file after 2 rows",
    );
}

#[test]
fn a_header_count_smaller_than_the_rows_is_refused() {
    let (_dir, path) = file("vectors.txt", b"1 2\na 1 2\nb 3 4\n");
    let error = refused(&path, &LoadOptions::default());
    assert_message(
        &error,
        &path,
        "3",
        "the end of the file after the 1 row the header on line 1 announces",
        "another row `b 3 4`",
    );
}

#[test]
fn a_row_with_too_few_values_is_refused() {
    let (_dir, path) = file("vectors.txt", b"2 3\na 1 2 3\nb 1 2\n");
    assert_message(
        &refused(&path, &LoadOptions::default()),
        &path,
        "3",
        "3 values after the token",
        "2",
    );
}

#[test]
fn a_row_with_too_many_values_is_refused() {
    let (_dir, path) = file("glove.txt", b"a 1 2\nb 1 2\nc 1 2 3\n");
    assert_message(
        &refused(&path, &LoadOptions::default()),
        &path,
        "3",
        "2 values after the token",
        "3",
    );
}

#[test]
fn a_non_numeric_value_is_refused() {
    let (_dir, path) = file("vectors.txt", b"1 3\na 1 two 3\n");
    let error = refused(&path, &LoadOptions::default());
    assert_message(&error, &path, "2", "a number as value 2 of 3", "`two`");
}

#[test]
fn a_nan_is_refused() {
    let (_dir, path) = file("vectors.txt", b"2 2\na 1 2\nb NaN 2\n");
    let error = refused(&path, &LoadOptions::default());
    assert_message(&error, &path, "3", "a finite f32 as value 1 of 2", "`NaN`");
}

#[test]
fn an_infinity_is_refused() {
    let (_dir, path) = file("glove.txt", b"a 1 -inf\n");
    let error = refused(&path, &LoadOptions::default());
    assert_message(&error, &path, "1", "a finite f32 as value 2 of 2", "`-inf`");
}

#[test]
fn invalid_utf8_in_a_token_is_refused_with_its_byte_offset() {
    let (_dir, path) = file("vectors.txt", b"2 1\nok 1\nbad\xff 2\n");
    let error = refused(&path, &LoadOptions::default());
    assert_message(
        &error,
        &path,
        "3",
        "a UTF-8 token (`--lossy` would replace the bytes with U+FFFD)",
        "byte 0xff at byte offset 12 in `bad\u{fffd}`",
    );
}

#[test]
fn invalid_utf8_loads_with_replacement_characters_when_lossy() {
    let (_dir, path) = file("vectors.txt", b"2 1\nok 1\nbad\xff 2\n");
    let options = LoadOptions {
        lossy: true,
        ..LoadOptions::default()
    };
    let loaded = load(&path, &options).unwrap();
    assert_eq!(loaded.embeddings.tokens(), ["ok", "bad\u{fffd}"]);
    assert_eq!(loaded.embeddings.vector(1).to_vec(), [2.0]);
}

#[test]
fn a_table_exported_as_tsv_or_csv_is_refused_with_its_separator_named() {
    for (name, bytes, shown, separator) in [
        (
            "vectors.tsv",
            &b"king\t1\t2\nqueen\t1\t3\n"[..],
            "`king\\u{9}1\\u{9}2`",
            "tabs",
        ),
        ("vectors.csv", b"king,1,2\nqueen,1,3\n", "`king,1,2`", "commas"),
    ] {
        let (_dir, path) = file(name, bytes);
        let found = format!(
            "{shown} (values separated by {separator}; word2vec and GloVe text separate them by single spaces)"
        );
        let expected = "a row `token v1 … vd` with at least one value";
        assert_message(
            &refused(&path, &LoadOptions::default()),
            &path,
            "1",
            expected,
            &found,
        );
    }
}

#[test]
fn a_utf8_byte_order_mark_is_not_part_of_the_first_token() {
    // What "UTF-8 with BOM" editors and PowerShell's `Out-File` write.
    for (name, bytes, format) in [
        (
            "vectors.txt",
            &b"\xef\xbb\xbf2 2\r\nking 1 2\r\nqueen 1 3\r\n"[..],
            "word2vec",
        ),
        (
            "vectors.vec",
            b"\xef\xbb\xbf2 2\nking 1 2\nqueen 1 3\n",
            "fasttext",
        ),
        ("glove.txt", b"\xef\xbb\xbfking 1 2\nqueen 1 3\n", "glove"),
    ] {
        let (_dir, path) = file(name, bytes);
        let loaded = load(&path, &LoadOptions::default()).unwrap();
        assert_eq!(loaded.format.to_string(), format, "{name}");
        assert_eq!(loaded.embeddings.tokens(), ["king", "queen"], "{name}");
        assert_eq!(loaded.embeddings.vector(1).to_vec(), [1.0, 3.0], "{name}");
    }
    // Byte offsets still count from the start of the file: the mark is bytes 0-2.
    let (_dir, path) = file("vectors.txt", b"\xef\xbb\xbfok 1\nbad\xff 2\n");
    assert_message(
        &refused(&path, &LoadOptions::default()),
        &path,
        "2",
        "a UTF-8 token (`--lossy` would replace the bytes with U+FFFD)",
        "byte 0xff at byte offset 11 in `bad\u{fffd}`",
    );
}

#[test]
fn a_utf16_table_is_refused_at_byte_0_with_what_to_do() {
    let text: Vec<u16> = "2 2\r\nking 1 2\r\n".encode_utf16().collect();
    let little: Vec<u8> = [0xFEFF]
        .iter()
        .chain(&text)
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let big: Vec<u8> = [0xFEFF]
        .iter()
        .chain(&text)
        .flat_map(|u| u.to_be_bytes())
        .collect();
    let found = |order: &str| {
        format!(
            "a {order} UTF-16 byte-order mark: convert the file to UTF-8 first \
             (`iconv -f UTF-16 -t UTF-8`, or PowerShell's `Out-File -Encoding utf8`)"
        )
    };
    for (bytes, order) in [(little, "little-endian"), (big, "big-endian")] {
        let (_dir, path) = file("vectors.txt", &bytes);
        for options in [
            LoadOptions::default(),
            with_format(Format::Glove),
            with_format(Format::Word2VecText),
        ] {
            assert_message(
                &refused(&path, &options),
                &path,
                "byte 0",
                "UTF-8 text",
                &found(order),
            );
        }
    }
}

#[test]
fn a_gzip_file_loads_exactly_as_the_file_inside() {
    // As fastText (`cc.en.300.vec.gz`, `.bin.gz`) and word2vec (`GoogleNews-…bin.gz`) publish them.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("vocab.txt"), dir.path().join("vocab.txt")).unwrap();
    let fasttext = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fasttext/skipgram.bin");
    let names = [
        "word2vec.txt",
        "word2vec.bin",
        "glove.txt",
        "fasttext.vec",
        "f32.npy",
        "model.safetensors",
    ];
    let originals = names.iter().map(|name| fixtures().join(name)).chain([fasttext]);
    for original in originals {
        let name = original.file_name().unwrap().to_str().unwrap();
        let path = dir.path().join(format!("{name}.gz"));
        std::fs::write(&path, gzip(&std::fs::read(&original).unwrap())).unwrap();
        let want = load(&original, &LoadOptions::default()).unwrap();
        let got = load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.format, want.format, "{name}");
        assert_eq!(got.embeddings.tokens(), want.embeddings.tokens(), "{name}");
        assert_eq!(got.embeddings.vectors(), want.embeddings.vectors(), "{name}");
        assert_eq!(got.subwords.is_some(), want.subwords.is_some(), "{name}");
        let size = embspace::format::bytes(std::fs::metadata(&original).unwrap().len() as usize);
        let note = format!("gzip: {size} decompressed from ");
        assert!(got.notes[0].starts_with(&note), "{name}: {:?}", got.notes);
        assert_eq!(got.notes[1..], want.notes[..], "{name}");
    }
    // gzip data inside gzip data (`gzip -c v.txt.gz > v.txt.gz.gz`) is decompressed twice.
    let text = std::fs::read(fixtures().join("word2vec.txt")).unwrap();
    let twice = dir.path().join("word2vec.txt.gz.gz");
    std::fs::write(&twice, gzip(&gzip(&text))).unwrap();
    let got = load(&twice, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let want = load(&fixtures().join("word2vec.txt"), &LoadOptions::default()).unwrap();
    assert_eq!(got.embeddings.vectors(), want.embeddings.vectors());
    assert!(
        got.notes[..2].iter().all(|note| note.starts_with("gzip: ")),
        "{:?}",
        got.notes
    );
}

#[test]
fn a_truncated_gzip_file_is_refused_at_its_last_byte() {
    let whole = gzip(&b"king 0.25 -1.5\n".repeat(10_000));
    let (_dir, path) = file("vectors.txt.gz", &whole[..whole.len() - 100]);
    let error = refused(&path, &LoadOptions::default());
    let at = format!("byte {}", whole.len() - 100);
    let found = error.to_string();
    let found = found.rsplit_once(", found ").unwrap().1;
    assert!(
        found.starts_with("the end of the file after ")
            && found.ends_with(" decompressed bytes (a truncated download?)")
    );
    assert_message(&error, &path, &at, "gzip data", found);
}

#[test]
fn a_gzip_table_is_decompressed_only_as_far_as_its_limit() {
    // 90 MB of rows, cut short at the end as an interrupted download is:
    // the first rows are read, and the damage after them is never reached.
    let rows = 5_000_000;
    let text = [
        format!("{} 2\n", 3 * rows).into_bytes(),
        b"a 1 2\nb 3 4\nc 5 6\n".repeat(rows),
    ]
    .concat();
    let whole = gzip(&text);
    let (_dir, path) = file("vectors.vec.gz", &whole[..whole.len() - 100]);
    let limit = LoadOptions {
        limit: Some(3),
        ..LoadOptions::default()
    };
    let loaded = load(&path, &limit).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.embeddings.tokens(), ["a", "b", "c"]);
    assert_eq!(loaded.embeddings.vectors().row(2).to_vec(), [5.0, 6.0]);
    let note = &loaded.notes[0];
    assert!(
        note.starts_with("gzip: the first ") && note.ends_with(", as far as --limit reads"),
        "{note}"
    );
    let mut decoder = flate2::read::GzDecoder::new(&whole[..whole.len() - 100]);
    assert!(std::io::Read::read_to_end(&mut decoder, &mut Vec::new()).is_err());

    // So is a `.npy` matrix's (60 MB of rows), and its vocabulary is cut to the rows read.
    let rows = 2_500_000;
    let header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, 6), }}\n");
    let data = [1f32, 2.0, 3.0, 4.0, 5.0, 6.0].map(f32::to_le_bytes).concat();
    let npy = [
        &b"\x93NUMPY\x01\x00"[..],
        &(header.len() as u16).to_le_bytes(),
        header.as_bytes(),
        &data.repeat(rows),
    ]
    .concat();
    let whole = gzip(&npy);
    let (dir, path) = file("vectors.npy.gz", &whole[..whole.len() - 100]);
    let vocab: String = (0..rows).map(|i| format!("w{i}\n")).collect();
    std::fs::write(dir.path().join("vocab.txt"), vocab).unwrap();
    let loaded = load(&path, &limit).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.embeddings.tokens(), ["w0", "w1", "w2"]);
    assert_eq!(
        loaded.embeddings.vectors().row(2).to_vec(),
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    );
    assert!(
        loaded.notes[0].ends_with(", as far as --limit reads"),
        "{:?}",
        loaded.notes
    );
    let error = refused(&path, &LoadOptions::default()).to_string();
    assert!(error.contains("gzip data"), "{error}");
}

#[test]
fn archives_and_other_compressions_are_refused_with_how_to_unpack_them() {
    for (name, bytes, found) in [
        (
            "glove.6B.zip",
            &b"PK\x03\x04\x14\x00\x00\x00"[..],
            "a zip archive: extract the table first (`unzip -l FILE` lists what it holds)",
        ),
        (
            "vectors.txt.bz2",
            b"BZh91AY&SY\x1e\xf8",
            "bzip2-compressed data: decompress it first (`bunzip2 -k FILE`)",
        ),
        (
            "vectors.txt.xz",
            b"\xfd7zXZ\x00\x00\x04",
            "xz-compressed data: decompress it first (`unxz -k FILE`)",
        ),
        (
            "vectors.txt.zst",
            b"\x28\xb5\x2f\xfd\x04\x58",
            "zstd-compressed data: decompress it first (`unzstd FILE`)",
        ),
    ] {
        let (_dir, path) = file(name, bytes);
        for options in [LoadOptions::default(), with_format(Format::Glove)] {
            assert_message(
                &refused(&path, &options),
                &path,
                "byte 0",
                "an embedding file",
                found,
            );
        }
    }
}

// ---- malformed binary ----

#[test]
fn a_binary_file_cut_mid_vector_is_refused_at_the_byte() {
    let mut bytes = b"2 3\nab ".to_vec();
    bytes.extend(f32_bytes(&[1.0, 2.0, 3.0]));
    bytes.extend(b"cd ");
    bytes.extend(f32_bytes(&[4.0, 5.0]));
    let (_dir, path) = file("vectors.bin", &bytes);
    let error = refused(&path, &LoadOptions::default());
    assert_message(
        &error,
        &path,
        "byte 22",
        "12 bytes of vector for row 2 (`cd`)",
        "8 before the end of the file",
    );
}

// ---- sizes no file can back ----

#[test]
fn an_absurd_header_is_refused_fast_without_allocating() {
    let started = Instant::now();
    for (name, format) in [("v.txt", Format::Word2VecText), ("v.bin", Format::Word2VecBinary)] {
        let (_dir, path) = file(name, b"99999999999 99999999\nthe 0.1 0.2\n");
        let error = refused(&path, &with_format(format));
        assert_message(
            &error,
            &path,
            "1",
            "a count × dimension whose f32 table fits in memory",
            "99999999999 × 99999999",
        );
    }
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_huge_header_over_a_small_file_reports_the_first_short_row() {
    let started = Instant::now();
    let (_dir, path) = file("v.txt", b"1000000000 30000000\nthe 0.1 0.2\n");
    let error = refused(&path, &LoadOptions::default());
    assert_message(&error, &path, "2", "30000000 values after the token", "2");
    let mut bytes = b"1000000000 30000000\nthe ".to_vec();
    bytes.extend(f32_bytes(&[0.1, 0.2]));
    let (_dir, path) = file("v.bin", &bytes);
    let error = refused(&path, &LoadOptions::default());
    assert_message(
        &error,
        &path,
        "byte 24",
        "120000000 bytes of vector for row 1 (`the`)",
        "8 before the end of the file",
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

// ---- .npy ----

#[test]
fn an_int32_npy_is_refused() {
    let (_dir, path) = file("m.npy", &npy("<i4", "(2, 2)", &[0; 16]));
    assert_message(
        &refused(&path, &LoadOptions::default()),
        &path,
        "byte 20",
        "little-endian float16, float32 or float64 data (descr `<f2`, `<f4` or `<f8`)",
        "descr `<i4`",
    );
}

#[test]
fn a_one_dimensional_npy_is_refused() {
    let (_dir, path) = file("m.npy", &npy("<f4", "(4,)", &f32_bytes(&[1.0; 4])));
    let error = refused(&path, &LoadOptions::default());
    assert_message(
        &error,
        &path,
        "byte 60",
        "a 2-D array (rows, dim) with at least one row and one column",
        "shape (4,)",
    );
}

#[test]
fn a_three_dimensional_npy_is_refused() {
    let (_dir, path) = file("m.npy", &npy("<f4", "(1, 2, 2)", &f32_bytes(&[1.0; 4])));
    let error = refused(&path, &LoadOptions::default());
    assert_message(
        &error,
        &path,
        "byte 60",
        "a 2-D array (rows, dim) with at least one row and one column",
        "shape (1, 2, 2)",
    );
}

#[test]
fn a_vocabulary_shorter_than_the_npy_rows_is_refused_with_both_numbers() {
    let (dir, path) = file("m.npy", &npy("<f4", "(3, 1)", &f32_bytes(&[1.0, 2.0, 3.0])));
    let vocab = dir.path().join("vocab.txt");
    std::fs::write(&vocab, "a\nb\n").unwrap();
    let error = refused(&path, &LoadOptions::default());
    assert_message(
        &error,
        &vocab,
        "3",
        "3 tokens, one per row of m.npy (3×1)",
        "2 tokens",
    );
}

// ---- safetensors ----

#[test]
fn a_missing_safetensors_tensor_lists_the_matrices_there_are() {
    let path = fixtures().join("model.safetensors");
    let options = LoadOptions {
        tensor: Some("lm_head.weight".into()),
        ..LoadOptions::default()
    };
    assert_message(
        &refused(&path, &options),
        &path,
        "byte 8",
        "a tensor named `lm_head.weight`",
        "2-D tensors: `embeddings.word_embeddings.weight` (50×8), `encoder.layer.0.weight` (8×8)",
    );
}

#[test]
fn a_safetensors_vocabulary_of_another_length_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    std::fs::copy(fixtures().join("model.safetensors"), &path).unwrap();
    let vocab = dir.path().join("tokens.txt");
    std::fs::write(&vocab, "only\ntwo\n").unwrap();
    let options = LoadOptions {
        vocab: Some(vocab.clone()),
        ..LoadOptions::default()
    };
    let error = refused(&path, &options);
    assert_message(
        &error,
        &vocab,
        "3",
        "50 tokens, one per row of model.safetensors (50×8)",
        "2 tokens",
    );
}

#[test]
fn a_safetensors_tensor_of_no_rows_is_refused() {
    // Valid files of shape 0 × 3 and 0 × 2^62 (no data bounds the columns of no rows).
    for dim in [3, 1u64 << 62] {
        let header = format!(
            r#"{{"model.embed_tokens.weight":{{"dtype":"F32","shape":[0,{dim}],"data_offsets":[0,0]}}}}"#
        );
        let bytes = [&(header.len() as u64).to_le_bytes()[..], header.as_bytes()].concat();
        let (dir, path) = file("empty.safetensors", &bytes);
        std::fs::write(dir.path().join("vocab.txt"), "").unwrap();
        let error = refused(&path, &LoadOptions::default());
        assert_message(
            &error,
            &path,
            "byte 8",
            "a 2-D tensor `model.embed_tokens.weight` with at least one row and one column",
            &format!("shape [0, {dim}]"),
        );
    }
}

// ---- tokens ----

#[test]
fn repeated_tokens_keep_the_first_row_and_are_counted_in_a_warning() {
    let (_dir, path) = file("vectors.txt", b"4 1\nx 1\ny 2\nx 3\nx 4\n");
    let Loaded {
        embeddings,
        duplicates,
        warnings,
        ..
    } = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!(embeddings.tokens(), ["x", "y"]);
    assert_eq!(embeddings.vector(0).to_vec(), [1.0]);
    assert_eq!(duplicates.count, 2);
    assert_eq!(
        warnings,
        [format!(
            "{}: dropped 2 repeated tokens, keeping the first row of each (e.g. `x`)",
            path.display()
        )]
    );
}

#[test]
fn a_text_table_without_a_final_newline_loads_with_a_warning_that_it_may_be_cut() {
    let (_dir, path) = file("vectors.txt", b"2 2\nx 1 2\ny 0.25 -0.35");
    let Loaded {
        embeddings, warnings, ..
    } = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!(embeddings.vector(1).to_vec(), [0.25, -0.35]);
    assert_eq!(
        warnings,
        [format!(
            "{}: the last line ends without a newline: if the file was cut short, its last row may \
             be incomplete",
            path.display()
        )]
    );
    let (_dir, path) = file("vectors.txt", b"2 2\nx 1 2\ny 0.25 -0.35\n");
    assert!(load(&path, &LoadOptions::default()).unwrap().warnings.is_empty());
}

#[test]
fn hostile_tokens_load_exactly_in_text_and_binary() {
    let long = "ω".repeat(5000);
    let hostile = [
        "<script>alert(1)</script>",
        "\"quoted\"",
        "'single'",
        "ctrl\u{1}\u{1b}[31m",
        "bidi\u{202e}desrever",
        "\u{feff}bom",
        long.as_str(),
    ];
    let mut text = format!("{} 2\n", hostile.len());
    let mut binary = text.clone().into_bytes();
    for (i, token) in hostile.iter().enumerate() {
        text.push_str(&format!("{token} {i} 0.5\n"));
        binary.extend(token.as_bytes());
        binary.push(b' ');
        binary.extend(f32_bytes(&[i as f32, 0.5]));
    }
    for (name, bytes) in [("h.txt", text.into_bytes()), ("h.bin", binary)] {
        let (_dir, path) = file(name, &bytes);
        let loaded = load(&path, &LoadOptions::default()).unwrap();
        assert_eq!(loaded.embeddings.tokens(), hostile, "{name}");
        for (i, token) in hostile.iter().enumerate() {
            assert_eq!(loaded.embeddings.id(token), Some(i), "{name}");
            assert_eq!(loaded.embeddings.vector(i)[0], i as f32, "{name}");
        }
    }
}

#[test]
fn a_hostile_token_in_an_error_is_escaped_and_shortened() {
    let (_dir, path) = file("vectors.txt", "1 1\nx 1\n\u{202e}<script>x\u{1b} 2\n".as_bytes());
    let message = refused(&path, &LoadOptions::default()).to_string();
    assert!(
        message.ends_with("found another row `\\u{202e}<script>x\\u{1b} 2`"),
        "{message}"
    );
}

#[test]
fn a_format_the_first_bytes_contradict_is_named_as_the_likely_cause() {
    for (file, given, found) in [
        ("embeddings/word2vec.bin", Format::Glove, "word2vec-binary"),
        ("embeddings/f32.npy", Format::Word2VecText, "npy"),
        ("embeddings/model.safetensors", Format::Npy, "safetensors"),
        ("gguf/q4_0.gguf", Format::Safetensors, "gguf"),
    ] {
        let message = refused(&crate::fixture(file), &with_format(given)).to_string();
        let hint = format!(" (its first bytes read as {found}: omit --format, or give --format {found})");
        assert!(message.ends_with(&hint), "{message}");
    }
    // A text table whose first line is no header reads as GloVe, which proves
    // nothing: no hint.
    let message = refused(
        &crate::fixture("embeddings/glove.txt"),
        &with_format(Format::Word2VecText),
    );
    assert!(!message.to_string().contains("first bytes"), "{message}");
}

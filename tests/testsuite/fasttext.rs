//! fastText `.bin` models load exactly as gensim's `load_facebook_vectors`
//! reads them, bit for bit, words outside the table included; `analyze
//! --query` lists gensim's neighbours for both; malformed models are refused
//! with the file, the byte and what was expected there, and `analyze` exits 2.

use std::path::{Path, PathBuf};
use std::process::Command;

use embspace::embeddings::{
    Format, LoadError, LoadOptions, load, load_bytes, parse_fasttext, parse_fasttext_in_pieces, parse_npy,
};
use ndarray::Array1;

/// The fixtures written by `scripts/make_fasttext_fixtures.sh`.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fasttext")
}

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap()
}

/// gensim's vectors in a fixture's `.npy`, one `f32` bit pattern per value, by row.
fn reference(name: &str) -> Vec<Vec<u32>> {
    let matrix = parse_npy(&std::fs::read(fixtures().join(name)).unwrap(), None).unwrap();
    matrix
        .vectors
        .rows()
        .into_iter()
        .map(|row| row.iter().map(|v| v.to_bits()).collect())
        .collect()
}

fn bits(values: impl IntoIterator<Item = f32>) -> Vec<u32> {
    values.into_iter().map(f32::to_bits).collect()
}

// ---- the reference: models gensim wrote, read back by gensim ----

#[test]
fn every_fixture_loads_bit_for_bit_as_gensim_reads_it() {
    let expected = expected();
    let files = expected.as_object().unwrap();
    assert_eq!(files.len(), 3);
    for (name, spec) in files {
        let loaded = load(&fixtures().join(name), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.format, Format::FastTextBinary, "{name}");
        let words: Vec<String> = serde_json::from_value(spec["words"].clone()).unwrap();
        assert_eq!(loaded.embeddings.tokens(), &words[..], "{name}");
        assert_eq!(loaded.embeddings.dim(), spec["dim"].as_u64().unwrap() as usize);
        let stem = name.trim_end_matches(".bin");
        let want = reference(&format!("{stem}.vectors.npy"));
        for (row, want) in want.iter().enumerate() {
            assert_eq!(
                &bits(loaded.embeddings.vector(row).iter().copied()),
                want,
                "{name}: `{}`",
                words[row]
            );
        }
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
    }
}

#[test]
fn words_outside_the_table_get_gensim_s_vectors_from_their_ngrams() {
    let expected = expected();
    let mut composed = 0;
    for (name, spec) in expected.as_object().unwrap() {
        let loaded = load(&fixtures().join(name), &LoadOptions::default()).unwrap();
        let want = reference(&format!("{}.unknown.npy", name.trim_end_matches(".bin")));
        let unknown = spec["unknown"].as_object().unwrap();
        let mut words: Vec<&String> = unknown.keys().collect();
        words.sort_by_key(|w| UNKNOWN.iter().position(|u| u == w).expect("a word of UNKNOWN"));
        for (word, want) in words.into_iter().zip(&want) {
            let ours = loaded.subwords.as_ref().and_then(|s| s.vector(word));
            match unknown[word].as_u64() {
                None => assert_eq!(ours, None, "{name}: `{word}` has no vector in gensim"),
                Some(ngrams) => {
                    let (vector, n) =
                        ours.unwrap_or_else(|| panic!("{name}: `{word}` has a vector in gensim"));
                    assert_eq!((&bits(vector), n as u64), (want, ngrams), "{name}: `{word}`");
                    composed += 1;
                }
            }
        }
    }
    assert_eq!(composed, 13, "words composed over the three fixtures");
}

#[test]
fn a_model_read_from_its_mapped_file_equals_one_read_from_memory_or_in_pieces() {
    // A file is mapped and its buckets read where they lie; bytes in memory
    // are decoded onto the heap, and a gzip file or a pipe arrives in pieces.
    let dir = tempfile::tempdir().unwrap();
    for name in ["skipgram.bin", "cbow-unsigned.bin", "no-subwords.bin"] {
        let path = fixtures().join(name);
        let mapped = load(&path, &LoadOptions::default()).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let gzipped = dir.path().join(format!("{name}.gz"));
        std::fs::write(&gzipped, crate::gzip(&bytes)).unwrap();
        for other in [
            load_bytes(&path, &bytes, &LoadOptions::default()).unwrap(),
            load(&gzipped, &LoadOptions::default()).unwrap(),
        ] {
            assert_eq!(mapped.embeddings.tokens(), other.embeddings.tokens(), "{name}");
            assert_eq!(mapped.embeddings.vectors(), other.embeddings.vectors(), "{name}");
            assert_eq!(mapped.subwords, other.subwords, "{name}");
        }
        assert_eq!(mapped.subwords.is_some(), name != "no-subwords.bin", "{name}");
        for (limit, lossy) in [(None, false), (Some(3), true)] {
            same_in_pieces(&bytes, limit, lossy);
        }
    }
}

/// Asserts that `bytes` read in pieces of every size up to 200 bytes (the
/// fixtures' fronts), then of a few larger sizes, read as they read whole:
/// the same model, or the same error at the same byte.
fn same_in_pieces(bytes: &[u8], limit: Option<usize>, lossy: bool) {
    let whole = parse_fasttext(bytes, limit, lossy);
    for piece in (1..=200).chain([1000, 5000]) {
        let read = parse_fasttext_in_pieces(bytes, piece, limit, lossy);
        assert_eq!(read, whole, "pieces of {piece} bytes");
    }
}

/// `scripts/make_fasttext_fixtures.py`'s UNKNOWN, in its order (the rows of `*.unknown.npy`).
const UNKNOWN: [&str; 7] = ["wherever", "cafés", "東", "🙂🙂", "xy", "datum", ""];

#[test]
fn a_model_from_before_the_magic_and_one_without_buckets_say_so() {
    let unsigned = load(&fixtures().join("cbow-unsigned.bin"), &LoadOptions::default()).unwrap();
    assert_eq!(
        unsigned.notes,
        [
            "fastText model from before format versions: cbow, negative sampling loss, 5 epochs, 16 words",
            "12 character n-gram buckets of 2 to 4 characters: a --query word not in the table gets the \
             mean of its n-gram vectors, as in gensim"
        ]
    );
    let plain = load(&fixtures().join("no-subwords.bin"), &LoadOptions::default()).unwrap();
    assert!(plain.subwords.is_none());
    assert_eq!(
        plain.notes[1],
        "no character n-gram buckets: a word not in the table has no vector"
    );
}

#[test]
fn limit_keeps_the_first_words_with_the_same_vectors() {
    let options = LoadOptions {
        limit: Some(4),
        ..LoadOptions::default()
    };
    let loaded = load(&fixtures().join("skipgram.bin"), &options).unwrap();
    assert_eq!(loaded.embeddings.tokens(), ["the", "of", "and", "</s>"]);
    let want = reference("skipgram.vectors.npy");
    assert_eq!(
        bits(loaded.embeddings.vectors().iter().copied()),
        want[..4].concat()
    );
    assert_eq!(loaded.subwords.unwrap().len(), 40);
}

/// `embspace analyze FILE --query …` as JSON, and its Markdown.
fn analyze_queries(file: &Path, queries: &[&str], top: usize) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_embspace"))
        .args([
            "analyze",
            "--quiet",
            "--map",
            "0",
            "--report-format",
            "json,md",
            "--top",
        ])
        .arg(top.to_string())
        .arg("--out")
        .arg(dir.path())
        .arg(file)
        .arg("--query")
        .args(queries)
        .output()
        .unwrap();
    crate::assert_succeeded(&out);
    let json = serde_json::from_slice(&std::fs::read(dir.path().join("analysis.json")).unwrap()).unwrap();
    let markdown = std::fs::read_to_string(dir.path().join("analysis.md")).unwrap();
    (json, markdown)
}

#[test]
fn query_neighbours_are_gensim_s_for_words_in_and_out_of_the_table() {
    let expected = expected();
    for (name, spec) in expected.as_object().unwrap() {
        let neighbours = spec["neighbours"].as_object().unwrap();
        let queries: Vec<&str> = neighbours.keys().map(String::as_str).collect();
        let (json, _) = analyze_queries(&fixtures().join(name), &queries, 5);
        assert_eq!(json["source"]["format"], "fasttext-binary");
        for result in json["results"]["neighbours"].as_array().unwrap() {
            let query = result["query"].as_str().unwrap();
            let theirs = neighbours[query].as_array().unwrap();
            let ours = result["neighbours"].as_array().unwrap();
            assert_eq!(ours.len(), theirs.len(), "{name}: {query}");
            for (ours, theirs) in ours.iter().zip(theirs) {
                assert_eq!(ours["token"], theirs[0], "{name}: {query}");
                let (a, b) = (ours["score"].as_f64().unwrap(), theirs[1].as_f64().unwrap());
                assert!((a - b).abs() < 1e-5, "{name}: {query}: {a} against gensim's {b}");
            }
            let in_table = spec["words"].as_array().unwrap().iter().any(|w| w == query);
            assert_eq!(result["ngrams"].is_null(), in_table, "{name}: {query}");
        }
    }
}

#[test]
fn the_page_says_which_query_vectors_were_composed_from_ngrams() {
    let (json, markdown) = analyze_queries(&fixtures().join("skipgram.bin"), &["the", "wherever", ""], 3);
    let results = json["results"]["neighbours"].as_array().unwrap();
    assert_eq!(results[1]["ngrams"], 26);
    assert!(results[2]["neighbours"].is_null(), "`` has no 3-gram");
    assert!(markdown.contains("**Neighbours of “the”**"), "{markdown}");
    assert!(
        markdown.contains(
            "Neighbours of “wherever” (not in the table: the mean of its 26 character n-gram vectors)"
        ),
        "{markdown}"
    );
    let (json, _) = analyze_queries(&fixtures().join("no-subwords.bin"), &["wherever"], 3);
    assert!(json["results"]["neighbours"][0]["neighbours"].is_null());
}

// ---- models written here, to break ----

/// A small signed (v12) or unsigned skipgram model: `words` with counts
/// descending, an input matrix of their rows then `bucket` bucket rows (value
/// `(row · dim + column) / 64`), an output matrix of zeros.
fn model(words: &[&[u8]], dim: i32, bucket: i32, (minn, maxn): (i32, i32), signed: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let i32s = |out: &mut Vec<u8>, values: &[i32]| values.iter().for_each(|v| out.extend(v.to_le_bytes()));
    if signed {
        i32s(&mut out, &[793_712_314, 12]);
    }
    i32s(&mut out, &[dim, 5, 5, 1, 5, 1, 2, 2, bucket, minn, maxn, 100]);
    out.extend(1e-4f64.to_le_bytes());
    let n = words.len() as i32;
    i32s(&mut out, &[n, n, 0]);
    out.extend(1000i64.to_le_bytes());
    if signed {
        out.extend((-1i64).to_le_bytes());
    }
    for (i, word) in words.iter().enumerate() {
        out.extend_from_slice(word);
        out.push(0);
        out.extend((100 - i as i64).to_le_bytes());
        out.push(0);
    }
    let matrix = |out: &mut Vec<u8>, rows: usize, value: &dyn Fn(usize) -> f32| {
        if signed {
            out.push(0);
        }
        out.extend((rows as i64).to_le_bytes());
        out.extend(i64::from(dim).to_le_bytes());
        (0..rows * dim as usize).for_each(|k| out.extend(value(k).to_le_bytes()));
    };
    matrix(&mut out, words.len() + bucket as usize, &|k| k as f32 / 64.0);
    matrix(&mut out, words.len(), &|_| 0.0);
    out
}

/// Two words, `a` and `bc`, 2 dimensions, 3 buckets of 1 to 3 characters.
/// Signed, its bytes are: the magic 0, version 4, the arguments from 8
/// (`dim` 8, `bucket` 40, `minn` 44, `maxn` 48), the dictionary's size 64,
/// `nwords` 68, `nlabels` 72, `ntokens` 76, pruned index size 84, `a` 92
/// (its type at 102), `bc` 103 (its type at 114), the input matrix's flag
/// 115, rows 116, columns 124, values 132 to 172, the output matrix's flag
/// 172, rows 173, columns 181, values 189 to 205.
fn small() -> Vec<u8> {
    model(&[b"a", b"bc"], 2, 3, (1, 3), true)
}

#[test]
fn a_model_of_no_words_is_refused_as_a_table_of_no_rows() {
    // Valid for fastText (its buckets still compose vectors), but there is no table to analyse.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bin");
    std::fs::write(&path, model(&[], 2, 3, (1, 3), true)).unwrap();
    let error = load(&path, &LoadOptions::default()).unwrap_err();
    assert!(matches!(error, LoadError::NoRows { dim: 2, .. }), "{error}");
    assert_eq!(
        error.to_string(),
        format!(
            "{}: expected a table of at least one row, found 0 rows of 2 columns",
            path.display()
        )
    );
}

fn set(bytes: &mut [u8], at: usize, value: &[u8]) {
    bytes[at..at + value.len()].copy_from_slice(value);
}

/// Loads `bytes` as `model.bin` with `options`: the refusal's message after
/// the file name. `embspace analyze` must print the same line and exit 2.
fn refusal(bytes: &[u8], options: &LoadOptions) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bin");
    std::fs::write(&path, bytes).unwrap();
    let message = match load(&path, options) {
        Ok(loaded) => panic!("loaded {} rows", loaded.embeddings.len()),
        Err(error @ LoadError::Malformed { .. }) => error.to_string(),
        Err(error) => panic!("{error}"),
    };
    let mut cli = Command::new(env!("CARGO_BIN_EXE_embspace"));
    cli.args(["analyze", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .arg(&path);
    if let Some(format) = options.format {
        cli.args(["--format", format.name()]);
    }
    let out = cli.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("embspace: {message}\n")
    );
    assert!(!dir.path().join("out").exists());
    let message = message
        .strip_prefix(&format!("{}:", path.display()))
        .expect("the message names the file")
        .to_string();
    // Gzipped or in pieces, as a download or a pipe arrives, it is refused alike.
    let gzipped = dir.path().join("model.bin.gz");
    std::fs::write(&gzipped, crate::gzip(bytes)).unwrap();
    let error = load(&gzipped, options).map(drop).unwrap_err().to_string();
    assert_eq!(error, format!("{}:{message}", gzipped.display()));
    for (limit, lossy) in [(options.limit, options.lossy), (Some(1), !options.lossy)] {
        same_in_pieces(bytes, limit, lossy);
    }
    message
}

fn refused(bytes: &[u8]) -> String {
    refusal(bytes, &LoadOptions::default())
}

fn as_fasttext() -> LoadOptions {
    LoadOptions {
        format: Some(Format::FastTextBinary),
        ..LoadOptions::default()
    }
}

#[test]
fn a_word_s_vector_is_the_mean_of_its_row_and_its_ngram_buckets() {
    for signed in [true, false] {
        let bytes = model(&[b"a", b"bc"], 2, 3, (1, 3), signed);
        let loaded = load_bytes(Path::new("m.bin"), &bytes, &LoadOptions::default()).unwrap();
        let subwords = loaded.subwords.as_ref().unwrap();
        let row = |r: usize| Array1::from_iter((0..2).map(|c| (r * 2 + c) as f32 / 64.0));
        for (id, word) in ["a", "bc"].iter().enumerate() {
            let buckets = subwords.buckets_of(word.as_bytes());
            let sum = buckets.iter().fold(row(id), |sum, &b| sum + row(2 + b));
            let want = sum / (buckets.len() + 1) as f32;
            assert_eq!(loaded.embeddings.vector(id), want, "`{word}`, signed {signed}");
        }
        // `a`: <a, <a>, a, a> (a lone marker is no n-gram); `bc`: <b, <bc, b, bc, bc>, c, c>.
        assert_eq!(
            (subwords.buckets_of(b"a").len(), subwords.buckets_of(b"bc").len()),
            (4, 7)
        );
    }
}

#[test]
fn invalid_utf8_is_refused_or_replaced_and_hashed_as_the_file_s_bytes() {
    let bytes = model(&[b"ok", b"caf\xe9"], 2, 5, (2, 4), true);
    assert_eq!(
        refused(&bytes),
        "byte 107: expected a UTF-8 token (`--lossy` would replace the bytes with U+FFFD), found byte 0xe9 \
         at byte offset 107 in `caf\u{fffd}`"
    );
    let lossy = LoadOptions {
        lossy: true,
        ..LoadOptions::default()
    };
    let loaded = load_bytes(Path::new("m.bin"), &bytes, &lossy).unwrap();
    assert_eq!(loaded.embeddings.tokens(), ["ok", "caf\u{fffd}"]);
    let subwords = loaded.subwords.unwrap();
    let row = |r: usize| Array1::from_iter((0..2).map(|c| (r * 2 + c) as f32 / 64.0));
    let mean = |word: &[u8]| {
        let buckets = subwords.buckets_of(word);
        buckets.iter().fold(row(1), |sum, &b| sum + row(2 + b)) / (buckets.len() + 1) as f32
    };
    assert_eq!(loaded.embeddings.vector(1), mean(b"caf\xe9"));
    assert_ne!(mean(b"caf\xe9"), mean("caf\u{fffd}".as_bytes()));
}

#[test]
fn a_file_neither_signed_nor_with_old_arguments_is_refused_at_byte_0() {
    let mut bytes = small();
    set(&mut bytes, 0, b"2747 10\n");
    assert_eq!(
        refusal(&bytes, &as_fasttext()),
        "byte 0: expected the fastText magic 793712314, or the arguments of a model from before it (a dimension \
         below 2^24, loss 1 to 4 at byte 24, model 1 to 3 at byte 28), found 926168882 (`2747`)"
    );
}

#[test]
fn a_version_newer_than_12_is_refused() {
    let mut bytes = small();
    set(&mut bytes, 4, &13i32.to_le_bytes());
    assert_eq!(
        refused(&bytes),
        "byte 4: expected a fastText format version from 1 to 12, found version 13"
    );
}

#[test]
fn truncated_arguments_are_refused_at_the_argument() {
    assert_eq!(
        refused(&small()[..30]),
        "byte 28: expected 4 bytes of the argument `wordNgrams`, found 2 before the end of the file"
    );
    assert_eq!(
        refused(&small()[..60]),
        "byte 56: expected 8 bytes of the argument `t`, found 4 before the end of the file"
    );
}

#[test]
fn arguments_reading_depends_on_are_checked() {
    for (at, value, message) in [
        (8, 0, "byte 8: expected `dim` of at least 1, found 0"),
        (40, -1, "byte 40: expected `bucket` of at least 0, found -1"),
        (48, -2, "byte 48: expected `maxn` of at least 0, found -2"),
    ] {
        let mut bytes = small();
        set(&mut bytes, at, &i32::to_le_bytes(value));
        assert_eq!(refused(&bytes), message);
    }
}

#[test]
fn a_supervised_model_is_refused_as_gensim_refuses_it() {
    let mut bytes = small();
    set(&mut bytes, 72, &2i32.to_le_bytes());
    assert_eq!(
        refused(&bytes),
        "byte 72: expected an unsupervised model (cbow or skipgram: no labels), as gensim reads, found a \
         supervised model with 2 labels (gensim refuses these too)"
    );
    let mut bytes = small();
    set(&mut bytes, 114, &[1]);
    assert_eq!(
        refused(&bytes),
        "byte 114: expected entry type 0 (a word) for entry 2, `bc`, found type 1 (a label)"
    );
}

#[test]
fn dictionary_counts_that_disagree_or_are_negative_are_refused() {
    let mut bytes = small();
    set(&mut bytes, 64, &3i32.to_le_bytes());
    assert_eq!(
        refused(&bytes),
        "byte 64: expected a dictionary of nwords = 2 entries, as it has no labels, found 3 entries"
    );
    let mut bytes = small();
    set(&mut bytes, 68, &(-5i32).to_le_bytes());
    assert_eq!(
        refused(&bytes),
        "byte 68: expected `nwords` of at least 0, found -5"
    );
    let mut bytes = small();
    set(&mut bytes, 72, &(-1i32).to_le_bytes());
    assert_eq!(
        refused(&bytes),
        "byte 72: expected an unsupervised model (cbow or skipgram: no labels), as gensim reads, found -1 labels"
    );
}

#[test]
fn absurd_sizes_are_refused_fast_without_allocating() {
    let started = std::time::Instant::now();
    let mut words = small();
    set(&mut words, 64, &i32::MAX.to_le_bytes());
    set(&mut words, 68, &i32::MAX.to_le_bytes());
    let mut pruned = small();
    set(&mut pruned, 84, &i64::MAX.to_le_bytes());
    let mut rows = small();
    set(&mut rows, 116, &i64::MAX.to_le_bytes());
    let mut buckets = small();
    set(&mut buckets, 40, &i32::MAX.to_le_bytes());
    for (bytes, message) in [
        (
            words,
            "byte 64: expected a dictionary the file can hold (each entry needs at least 10 bytes), found \
             2147483647 entries in the 113 bytes left"
                .to_string(),
        ),
        (
            pruned,
            "byte 115: expected 9223372036854775807 pairs of i32 in the pruned index, found 90 bytes before the end \
             of the file"
                .to_string(),
        ),
        (
            rows,
            "byte 116: expected an input matrix of 5 rows (nwords + bucket), found 9223372036854775807 rows".to_string(),
        ),
        (
            buckets,
            "byte 116: expected an input matrix of 2147483649 rows (nwords + bucket), found 5 rows".to_string(),
        ),
    ] {
        assert_eq!(refused(&bytes), message);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn a_word_cut_before_its_nul_is_refused() {
    // `a` takes bytes 92 to 102; the long word starts at 103 and the file ends 20 bytes into it.
    let bytes = model(&[b"a", b"abcdefghijklmnopqrstuvwxyz"], 2, 3, (1, 3), true);
    assert_eq!(
        refused(&bytes[..123]),
        "byte 103: expected a word ended by a NUL byte for dictionary entry 2, found the end of the file after \
         `abcdefghijklmnopqrst`"
    );
    // Cut sooner, the file cannot even hold two entries of the smallest size.
    assert_eq!(
        refused(&small()[..105]),
        "byte 64: expected a dictionary the file can hold (each entry needs at least 10 bytes), found 2 entries in \
         the 13 bytes left"
    );
    let bytes = model(&[b"abcdefgh"], 2, 3, (1, 3), true);
    assert_eq!(
        refused(&bytes[..105]),
        "byte 101: expected 8 bytes of the count of `abcdefgh`, found 4 before the end of the file"
    );
}

#[test]
fn a_matrix_of_another_shape_is_refused() {
    let mut bytes = small();
    set(&mut bytes, 124, &3i64.to_le_bytes());
    assert_eq!(
        refused(&bytes),
        "byte 124: expected an input matrix of dim = 2 columns, found 3 columns"
    );
    let mut bytes = small();
    set(&mut bytes, 173, &5i64.to_le_bytes());
    assert_eq!(
        refused(&bytes),
        "byte 173: expected an output matrix of 2 rows (one per word), found 5 rows"
    );
}

#[test]
fn a_truncated_matrix_is_refused_where_it_starts() {
    assert_eq!(
        refused(&small()[..150]),
        "byte 132: expected 40 bytes of the 5×2 input matrix, found 18 before the end of the file"
    );
    assert_eq!(
        refused(&small()[..200]),
        "byte 189: expected 16 bytes of the 2×2 output matrix, found 11 before the end of the file"
    );
    let mut more = small();
    more.extend(b"\n");
    assert_eq!(
        refused(&more),
        "byte 205: expected the end of the file after the output matrix, found 1 byte more"
    );
}

#[test]
fn a_quantised_or_pruned_model_is_refused_naming_it() {
    let mut bytes = small();
    set(&mut bytes, 115, &[1]);
    assert_eq!(
        refused(&bytes),
        "byte 115: expected an unquantised input matrix (flag 0): embspace does not read the quantised models \
         `fasttext quantize` writes (.ftz), found flag 1 (a quantised model)"
    );
    let mut bytes = small();
    set(&mut bytes, 172, &[1]);
    assert!(refused(&bytes).starts_with("byte 172: expected an unquantised output matrix (flag 0)"));

    // A pruned index of one pair, in an unquantised model (fastText prunes only when it quantises).
    let mut bytes = small();
    set(&mut bytes, 84, &1i64.to_le_bytes());
    bytes.splice(115..115, [0u8; 8]);
    assert_eq!(
        refused(&bytes),
        "byte 84: expected no pruned index (-1), as fastText writes it for every unquantised model, found a \
         pruned index of 1 pair"
    );
}

#[test]
fn a_non_finite_value_is_refused_at_its_byte() {
    let mut bytes = small();
    set(&mut bytes, 132 + 4, &f32::NAN.to_le_bytes());
    assert_eq!(
        refused(&bytes),
        "byte 136: expected a finite f32 at row 1, column 2 of the input matrix (the row of `a`), found NaN"
    );
    let mut bytes = small();
    set(&mut bytes, 132 + 16 + 8, &f32::INFINITY.to_le_bytes());
    assert_eq!(
        refused(&bytes),
        "byte 156: expected a finite f32 at row 4, column 1 of the input matrix (n-gram bucket 1), found inf"
    );
    // Finite rows whose sum overflows f32.
    let mut bytes = small();
    for k in 0..10 {
        set(&mut bytes, 132 + 4 * k, &f32::MAX.to_le_bytes());
    }
    assert_eq!(
        refused(&bytes),
        "byte 132: expected a vector for `a` whose mean with its n-gram buckets is finite, found a mean that \
         overflows f32"
    );
}

#[test]
fn a_word2vec_binary_is_not_taken_for_a_fasttext_model() {
    let loaded = load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/embeddings/word2vec.bin"),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(loaded.format, Format::Word2VecBinary);
    assert!(loaded.subwords.is_none());
}

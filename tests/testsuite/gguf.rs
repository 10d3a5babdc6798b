//! GGUF files as llama.cpp's gguf-py writes them load exactly as gguf-py reads
//! and dequantises them, bit for bit; malformed ones are refused with the
//! file, the byte and what was expected there, and `analyze` exits 2.

use std::path::{Path, PathBuf};
use std::process::Command;

use embspace::embeddings::{
    Format, LoadError, LoadOptions, TokenKind, load, load_bytes, parse_gguf, parse_npy,
};
use tempfile::TempDir;

/// The fixtures written by `scripts/make_gguf_fixtures.sh`.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gguf")
}

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap()
}

fn tensor(name: &str) -> LoadOptions {
    LoadOptions {
        tensor: Some(name.into()),
        ..LoadOptions::default()
    }
}

/// gguf-py's dequantised values of a tensor, as `f32` bits.
fn reference_bits(stem: &str, tensor: &str) -> Vec<u32> {
    let bytes = std::fs::read(fixtures().join(format!("{stem}.{tensor}.npy"))).unwrap();
    let matrix = parse_npy(&bytes, None).unwrap();
    matrix.vectors.iter().map(|v| v.to_bits()).collect()
}

fn loaded_bits(path: &Path, options: &LoadOptions) -> Vec<u32> {
    let loaded = load(path, options).unwrap_or_else(|e| panic!("{e}"));
    loaded.embeddings.vectors().iter().map(|v| v.to_bits()).collect()
}

// ---- the reference: files and values from gguf-py ----

#[test]
fn every_fixture_dequantises_bit_for_bit_as_gguf_py_does() {
    let expected = expected();
    let files = expected.as_object().unwrap();
    assert_eq!(files.len(), 15);
    let mut types = Vec::new();
    for (name, spec) in files {
        let path = fixtures().join(name);
        let stem = name.trim_end_matches(".gguf");
        let want = reference_bits(stem, "token_embd.weight");
        let got = loaded_bits(&path, &LoadOptions::default());
        assert_eq!(got.len(), want.len(), "{name}");
        let differ = got.iter().zip(&want).position(|(a, b)| a != b);
        assert_eq!(differ, None, "{name}: first differing value");
        types.push(
            spec["tensors"]["token_embd.weight"]["type"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    types.sort();
    assert_eq!(
        types,
        [
            "BF16", "F16", "F32", "IQ4_NL", "IQ4_XS", "Q2_K", "Q3_K", "Q4_0", "Q4_1", "Q4_K", "Q5_0", "Q5_1",
            "Q5_K", "Q6_K", "Q8_0"
        ]
    );
}

#[test]
fn tokens_and_token_types_are_the_tokenizer_s_as_gguf_py_reads_them() {
    for (name, spec) in expected().as_object().unwrap() {
        let loaded = load(&fixtures().join(name), &LoadOptions::default()).unwrap();
        assert_eq!(loaded.format, Format::Gguf);
        let tokens: Vec<String> = serde_json::from_value(spec["tokens"].clone()).unwrap();
        // The fixtures' tokenizer model is `llama` (SentencePiece): `▁` reads as a space.
        let shown: Vec<String> = tokens.iter().map(|t| t.replace('▁', " ")).collect();
        assert_eq!(loaded.embeddings.tokens(), &shown[..], "{name}");
        let types: Vec<i32> = serde_json::from_value(spec["token_types"].clone()).unwrap();
        let types: Vec<TokenKind> = types.into_iter().map(TokenKind::from_gguf).collect();
        assert_eq!(loaded.token_kinds.as_deref(), Some(&types[..]), "{name}");
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
    }
}

#[test]
fn every_token_type_is_named() {
    let loaded = load(&fixtures().join("q4_0.gguf"), &LoadOptions::default()).unwrap();
    let types = loaded.token_kinds.unwrap();
    assert_eq!(
        types[..8],
        [
            TokenKind::Unknown,
            TokenKind::Control,
            TokenKind::Control,
            TokenKind::UserDefined,
            TokenKind::Unused,
            TokenKind::Byte,
            TokenKind::Byte,
            TokenKind::Normal
        ]
    );
}

#[test]
fn versions_alignments_and_metadata_of_every_type_are_read() {
    // q8_0.gguf is version 2, q5_0.gguf aligns its data to 64 bytes, f32.gguf
    // has a metadata value of every type and nested arrays before its tensors.
    let expected = expected();
    assert_eq!(expected["q8_0.gguf"]["version"], 2);
    assert_eq!(expected["q5_0.gguf"]["alignment"], 64);
    for name in ["q8_0.gguf", "q5_0.gguf", "f32.gguf"] {
        let bytes = std::fs::read(fixtures().join(name)).unwrap();
        let table = parse_gguf(&bytes, &LoadOptions::default()).unwrap();
        assert_eq!(u64::from(table.version), expected[name]["version"], "{name}");
    }
}

#[test]
fn tensor_output_weight_reads_the_lm_head() {
    let path = fixtures().join("q4_k.gguf");
    let options = tensor("output.weight");
    assert_eq!(
        loaded_bits(&path, &options),
        reference_bits("q4_k", "output.weight")
    );
    let loaded = load(&path, &options).unwrap();
    assert_eq!(loaded.tensor.as_deref(), Some("output.weight"));
    assert_eq!(
        loaded.notes,
        [
            "tensor `output.weight` (Q6_K, GGUF v3)",
            "the model's output embedding (LM head)",
            "tokenizer.ggml.model `llama`: SentencePiece (▁ shown as a space)"
        ]
    );
}

#[test]
fn output_weight_is_read_beside_the_input_embedding_when_asked() {
    let path = fixtures().join("q4_k.gguf");
    let options = LoadOptions {
        output: true,
        ..LoadOptions::default()
    };
    let loaded = load(&path, &options).unwrap();
    assert_eq!(loaded.tensor.as_deref(), Some("token_embd.weight"));
    let output = loaded.output.expect("q4_k.gguf has output.weight");
    assert_eq!(output.tensor, "output.weight");
    let bits: Vec<u32> = output.matrix.vectors.iter().map(|v| v.to_bits()).collect();
    assert_eq!(bits, reference_bits("q4_k", "output.weight"));
    assert!(load(&path, &LoadOptions::default()).unwrap().output.is_none());
}

#[test]
fn a_model_without_output_weight_is_reported_tied() {
    let tied = load(&fixtures().join("q6_k.gguf"), &LoadOptions::default()).unwrap();
    assert_eq!(
        tied.notes,
        [
            "tensor `token_embd.weight` (Q6_K, GGUF v3)",
            "tied: no `output.weight`, so the model's output embedding is its input embedding",
            "tokenizer.ggml.model `llama`: SentencePiece (▁ shown as a space)"
        ]
    );
    let untied = load(&fixtures().join("q4_k.gguf"), &LoadOptions::default()).unwrap();
    assert!(
        untied.notes[1].starts_with("untied: `output.weight` holds"),
        "{:?}",
        untied.notes
    );
}

#[test]
fn limit_keeps_the_first_rows_tokens_and_types() {
    let options = LoadOptions {
        limit: Some(5),
        ..LoadOptions::default()
    };
    let loaded = load(&fixtures().join("q5_0.gguf"), &options).unwrap();
    assert_eq!(loaded.embeddings.len(), 5);
    assert_eq!(loaded.token_kinds.unwrap().len(), 5);
    let bits: Vec<u32> = loaded.embeddings.vectors().iter().map(|v| v.to_bits()).collect();
    assert_eq!(bits, reference_bits("q5_0", "token_embd.weight")[..5 * 64]);
}

#[test]
fn analyze_reads_a_quantised_model_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_embspace"))
        .args(["analyze", "--quiet", "--report-format", "md,json", "--out"])
        .arg(dir.path())
        .arg(fixtures().join("q4_k.gguf"))
        .output()
        .unwrap();
    crate::assert_succeeded(&out);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("analysis.json")).unwrap()).unwrap();
    assert_eq!(json["source"]["format"], "gguf");
    assert_eq!(json["results"]["diagnostics"]["dim"], 512);
    assert_eq!(
        json["source"]["notes"][0],
        "tensor `token_embd.weight` (Q4_K, GGUF v3)"
    );
    let markdown = std::fs::read_to_string(dir.path().join("analysis.md")).unwrap();
    assert!(markdown.contains("untied: `output.weight` holds"), "{markdown}");
}

// ---- GGUF files written here, to break ----

/// A GGUF string: its length as a little-endian `u64`, then its bytes.
fn string(text: &[u8]) -> Vec<u8> {
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(text);
    out
}

/// A metadata entry: key, value type, value.
pub fn entry(key: &str, kind: u32, value: &[u8]) -> Vec<u8> {
    let mut out = string(key.as_bytes());
    out.extend(kind.to_le_bytes());
    out.extend_from_slice(value);
    out
}

/// An array of strings as a metadata value (element type, count, elements).
pub fn strings(items: &[&str]) -> Vec<u8> {
    let mut out = 8u32.to_le_bytes().to_vec();
    out.extend((items.len() as u64).to_le_bytes());
    for item in items {
        out.extend(string(item.as_bytes()));
    }
    out
}

/// A tensor for [`model`]: name, dimensions fastest first, ggml type id, data.
pub struct Tensor {
    pub name: &'static str,
    pub dims: Vec<u64>,
    pub ggml_type: u32,
    pub data: Vec<u8>,
}

fn f32_tensor(name: &'static str, dims: &[u64]) -> Tensor {
    let count = dims.iter().product::<u64>() as usize;
    Tensor {
        name,
        dims: dims.to_vec(),
        ggml_type: 0,
        data: (0..count).flat_map(|i| (i as f32 / 4.0).to_le_bytes()).collect(),
    }
}

/// A GGUF v3 file: the metadata entries, then the tensors laid out one after
/// the other on 32-byte boundaries.
pub fn model(entries: &[Vec<u8>], tensors: &[Tensor]) -> Vec<u8> {
    let mut out = b"GGUF".to_vec();
    out.extend(3u32.to_le_bytes());
    out.extend((tensors.len() as u64).to_le_bytes());
    out.extend((entries.len() as u64).to_le_bytes());
    entries.iter().for_each(|e| out.extend(e));
    let mut offset = 0u64;
    for t in tensors {
        out.extend(string(t.name.as_bytes()));
        out.extend((t.dims.len() as u32).to_le_bytes());
        t.dims.iter().for_each(|d| out.extend(d.to_le_bytes()));
        out.extend(t.ggml_type.to_le_bytes());
        out.extend(offset.to_le_bytes());
        offset = (offset + t.data.len() as u64).next_multiple_of(32);
    }
    for t in tensors {
        out.resize(out.len().next_multiple_of(32), 0);
        out.extend(&t.data);
    }
    out
}

/// Three tokens and a 3×2 F32 `token_embd.weight`.
fn small_model() -> Vec<u8> {
    model(
        &[entry("tokenizer.ggml.tokens", 9, &strings(&["a", "b", "c"]))],
        &[f32_tensor("token_embd.weight", &[2, 3])],
    )
}

fn file(bytes: &[u8]) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.gguf");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// Loads `bytes` as `model.gguf` with `options`: the refusal's message after
/// the file name. `embspace analyze` must print the same line and exit 2.
fn refusal(bytes: &[u8], options: &LoadOptions) -> String {
    let (dir, path) = file(bytes);
    let message = match load(&path, options) {
        Ok(loaded) => panic!("loaded {} rows", loaded.embeddings.len()),
        Err(error @ LoadError::Malformed { .. }) => error.to_string(),
        Err(error) => panic!("{error}"),
    };
    let mut cli = Command::new(env!("CARGO_BIN_EXE_embspace"));
    cli.args(["analyze", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .arg(&path);
    if let Some(name) = &options.tensor {
        cli.args(["--tensor", name]);
    }
    let out = cli.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("embspace: {message}\n")
    );
    let prefix = format!("{}:", path.display());
    message
        .strip_prefix(&prefix)
        .expect("the message names the file")
        .to_string()
}

#[test]
fn a_small_model_written_here_loads() {
    let loaded = load_bytes(Path::new("m.gguf"), &small_model(), &LoadOptions::default()).unwrap();
    assert_eq!(loaded.embeddings.tokens(), ["a", "b", "c"]);
    assert_eq!(loaded.embeddings.vector(2).to_vec(), [1.0, 1.25]);
    assert_eq!(loaded.token_kinds, None);
}

/// A model of `tokens` whose tokenizer model is `model`, with token types.
fn tokenizer_model(model: &str, tokens: &[&str], types: &[i32]) -> Vec<u8> {
    let mut type_array = 5u32.to_le_bytes().to_vec();
    type_array.extend((types.len() as u64).to_le_bytes());
    types.iter().for_each(|t| type_array.extend(t.to_le_bytes()));
    let rows = tokens.len() as u64;
    self::model(
        &[
            entry("tokenizer.ggml.model", 8, &string(model.as_bytes())),
            entry("tokenizer.ggml.tokens", 9, &strings(tokens)),
            entry("tokenizer.ggml.token_type", 9, &type_array),
        ],
        &[f32_tensor("token_embd.weight", &[2, rows])],
    )
}

fn shown_tokens(bytes: &[u8]) -> Vec<String> {
    let loaded = load_bytes(Path::new("m.gguf"), bytes, &LoadOptions::default()).unwrap();
    loaded.embeddings.tokens().to_vec()
}

#[test]
fn tokens_read_as_their_tokenizer_model_decodes_them() {
    // gpt2: byte-level BPE, shown decoded.
    let gpt2 = tokenizer_model("gpt2", &["Ġthe", "Ċ", "Ã©", "<|endoftext|>"], &[1, 1, 1, 3]);
    assert_eq!(shown_tokens(&gpt2), [" the", "\\n", "é", "<|endoftext|>"]);
    // llama: SentencePiece, `▁` a space; byte tokens as written.
    let llama = tokenizer_model("llama", &["▁the", "<0x0A>", "ing"], &[1, 6, 1]);
    assert_eq!(shown_tokens(&llama), [" the", "<0x0A>", "ing"]);
    // bert: llama.cpp's phantom spaces undone, so the tokens are the model directory's.
    let bert = tokenizer_model("bert", &["[CLS]", "▁the", "ing", "▁[unused0]"], &[3, 1, 1, 1]);
    assert_eq!(shown_tokens(&bert), ["[CLS]", "the", "##ing", "[unused0]"]);
    // A model embspace does not know: as stored.
    let rwkv = tokenizer_model("rwkv", &["▁the", "Ġa"], &[1, 1]);
    assert_eq!(shown_tokens(&rwkv), ["▁the", "Ġa"]);
}

#[test]
fn an_output_weight_of_another_shape_is_refused_at_its_entry() {
    let bytes = model(
        &[entry("tokenizer.ggml.tokens", 9, &strings(&["a", "b", "c"]))],
        &[
            f32_tensor("token_embd.weight", &[2, 3]),
            f32_tensor("output.weight", &[2, 4]),
        ],
    );
    // The entry starts with the name's length, 8 bytes before the name.
    let at = bytes.windows(13).position(|w| w == b"output.weight").unwrap() - 8;
    let options = LoadOptions {
        output: true,
        ..LoadOptions::default()
    };
    assert_eq!(
        refusal(&bytes, &options),
        format!("byte {at}: expected `output.weight` of 3×2, the shape of `token_embd.weight`, found 4×2")
    );
}

#[test]
fn a_bad_magic_is_refused() {
    let mut bytes = small_model();
    bytes[..4].copy_from_slice(b"GGML");
    assert_eq!(
        refusal(&bytes, &LoadOptions::default()),
        "byte 0: expected the GGUF magic `GGUF`, found `GGML`"
    );
}

#[test]
fn versions_other_than_2_and_3_are_refused() {
    for (version, found) in [
        (
            1u32,
            "version 1 (2023's first GGUF, which llama.cpp no longer reads either)",
        ),
        (4, "version 4"),
        (
            3u32.swap_bytes(),
            "version 50331648 (a big-endian file, which embspace does not read)",
        ),
    ] {
        let mut bytes = small_model();
        bytes[4..8].copy_from_slice(&version.to_le_bytes());
        assert_eq!(
            refusal(&bytes, &LoadOptions::default()),
            format!("byte 4: expected GGUF version 2 or 3, found {found}")
        );
    }
}

#[test]
fn a_truncated_header_is_refused_at_its_end() {
    let bytes = small_model();
    assert_eq!(
        refusal(&bytes[..13], &LoadOptions::default()),
        "byte 8: expected 8 bytes of the tensor count, found 5 before the end of the file"
    );
}

#[test]
fn a_truncated_metadata_string_is_refused() {
    // The tokens' key (8 + 21 bytes) and value type (4) start at byte 24; the
    // array's element type and count take 12 more, then each token 9 bytes:
    // "c"'s length is at 87, its text at 95.
    let bytes = small_model();
    assert_eq!(
        refusal(&bytes[..95], &LoadOptions::default()),
        "byte 95: expected 1 byte of a string, found 0 before the end of the file"
    );
}

#[test]
fn tensor_data_past_the_end_of_the_file_is_refused() {
    let bytes = small_model();
    let cut = bytes.len() - 5;
    let start = bytes.len() - 24;
    assert_eq!(
        refusal(&bytes[..cut], &LoadOptions::default()),
        format!(
            "byte {start}: expected 24 bytes of F32 data for tensor `token_embd.weight` (3×2) from byte {start}, found 19 before the end of the file"
        )
    );
}

#[test]
fn a_misaligned_data_offset_is_refused() {
    let mut bytes = small_model();
    // The tensor info is the last thing before the data: its offset is the last 8 bytes before the padding.
    let info_end = 24 + 8 + 21 + 4 + 12 + 27 + 8 + 17 + 4 + 16 + 4 + 8;
    let offset_at = info_end - 8;
    bytes[offset_at..info_end].copy_from_slice(&4u64.to_le_bytes());
    assert_eq!(
        refusal(&bytes, &LoadOptions::default()),
        format!(
            "byte {offset_at}: expected a data offset of `token_embd.weight` on the 32-byte alignment, found offset 4"
        )
    );
}

#[test]
fn a_bad_alignment_is_refused() {
    let bytes = model(
        &[entry("general.alignment", 4, &48u32.to_le_bytes())],
        &[f32_tensor("token_embd.weight", &[2, 3])],
    );
    assert_eq!(
        refusal(&bytes, &LoadOptions::default()),
        "byte 53: expected a `general.alignment` that is a uint32 power of two, found 48"
    );
}

#[test]
fn an_unknown_and_an_unsupported_type_are_refused_naming_them() {
    let type_at = 24 + 8 + 17 + 4 + 16;
    for (id, found) in [
        (99u32, "type id 99, which ggml does not define"),
        (16, "type IQ2_XXS (16), which embspace does not dequantise"),
    ] {
        let mut tensor = f32_tensor("token_embd.weight", &[256, 1]);
        tensor.ggml_type = id;
        let bytes = model(&[], &[tensor]);
        let expected = if id == 99 {
            "a ggml type id for `token_embd.weight` (one of F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, \
             Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS)"
        } else {
            "a type embspace dequantises for tensor `token_embd.weight`: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, \
             Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS"
        };
        assert_eq!(
            refusal(&bytes, &LoadOptions::default()),
            format!("byte {type_at}: expected {expected}, found {found}")
        );
    }
}

#[test]
fn rows_of_partial_blocks_are_refused() {
    let mut tensor = f32_tensor("token_embd.weight", &[100, 1]);
    tensor.ggml_type = 12; // Q4_K: 256 values a block
    let bytes = model(&[], &[tensor]);
    assert_eq!(
        refusal(&bytes, &LoadOptions::default()),
        "byte 69: expected rows of whole Q4_K blocks (256 values) in `token_embd.weight`, found rows of 100 values"
    );
}

#[test]
fn a_tensor_without_rows_is_refused_at_its_shape() {
    // Found by the fuzz target: no data bounds the columns of a tensor with no rows.
    for (dim, shown) in [(1u64 << 62, "4611686018427387904"), (3, "3")] {
        let bytes = model(&[], &[f32_tensor("token_embd.weight", &[dim, 0])]);
        assert_eq!(
            refusal(&bytes, &LoadOptions::default()),
            format!(
                "byte 24: expected a 2-D tensor `token_embd.weight` with at least one row and one column, found shape 0×{shown}"
            )
        );
    }
}

#[test]
fn a_one_dimensional_tensor_is_refused_with_its_shape() {
    // output_norm.weight is f32.gguf's third tensor info, after 2 076 bytes of header.
    let bytes = std::fs::read(fixtures().join("f32.gguf")).unwrap();
    assert_eq!(
        refusal(&bytes, &tensor("output_norm.weight")),
        "byte 2076: expected a 2-D tensor `output_norm.weight` with at least one row and one column, found shape 64"
    );
}

#[test]
fn a_missing_tensor_lists_the_matrices_there_are() {
    let bytes = std::fs::read(fixtures().join("q6_k.gguf")).unwrap();
    let message = refusal(&bytes, &tensor("lm_head.weight"));
    assert!(
        message.ends_with(
            ": expected a tensor named `lm_head.weight`, found 2-D tensors: `token_embd.weight` (16×512)"
        ),
        "{message}"
    );
}

#[test]
fn a_token_count_other_than_the_rows_is_refused_with_both_numbers() {
    let bytes = model(
        &[entry("tokenizer.ggml.tokens", 9, &strings(&["a", "b"]))],
        &[f32_tensor("token_embd.weight", &[2, 3])],
    );
    assert_eq!(
        refusal(&bytes, &LoadOptions::default()),
        "byte 57: expected 3 tokens, one per row of `token_embd.weight` (3×2), found 2 in tokenizer.ggml.tokens"
    );
}

#[test]
fn tokens_that_are_not_strings_are_refused() {
    let mut ints = 5u32.to_le_bytes().to_vec();
    ints.extend(3u64.to_le_bytes());
    ints.extend([0u8; 12]);
    let bytes = model(
        &[entry("tokenizer.ggml.tokens", 9, &ints)],
        &[f32_tensor("token_embd.weight", &[2, 3])],
    );
    assert_eq!(
        refusal(&bytes, &LoadOptions::default()),
        "byte 57: expected `tokenizer.ggml.tokens` as an array of strings, found an array of 3 int32"
    );
}

#[test]
fn without_tokens_the_rows_take_a_vocabulary_file() {
    let bytes = model(&[], &[f32_tensor("token_embd.weight", &[2, 3])]);
    let (dir, path) = file(&bytes);
    let error = load(&path, &LoadOptions::default()).unwrap_err().to_string();
    assert!(error.contains("expected a vocabulary: --vocab FILE"), "{error}");
    std::fs::write(dir.path().join("vocab.txt"), "x\ny\nz\n").unwrap();
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.embeddings.tokens(), ["x", "y", "z"]);
}

#[test]
fn absurd_counts_and_lengths_are_refused_without_allocating() {
    let started = std::time::Instant::now();
    let mut tensors = small_model();
    tensors[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    let mut key = small_model();
    key[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
    let mut array = small_model();
    array[61..69].copy_from_slice(&u64::MAX.to_le_bytes());
    let len = small_model().len();
    for (bytes, message) in [
        (
            tensors,
            format!(
                "byte 8: expected a tensor count the file can hold (each item needs at least 32 bytes), found 18446744073709551615 in the {} bytes left",
                len - 16
            ),
        ),
        (
            key,
            format!(
                "byte 32: expected 18446744073709551615 bytes of the key of metadata entry 1, found {} before the end of the file",
                len - 32
            ),
        ),
        (
            array,
            format!(
                "byte 61: expected an array length the file can hold (each item needs at least 8 bytes), found 18446744073709551615 in the {} bytes left",
                len - 69
            ),
        ),
    ] {
        assert_eq!(refusal(&bytes, &LoadOptions::default()), message);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn a_non_finite_value_is_refused_at_its_block() {
    let mut bytes = small_model();
    let n = bytes.len();
    bytes[n - 4..].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(
        refusal(&bytes, &LoadOptions::default()),
        format!(
            "byte {}: expected a finite value at row 3, column 2 of `token_embd.weight` (its F32 block starts here), found NaN",
            n - 4
        )
    );
}

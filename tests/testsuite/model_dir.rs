//! Hugging Face model directories: sharded and single-file checkpoints read to
//! the same matrix, tied and untied output embeddings told apart, tokens shown
//! as people read them with every row kept, and each broken directory refused
//! with one line naming the file, the key or byte, and what was expected.
//!
//! The directories are written here, by the safetensors layout's own rules
//! (an 8-byte header length, a JSON header, little-endian data), so each test
//! shows the checkpoint it reads.

use std::path::{Path, PathBuf};
use std::process::Command;

use embspace::embeddings::{
    Decoding, Format, LoadError, LoadOptions, Loaded, TokenKind, Tying, byte_level_bytes, load,
    parse_tokenizer, shown_token,
};
use half::{bf16, f16};
use serde_json::json;
use tempfile::TempDir;

/// A value of row `r`, column `c` that F32, F16 and BF16 all hold exactly.
fn value(r: usize, c: usize, salt: usize) -> f32 {
    ((r * 7 + c * 3 + salt) % 17) as f32 / 8.0 - 1.0
}

fn matrix(rows: usize, dim: usize, salt: usize) -> Vec<f32> {
    (0..rows * dim).map(|i| value(i / dim, i % dim, salt)).collect()
}

/// One tensor of a safetensors file: name, dtype, shape, values.
struct Tensor {
    name: &'static str,
    dtype: &'static str,
    shape: Vec<usize>,
    values: Vec<f32>,
}

fn tensor(name: &'static str, dtype: &'static str, shape: &[usize], values: Vec<f32>) -> Tensor {
    Tensor {
        name,
        dtype,
        shape: shape.to_vec(),
        values,
    }
}

fn encoded(dtype: &str, values: &[f32]) -> Vec<u8> {
    match dtype {
        "F32" => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        "F16" => values
            .iter()
            .flat_map(|&v| f16::from_f32(v).to_le_bytes())
            .collect(),
        "BF16" => values
            .iter()
            .flat_map(|&v| bf16::from_f32(v).to_le_bytes())
            .collect(),
        other => panic!("{other}"),
    }
}

/// A safetensors file holding `tensors`, data in their order.
fn safetensors(tensors: &[&Tensor]) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    let mut data = Vec::new();
    for t in tensors {
        let begin = data.len();
        data.extend(encoded(t.dtype, &t.values));
        header.insert(
            t.name.to_string(),
            json!({"dtype": t.dtype, "shape": t.shape, "data_offsets": [begin, data.len()]}),
        );
    }
    let header = serde_json::to_vec(&header).unwrap();
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header);
    out.extend(data);
    out
}

/// A model directory: `config.json` (when given), the tensors in
/// `model.safetensors` (one shard) or in shards with an index, a tokenizer.
struct ModelDir {
    dir: TempDir,
}

impl ModelDir {
    fn new() -> ModelDir {
        ModelDir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> &Self {
        std::fs::write(self.path().join(name), bytes).unwrap();
        self
    }

    fn config(&self, config: serde_json::Value) -> &Self {
        self.write("config.json", config.to_string())
    }

    fn tokenizer(&self, tokenizer: serde_json::Value) -> &Self {
        self.write("tokenizer.json", tokenizer.to_string())
    }

    /// The tensors in shards (one list each) and the index naming them.
    fn shards(&self, shards: &[&[&Tensor]]) -> &Self {
        let count = shards.len();
        let mut map = serde_json::Map::new();
        for (i, shard) in shards.iter().enumerate() {
            let name = format!("model-{:05}-of-{count:05}.safetensors", i + 1);
            for t in *shard {
                map.insert(t.name.to_string(), json!(name));
            }
            self.write(&name, safetensors(shard));
        }
        self.write(
            "model.safetensors.index.json",
            json!({"metadata": {"total_size": 0}, "weight_map": map}).to_string(),
        )
    }

    fn single(&self, tensors: &[&Tensor]) -> &Self {
        self.write("model.safetensors", safetensors(tensors))
    }
}

/// A byte-level BPE tokenizer as GPT-2's `tokenizer.json` has it.
fn byte_level_tokenizer(vocab: &[&str], added: &[(usize, &str, bool)]) -> serde_json::Value {
    let vocab: serde_json::Map<String, serde_json::Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_string(), json!(i)))
        .collect();
    json!({
        "version": "1.0",
        "added_tokens": added.iter().map(|(id, content, special)| json!({
            "id": id, "content": content, "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": special
        })).collect::<Vec<_>>(),
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
        "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "vocab": vocab, "merges": []}
    })
}

fn with_output() -> LoadOptions {
    LoadOptions {
        output: true,
        ..LoadOptions::default()
    }
}

fn loaded(dir: &Path, options: &LoadOptions) -> Loaded {
    load(dir, options).unwrap_or_else(|e| panic!("{e}"))
}

fn refused(dir: &Path) -> LoadError {
    match load(dir, &LoadOptions::default()) {
        Ok(loaded) => panic!("{} loaded {} rows", dir.display(), loaded.embeddings.len()),
        Err(error) => error,
    }
}

fn bits(values: impl IntoIterator<Item = f32>) -> Vec<u32> {
    values.into_iter().map(f32::to_bits).collect()
}

/// Eight byte-level tokens for the small models below.
const WORDS: [&str; 8] = ["a", "b", "c", "Ġthe", "Ġof", "Ċ", "Ġand", "d"];

// ---- reading the matrices ----

#[test]
fn a_sharded_bf16_directory_reads_as_its_single_file_version() {
    let (rows, dim) = (8, 4);
    let embed = tensor(
        "model.embed_tokens.weight",
        "BF16",
        &[rows, dim],
        matrix(rows, dim, 0),
    );
    let norm = tensor("model.norm.weight", "BF16", &[dim], vec![1.0; dim]);
    let layer = tensor(
        "model.layers.0.mlp.up_proj.weight",
        "BF16",
        &[6, dim],
        matrix(6, dim, 5),
    );
    let head = tensor("lm_head.weight", "BF16", &[rows, dim], matrix(rows, dim, 3));
    let config =
        json!({"model_type": "llama", "tie_word_embeddings": false, "vocab_size": rows, "hidden_size": dim});
    let tokenizer = byte_level_tokenizer(&WORDS, &[]);

    let single = ModelDir::new();
    single.config(config.clone()).tokenizer(tokenizer.clone());
    single.single(&[&embed, &norm, &layer, &head]);
    let sharded = ModelDir::new();
    sharded.config(config).tokenizer(tokenizer);
    sharded.shards(&[&[&layer, &embed], &[&norm], &[&head]]);

    let one = loaded(single.path(), &with_output());
    let many = loaded(sharded.path(), &with_output());
    assert_eq!(many.format, Format::ModelDir);
    assert_eq!(many.tensor.as_deref(), Some("model.embed_tokens.weight"));
    assert_eq!(
        bits(many.embeddings.vectors().iter().copied()),
        bits(embed.values.clone())
    );
    assert_eq!(
        bits(one.embeddings.vectors().iter().copied()),
        bits(embed.values.clone())
    );
    assert_eq!(one.embeddings.tokens(), many.embeddings.tokens());
    let output = many.output.expect("untied, asked for");
    assert_eq!(output.tensor, "lm_head.weight");
    assert_eq!(
        bits(output.matrix.vectors.iter().copied()),
        bits(head.values.clone())
    );
    assert_eq!(one.output.unwrap().matrix, output.matrix);
    assert_eq!(many.tying, Some(Tying::Untied("lm_head.weight".into())));
    assert!(
        many.notes[0].contains("in model-00001-of-00003.safetensors"),
        "{:?}",
        many.notes
    );

    // --tensor picks any 2-D tensor of any shard; --limit cuts rows.
    let options = LoadOptions {
        tensor: Some("model.layers.0.mlp.up_proj.weight".into()),
        vocab: Some(write_vocab(&sharded, 6)),
        ..LoadOptions::default()
    };
    let up = loaded(sharded.path(), &options);
    assert_eq!(
        bits(up.embeddings.vectors().iter().copied()),
        bits(layer.values.clone())
    );
    assert_eq!(up.tying, None);
    let limited = loaded(
        sharded.path(),
        &LoadOptions {
            limit: Some(3),
            ..with_output()
        },
    );
    assert_eq!(limited.embeddings.len(), 3);
    assert_eq!(limited.output.unwrap().matrix.vectors.nrows(), 3);
}

fn write_vocab(dir: &ModelDir, rows: usize) -> PathBuf {
    let path = dir.path().join("rows.txt");
    let lines: String = (0..rows).map(|r| format!("r{r}\n")).collect();
    std::fs::write(&path, lines).unwrap();
    path
}

#[test]
fn f16_and_f32_checkpoints_read_exactly_and_gpt2_s_names_are_found() {
    for dtype in ["F32", "F16"] {
        let wte = tensor("transformer.wte.weight", dtype, &[8, 2], matrix(8, 2, 1));
        let dir = ModelDir::new();
        dir.config(json!({"model_type": "gpt2", "n_embd": 2, "vocab_size": 8}))
            .tokenizer(byte_level_tokenizer(&WORDS, &[]))
            .single(&[&wte]);
        let loaded = loaded(dir.path(), &LoadOptions::default());
        assert_eq!(loaded.tensor.as_deref(), Some("transformer.wte.weight"));
        assert_eq!(
            bits(loaded.embeddings.vectors().iter().copied()),
            bits(wte.values.clone())
        );
    }
}

#[test]
fn tied_untied_and_duplicated_output_embeddings_are_told_apart() {
    let embed = tensor("gpt_neox.embed_in.weight", "F16", &[8, 2], matrix(8, 2, 0));
    let same = tensor("embed_out.weight", "F16", &[8, 2], matrix(8, 2, 0));
    let other = tensor("embed_out.weight", "F16", &[8, 2], matrix(8, 2, 9));
    let cases: [(Option<bool>, Option<&Tensor>, Tying); 6] = [
        (None, None, Tying::Tied),
        (Some(true), None, Tying::Tied),
        (
            Some(false),
            Some(&other),
            Tying::Untied("embed_out.weight".into()),
        ),
        (None, Some(&same), Tying::TiedWithCopy("embed_out.weight".into())),
        (
            Some(false),
            Some(&same),
            Tying::TiedWithCopy("embed_out.weight".into()),
        ),
        (Some(false), None, Tying::NoOutput),
    ];
    for (tie, head, tying) in cases {
        let dir = ModelDir::new();
        let mut config = json!({"vocab_size": 8, "hidden_size": 2});
        if let Some(tie) = tie {
            config["tie_word_embeddings"] = json!(tie);
        }
        let tensors: Vec<&Tensor> = [Some(&embed), head].into_iter().flatten().collect();
        dir.config(config)
            .tokenizer(byte_level_tokenizer(&WORDS, &[]))
            .single(&tensors);
        let loaded = loaded(dir.path(), &with_output());
        assert_eq!(loaded.tying.as_ref(), Some(&tying), "{tie:?}");
        assert_eq!(
            loaded.output.is_some(),
            matches!(tying, Tying::Untied(_)),
            "{tie:?}"
        );
        let said = loaded.notes.join("; ");
        let word = match tying {
            Tying::Tied => "tied: the output embedding is the input embedding",
            Tying::TiedWithCopy(_) => "byte for byte equal to the input embedding",
            Tying::Untied(_) => "untied: `embed_out.weight` is a separate output embedding",
            Tying::NoOutput => "but no output embedding is stored",
        };
        assert!(said.contains(word), "{tie:?}: {said}");
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    }
    // Tied by default, yet a different head is stored: transformers ignores it.
    let dir = ModelDir::new();
    dir.config(json!({}))
        .tokenizer(byte_level_tokenizer(&WORDS, &[]))
        .single(&[&embed, &other]);
    let loaded = loaded(dir.path(), &with_output());
    assert_eq!(loaded.tying, Some(Tying::Tied));
    assert!(loaded.output.is_none());
    assert!(
        loaded.warnings[0].contains("`embed_out.weight` differs from the input embedding `gpt_neox.embed_in.weight`, but the model ties its embeddings (config.json: no tie_word_embeddings, which transformers reads as true)"),
        "{:?}",
        loaded.warnings
    );
}

// ---- tokens as people read them ----

#[test]
fn byte_level_tokens_are_shown_decoded_with_padding_rows_named() {
    // `é` is C3 A9: whole as `Ã©`, split as `Ã` and `©`.
    let vocab = ["Ġthe", "Ċ", "Ã©", "Ã", "©", "ĠHello", "ĉ"];
    let tokenizer = byte_level_tokenizer(&vocab, &[(7, "<|endoftext|>", true)]);
    let dir = ModelDir::new();
    dir.config(json!({"vocab_size": 64, "n_embd": 2}))
        .tokenizer(tokenizer)
        .single(&[&tensor("wte.weight", "F32", &[64, 2], matrix(64, 2, 0))]);
    let loaded = loaded(dir.path(), &LoadOptions::default());
    let tokens = loaded.embeddings.tokens();
    assert_eq!(tokens.len(), 64, "every row kept");
    assert_eq!(
        tokens[..9],
        [
            " the",
            "\\n",
            "é",
            "\\xc3",
            "\\xa9",
            " Hello",
            "\\t",
            "<|endoftext|>",
            "<padding row 8>"
        ]
    );
    assert_eq!(tokens[63], "<padding row 63>");
    let kinds = loaded.token_kinds.unwrap();
    assert_eq!(
        kinds[..9],
        [TokenKind::Normal; 7]
            .into_iter()
            .chain([TokenKind::Control, TokenKind::Padding])
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(kinds.iter().filter(|&&k| k == TokenKind::Padding).count(), 56);
    // --query matches the decoded form: the row is the token id.
    assert_eq!(loaded.embeddings.id(" the"), Some(0));
    assert_eq!(loaded.embeddings.id("\\n"), Some(1));
    let notes = loaded.notes.join("; ");
    assert!(
        notes
            .contains("tokenizer.json: BPE, byte-level (shown decoded), 8 tokens (1 added past model.vocab)"),
        "{notes}"
    );
    assert!(
        notes.contains(
            "56 rows past the tokenizer's 8 tokens: padding (the matrix has 64 rows, a multiple of 64)"
        ),
        "{notes}"
    );
}

#[test]
fn sentencepiece_tokens_show_spaces_and_byte_tokens_stay_readable() {
    let vocab = json!([
        ["<unk>", 0.0],
        ["<s>", 0.0],
        ["</s>", 0.0],
        ["<0x0A>", 0.0],
        ["▁the", -1.0],
        ["▁", -2.0],
        ["ing", -3.0],
        ["<unused0>", 0.0]
    ]);
    let tokenizer = json!({
        "added_tokens": [{"id": 1, "content": "<s>", "special": true}, {"id": 2, "content": "</s>", "special": true}],
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "Unigram", "unk_id": 0, "vocab": vocab, "byte_fallback": true}
    });
    let dir = ModelDir::new();
    dir.config(json!({"vocab_size": 8, "hidden_size": 2, "tie_word_embeddings": true}))
        .tokenizer(tokenizer)
        .single(&[&tensor(
            "model.embed_tokens.weight",
            "BF16",
            &[8, 2],
            matrix(8, 2, 0),
        )]);
    let loaded = loaded(dir.path(), &LoadOptions::default());
    assert_eq!(
        loaded.embeddings.tokens(),
        ["<unk>", "<s>", "</s>", "<0x0A>", " the", " ", "ing", "<unused0>"]
    );
    use TokenKind::*;
    assert_eq!(
        loaded.token_kinds.unwrap(),
        [Unknown, Control, Control, Byte, Normal, Normal, Normal, Unused]
    );
}

#[test]
fn wordpiece_continuations_stay_as_bert_users_read_them() {
    let tokenizer = json!({
        "added_tokens": [{"id": 0, "content": "[PAD]", "special": true}],
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[PAD]": 0, "[unused0]": 1, "[UNK]": 2, "play": 3, "##ing": 4}}
    });
    let dir = ModelDir::new();
    dir.config(json!({"vocab_size": 5, "hidden_size": 2}))
        .tokenizer(tokenizer)
        .single(&[&tensor(
            "embeddings.word_embeddings.weight",
            "F32",
            &[5, 2],
            matrix(5, 2, 0),
        )]);
    let loaded = loaded(dir.path(), &LoadOptions::default());
    assert_eq!(
        loaded.embeddings.tokens(),
        ["[PAD]", "[unused0]", "[UNK]", "play", "##ing"]
    );
    use TokenKind::*;
    assert_eq!(
        loaded.token_kinds.unwrap(),
        [Control, Unused, Unknown, Normal, Normal]
    );
}

#[test]
fn tokens_that_read_alike_keep_their_rows_under_distinct_names() {
    // Row 8 repeats row 3's text as an added token; row 9 is `<|endoftext|>`
    // again under another id. A checkpoint's row index must stay its id.
    let tokenizer = byte_level_tokenizer(
        &WORDS,
        &[
            (8, " the", false),
            (9, "<|endoftext|>", true),
            (10, "<|endoftext|>", true),
        ],
    );
    let dir = ModelDir::new();
    dir.tokenizer(tokenizer).single(&[&tensor(
        "model.embed_tokens.weight",
        "F32",
        &[11, 2],
        matrix(11, 2, 0),
    )]);
    let loaded = loaded(dir.path(), &LoadOptions::default());
    let tokens = loaded.embeddings.tokens();
    assert_eq!(tokens.len(), 11);
    assert_eq!(loaded.duplicates.count, 0);
    assert_eq!(tokens[3], " the");
    assert_eq!(tokens[8], " the <row 8>");
    assert_eq!(tokens[9], "<|endoftext|>");
    assert_eq!(tokens[10], "<|endoftext|> <row 10>");
    assert_eq!(loaded.embeddings.vector(10).to_vec(), matrix(11, 2, 0)[20..22]);
    let notes = loaded.notes.join("; ");
    assert!(
        notes.contains("2 tokens read as the text of a lower id"),
        "{notes}"
    );
}

/// Text escaped as shown tokens escape it: `\n`, `\t`, `\r`, other controls `\u{…}`.
fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\t' => "\\t".to_string(),
            '\r' => "\\r".to_string(),
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Every token of three tokenizers trained by Hugging Face's `tokenizers`
/// (`scripts/make_tokenizer_fixtures.sh`) is shown as that library decodes it
/// alone, with two documented differences: bytes that are not UTF-8 show as
/// `\xNN` where the library writes U+FFFD (and their bytes read back to its
/// text), and a SentencePiece token keeps its leading space, which the
/// library's Metaspace decoder strips from a text's first token.
#[test]
fn shown_tokens_agree_with_the_tokenizers_library() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tokenizers");
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures.join("expected.json")).unwrap()).unwrap();
    let mut replaced = 0;
    for (name, decoding) in [
        ("byte_level_bpe", Decoding::ByteLevel),
        ("unigram", Decoding::Metaspace('▁')),
        ("wordpiece", Decoding::WordPiece),
    ] {
        let tokenizer =
            parse_tokenizer(&std::fs::read(fixtures.join(format!("{name}.json"))).unwrap()).unwrap();
        assert_eq!(tokenizer.decoding, decoding, "{name}");
        let rows = expected[name].as_array().unwrap();
        assert_eq!(tokenizer.tokens.len(), rows.len(), "{name}");
        for (id, row) in rows.iter().enumerate() {
            let (stored, decoded) = (row[0].as_str().unwrap(), row[1].as_str().unwrap());
            assert_eq!(tokenizer.tokens[id], stored, "{name} {id}");
            let shown = shown_token(stored, tokenizer.kinds[id], decoding);
            if decoded.contains('\u{fffd}') {
                replaced += 1;
                assert!(shown.contains("\\x"), "{name} {id}: {shown}");
                let bytes = byte_level_bytes(stored).unwrap();
                assert_eq!(String::from_utf8_lossy(&bytes), decoded, "{name} {id}");
            } else if decoding == Decoding::Metaspace('▁') && stored.starts_with('▁') {
                assert_eq!(shown, format!(" {}", escaped(decoded)), "{name} {id}");
            } else {
                assert_eq!(shown, escaped(decoded), "{name} {id} {stored:?}");
            }
        }
    }
    assert!(replaced > 0, "the byte-level vocabulary has split characters");
}

// ---- bad input: one line naming the file, the place, expected and found ----

/// A good sharded model: embed in shard 1, lm_head in shard 2.
fn good_sharded() -> ModelDir {
    let dir = ModelDir::new();
    dir.config(json!({"tie_word_embeddings": false, "vocab_size": 8, "hidden_size": 4}))
        .tokenizer(byte_level_tokenizer(&WORDS, &[]))
        .shards(&[
            &[&tensor(
                "model.embed_tokens.weight",
                "BF16",
                &[8, 4],
                matrix(8, 4, 0),
            )],
            &[&tensor("lm_head.weight", "BF16", &[8, 4], matrix(8, 4, 1))],
        ]);
    dir
}

fn message(error: &LoadError) -> String {
    let text = error.to_string();
    assert!(!text.contains('\n'), "one line: {text}");
    text
}

#[test]
fn a_truncated_shard_is_refused_at_its_end_even_without_the_embedding() {
    let dir = good_sharded();
    let shard = dir.path().join("model-00002-of-00002.safetensors");
    let bytes = std::fs::read(&shard).unwrap();
    std::fs::write(&shard, &bytes[..bytes.len() - 5]).unwrap();
    assert_eq!(
        message(&refused(dir.path())),
        format!(
            "{}:byte {}: expected tensor data ending exactly where the header's data_offsets end, found a file of {} bytes",
            shard.display(),
            bytes.len() - 5,
            bytes.len() - 5
        )
    );
}

#[test]
fn an_index_naming_a_missing_shard_or_tensor_is_refused() {
    let dir = good_sharded();
    std::fs::remove_file(dir.path().join("model-00002-of-00002.safetensors")).unwrap();
    assert_eq!(
        message(&refused(dir.path())),
        format!(
            "{}:weight_map.lm_head.weight: expected a shard file model-00002-of-00002.safetensors beside the index, found no such file in {}",
            dir.path().join("model.safetensors.index.json").display(),
            dir.path().display()
        )
    );

    let dir = good_sharded();
    let index = dir.path().join("model.safetensors.index.json");
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&index).unwrap()).unwrap();
    json["weight_map"]["model.norm.weight"] = json!("model-00001-of-00002.safetensors");
    std::fs::write(&index, json.to_string()).unwrap();
    assert_eq!(
        message(&refused(dir.path())),
        format!(
            "{}:byte 8: expected a tensor named `model.norm.weight`, as model.safetensors.index.json says (weight_map.model.norm.weight), found 2-D tensors: `model.embed_tokens.weight` (8×4)",
            dir.path().join("model-00001-of-00002.safetensors").display()
        )
    );

    std::fs::write(&index, r#"{"weight_map": {"a": "../model.safetensors"}}"#).unwrap();
    assert_eq!(
        message(&refused(dir.path())),
        format!(
            "{}:weight_map.a: expected a .safetensors file inside the checkpoint's directory, found `../model.safetensors`",
            index.display()
        )
    );
}

#[test]
fn shards_that_disagree_on_shapes_are_refused() {
    // The embedding split across two shards under one name (the index can
    // name one of them only; the other shard is read for its other tensor).
    let dir = ModelDir::new();
    let norm = tensor("model.norm.weight", "F32", &[4], vec![1.0; 4]);
    dir.tokenizer(byte_level_tokenizer(&WORDS[..4], &[])).shards(&[
        &[
            &tensor("model.embed_tokens.weight", "F32", &[4, 4], matrix(4, 4, 0)),
            &norm,
        ],
        &[&tensor(
            "model.embed_tokens.weight",
            "F32",
            &[4, 4],
            matrix(4, 4, 4),
        )],
    ]);
    assert_eq!(
        message(&refused(dir.path())),
        format!(
            "{}:byte 8: expected each tensor in one shard; `model.embed_tokens.weight` is already in model-00001-of-00002.safetensors, found `model.embed_tokens.weight` again, of shape [4, 4] (there [4, 4])",
            dir.path().join("model-00002-of-00002.safetensors").display()
        )
    );

    // An output embedding of another width than the input one.
    let dir = ModelDir::new();
    dir.config(json!({"tie_word_embeddings": false}))
        .tokenizer(byte_level_tokenizer(&WORDS, &[]))
        .shards(&[
            &[&tensor(
                "model.embed_tokens.weight",
                "BF16",
                &[8, 4],
                matrix(8, 4, 0),
            )],
            &[&tensor("lm_head.weight", "BF16", &[8, 3], matrix(8, 3, 0))],
        ]);
    assert_eq!(
        message(&refused(dir.path())),
        format!(
            "{}:byte 8: expected `lm_head.weight` of shape 8×4, as the input embedding `model.embed_tokens.weight`, found shape [8, 3]",
            dir.path().join("model-00002-of-00002.safetensors").display()
        )
    );
}

#[test]
fn a_config_that_disagrees_with_the_tensor_is_refused_at_its_key() {
    for (key, value, expected) in [
        (
            "vocab_size",
            9,
            "8, the rows of the input embedding `model.embed_tokens.weight` (8×4)",
        ),
        (
            "hidden_size",
            5,
            "4, the columns of the input embedding `model.embed_tokens.weight` (8×4)",
        ),
    ] {
        let dir = good_sharded();
        let mut config = json!({"tie_word_embeddings": false, "vocab_size": 8, "hidden_size": 4});
        config[key] = json!(value);
        dir.config(config);
        assert_eq!(
            message(&refused(dir.path())),
            format!(
                "{}:{key}: expected {expected}, found {value}",
                dir.path().join("config.json").display()
            )
        );
    }
}

#[test]
fn a_tokenizer_larger_than_the_matrix_is_refused_and_a_smaller_one_pads() {
    let dir = good_sharded();
    dir.tokenizer(byte_level_tokenizer(&WORDS, &[(8, "<|endoftext|>", true)]));
    assert_eq!(
        message(&refused(dir.path())),
        format!(
            "{}:added_tokens: expected at most 8 tokens, one per row of {} (8×4), found 9 tokens (ids 0..8)",
            dir.path().join("tokenizer.json").display(),
            dir.path().file_name().unwrap().to_string_lossy()
        )
    );
    dir.tokenizer(byte_level_tokenizer(&WORDS[..6], &[]));
    let loaded = loaded(dir.path(), &LoadOptions::default());
    assert_eq!(
        loaded.embeddings.tokens()[6..],
        ["<padding row 6>", "<padding row 7>"]
    );
}

#[test]
fn a_directory_without_a_checkpoint_says_what_it_looked_for() {
    let dir = ModelDir::new();
    dir.config(json!({})).write("pytorch_model.bin", b"\x80\x02");
    assert_eq!(
        message(&refused(dir.path())),
        format!(
            "{}:model.safetensors: expected a safetensors checkpoint: model.safetensors or model.safetensors.index.json, \
             found the files `config.json`, `pytorch_model.bin`: if they hold PyTorch weights, save the model as safetensors \
             first (transformers: `model.save_pretrained(DIR, safe_serialization=True)`); pickles are not read, since \
             loading one runs its code",
            dir.path().display()
        )
    );
    // The file itself is refused the same way, not read as a table of noise.
    let file = dir.path().join("pytorch_model.bin");
    dir.write("pytorch_model.bin", b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.");
    assert!(
        message(&refused(&file)).ends_with(
            "pytorch_model.bin:byte 0: expected an embedding file, found a Python pickle (PyTorch's older `torch.save`): \
             save the model as safetensors first (transformers: `model.save_pretrained(DIR, safe_serialization=True)`); \
             pickles are not read, since loading one runs its code"
        ),
        "{}",
        message(&refused(&file))
    );
    let gguf = ModelDir::new();
    gguf.write("model-q4_0.gguf", b"GGUF\x03\x00\x00\x00");
    assert!(
        message(&refused(gguf.path()))
            .ends_with("found the files `model-q4_0.gguf`: give the `.gguf` file itself")
    );
}

#[test]
fn analyze_of_a_broken_directory_exits_2_and_keeps_the_earlier_analysis() {
    let dir = good_sharded();
    let out = tempfile::tempdir().unwrap();
    let earlier = out.path().join("analysis.json");
    std::fs::write(&earlier, "earlier").unwrap();
    std::fs::remove_file(dir.path().join("model-00001-of-00002.safetensors")).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_embspace"))
        .args(["--quiet", "analyze"])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    crate::assert_refused(
        &run,
        "weight_map.model.embed_tokens.weight: expected a shard file model-00001-of-00002.safetensors",
    );
    assert_eq!(std::fs::read_to_string(&earlier).unwrap(), "earlier");
}

#[test]
fn analyze_of_an_untied_directory_reports_input_against_output() {
    let (rows, dim) = (64, 8);
    let vocab: Vec<String> = (0..60).map(|i| format!("Ġw{i}")).collect();
    let vocab: Vec<&str> = vocab.iter().map(String::as_str).collect();
    let dir = ModelDir::new();
    // The output rows are the input rows with columns swapped in pairs (an orthogonal map:
    // rows are 8 wide, so `i ^ 1` stays in its row), except row 5.
    let input = matrix(rows, dim, 0);
    let mut output: Vec<f32> = (0..rows * dim).map(|i| input[i ^ 1]).collect();
    output[5 * dim..6 * dim].copy_from_slice(&[3.0, -3.0, 3.0, -3.0, 3.0, -3.0, 3.0, -3.0]);
    dir.config(json!({"tie_word_embeddings": false, "vocab_size": rows, "hidden_size": dim}))
        .tokenizer(byte_level_tokenizer(&vocab, &[]))
        .shards(&[
            &[&tensor("model.embed_tokens.weight", "BF16", &[rows, dim], input)],
            &[&tensor("lm_head.weight", "BF16", &[rows, dim], output)],
        ]);
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_embspace"))
        .args(["--quiet", "analyze", "--map", "0", "--report-format", "md,json"])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    crate::assert_succeeded(&run);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("analysis.json")).unwrap()).unwrap();
    let compared = &json["results"]["input_output"];
    assert_eq!(compared["output_tensor"], "lm_head.weight", "{compared}");
    assert_eq!(
        compared["alignment"]["moved_most"][0]["token"], " w5",
        "{compared}"
    );
    let markdown = std::fs::read_to_string(out.path().join("analysis.md")).unwrap();
    assert!(markdown.contains("Input versus output embedding"), "{markdown}");
    assert!(markdown.contains("Differ most"), "{markdown}");
}

#[test]
fn compare_sets_a_model_s_input_matrix_beside_its_output_matrix() {
    let dir = good_sharded();
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_embspace"))
        .args(["compare", "--tensor-b", "lm_head.weight", "--out"])
        .args([out.path(), dir.path(), dir.path()])
        .output()
        .unwrap();
    crate::assert_succeeded(&run);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("comparison.json")).unwrap()).unwrap();
    assert_eq!(json["results"]["vocabulary"]["shared"], 8);
    let [a, b] = ["source", "compared_with"].map(|side| json[side]["notes"].to_string());
    assert!(a.contains("model.embed_tokens.weight"), "{a}");
    assert!(b.contains("lm_head.weight"), "{b}");
}

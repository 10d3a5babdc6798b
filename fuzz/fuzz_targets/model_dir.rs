//! A model directory's JSON files: any bytes given as `model.safetensors.index.json`,
//! `config.json` or `tokenizer.json` are refused with a located error or read into
//! something consistent (shards inside the directory, every tensor's shard listed; one
//! kind per token; one distinct name per row).
#![no_main]

use std::collections::HashSet;

use embspace::embeddings::{name_rows, parse_model_config, parse_shard_index, parse_tokenizer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = parse_shard_index(data) {
        assert!(!index.shards.is_empty());
        for (tensor, shard) in &index.tensors {
            assert!(*shard < index.shards.len());
            assert_eq!(index.shard_of(tensor), Some(*shard));
        }
        for shard in &index.shards {
            assert!(!shard.starts_with('/') && !shard.split('/').any(|part| part == ".."));
        }
    }
    if let Ok(config) = parse_model_config(data) {
        assert!(config.vocab_size.is_none_or(|(_, n)| n > 0));
        assert!(config.hidden_size.is_none_or(|(_, n)| n > 0));
    }
    if let Ok(tokenizer) = parse_tokenizer(data) {
        assert_eq!(tokenizer.tokens.len(), tokenizer.kinds.len());
        let rows = tokenizer.tokens.len() + 3;
        let named = name_rows(&tokenizer, rows);
        assert_eq!((named.names.len(), named.kinds.len(), named.padding), (rows, rows, 3));
        let distinct: HashSet<&String> = named.names.iter().collect();
        assert_eq!(distinct.len(), rows, "every row keeps a name of its own");
    }
});

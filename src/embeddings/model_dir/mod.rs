//! Hugging Face model directories, as `save_pretrained` writes them and the
//! Hub serves them: `config.json`, the weights in `model.safetensors` or in
//! shards listed by `model.safetensors.index.json`, and `tokenizer.json`.
//!
//! [`read_model_dir`] finds the input embedding among every shard's tensors,
//! decides from `config.json` and the stored tensors whether the output
//! embedding is tied ([`Tying`]), and reads the matrices through the
//! safetensors reader's one tensor decoder. The rows are named by the
//! tokenizer in [`load`](super::load), as for a single safetensors file.

mod checkpoint;
mod config;
mod shard_index;

pub use checkpoint::{ModelDir, OutputEmbedding, SINGLE_FILE, Tying, read_model_dir};
pub use config::{ModelConfig, parse_model_config};
pub use shard_index::{SHARD_INDEX, ShardIndex, parse_shard_index};

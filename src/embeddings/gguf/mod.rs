//! llama.cpp's GGUF files: a model's weights and tokenizer in one file, the
//! embedding table one of its tensors, often quantised.
//!
//! A GGUF file is a header (the magic `GGUF`, a version, the tensor and
//! metadata counts), typed key–value metadata (the tokenizer among it), one
//! info per tensor (name, dimensions fastest first, ggml type, data offset),
//! then the tensor data from the next multiple of `general.alignment` (32 when
//! absent). Versions 2 and 3 share this layout; version 1 used 32-bit counts
//! and lengths and is refused, as llama.cpp refuses it.
//!
//! The table is `token_embd.weight` (`[n_embd, n_vocab]`, so a row per
//! token) or any 2-D tensor named with `--tensor`; its rows are named by
//! `tokenizer.ggml.tokens`, and `tokenizer.ggml.token_type` says which tokens
//! are control, byte or unused ones; `tokenizer.ggml.model` says how they
//! read as text ([`gguf_decoding`]). Eight ggml types are dequantised, each
//! bit for bit as llama.cpp's reference does ([`dequantize`]).

mod dequantize;
mod header;
mod table;
mod value;

pub(crate) use table::read_gguf;
pub use table::{GgufTable, INPUT_EMBEDDING, OUTPUT_EMBEDDING, gguf_decoding, parse_gguf};

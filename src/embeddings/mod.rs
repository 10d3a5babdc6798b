//! A user's embedding table: tokens in file order and their vectors as one
//! `f32` matrix, the input of `embspace analyze`.
//!
//! Row order is the file's order, which for word2vec, GloVe and fastText files is
//! frequency order (most frequent first); `analyze` uses the row rank as a
//! frequency proxy and `--limit` keeps the first rows, as gensim's `limit` does.
//! Vectors are `f32` to keep a 100k×300 table at 120 MB; diagnostics widen to
//! `f64` one row or one sample at a time.
//!
//! [`load`] reads a table from a word2vec (text or binary), GloVe, fastText
//! (`.vec` or a `.bin` model), `.npy`, safetensors or GGUF file, or a Hugging
//! Face model directory (sharded or not, [`read_model_dir`]), whose rows a
//! `tokenizer.json` names as people read them ([`name_rows`]) with each
//! row's [`TokenKind`]; every refusal
//! is a [`LoadError`] naming the file, the line or byte, and what was expected
//! there. A fastText model also gives vectors to words outside its table
//! ([`Subwords`]).

//!
//! The `.npy` and vocabulary-file parsers are built without the `analyze`
//! feature too: the demos read the real tables shipped in `data/real/`
//! (`.npy` + `vocab.txt`) through them, in the report and in the notebooks
//! alike (see [`crate::real`]).

pub(crate) mod byte_order_mark;
pub(crate) mod huge_pages;
mod load_error;
mod npy;
mod raw_floats;
mod token_kind;
mod tokenizer;
mod vocab_file;

#[cfg(feature = "analyze")]
mod binary;
#[cfg(feature = "analyze")]
mod byte_cursor;
#[cfg(feature = "analyze")]
pub(crate) mod compressed;
#[cfg(feature = "analyze")]
mod decimal;
#[cfg(feature = "analyze")]
mod embedding_table;
#[cfg(feature = "analyze")]
mod fasttext;
#[cfg(feature = "analyze")]
mod file_bytes;
#[cfg(feature = "analyze")]
mod file_format;
#[cfg(feature = "analyze")]
mod gguf;
#[cfg(feature = "analyze")]
mod load;
#[cfg(feature = "analyze")]
mod mapped_rows;
#[cfg(feature = "analyze")]
mod model_dir;
#[cfg(feature = "analyze")]
mod npy_rows;
#[cfg(feature = "analyze")]
mod safetensors_file;
#[cfg(feature = "analyze")]
mod streamed;
#[cfg(feature = "analyze")]
mod text;
#[cfg(feature = "analyze")]
mod vocabulary;

#[cfg(feature = "analyze")]
pub use load_error::file_name;
pub use load_error::{LoadError, Location, Malformed};
pub use npy::{parse_npy, parse_npy_as};
pub use raw_floats::{Element, Matrix};
pub use token_kind::TokenKind;
pub use tokenizer::{
    Decoding, NamedRows, Tokenizer, byte_level_byte, byte_level_bytes, name_rows, parse_tokenizer,
    shown_token,
};
pub use vocab_file::{parse_tokenizer_json, parse_vocab};

#[cfg(feature = "analyze")]
pub use binary::parse_binary;
#[cfg(feature = "analyze")]
pub use embedding_table::{Duplicates, Embeddings};
#[cfg(feature = "analyze")]
pub use fasttext::{Args as FastTextArgs, FastTextModel, Subwords, parse_fasttext, parse_fasttext_in_pieces};
#[cfg(feature = "analyze")]
pub use file_format::{Format, UnknownFormat};
#[cfg(feature = "analyze")]
pub use gguf::{GgufTable, INPUT_EMBEDDING, OUTPUT_EMBEDDING, gguf_decoding, parse_gguf};
#[cfg(feature = "analyze")]
pub use load::{LoadOptions, Loaded, Table, load, load_bytes};
#[cfg(feature = "analyze")]
pub use model_dir::{
    ModelConfig, ModelDir, OutputEmbedding, SHARD_INDEX, SINGLE_FILE, ShardIndex, Tying, parse_model_config,
    parse_shard_index, read_model_dir,
};
#[cfg(feature = "analyze")]
pub use npy_rows::parse_npy_in_pieces;
#[cfg(feature = "analyze")]
pub use safetensors_file::{
    INPUT_EMBEDDING_NAMES, OUTPUT_EMBEDDING_NAMES, input_embedding, parse_safetensors,
};
#[cfg(feature = "analyze")]
pub use streamed::parse_in_pieces;
#[cfg(feature = "analyze")]
pub use text::parse_text;
#[cfg(feature = "analyze")]
pub use vocabulary::Vocabulary;

#[cfg(feature = "analyze")]
/// Rows a parallel parsing task takes (text and binary loaders): small enough
/// that a core slowed by the host (this project's CI shares its two) leaves
/// its share to the other.
const ROWS_PER_TASK: usize = 1024;

/// The values in one task's rows of `dim` values. Saturating: a header may
/// announce a dimension so large that 1024 rows of it overflow `usize` (the
/// rows actually present are then few, and one task takes them all).
#[cfg(feature = "analyze")]
fn task_values(dim: usize) -> usize {
    ROWS_PER_TASK.saturating_mul(dim).max(1)
}

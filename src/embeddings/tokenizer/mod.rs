//! Hugging Face tokenizers, read to name the rows of a model's embedding
//! matrix: [`parse_tokenizer`] reads `tokenizer.json` (tokens by id, their
//! [`TokenKind`](super::TokenKind)s, how they decode), [`name_rows`] gives
//! every row a distinct name as people read it ([`shown_token`]), and
//! [`byte_level_byte`] is GPT-2's byte alphabet.

mod byte_level;
mod shown;
mod tokenizer_json;

pub use byte_level::{byte_level_byte, byte_level_bytes};
pub use shown::{NamedRows, name_rows, shown_token};
#[cfg(feature = "analyze")]
pub(crate) use tokenizer_json::kind as json_kind;
pub use tokenizer_json::{Decoding, Tokenizer, parse_tokenizer};

//! Real trained embedding tables for the demos' "On real embeddings" parts:
//! the two shipped in `data/real/` (GloVe 6B 50d and all-MiniLM-L6-v2's
//! token embeddings, licensed for redistribution) or the reader's own
//! (`embspace report --vectors FILE`), and the published claims measured on
//! them.
//!
//! A demo asks its [`Ctx`](crate::demos::Ctx) for the tables and records a
//! [`Verdict`](crate::record::Verdict) per [`Claim`] and table; on the shipped
//! tables, whose behaviour is known, each verdict is also a check.

mod claim;
mod shipped;
mod table;
mod words;

pub use claim::Claim;
pub use shipped::{GLOVE, MINILM, decode_shipped, shipped};
#[cfg(feature = "analyze")]
pub(crate) use table::widened;
pub use table::{MIN_NON_ZERO_ROWS, RealTable, too_small};
pub use words::RELATED_PAIRS;

//! fastText's `.bin` models: the word vectors of an unsupervised model (cbow
//! or skipgram) and the character n-gram vectors that give any other word one.
//!
//! A model file is fastText's `saveModel`: a signature (the magic 793712314
//! and a format version, 12 today; files written before 2017 have neither),
//! the training arguments, the dictionary (every word NUL-terminated with its
//! count and entry type; a pruned index in signed files), then the input
//! matrix of `nwords + bucket` rows — one per word, then one per n-gram
//! bucket — and the output matrix, each after a "quantised" flag in signed
//! files. It is read as gensim's `load_facebook_vectors` reads it: a word's
//! vector is the mean of its own row and the rows of its character n-grams'
//! buckets ([`Subwords`]), and a word outside the dictionary gets the mean of
//! its n-gram rows.

mod header;
mod model;
mod subwords;

pub use header::Args;
pub(crate) use header::looks_like_model;
pub(crate) use model::FastTextRows;
pub use model::{FastTextModel, parse_fasttext, parse_fasttext_in_pieces};
pub use subwords::Subwords;

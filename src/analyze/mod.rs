//! `embspace analyze`: what a user's embedding table is worth, measured.
//!
//! - [`knn`](top_k): top-k cosine neighbours of many queries by blocked `f32`
//!   matrix products with the selection fused in;
//! - [`evaluate_word_analogies`] and [`evaluate_word_pairs`]: the standard
//!   benchmarks (Google analogies, WordSim353, SimLex-999) with gensim 4.4's
//!   semantics, so the numbers equal what gensim reports for the same vectors.

mod analogies;
mod benchmark;
mod knn;
mod word_pairs;

pub use analogies::{
    AnalogyAnswer, AnalogyMethod, AnalogyParams, AnalogyQuestion, AnalogyResults, AnalogySection, AnalogySet,
    evaluate_word_analogies,
};
pub use knn::{Hit, UnitRows, top_k};
pub use word_pairs::{
    Correlation, WordPair, WordPairParams, WordPairResults, WordPairSet, evaluate_word_pairs,
};

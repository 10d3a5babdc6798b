//! `embspace analyze`: the report's diagnostics, neighbours and the standard
//! benchmarks run on a user's own embedding table (see [`crate::embeddings`]
//! for reading one).
//!
//! - [`diagnose`]: norms, the common direction, anisotropy, isotropy and
//!   principal components, raw, centred and after all-but-the-top (the last
//!   ones not computed, with the reason, on a table of fewer than 3 non-zero
//!   rows or of dimension 1);
//! - [`undertrained_section`]: tokens that look under-trained (Land & Bartolo
//!   2024), against reference rows known to be unused ([`ReferenceRows`]);
//! - [`top_k`]: top-k cosine neighbours of many queries by blocked `f32`
//!   matrix products with the selection fused in;
//! - [`evaluate_word_analogies`] and [`evaluate_word_pairs`]: the standard
//!   benchmarks (Google analogies, WordSim353, SimLex-999) with gensim 4.4's
//!   semantics, so the numbers equal what gensim reports for the same vectors;
//! - [`analyze`] runs what was asked for into an [`Analysis`], and [`render`]
//!   turns it into HTML, Markdown, JSON and PNG figures.

mod analogies;
mod benchmark;
mod claims;
mod clusters;
mod compare;
mod compare_sections;
mod diagnostics;
mod input_output;
mod knn;
mod knn_graph;
mod map;
mod map_layout;
mod pipeline;
mod report;
mod undertrained;
mod unused_reference;
mod word_pairs;

pub use analogies::{
    AnalogyAnswer, AnalogyMethod, AnalogyParams, AnalogyQuestion, AnalogyResults, AnalogySection, AnalogySet,
    AnalogySummary, SectionSummary, evaluate_word_analogies,
};
pub use claims::{claims_section, measure_claims};
pub use clusters::{spherical_kmeans, within_cluster_cosine};
pub use compare::{
    AddedRow, AddedRows, Alignment, CompareParams, Comparison, MEAN_RULE_TOLERANCE, MeanRuleVerdict,
    NeighbourOverlap, Summary, TokenValue, VocabularyDiff, compare,
};
pub use diagnostics::{
    DiagnoseParams, Diagnostics, Geometry, NormStats, SampleGeometry, SampleStatistics, ScatterPoint,
    diagnose, too_small_for_sample,
};
pub use input_output::{InputOutput, input_output, tying_sentence};
pub use knn::{Hit, ScaledRows, UnitRows, UnitVectors, top_k};
pub use knn_graph::knn_graph;
pub use map::{Map, MapParams, build_map};
pub use map_layout::{MAP_NEIGHBOURS, MapLayout, MapMethod, map_layout, pca_layout};
pub use pipeline::{AnalogyAnswers, AnalyzeOptions, Neighbour, QueryResult, analyze, parse_analogy};
pub use report::{Analysis, Column, Section, Source, Table, render};
pub use undertrained::{Candidate, UndertrainedTokens, undertrained_section};
pub use unused_reference::ReferenceRows;
pub use word_pairs::{
    Correlation, WordPair, WordPairParams, WordPairResults, WordPairSet, evaluate_word_pairs,
};

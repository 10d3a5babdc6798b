//! Embedding-space mathematics on `ndarray`: pure numerics, no I/O, no printing.
//!
//! Everything takes array views and returns owned arrays or small result
//! structs; everything a caller can get wrong returns [`crate::Error`].

mod centering;
mod drift;
mod gradients;
mod lookup;
mod neighbours;
mod pca;
mod positions;
mod probe;
mod similarity;
mod stats;
mod vocab;

pub use centering::{center, mean_vector};
pub use drift::{Procrustes, align, procrustes, row_cosine_drift};
pub use gradients::{OutputGradients, log_softmax, outer, output_gradients, softmax};
pub use lookup::{lookup, lookup_rows, one_hot};
pub use neighbours::{COS_MUL_EPSILON, Neighbour, analogy, analogy_cos_mul, analogy_offset, top_k_cosine};
pub use pca::{Pca, pca};
pub use positions::{DEFAULT_BASE, alibi_bias, alibi_slopes, rope_rotate, rope_sequence, sinusoidal};
pub use probe::{LogisticProbe, ProbeParams, project_out};
pub use similarity::{
    ZERO_NORM, cosine, cosine_matrix, dot, dot_matrix, euclidean, euclidean_matrix, normalize_rows, row_norms,
};
pub use stats::{Histogram, histogram, linear_fit, mean_std, pearson, ranks, spearman};
pub use vocab::{ResizeInit, kl_bound, next_token_kl, resize_embeddings};

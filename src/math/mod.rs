//! Embedding-space mathematics on `ndarray`: pure numerics, no I/O, no printing.
//!
//! Everything takes array views and returns owned arrays or small result
//! structs; everything a caller can get wrong returns [`crate::Error`].

mod centering;
mod debias;
mod gradients;
mod isotropy;
mod lookup;
mod neighbours;
mod pca;
mod positions;
mod similarity;
mod whitening;

pub use centering::{center, mean_vector};
pub use debias::{bias_direction, bias_direction_from_rows, equalize, neutralize, project};
pub use gradients::{OutputGradients, log_softmax, outer, output_gradients, softmax};
pub use isotropy::{Anisotropy, anisotropy, isotropy_score, random_pair_cosines};
pub use lookup::{lookup, lookup_rows, one_hot};
pub use neighbours::{Neighbour, analogy, analogy_offset, top_k_cosine};
pub use pca::{Pca, pca};
pub use positions::{DEFAULT_BASE, alibi_bias, alibi_slopes, rope_rotate, rope_sequence, sinusoidal};
pub use similarity::{
    ZERO_NORM, cosine, cosine_matrix, dot, dot_matrix, euclidean, euclidean_matrix, normalize_rows, row_norms,
};
pub use whitening::{Whitened, Whitening, all_but_the_top, covariance, eigenvalue_spectrum, whiten};

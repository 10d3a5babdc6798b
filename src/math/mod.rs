//! Embedding-space mathematics on `ndarray`: pure numerics, no I/O, no printing.
//!
//! Everything takes array views and returns owned arrays or small result
//! structs; everything a caller can get wrong returns [`crate::Error`].

mod attention;
mod centering;
mod cooccurrence;
mod corpus;
mod debias;
mod drift;
mod finite_difference;
mod fuzzy_graph;
mod glove;
mod gradients;
mod isotropy;
mod knn_graph;
mod layout_quality;
mod lookup;
mod neighbours;
mod pca;
mod positions;
mod probe;
mod similarity;
mod spectral;
mod stats;
mod truncated_eigen;
mod umap;
mod undertrained;
mod vocab;
mod whitening;
mod word2vec;

pub use attention::{Attention, attention_mix, scaled_dot_product_attention};
pub use centering::{center, mean_vector};
pub use cooccurrence::{
    DEFAULT_CONTEXT_SMOOTHING, DEFAULT_EIGENVALUE_WEIGHT, DistanceWeighting, cooccurrence_matrix, pmi, ppmi,
    ppmi_svd_embeddings,
};
pub use corpus::{TRAINING_CORPUS, Vocabulary, tokenize};
pub use debias::{bias_direction, bias_direction_from_rows, equalize, neutralize, project};
pub use drift::{
    FAER_ABOVE, Procrustes, align, procrustes, procrustes_rotation, procrustes_rotation_and_spectrum,
    random_orthogonal, row_cosine_drift,
};
pub use finite_difference::{finite_difference_gradient, max_finite_difference_error};
pub use fuzzy_graph::FuzzyGraph;
pub use glove::{Glove, GloveGradient, GloveParams, glove_weight, train_glove};
pub use gradients::{OutputGradients, log_softmax, outer, output_gradients, softmax};
pub use isotropy::{Anisotropy, anisotropy, isotropy_score, isotropy_score_along, random_pair_cosines};
pub use knn_graph::KnnGraph;
pub use layout_quality::{knn_recall, trustworthiness};
pub use lookup::{lookup, lookup_backward, lookup_rows, one_hot};
pub use neighbours::{
    COS_MUL_EPSILON, Neighbour, analogy, analogy_cos_mul, analogy_offset, cos_mul_score, top_indices,
    top_k_cosine,
};
pub use pca::{Pca, pca};
pub use positions::{DEFAULT_BASE, alibi_bias, alibi_slopes, rope_rotate, rope_sequence, sinusoidal};
pub use probe::{LogisticProbe, ProbeParams, project_out};
pub use similarity::{
    ZERO_NORM, cosine, cosine_matrix, dot, dot_matrix, euclidean, euclidean_matrix, normalize_rows, row_norms,
};
pub use stats::{Histogram, histogram, linear_fit, mean_std, pearson, percentile, ranks, spearman};
#[cfg(feature = "analyze")]
pub(crate) use truncated_eigen::for_each_on_cores;
pub use truncated_eigen::{TruncatedEigen, TruncatedEigenParams, leading_eigen, leading_eigenvector};
pub use umap::{SPECTRAL_STEPS, UmapCurve, UmapInit, UmapParams, umap_layout};
pub use undertrained::{
    CANDIDATE_PERCENTILE, COSINE_FLOOR, Indicator, Undertrained, UnusedDistances, first_principal_component,
    input_norms, undertrained_tokens, unused_distances,
};
pub use vocab::{ResizeInit, kl_bound, next_token_kl, resize_embeddings};
#[cfg(feature = "analyze")]
pub(crate) use whitening::symmetric_eigen;
pub use whitening::{
    Whitened, Whitening, all_but_the_top, all_but_the_top_uncentred, covariance, eigenvalue_spectrum, whiten,
};
pub use word2vec::{
    SgnsPairGradient, Word2Vec, Word2VecParams, noise_distribution, sgns_pair_loss_and_grad,
    subsample_keep_probability, train_word2vec,
};

//! The demos: one file per concept, each its own literate text.
//!
//! A demo's `//!` doc is its prose (the first `# ` heading is its title), the
//! code between `// ANCHOR: demo` and `// ANCHOR_END: demo` is what readers
//! see, and its `run` function writes transcript lines, named checks and
//! figures to a [`Ctx`]. [`ALL`] lists every demo once, in report order; the
//! id of a demo is its file name, and names its figures, its golden record
//! and its notebook.

mod context;
mod demo;
mod source;

pub use context::{Ctx, SEED};
pub use demo::Demo;
pub use source::{Source, parse_source};

// The demo modules. They are declared here rather than inside `registry!` so
// that rustfmt sees them; a module missing from the registry is dead code (a
// clippy error) and a registered id without a module does not compile.
mod analogy_directions;
mod batch_shapes;
mod bias_directions;
mod centering_and_whitening;
mod continuous_geometry;
mod cosine_similarity;
mod dot_product;
mod embedding_matrix;
mod euclidean_distance;
mod fine_tuning_drift;
mod glove;
mod isotropy;
mod loss_gradients;
mod model_memory;
mod nearest_neighbors;
mod norms_and_frequency;
mod one_hot_lookup;
mod pipeline_positions;
mod residual_stream;
mod static_vs_contextual;
mod subspaces_and_probes;
mod tied_embeddings;
mod token_ids_to_vectors;
mod vocabulary_resizing;
mod word2vec;

/// Lists each demo with the seed demos it reproduces, in report order.
macro_rules! registry {
    ($($id:ident => seed [$($seed:literal),*];)*) => {
        /// Every demo, in report order.
        pub const ALL: &[Demo] = &[$(
            Demo {
                id: stringify!($id),
                seed_demos: &[$($seed),*],
                source: include_str!(concat!(stringify!($id), ".rs")),
                run: $id::run,
            },
        )*];
    };
}

registry! {
    token_ids_to_vectors => seed [1, 11, 21];
    continuous_geometry => seed [];
    model_memory => seed [3, 13, 23];
    static_vs_contextual => seed [];
    pipeline_positions => seed [7, 17];
    embedding_matrix => seed [];
    one_hot_lookup => seed [2, 12, 22];
    batch_shapes => seed [8, 18];
    tied_embeddings => seed [];
    residual_stream => seed [9, 19];
    dot_product => seed [];
    cosine_similarity => seed [];
    euclidean_distance => seed [];
    norms_and_frequency => seed [];
    nearest_neighbors => seed [];
    analogy_directions => seed [4, 14, 24];
    subspaces_and_probes => seed [10, 20];
    isotropy => seed [5, 15, 25];
    centering_and_whitening => seed [];
    bias_directions => seed [];
    loss_gradients => seed [6, 16];
    word2vec => seed [];
    glove => seed [];
    fine_tuning_drift => seed [];
    vocabulary_resizing => seed [];
}

/// The demo with this id.
///
/// # Examples
/// ```
/// assert!(embspace::demos::find("token_ids_to_vectors").is_some());
/// assert!(embspace::demos::find("no_such_demo").is_none());
/// ```
pub fn find(id: &str) -> Option<&'static Demo> {
    ALL.iter().find(|d| d.id == id)
}

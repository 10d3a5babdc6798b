//! The demos: one file per concept, each its own literate text.
//!
//! A demo's `//!` doc is its prose (the first `# ` heading is its title), the
//! code between `// ANCHOR: demo` and `// ANCHOR_END: demo` is what readers
//! see, and its `run` function writes transcript lines, named checks and
//! figures to a [`Ctx`]. [`ALL`] lists every demo once, in report order; the
//! id of a demo is its file name, and names its figures, its golden record
//! and its notebook.

mod context;
#[cfg(feature = "report")]
mod demo;
#[cfg(feature = "report")]
mod source;

pub use context::{Ctx, SEED};
#[cfg(feature = "report")]
pub use demo::Demo;
#[cfg(feature = "report")]
pub use source::{REAL_HEADING, Source, parse_source};

// The demo modules. They are declared here rather than inside `registry!` so
// that rustfmt sees them; a module missing from the registry is dead code (a
// clippy error) and a registered id without a module does not compile.
//
// The demos and their registry need the `report` feature: the notebooks
// (built without it) carry each demo's code in their cells and need only
// `Ctx`, and evcxr compiles this crate anew in every session, where the 25
// demo modules were a quarter of the build (see ARCHITECTURE.md).
#[cfg(feature = "report")]
mod analogy_directions;
#[cfg(feature = "report")]
mod batch_shapes;
#[cfg(feature = "report")]
mod bias_directions;
#[cfg(feature = "report")]
mod centering_and_whitening;
#[cfg(feature = "report")]
mod continuous_geometry;
#[cfg(feature = "report")]
mod cosine_similarity;
#[cfg(feature = "report")]
mod dot_product;
#[cfg(feature = "report")]
mod embedding_matrix;
#[cfg(feature = "report")]
mod euclidean_distance;
#[cfg(feature = "report")]
mod fine_tuning_drift;
#[cfg(feature = "report")]
mod glove;
#[cfg(feature = "report")]
mod isotropy;
#[cfg(feature = "report")]
mod loss_gradients;
#[cfg(feature = "report")]
mod model_memory;
#[cfg(feature = "report")]
mod nearest_neighbors;
#[cfg(feature = "report")]
mod norms_and_frequency;
#[cfg(feature = "report")]
mod one_hot_lookup;
#[cfg(feature = "report")]
mod pipeline_positions;
#[cfg(feature = "report")]
mod residual_stream;
#[cfg(feature = "report")]
mod static_vs_contextual;
#[cfg(feature = "report")]
mod subspaces_and_probes;
#[cfg(feature = "report")]
mod tied_embeddings;
#[cfg(feature = "report")]
mod token_ids_to_vectors;
#[cfg(feature = "report")]
mod vocabulary_resizing;
#[cfg(feature = "report")]
mod word2vec;

/// Lists each demo with the seed demos it reproduces, in report order.
#[cfg(feature = "report")]
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

#[cfg(feature = "report")]
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
#[cfg(feature = "report")]
pub fn find(id: &str) -> Option<&'static Demo> {
    ALL.iter().find(|d| d.id == id)
}

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

/// Declares each demo module and lists it in [`ALL`] with the seed demos it reproduces.
macro_rules! registry {
    ($($id:ident => seed [$($seed:literal),*];)*) => {
        $(mod $id;)*

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
    model_memory => seed [3, 13, 23];
    pipeline_positions => seed [7, 17];
    one_hot_lookup => seed [2, 12, 22];
    batch_shapes => seed [8, 18];
    residual_stream => seed [9, 19];
    analogy_directions => seed [4, 14, 24];
    subspaces_and_probes => seed [10, 20];
    isotropy => seed [5, 15, 25];
    loss_gradients => seed [6, 16];
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

//! Notebooks for the evcxr Jupyter kernel, generated from the demo sources.
//!
//! Each demo becomes `notebooks/NN-<id>.ipynb` (NN its report position): its
//! prose, a cell that loads this crate by path, its helpers, and its `run`
//! function followed by a block that runs it and ends with the context, which
//! shows what the code wrote — transcript, checks and figures — through
//! [`Ctx::evcxr_display`](crate::demos::Ctx::evcxr_display).
//! `notebooks/README.md` links them in order. The notebooks are never edited
//! by hand: `embspace notebooks` rewrites them, and the test suite fails when
//! the committed ones differ from what the demos generate now.
//!
//! ```
//! let rendered = embspace::notebook::render(embspace::demos::ALL)?;
//! let first = rendered.get("01-token_ids_to_vectors.ipynb").unwrap();
//! let nb: serde_json::Value = serde_json::from_slice(first).unwrap();
//! assert_eq!(nb["cells"][1]["source"][2], format!("{}\n", embspace::notebook::DEP));
//! # Ok::<(), embspace::Error>(())
//! ```

mod display;
#[cfg(feature = "report")]
mod generate;
#[cfg(feature = "report")]
mod split;

#[cfg(feature = "report")]
pub use generate::{DEP, INDEX, file_name, index, is_generated_name, notebook, render, write};
#[cfg(feature = "report")]
pub use split::{DemoParts, REEXPORTED, rewrite_paths, split_demo};

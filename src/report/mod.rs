//! The report: runs demos into a [`Report`], renders figures and documents,
//! and writes them atomically.
//!
//! Figures ([`render_png`]) are always built, since the notebooks show them
//! too; the documents need the `report` feature.

mod canvas;
#[cfg(feature = "report")]
pub(crate) mod highlight;
pub(crate) mod html;
#[cfg(feature = "report")]
mod markdown;
#[cfg(feature = "report")]
mod model;
mod plot;
mod png_encode;
#[cfg(feature = "report")]
pub mod references;
#[cfg(feature = "report")]
pub(crate) mod render;
#[cfg(feature = "report")]
mod write;

#[cfg(feature = "report")]
pub use markdown::prose_to_html;
#[cfg(feature = "report")]
pub use model::{DemoVerdict, Report, Summary};
pub use plot::{PALETTE, SIZE, render_png};
#[cfg(feature = "report")]
pub use render::{Format, Rendered, render, run_and_render};
#[cfg(feature = "report")]
pub use write::{remove_other_pages, write_atomically};

//! The report: runs demos into a [`Report`], renders figures and documents,
//! and writes them atomically.

pub(crate) mod highlight;
mod markdown;
mod model;
mod plot;
pub(crate) mod render;
mod write;

pub use markdown::prose_to_html;
pub use model::{Report, Summary};
pub use plot::{PALETTE, SIZE, render_png};
pub use render::{Format, Rendered, render, run_and_render};
pub use write::write_atomically;

//! `embspace analyze`: the report's diagnostics run on a user's own embedding
//! table (see [`crate::embeddings`] for reading one).

mod diagnostics;
mod report;

pub use diagnostics::{DiagnoseParams, Diagnostics, Geometry, NormStats, ScatterPoint, diagnose};
pub use report::{Analysis, Section, Source, Table, render};

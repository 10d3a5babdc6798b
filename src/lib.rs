//! # embspace
//!
//! The executable companion to the mathematics of embedding spaces.
#![warn(missing_docs)]

mod error;
pub mod math;

pub use error::{Error, Result};
pub mod chart;
pub mod demos;
pub mod format;
pub mod record;
pub mod report;

//! Notebooks for the evcxr Jupyter kernel.
//!
//! A cell that ends with a [`Ctx`](crate::demos::Ctx) shows its transcript,
//! checks and figures through
//! [`Ctx::evcxr_display`](crate::demos::Ctx::evcxr_display).

mod display;

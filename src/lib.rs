//! # embspace
//!
//! The executable companion to the mathematics of embedding spaces: embedding
//! maths on [`ndarray`], demos that check every claim, and a report that plots
//! them.
//!
//! ## The library
//!
//! [`math`] holds the numerics. Functions take array views and return owned
//! arrays or small result structs; anything a caller can get wrong returns
//! [`Error`] instead of panicking.
//!
//! ```
//! use embspace::math::{analogy, cosine, normalize_rows, sinusoidal};
//! use ndarray::array;
//!
//! // Cosine similarity ignores length.
//! let c = cosine(array![1.0, 1.0].view(), array![3.0, 3.0].view())?;
//! assert!((c - 1.0).abs() < 1e-12);
//!
//! // man : king :: woman : ?  (rows: man, woman, king, queen)
//! let words = array![[1.0, 0.0], [-1.0, 0.0], [1.0, 1.0], [-1.0, 1.0]];
//! assert_eq!(analogy(words.view(), 0, 2, 1, 1)?[0].index, 3);
//!
//! // Unit rows stay unit rows; zero rows stay zero.
//! let unit = normalize_rows(array![[3.0, 4.0], [0.0, 0.0]].view());
//! assert_eq!(unit, array![[0.6, 0.8], [0.0, 0.0]]);
//!
//! // Sinusoidal positions: sin 0 = 0 and cos 0 = 1 at position 0.
//! let pe = sinusoidal(4, 8);
//! assert_eq!((pe[[0, 0]], pe[[0, 1]]), (0.0, 1.0));
//! # Ok::<(), embspace::Error>(())
//! ```
//!
//! ## Demos and the report
//!
//! [`demos::ALL`] lists every demo. Running one gives a [`record::DemoRecord`]
//! (transcript, named checks, figure descriptions); [`report`] renders records
//! to PNG, HTML, Markdown and JSON.
//!
//! ```
//! let demo = embspace::demos::find("residual_stream").unwrap();
//! let record = demo.record(1);
//! assert!(record.passed());
//! assert_eq!(record.title, "Residual stream initialization");
//! ```
//!
//! ## Cargo features
//!
//! - `analyze` (default, through `cli`): [`embeddings`] reads embedding files
//!   (word2vec, GloVe, fastText, `.npy`, safetensors, GGUF) and [`analyze`] measures
//!   them and scores analogy and similarity benchmarks as gensim does.
//! - `cli` (default): the `embspace` binary.
//!
//! With `default-features = false` the crate is the maths, the demos, the
//! report and the notebook display alone, which is what the notebooks load
//! (their first cell: 67 s instead of 88 s with an empty evcxr cache, about
//! 17.5 s instead of 21 s with a warm one).
#![warn(missing_docs)]

#[cfg(feature = "analyze")]
pub mod analyze;
pub mod chart;
pub mod code_span;
pub mod demos;
pub mod embeddings;
mod error;
pub mod format;
pub mod math;
pub mod notebook;
pub mod real;
pub mod record;
pub mod report;

pub use error::{Error, Result};
/// The array crate every API here speaks, re-exported so users and notebooks
/// name the very version `embspace` was built with.
pub use ndarray;
/// Random arrays (`RandomExt`, `rand_distr`), re-exported for notebooks and demos.
pub use ndarray_rand;
/// Random number generators and traits, re-exported for notebooks and demos.
pub use rand;

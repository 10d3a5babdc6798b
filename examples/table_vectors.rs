//! Prints a table as `embspace::embeddings::load` reads it, as JSON: its
//! format, tokens and vectors and, for a fastText model, the vectors its
//! character n-grams give other words. For `scripts/compare_fasttext.py`,
//! which compares them with gensim's `load_facebook_vectors`.
//!
//! ```sh
//! cargo run --release --example table_vectors -- model.bin --unknown landlord zzz
//! # {"format": "fasttext-binary", "tokens": ["the", ...], "vectors": [[0.1, ...], ...],
//! #  "unknown": {"landlord": {"vector": [...], "ngrams": 14}, "zzz": ...}}
//! ```
//!
//! Values are printed as the shortest decimals that read back to the same
//! `f32`, so a reader that rounds them to `f32` gets the loaded bits.

use std::path::PathBuf;

use clap::Parser;
use embspace::embeddings::{Format, LoadOptions, load};
use serde_json::json;

/// Print a table's tokens and vectors as JSON.
#[derive(Parser)]
struct Args {
    /// The embedding file.
    file: PathBuf,
    /// Its format (detected when omitted).
    #[arg(long)]
    format: Option<Format>,
    /// Replace invalid UTF-8 in tokens with U+FFFD.
    #[arg(long)]
    lossy: bool,
    /// Words not in the table whose subword vectors to print (null without one).
    #[arg(long, num_args = 1..)]
    unknown: Vec<String>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let options = LoadOptions {
        format: args.format,
        lossy: args.lossy,
        ..LoadOptions::default()
    };
    let loaded = load(&args.file, &options)?;
    let vectors: Vec<Vec<f32>> = loaded
        .embeddings
        .vectors()
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect();
    let unknown: serde_json::Map<String, serde_json::Value> = args
        .unknown
        .iter()
        .map(|word| {
            let composed = loaded.subwords.as_ref().and_then(|s| s.vector(word));
            let value = composed.map(|(vector, ngrams)| json!({"vector": vector.to_vec(), "ngrams": ngrams}));
            (word.clone(), value.unwrap_or_default())
        })
        .collect();
    println!(
        "{}",
        json!({
            "format": loaded.format.name(),
            "tokens": loaded.embeddings.tokens(),
            "vectors": vectors,
            "unknown": unknown,
        })
    );
    Ok(())
}

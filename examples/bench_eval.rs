//! Times the analyze neighbour search and analogy evaluator, for
//! `scripts/bench_analyze_eval.py`, which times numpy and gensim on the same
//! data in the same run and prints the ratios.
//!
//! ```sh
//! cargo run --release --example bench_eval -- vectors.bin --queries 1000 --k 10 \
//!     --analogies questions-words.txt
//! # {"knn_seconds": [...], "knn": [[...10 row indices...], ...], "analogy_seconds": ..., ...}
//! ```
//!
//! The queries are rows `i · ⌊V / queries⌋`, as the Python side picks them;
//! the neighbour timing includes the rows' norms (numpy's, normalising the matrix).

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use embspace::analyze::{AnalogyParams, AnalogySet, ScaledRows, evaluate_word_analogies, top_k};
use serde_json::json;

/// Time top-k neighbours and the analogy benchmark.
#[derive(Parser)]
struct Args {
    /// Vectors file (word2vec binary or text, GloVe, fastText, .npy, safetensors).
    vectors: PathBuf,
    /// Number of query rows.
    #[arg(long, default_value_t = 1000)]
    queries: usize,
    /// Neighbours per query.
    #[arg(long, default_value_t = 10)]
    k: usize,
    /// Timed repetitions of the neighbour search (the best is reported too).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Google-format analogy file to time (skipped when absent).
    #[arg(long)]
    analogies: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (vocabulary, vectors) = embspace::embeddings::load(&args.vectors, &Default::default())?
        .embeddings
        .into_parts();
    let step = (vectors.nrows() / args.queries.max(1)).max(1);
    let rows: Vec<usize> = (0..args.queries)
        .map(|i| i * step)
        .filter(|&r| r < vectors.nrows())
        .collect();
    let queries = vectors.select(embspace::ndarray::Axis(0), &rows);
    let mut knn_seconds = Vec::new();
    let mut norms_seconds = Vec::new();
    let mut knn = Vec::new();
    for _ in 0..args.repeat {
        let started = Instant::now();
        let unit = ScaledRows::new(vectors.view());
        norms_seconds.push(started.elapsed().as_secs_f64());
        let hits = top_k(&unit, queries.view(), args.k, usize::MAX, &[])?;
        knn_seconds.push(started.elapsed().as_secs_f64());
        knn = hits
            .into_iter()
            .map(|h| h.into_iter().map(|h| h.index).collect::<Vec<_>>())
            .collect();
    }
    let mut analogy = json!(null);
    if let Some(path) = &args.analogies {
        let set = AnalogySet::read(path, false)?;
        let started = Instant::now();
        let unit = ScaledRows::new(vectors.view());
        let results = evaluate_word_analogies(vocabulary.tokens(), &unit, &set, &AnalogyParams::default())?;
        let seconds = started.elapsed().as_secs_f64();
        let total = results.sections.last().expect("the total is always there");
        let sections: Vec<_> = results
            .sections
            .iter()
            .map(|s| json!({"section": s.name, "correct": s.correct.len(), "incorrect": s.incorrect.len()}))
            .collect();
        let min_margin = total
            .correct
            .iter()
            .chain(&total.incorrect)
            .filter_map(|a| a.margin)
            .fold(f64::INFINITY, f64::min);
        analogy =
            json!({"seconds": seconds, "oov": results.oov, "sections": sections, "min_margin": min_margin});
    }
    println!(
        "{}",
        json!({"knn_seconds": knn_seconds, "norms_seconds": norms_seconds, "knn": knn, "query_rows": rows, "analogies": analogy})
    );
    Ok(())
}

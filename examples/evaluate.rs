//! Runs the gensim-compatible benchmarks on a vectors file and prints JSON, for
//! `scripts/compare_gensim.sh`, which runs gensim on the same files and compares.
//!
//! ```sh
//! cargo run --release --example evaluate -- vectors.bin \
//!     --analogies questions-words.txt --pairs wordsim353.tsv --pairs simlex999.txt
//! # {"analogies": [{"questions": 19544, "oov": ..., "sections": [...]}], "pairs": [...]}
//! ```
//!
//! A benchmark the evaluator refuses (every pair unknown, constant
//! similarities) gives `{"file": ..., "error": "..."}` in place of its numbers.
//! ```sh
//! ```
//!
//! The vectors file is read by `embspace::embeddings::load` (any format it
//! detects), the same loader `embspace analyze` uses.

use std::path::PathBuf;

use clap::Parser;
use embspace::analyze::{
    AnalogyMethod, AnalogyParams, AnalogySet, UnitRows, WordPairParams, WordPairSet, evaluate_word_analogies,
    evaluate_word_pairs,
};
use serde_json::json;

/// Evaluate word vectors on analogy and word-pair benchmarks (gensim 4.4 semantics).
#[derive(Parser)]
struct Args {
    /// Vectors file (word2vec binary or text, GloVe, fastText, .npy, safetensors).
    vectors: PathBuf,
    /// Google-format analogy files.
    #[arg(long)]
    analogies: Vec<PathBuf>,
    /// Tab-separated word-pair files.
    #[arg(long)]
    pairs: Vec<PathBuf>,
    /// Solve analogies with 3CosMul instead of 3CosAdd.
    #[arg(long)]
    cosmul: bool,
    /// gensim's restrict_vocab.
    #[arg(long, default_value_t = 300_000)]
    restrict_vocab: usize,
    /// gensim's case_insensitive=False.
    #[arg(long)]
    case_sensitive: bool,
    /// gensim's dummy4unknown=True.
    #[arg(long)]
    dummy4unknown: bool,
    /// Skip malformed benchmark lines as gensim does instead of failing.
    #[arg(long)]
    lenient: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (vocabulary, vectors) = embspace::embeddings::load(&args.vectors, &Default::default())?
        .embeddings
        .into_parts();
    let tokens = vocabulary.tokens();
    let unit = UnitRows::from_owned(vectors);
    let strict = !args.lenient;
    let mut analogies = Vec::new();
    for path in &args.analogies {
        let set = AnalogySet::read(path, strict)?;
        let params = AnalogyParams {
            restrict_vocab: args.restrict_vocab,
            case_insensitive: !args.case_sensitive,
            dummy4unknown: args.dummy4unknown,
            method: if args.cosmul {
                AnalogyMethod::CosMul
            } else {
                AnalogyMethod::CosAdd
            },
        };
        let started = std::time::Instant::now();
        let r = match evaluate_word_analogies(tokens, &unit, &set, &params) {
            Ok(r) => r,
            Err(e) => {
                analogies.push(json!({"file": path.display().to_string(), "error": e.to_string()}));
                continue;
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        let margins = r
            .sections
            .last()
            .into_iter()
            .flat_map(|s| s.correct.iter().chain(&s.incorrect));
        let min_margin = margins.filter_map(|a| a.margin).fold(f64::INFINITY, f64::min);
        let sections: Vec<_> = r
            .sections
            .iter()
            .map(|s| {
                let words = |list: &[embspace::analyze::AnalogyAnswer]| -> Vec<[String; 4]> {
                    list.iter().map(|a| a.words.clone()).collect()
                };
                json!({"section": s.name, "correct": words(&s.correct), "incorrect": words(&s.incorrect)})
            })
            .collect();
        analogies.push(json!({
            "file": path.display().to_string(),
            "score": r.score(),
            "questions": r.questions,
            "oov": r.oov,
            "sections": sections,
            "min_margin": if min_margin.is_finite() { Some(min_margin) } else { None },
            "seconds": seconds,
        }));
    }
    let mut pairs = Vec::new();
    for path in &args.pairs {
        let set = WordPairSet::read(path, "\t", strict)?;
        let params = WordPairParams {
            restrict_vocab: args.restrict_vocab,
            case_insensitive: !args.case_sensitive,
            dummy4unknown: args.dummy4unknown,
        };
        let r = match evaluate_word_pairs(tokens, &unit, &set, &params) {
            Ok(r) => r,
            Err(e) => {
                pairs.push(json!({"file": path.display().to_string(), "error": e.to_string()}));
                continue;
            }
        };
        pairs.push(json!({
            "file": path.display().to_string(),
            "pearson": [r.pearson.statistic, r.pearson.p_value],
            "spearman": [r.spearman.statistic, r.spearman.p_value],
            "oov_ratio": r.oov_ratio,
        }));
    }
    println!("{}", json!({"analogies": analogies, "pairs": pairs}));
    Ok(())
}

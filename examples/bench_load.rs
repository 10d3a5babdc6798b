//! Times `embspace::embeddings::load` on one file, for `scripts/bench_analyze_load.py`,
//! or the decoding of the real tables compiled into the crate (`--shipped`), for
//! `scripts/bench_report_vectors.py`.
//!
//! ```text
//! cargo run --release --example bench_load -- FILE [FORMAT] [REPEATS] [VOCAB]
//! {"seconds": 0.412, "rows": 100000, "dim": 300, "mb_per_s": 812.4, "rss_anon_mb": 121.3}
//! cargo run --release --example bench_load -- --shipped [REPEATS]
//! {"seconds": 0.003, "rows": 13099}
//! ```
//!
//! FORMAT is a `--format` name (`word2vec`, `word2vec-binary`, `glove`, `fasttext`,
//! `fasttext-binary`, `npy`, `safetensors`, `gguf`; detected when omitted or `auto`); REPEATS (default 3) loads, the best time
//! counts; VOCAB is the vocabulary of a `.npy` or safetensors matrix. `mb_per_s` is the file's size over that time. `rss_anon_mb` is the process's anonymous
//! (heap) memory with the last table still loaded, read from `/proc/self/status` on Linux
//! (`null` elsewhere); the memory-mapped file is not in it.

use std::path::PathBuf;
use std::time::Instant;

use embspace::embeddings::{Format, LoadOptions, load};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .ok_or("usage: bench_load FILE [FORMAT] [REPEATS] [VOCAB] | --shipped [REPEATS]")?,
    );
    if path.as_os_str() == "--shipped" {
        let repeats: usize = args.next().map_or(Ok(5), |n| n.parse())?;
        return shipped(repeats);
    }
    let format = match args.next().as_deref() {
        None | Some("auto") => None,
        Some(name) => Some(name.parse::<Format>()?),
    };
    let repeats: usize = args.next().map_or(Ok(3), |n| n.parse())?;
    let options = LoadOptions {
        format,
        vocab: args.next().map(PathBuf::from),
        ..LoadOptions::default()
    };
    let mut best = f64::INFINITY;
    let mut loaded = None;
    for _ in 0..repeats.max(1) {
        drop(loaded.take());
        let started = Instant::now();
        let table = load(&path, &options)?;
        best = best.min(started.elapsed().as_secs_f64());
        loaded = Some(table);
    }
    let loaded = loaded.expect("at least one load");
    let megabytes = std::fs::metadata(&path)?.len() as f64 / 1e6;
    let rss = rss_anon_mb().map_or("null".to_string(), |mb| format!("{mb:.1}"));
    println!(
        "{{\"seconds\": {best:.4}, \"rows\": {}, \"dim\": {}, \"mb_per_s\": {:.1}, \"rss_anon_mb\": {rss}}}",
        loaded.embeddings.len(),
        loaded.embeddings.dim(),
        megabytes / best
    );
    Ok(())
}

/// The anonymous resident memory of this process in MB (Linux only).
fn rss_anon_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1e3)
}

/// Best time of `repeats` decodings of both shipped tables.
fn shipped(repeats: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut best = f64::INFINITY;
    let mut rows = 0;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let tables = embspace::real::decode_shipped();
        best = best.min(started.elapsed().as_secs_f64());
        rows = tables.iter().map(|t| t.len()).sum();
    }
    println!("{{\"seconds\": {best:.4}, \"rows\": {rows}}}");
    Ok(())
}

//! The map's layout of a `.npy` table, timed by phase, for `scripts/bench_map.py`;
//! and the layout quality measures on any layout.
//!
//! ```text
//! cargo run --release --example map_layout -- layout TABLE.npy OUT.npy [--method umap|pca]
//!     [--init spectral|random|pca|START.npy] [--epochs N] [--seed S] [--neighbours K]
//! {"rows": 30522, "dim": 384, "read_s": 0.240, "knn_s": 2.494, "knn_cpu_s": 4.947, "layout_s": 2.715,
//!  "layout_cpu_s": 4.861, "total_s": 5.453, "table_mb": 46.9, "peak_rss_mb": 108.9}
//! cargo run --release --example map_layout -- quality TABLE.npy LAYOUT.npy ROWS.txt [K]
//! {"trustworthiness": 0.816411, "recall": 0.164900}
//! ```
//!
//! `layout` reads the table, normalises its rows, builds the exact kNN graph
//! (`analyze::knn_graph`, 14 neighbours unless `--neighbours` says: umap-learn's `n_neighbors = 15`
//! counts the row itself) and lays it out (UMAP with umap-learn's defaults,
//! or the first two principal components), then writes the `n × 2` layout as
//! `<f4` `.npy`. `knn_s` and `layout_s` are the two phases (`*_cpu_s` their
//! CPU time over all threads), `total_s` all of it from reading the file;
//! `peak_rss_mb` is the process's peak resident memory (`VmHWM`, Linux),
//! `table_mb` the `f32` table's own size.
//! `quality` measures trustworthiness and kNN recall at K (default 10) on the
//! rows listed in ROWS.txt (one index a line), as `math::trustworthiness`
//! and `math::knn_recall` define them.

use std::path::Path;
use std::time::Instant;

use embspace::analyze::{MAP_NEIGHBOURS, MapMethod, UnitRows, knn_graph, pca_layout};
use embspace::embeddings::parse_npy;
use embspace::math::{UmapInit, UmapParams, knn_recall, trustworthiness, umap_layout};
use embspace::ndarray::{Array2, Axis};

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("layout") if args.len() >= 3 => layout(&args[1], &args[2], &args[3..]),
        Some("quality") if args.len() >= 4 => quality(&args[1], &args[2], &args[3], args.get(4)),
        _ => Err("usage: map_layout layout TABLE.npy OUT.npy [options] | quality TABLE.npy LAYOUT.npy ROWS.txt [K]".into()),
    }
}

fn read(path: &str) -> Result<Array2<f32>, Failure> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading {path}: {e}"))?;
    Ok(parse_npy(&bytes, None)
        .map_err(|e| format!("{path}: {e:?}"))?
        .vectors)
}

fn layout(table: &str, out: &str, options: &[String]) -> Result<(), Failure> {
    let started = Instant::now();
    let (mut method, mut params, mut seed, mut init) =
        (MapMethod::Umap, UmapParams::default(), 42, "spectral");
    let mut neighbours = MAP_NEIGHBOURS;
    for pair in options.chunks(2) {
        let value = pair.get(1).ok_or_else(|| format!("{} needs a value", pair[0]))?;
        match pair[0].as_str() {
            "--method" => method = value.parse()?,
            "--epochs" => params.epochs = Some(value.parse()?),
            "--seed" => seed = value.parse()?,
            "--neighbours" => neighbours = value.parse()?,
            "--init" => init = value,
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    let vectors = read(table)?;
    let (rows, dim) = vectors.dim();
    let read_s = started.elapsed().as_secs_f64();
    let unit = UnitRows::from_owned(vectors);
    let (phase, cpu) = (Instant::now(), cpu_seconds());
    let graph = knn_graph(&unit, neighbours)?;
    let (knn_s, knn_cpu_s) = (phase.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let (phase, cpu) = (Instant::now(), cpu_seconds());
    params.init = match init {
        "spectral" => UmapInit::Spectral,
        "random" => UmapInit::Random,
        "pca" => UmapInit::Given(pca_layout(&unit)?),
        start => UmapInit::Given(read(start)?),
    };
    let coordinates = match method {
        MapMethod::Umap => umap_layout(&graph, &params, seed)?,
        MapMethod::Pca => pca_layout(&unit)?,
    };
    let (layout_s, layout_cpu_s) = (phase.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    write_npy(Path::new(out), &coordinates)?;
    let total_s = started.elapsed().as_secs_f64();
    let table_mb = (rows * dim * 4) as f64 / 1e6;
    let peak = peak_rss_mb().map_or("null".into(), |mb| format!("{mb:.1}"));
    println!(
        "{{\"rows\": {rows}, \"dim\": {dim}, \"read_s\": {read_s:.3}, \"knn_s\": {knn_s:.3}, \"knn_cpu_s\": {knn_cpu_s:.3}, \
         \"layout_s\": {layout_s:.3}, \"layout_cpu_s\": {layout_cpu_s:.3}, \
         \"total_s\": {total_s:.3}, \"table_mb\": {table_mb:.1}, \"peak_rss_mb\": {peak}}}"
    );
    Ok(())
}

fn quality(table: &str, layout: &str, rows: &str, k: Option<&String>) -> Result<(), Failure> {
    let k: usize = k.map_or(Ok(10), |k| k.parse())?;
    let rows: Vec<usize> = std::fs::read_to_string(rows)?
        .lines()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let input = read(table)?.select(Axis(0), &rows).mapv(f64::from);
    let layout = read(layout)?.select(Axis(0), &rows).mapv(f64::from);
    let t = trustworthiness(input.view(), layout.view(), k)?;
    let recall = knn_recall(input.view(), layout.view(), k)?;
    println!("{{\"trustworthiness\": {t:.6}, \"recall\": {recall:.6}}}");
    Ok(())
}

/// A C-order little-endian `f32` `.npy` (format 1.0).
fn write_npy(path: &Path, matrix: &Array2<f32>) -> Result<(), Failure> {
    let (rows, cols) = matrix.dim();
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
    header.push_str(&" ".repeat(63 - (10 + header.len()) % 64));
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(matrix.iter().flat_map(|v| v.to_le_bytes()));
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()).into())
}

/// CPU seconds the process has used, all threads, user and system.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Peak resident memory in MB (`VmHWM` in `/proc/self/status`; `None` off Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

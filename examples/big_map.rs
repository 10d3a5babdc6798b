//! An analysis page whose map holds many points (100 000 by default), for the
//! browser test to time the map's frames and first paint at that size.
//!
//! The page is rendered by `embspace::analyze::render` like any analysis;
//! only the map's contents are made up, so no neighbour search stands between
//! the test and the page: 20 seeded Gaussian clusters of points, each point's
//! neighbours ten others of its cluster.
//!
//! ```sh
//! cargo run --example big_map -- target/browser/big-map 100000
//! # wrote target/browser/big-map/analysis.html
//! ```

use std::path::PathBuf;

use embspace::analyze::{DiagnoseParams, Map, MapMethod, Source, diagnose, render};
use embspace::embeddings::Embeddings;
use embspace::ndarray::Array2;
use embspace::report::{Format, write_atomically};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CLUSTERS: usize = 20;
const NEIGHBOURS: usize = 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: big_map OUT_DIR [POINTS]")?);
    let n: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    if n < 2 * CLUSTERS * NEIGHBOURS {
        return Err(format!("need at least {} points", 2 * CLUSTERS * NEIGHBOURS).into());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let centres: Vec<(f32, f32)> = (0..CLUSTERS)
        .map(|_| (rng.random_range(-20.0..20.0), rng.random_range(-20.0..20.0)))
        .collect();
    let (mut x, mut y) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let (cx, cy) = centres[i % CLUSTERS];
        // The sum of three uniforms: a bell around the centre, no extra crate.
        let mut bell = || (0..3).map(|_| rng.random_range(-1.0f32..1.0)).sum::<f32>();
        x.push(cx + 1.5 * bell());
        y.push(cy + 1.5 * bell());
    }
    let map = Map {
        method: MapMethod::Pca,
        tokens: (0..n).map(|i| format!("token{i}")).collect(),
        rows: (0..n as u32).collect(),
        x,
        y,
        norms: (0..n).map(|i| 1.0 + (i % 97) as f32 / 97.0).collect(),
        clusters: (0..n).map(|i| (i % CLUSTERS % 12) as u8).collect(),
        cluster_names: (0..12).map(|c| format!("cluster {c}")).collect(),
        neighbours: (0..n)
            .map(|i| {
                (1..=NEIGHBOURS)
                    .map(|j| ((i + j * CLUSTERS) % n) as u32)
                    .collect()
            })
            .collect(),
        scores: (0..n)
            .map(|_| (1..=NEIGHBOURS).map(|j| 1.0 - j as f32 / 20.0).collect())
            .collect(),
    };
    // The diagnostics of a small table: the sections around the map.
    let small = Array2::from_shape_fn((200, 4), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 5.0 + j as f32);
    let (table, _) = Embeddings::new((0..200).map(|i| format!("w{i}")).collect(), small)?;
    let diagnostics = diagnose(&table, &DiagnoseParams::default())?;
    let source = Source {
        path: format!("{n} synthetic points"),
        format: "synthetic".into(),
        file_bytes: 0,
        warnings: Vec::new(),
        notes: Vec::new(),
    };
    let mut analysis = embspace::analyze::Analysis::new(source, &diagnostics);
    analysis.set_map(map);
    let rendered = render(&analysis, &[Format::Html])?;
    write_atomically(&out, &rendered, false)?;
    println!("wrote {}", out.join("analysis.html").display());
    Ok(())
}

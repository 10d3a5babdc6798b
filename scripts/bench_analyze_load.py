#!/usr/bin/env python3
"""Load speed of `embspace analyze`'s loaders against gensim and numpy, measured in one run.

    python3 scripts/bench_analyze_load.py            # both sizes
    python3 scripts/bench_analyze_load.py --quick    # 30k x 384 only

Writes seeded tables (30k x 384 and 100k x 300, tokens shaped like vocabulary words) into
target/bench/ with gensim (word2vec text and binary) and numpy (.npy + vocab.txt), reusing files
already there. Then times, side by side on the same files (page cache warm for both):

    gensim  KeyedVectors.load_word2vec_format(binary=False / True)   best of --repeats
    numpy   numpy.load                                               best of --repeats
    embspace  target/release/examples/bench_load                     best of --repeats

and prints seconds, MB/s and the ratio gensim-or-numpy time / embspace time. Needs gensim and
numpy (pip-installed when missing); builds the example with `cargo build --release`.
"""

import argparse
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

for module, package in [("gensim", "gensim"), ("numpy", "numpy")]:
    try:
        importlib.import_module(module)
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", package])

import numpy as np  # noqa: E402
from gensim.models import KeyedVectors  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
EXAMPLE = ROOT / "target" / "release" / "examples" / "bench_load"
ONSETS = ["", "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr", "ch",
          "sh", "pl", "gr"]
VOWELS = ["a", "e", "i", "o", "u", "ea", "io", "ou", "y"]
CODAS = ["", "", "n", "r", "s", "t", "l", "ng", "ck", "st"]
SUFFIXES = ["", "", "", "s", "ed", "ing", "ly", "er", "tion", "ness"]


def words(n, rng):
    """`n` distinct lowercase pseudo-words of 1-4 syllables, a few capitalised or accented."""
    out, seen = [], set()
    while len(out) < n:
        syllables = rng.integers(1, 5)
        word = "".join(ONSETS[rng.integers(len(ONSETS))] + VOWELS[rng.integers(len(VOWELS))]
                       + CODAS[rng.integers(len(CODAS))] for _ in range(syllables))
        word += SUFFIXES[rng.integers(len(SUFFIXES))]
        if rng.random() < 0.05:
            word = word.capitalize()
        if rng.random() < 0.01:
            word = word.replace("e", "é", 1)
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


def make(rows, dim):
    """Write the table files for `rows x dim` unless present; returns their paths."""
    stem = OUT / f"{rows}x{dim}"
    paths = {"text": stem.with_suffix(".txt"), "binary": stem.with_suffix(".bin"), "npy": stem.with_suffix(".npy")}
    if all(p.exists() for p in paths.values()):
        return paths
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(rows * 1000 + dim)
    tokens = words(rows, rng)
    vectors = (rng.standard_normal((rows, dim)) * 0.3).astype(np.float32)
    kv = KeyedVectors(dim)
    kv.add_vectors(tokens, vectors)
    kv.save_word2vec_format(str(paths["text"]), binary=False)
    kv.save_word2vec_format(str(paths["binary"]), binary=True)
    np.save(paths["npy"], vectors)
    (OUT / f"{rows}x{dim}.vocab.txt").write_text("".join(t + "\n" for t in tokens), encoding="utf-8")
    return paths


def best_of(repeats, load):
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        load()
        best = min(best, time.perf_counter() - started)
    return best


def ours(path, fmt, repeats, vocab=None):
    args = [str(EXAMPLE), str(path), fmt, str(repeats)] + ([str(vocab)] if vocab else [])
    return json.loads(subprocess.check_output(args, text=True))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="only the 30k x 384 table")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "--example", "bench_load"], cwd=ROOT)
    sizes = [(30_000, 384)] if args.quick else [(30_000, 384), (100_000, 300)]
    print(f"{'file':<22}{'MB':>8}  {'reference':<30}{'s':>8}{'MB/s':>8}   {'embspace s':>10}{'MB/s':>8}"
          f"{'ratio':>8}  embspace heap MB")
    for rows, dim in sizes:
        paths = make(rows, dim)
        vocab = OUT / f"{rows}x{dim}.vocab.txt"
        cases = [
            ("text", "word2vec", "gensim load_word2vec_format",
             lambda p: KeyedVectors.load_word2vec_format(str(p), binary=False)),
            ("binary", "word2vec-binary", "gensim load_word2vec_format(b)",
             lambda p: KeyedVectors.load_word2vec_format(str(p), binary=True)),
            ("npy", "npy", "numpy.load", lambda p: np.load(p)),
        ]
        for kind, fmt, name, reference in cases:
            path = paths[kind]
            megabytes = path.stat().st_size / 1e6
            theirs = best_of(args.repeats, lambda: reference(path))
            mine = ours(path, fmt, args.repeats, vocab if kind == "npy" else None)
            assert (mine["rows"], mine["dim"]) == (rows, dim), mine
            print(f"{path.name:<22}{megabytes:>8.1f}  {name:<30}{theirs:>8.3f}{megabytes / theirs:>8.0f}   "
                  f"{mine['seconds']:>10.3f}{mine['mb_per_s']:>8.0f}{theirs / mine['seconds']:>7.1f}x  "
                  f"{mine['rss_anon_mb']}  (matrix {rows * dim * 4 / 1e6:.0f})", flush=True)


if __name__ == "__main__":
    main()

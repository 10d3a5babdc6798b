"""Benchmark embspace's analyze neighbour search and analogy evaluator against numpy and gensim.

    target/pyenv/bin/python scripts/bench_analyze_eval.py [--skip-gensim]

(scripts/compare_gensim.sh sets up target/pyenv with gensim 4.4.0, numpy and scipy.) Builds
`examples/bench_eval.rs` in release mode, then for seeded 30k×384 and 100k×300 float32 matrices
whose tokens include every word of gensim's questions-words.txt:

  - top-10 cosine neighbours of 1000 rows: numpy (normalise the matrix, one matrix product,
    argpartition, sort the 10) versus ours (row norms, fused blocked product + selection),
    best of 3 each, and whether the neighbour lists agree;
  - evaluate_word_analogies on the Google set: gensim (30k×384 only, once: ~100 s) versus ours,
    and whether every section's counts agree.

Prints the times and the ratios measured in this run. numpy's BLAS and thread count are
printed too: the comparison is against whatever numpy uses here.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "bench_eval")


def questions_path():
    from gensim.test.utils import datapath
    return datapath("questions-words.txt")


def make_table(rows, dim, seed):
    """Seeded tokens (all Google-analogy words at random ranks, then fillers) and vectors."""
    rng = np.random.default_rng(seed)
    words = []
    with open(questions_path(), encoding="utf8") as f:
        for line in f:
            if not line.startswith(":"):
                words += line.split()
    words = list(dict.fromkeys(words))
    tokens = [f"w{i:06d}" for i in range(rows - len(words))]
    for word, at in zip(words, sorted(rng.choice(rows // 3, size=len(words), replace=False))):
        tokens.insert(int(at), word)
    vectors = rng.standard_normal((rows, dim), dtype=np.float32)
    return tokens, vectors


def write_word2vec_binary(tokens, vectors, path):
    with open(path, "wb") as out:
        out.write(f"{len(tokens)} {vectors.shape[1]}\n".encode())
        for token, row in zip(tokens, vectors):
            out.write(token.encode("utf8") + b" " + row.astype("<f4").tobytes() + b"\n")


def numpy_top_k(vectors, rows, k):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = unit[rows] @ unit.T
    part = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def best_time(function, repeat):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def gensim_analogies(tokens, vectors):
    from gensim.models import KeyedVectors
    kv = KeyedVectors(vectors.shape[1], dtype=np.float32)
    kv.add_vectors(tokens, vectors)
    started = time.perf_counter()
    _, sections = kv.evaluate_word_analogies(questions_path())
    return time.perf_counter() - started, sections


def blas_description():
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except Exception:  # older numpy
        return "unknown BLAS"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-gensim", action="store_true", help="do not time gensim's analogies")
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "bench_eval"], cwd=ROOT, check=True)
    print(f"numpy {np.__version__} with {blas_description()}, {os.cpu_count()} CPUs")
    queries, k = 1000, 10
    for rows, dim, run_gensim in [(30_000, 384, not args.skip_gensim), (100_000, 300, False)]:
        tokens, vectors = make_table(rows, dim, seed=rows + dim)
        step = rows // queries
        query_rows = np.arange(queries) * step
        np_seconds, np_hits = best_time(lambda: numpy_top_k(vectors, query_rows, k), 3)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "vectors.bin")
            write_word2vec_binary(tokens, vectors, path)
            command = [EXAMPLE, path, "--queries", str(queries), "--k", str(k), "--analogies", questions_path()]
            ours = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        our_seconds = min(ours["knn_seconds"])
        differing = sum(
            set(map(int, a)) != set(b) for a, b in zip(np_hits, ours["knn"]))
        print(f"\n{rows}x{dim}, top-{k} of {queries} queries")
        print(f"  numpy (normalise + matmul + argpartition): {np_seconds:.3f} s")
        print(f"  ours (row norms + fused blocked top-k):    {our_seconds:.3f} s "
              f"(runs {', '.join(f'{t:.3f}' for t in ours['knn_seconds'])}; "
              f"row norms {min(ours['norms_seconds']):.3f})")
        print(f"  ours / numpy = {our_seconds / np_seconds:.2f}; queries whose top-{k} sets differ: {differing}")
        analogies = ours["analogies"]
        print(f"  ours evaluate_word_analogies (Google set): {analogies['seconds']:.2f} s, "
              f"{analogies['sections'][-1]['correct']} correct, OOV {analogies['oov']}, "
              f"closest call {analogies['min_margin']:.2e}")
        if run_gensim:
            g_seconds, g_sections = gensim_analogies(tokens, vectors)
            same = [(s["section"], len(s["correct"]), len(s["incorrect"])) for s in g_sections] == [
                (s["section"], s["correct"], s["incorrect"]) for s in analogies["sections"]]
            print(f"  gensim evaluate_word_analogies:            {g_seconds:.2f} s")
            print(f"  gensim / ours = {g_seconds / analogies['seconds']:.1f}x; per-section counts equal: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""How long `embspace report --vectors` takes on a 100k x 300 text table, and where the time goes.

    python3 scripts/bench_report_vectors.py [--repeats 3]

Writes (once, seeded) target/bench/report-vectors-100000x300.txt: word2vec text with 6 decimals,
whose first 10 038 rows are the shipped GloVe words with their vectors mapped to 300 dimensions by
a fixed random matrix (so every claim finds its words and is really measured), and 89 962 more
rows of pseudo-words with Gaussian vectors. Then times, best of --repeats, with the release build:

    load         examples/bench_load on the file (the loader report --vectors uses)
    report       embspace report --vectors FILE (load, 25 demos with their real parts on it, render)
    shipped      examples/bench_load --shipped (decoding the two tables compiled into the crate)

and prints seconds and the targets (report < 3 s, shipped < 0.05 s). Needs numpy (pip-installed
into the running Python when missing); builds with `cargo build --release`.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

try:
    import numpy as np
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "numpy"])
    import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
RELEASE = ROOT / "target" / "release"
ROWS, DIM = 100_000, 300


def read_npy_f16(path):
    return np.load(path).astype(np.float32)


def write_table(path):
    glove = read_npy_f16(ROOT / "data/real/glove-6b-50d/vectors.npy")
    words = (ROOT / "data/real/glove-6b-50d/vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    rng = np.random.default_rng(2026)
    head = glove @ rng.standard_normal((glove.shape[1], DIM)).astype(np.float32) / np.sqrt(glove.shape[1])
    rest = rng.standard_normal((ROWS - len(words), DIM)).astype(np.float32) * 0.4
    tokens = words + [f"pseudo{i}" for i in range(ROWS - len(words))]
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"{ROWS} {DIM}\n")
        for token, row in zip(tokens, np.vstack([head, rest])):
            out.write(token + " " + " ".join(f"{v:.6f}" for v in row) + "\n")


def best(command, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            sys.exit(f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stderr}")
    return min(times), result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "--locked", "--bin", "embspace", "--example", "bench_load"],
                          cwd=ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    table = OUT / f"report-vectors-{ROWS}x{DIM}.txt"
    if not table.exists():
        write_table(table)
    size = table.stat().st_size / 1e6
    load, _ = best([RELEASE / "examples/bench_load", table, "word2vec", "1"], args.repeats)
    report, _ = best([RELEASE / "embspace", "report", "-q", "--vectors", table, "--out", OUT / "report-vectors"],
                     args.repeats)
    _, shipped = best([RELEASE / "examples/bench_load", "--shipped", "5"], 1)
    shipped = json.loads(shipped)
    verdicts = json.loads((OUT / "report-vectors/report.json").read_text())["summary"]["verdicts"]
    print(f"table: {table.relative_to(ROOT)} ({size:.0f} MB, {ROWS} x {DIM})")
    print(f"load (process, best of {args.repeats}):            {load:6.3f} s")
    print(f"report --vectors (whole run, best of {args.repeats}): {report:6.3f} s   target < 3 s")
    print(f"  of which demos, claims and rendering:  {report - load:6.3f} s")
    print(f"  verdicts: {verdicts}")
    print(f"decode both shipped tables ({shipped['rows']} rows): {shipped['seconds']:.4f} s   target < 0.05 s")


if __name__ == "__main__":
    main()

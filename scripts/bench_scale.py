#!/usr/bin/env python3
"""`embspace analyze` at LLM scale against numpy doing the same work, side by side in one run.

    scripts/bench_scale.sh                 # every table, then compare, untied and the gensim tables
    scripts/bench_scale.sh --only qwen     # one table (qwen, tall, gguf)
    scripts/bench_scale.sh --only compare  # `embspace compare` of the qwen table with a tuned copy
    scripts/bench_scale.sh --only untied   # `embspace analyze` of a model directory with an lm_head
    scripts/bench_scale.sh --only fasttext # a cc.en.300.bin-sized fastText model, against gensim
    scripts/bench_scale.sh --only googlenews  # a GoogleNews-sized word2vec binary, against gensim
    scripts/bench_scale.sh --only wikinews # a wiki-news-300d-1M.vec-sized word2vec text, against gensim
    scripts/bench_scale.sh --only wikinews-gz  # the same gzipped (as cc.en.300.vec.gz), against gensim
    scripts/bench_scale.sh --only googlenews-gz  # the GoogleNews-sized binary gzipped, as published
    scripts/bench_scale.sh --only fasttext-gz  # the cc.en.300.bin-sized model gzipped, as published
    scripts/bench_scale.sh --quick         # small stand-ins (30k x 2048, 200k x 300) to try the script

Tables (written once into target/scale/, deterministic from the seed, reused when present):

    qwen   152 064 x 4 096 BF16 safetensors (`model.embed_tokens.weight`, 1.25 GB) + vocab.txt, and
           tokenizer/tokenizer.json as Qwen2's is shaped: 151 643 tokens and 3 special ones, so the
           last 418 rows are padding, the reference rows of the under-trained tokens section
    tall   2 000 000 x 300 f32 .npy (2.4 GB) + vocab.txt
    gguf   the qwen table's rows in F16 as `token_embd.weight` of a GGUF file written by llama.cpp's
           gguf-py, with its tokens and 32 other tensors of 11 008 x 4 096 (4.1 GB in all), as a
           model's weights sit beside its embedding; numpy's side reads the tensor through gguf-py

Not i.i.d. noise: each row is a rank-48 signal with decaying strengths plus anisotropic noise
(log-normal scale per dimension) plus a shared offset, scaled by a frequency-like trend (rows
near the top are longer), and the last 0.5% rows are nearly zero, like a checkpoint's untrained
reserved tokens. So the norms, the anisotropy and the spectrum have something to show.

Each side runs alone under /usr/bin/time (wall, user+sys CPU, peak RSS), page cache warm:

    embspace  target/release/embspace analyze FILE --map 0 --query <100 tokens> --report-format json
              (norms, mean vector, 10 000-row sample: anisotropy, isotropy, principal components,
              all-but-the-top, textbook claims; top-10 neighbours of 100 queries over every row;
              for qwen, read with its tokenizer.json, the under-trained tokens: every row's cosine
              distance to the padding rows' mean after removing the first principal component)
    numpy     the same table read as numpy reads it (bf16 widened through uint32), norms, mean
              vector, the 10 000-row sample's covariance and its exact eigendecomposition
              (numpy.linalg.eigh), random-pair anisotropy raw and centred, all-but-the-top, and
              the top-10 cosine neighbours of the same 100 queries (X @ q / norms, no unit copy),
              for qwen the same distances (the first component from numpy.linalg.eigh of the
              centred rows' covariance). The table's near-zero rows are trained rows scaled down,
              so a cosine does not single them out: this measures time and agreement;
              scripts/check_undertrained_minilm.sh checks the ranking on a real matrix.
    before    the binary built from the commit before this work (target/embspace-before), when
              present and the table is `tall` (at 4 096 dimensions it spends minutes in nalgebra)

Then it checks that both sides agree: the top-20 explained-variance shares (ours from subspace
iteration above 1 024 dimensions, numpy's exact) and the neighbour lists, and prints a table
with the ratios.

`compare` sets the qwen table (A) beside a "tuned" copy (B, written once): A's rows turned by a
seeded random rotation, every 50th row moved by noise of half its length (what fine-tuning moved),
and 1 024 tokens appended by Hewitt's rule (the old rows' mean plus N(0, 1e-5 diag(var))), all
stored in BF16 again. Both sides then do the same work:

    embspace  target/release/embspace compare A B --report-format json
    numpy     A^T B in float32 (numpy's matmul), the exact SVD of the 4 096 x 4 096 cross-covariance
              in float64 (numpy.linalg.svd), every shared row's cosine after the rotation, the
              top-10 neighbours of the first 1 000 tokens in each table, and the added rows'
              distances to the old rows' mean

and must agree on the residual, the drift cosines, the tokens that moved most, the neighbour
overlap and the added rows.

`untied` is a Hugging Face model directory (config.json with `tie_word_embeddings: false`, one
model.safetensors, vocab.txt) whose input embedding is the qwen table and whose `lm_head.weight`
is the tuned table's first rows: `analyze DIR --map 0` as above plus the input-versus-output
section, against numpy doing the statistics and queries above plus the same Procrustes and
per-token cosines as for `compare`.

`fasttext`, `googlenews` and `wikinews` are tables gensim reads, shaped like published ones:

    fasttext    a fastText `.bin` model of cc.en.300.bin's shape (2 000 000 words, 2 000 000 n-gram
                buckets of 3 to 6 characters, 300 dimensions, skipgram; 7.2 GB with its output
                matrix): seeded pseudo-words, the input matrix Gaussian, the output matrix zero
                (neither side reads it); 10 of the queries are words outside the table
    googlenews  word2vec binary of GoogleNews-vectors-negative300.bin's shape, 3 000 000 x 300
    wikinews    word2vec text of wiki-news-300d-1M.vec's shape, 1 000 000 x 300, 5 decimals
    googlenews-gz, wikinews-gz, fasttext-gz  the two word2vec tables and the fastText model
                compressed by `gzip -6` (as cc.en.300.bin.gz is published), read as they are
                (gensim 4.4.0 cannot read a fastText .bin.gz, so its side of fasttext-gz reads the
                model uncompressed)

(the word2vec tables have the structured rows above). Both sides load the file and answer the
same queries:

    embspace  target/release/embspace analyze FILE --map 0 --query <the queries> --report-format json
              (for fastText every word's vector composed with its n-grams; the statistics above; the
              top-10 neighbours of each query over every word)
    gensim    load_facebook_vectors(FILE) or KeyedVectors.load_word2vec_format(FILE, binary=...),
              then most_similar(word, topn=10) for the same queries

and must give the same neighbours, in order.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "scale"
BINARY = ROOT / "target" / "release" / "embspace"
BEFORE = ROOT / "target" / "embspace-before"
SEED = 17
SAMPLE = 10_000
QUERIES = 100
TOP = 10

TABLES = {
    "qwen": dict(rows=152_064, dim=4096, kind="bf16"),
    "tall": dict(rows=2_000_000, dim=300, kind="npy"),
    "gguf": dict(rows=152_064, dim=4096, kind="gguf"),
}
QUICK = {
    "qwen": dict(rows=30_000, dim=2048, kind="bf16"),
    "tall": dict(rows=200_000, dim=300, kind="npy"),
    "gguf": dict(rows=30_000, dim=2048, kind="gguf"),
}
GGUF_LAYERS = 32  # other tensors in the GGUF file, 90 MB each, as a model's weights: never read
# Tables gensim reads, shaped like the published ones: cc.en.300.bin, GoogleNews-vectors-negative300.bin
# and wiki-news-300d-1M.vec.
GENSIM = {
    "fasttext": dict(words=2_000_000, buckets=2_000_000, dim=300),
    "googlenews": dict(rows=3_000_000, dim=300, binary=True),
    "wikinews": dict(rows=1_000_000, dim=300, binary=False),
    "googlenews-gz": dict(rows=3_000_000, dim=300, binary=True, gzip=True),
    "wikinews-gz": dict(rows=1_000_000, dim=300, binary=False, gzip=True),
    "fasttext-gz": dict(words=2_000_000, buckets=2_000_000, dim=300, gzip=True),
}
QUICK_GENSIM = {
    "fasttext": dict(words=100_000, buckets=200_000, dim=100),
    "googlenews": dict(rows=200_000, dim=300, binary=True),
    "wikinews": dict(rows=50_000, dim=300, binary=False),
    "googlenews-gz": dict(rows=200_000, dim=300, binary=True, gzip=True),
    "wikinews-gz": dict(rows=50_000, dim=300, binary=False, gzip=True),
    "fasttext-gz": dict(words=100_000, buckets=200_000, dim=100, gzip=True),
}
UNSEEN = 10  # query words outside the fastText model's table


def chunks(rows, dim, seed):
    """The table's rows, 8192 at a time, from one seeded generator (same bytes on every run)."""
    rng = np.random.default_rng(seed)
    rank = 48
    strengths = (1.0 / np.sqrt(1.0 + np.arange(rank))).astype(np.float32)
    basis = (rng.standard_normal((rank, dim), dtype=np.float32) * strengths[:, None] / np.sqrt(dim)).astype(np.float32)
    noise = (np.exp(rng.normal(0.0, 0.5, dim)) * 0.4 / np.sqrt(dim)).astype(np.float32)
    offset = (rng.standard_normal(dim) * 0.5 / np.sqrt(dim)).astype(np.float32)
    untrained = rows - max(1, rows // 200)
    for start in range(0, rows, 8192):
        m = min(8192, rows - start)
        x = rng.standard_normal((m, rank), dtype=np.float32) @ basis
        x += rng.standard_normal((m, dim), dtype=np.float32) * noise
        x += offset
        order = np.arange(start, start + m)
        trend = 1.3 - 0.7 * np.log1p(order) / np.log1p(rows)
        trend[order >= untrained] = 1e-3
        x *= trend.astype(np.float32)[:, None]
        yield x.astype(np.float32, copy=False)


def to_bf16(x):
    """Round-to-nearest-even f32 -> bf16 bits."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_header(tensors):
    """The length-prefixed safetensors header of BF16 tensors {name: (rows, dim)}, stored in order."""
    entries, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, (rows, dim) in tensors.items():
        entries[name] = {"dtype": "BF16", "shape": [rows, dim], "data_offsets": [offset, offset + rows * dim * 2]}
        offset += rows * dim * 2
    header = json.dumps(entries).encode()
    header += b" " * (-len(header) % 8)
    return len(header).to_bytes(8, "little") + header


def tokens(rows):
    return [f"t{i:07d}" for i in range(rows)]


QWEN_TOKENS = 151_643  # Qwen2's BPE vocabulary; 3 special tokens follow, then padding rows


def write_tokenizer(folder, rows):
    """A tokenizer.json shaped like Qwen2-7B's: fewer tokens than rows, the rest padding."""
    path = folder / "tokenizer" / "tokenizer.json"
    if path.exists():
        return path
    path.parent.mkdir(exist_ok=True)
    regular = min(QWEN_TOKENS, rows - 1 - rows // 400)
    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    path.write_text(json.dumps({
        "version": "1.0",
        "added_tokens": [{"id": regular + i, "content": t, "special": True} for i, t in enumerate(special)],
        "model": {"type": "BPE", "vocab": {t: i for i, t in enumerate(tokens(regular))}, "merges": []},
    }))
    return path


def padding_rows(path):
    """The rows past the tokenizer's tokens."""
    tokenizer = json.loads(path.read_text())
    return len(tokenizer["model"]["vocab"]) + len(tokenizer["added_tokens"])


def write_table(name, rows, dim, kind):
    folder = OUT / f"{name}-{rows}x{dim}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / {"bf16": "embed.safetensors", "npy": "vectors.npy", "gguf": "model.gguf"}[kind]
    if path.exists() and (folder / "vocab.txt").exists():
        return path
    started = time.time()
    if kind == "gguf":
        import gguf
        writer = gguf.GGUFWriter(path.with_suffix(".tmp"), "qwen2")
        writer.add_tokenizer_model("gpt2")
        writer.add_token_list(tokens(rows))
        writer.add_tensor(INPUT_GGUF, np.concatenate(list(chunks(rows, dim, SEED))).astype(np.float16))
        for layer in range(GGUF_LAYERS):
            writer.add_tensor(f"blk.{layer}.ffn_up.weight", np.zeros((11008, 4096), np.float16))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
    elif kind == "bf16":
        with open(path.with_suffix(".tmp"), "wb") as f:
            f.write(bf16_header({"model.embed_tokens.weight": (rows, dim)}))
            for x in chunks(rows, dim, SEED):
                f.write(to_bf16(x).tobytes())
    else:
        out = np.lib.format.open_memmap(path.with_suffix(".tmp"), mode="w+", dtype="<f4", shape=(rows, dim))
        start = 0
        for x in chunks(rows, dim, SEED):
            out[start:start + len(x)] = x
            start += len(x)
        out.flush()
        del out
    path.with_suffix(".tmp").rename(path)
    (folder / "vocab.txt").write_text("\n".join(tokens(rows)) + "\n")
    print(f"wrote {path.relative_to(ROOT)} in {time.time() - started:.1f} s", flush=True)
    return path


ADDED = 1024


def write_tuned(a_path, rows, dim):
    """B for `compare`: A rotated, every 50th row moved, ADDED rows appended by the mean rule."""
    folder = OUT / f"tuned-{rows}x{dim}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "embed.safetensors"
    if path.exists() and (folder / "vocab.txt").exists():
        return path
    started = time.time()
    rng = np.random.default_rng(SEED + 1)
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    rotation = (q * np.sign(np.diag(r))).astype(np.float32)
    total = rows + ADDED
    a = load(a_path)
    total_sum, total_squares = np.zeros(dim), np.zeros(dim)
    with open(path.with_suffix(".tmp"), "wb") as f:
        f.write(bf16_header({"model.embed_tokens.weight": (total, dim)}))
        for start in range(0, rows, 8192):
            x = np.array(a[start:start + 8192])
            moved = np.arange(start, start + len(x)) % 50 == 0
            lengths = np.linalg.norm(x[moved], axis=1, keepdims=True)
            x[moved] += rng.standard_normal((moved.sum(), dim), dtype=np.float32) * lengths * 0.5 / np.sqrt(dim)
            x = to_bf16(x @ rotation)
            f.write(x.tobytes())
            widened = (x.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
            total_sum += widened.sum(axis=0)
            total_squares += (widened * widened).sum(axis=0)
        mean = total_sum / rows
        spread = np.sqrt(np.maximum(total_squares / rows - mean * mean, 0.0))
        added = mean + rng.standard_normal((ADDED, dim)) * np.sqrt(1e-5) * spread
        f.write(to_bf16(added.astype(np.float32)).tobytes())
    path.with_suffix(".tmp").rename(path)
    (folder / "vocab.txt").write_text("\n".join(tokens(rows) + [f"new{i:04d}" for i in range(ADDED)]) + "\n")
    print(f"wrote {path.relative_to(ROOT)} in {time.time() - started:.1f} s", flush=True)
    return path


INPUT_GGUF = "token_embd.weight"


def load(path, tensor="model.embed_tokens.weight"):
    """The table as numpy users read it: f32 in memory (a GGUF tensor through llama.cpp's gguf-py)."""
    if path.suffix == ".npy":
        return np.load(path, mmap_mode="r")
    if path.suffix == ".gguf":
        from gguf import GGUFReader
        return next(t.data for t in GGUFReader(path).tensors if t.name == INPUT_GGUF).astype(np.float32)
    with open(path, "rb") as f:
        length = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(length))
    rows, dim = header[tensor]["shape"]
    begin = header[tensor]["data_offsets"][0]
    raw = np.memmap(path, dtype="<u2", mode="r", offset=8 + length + begin, shape=(rows, dim))
    return (raw.astype(np.uint32) << 16).view(np.float32)


def unused_distances(x, reference_rows):
    """magikarp's cosine distance to the reference rows' mean, first principal component removed."""
    mean = x.mean(axis=0, dtype=np.float64)
    covariance = np.zeros((x.shape[1], x.shape[1]))
    for start in range(0, len(x), 8192):
        block = x[start:start + 8192] - mean.astype(np.float32)
        covariance += (block.T @ block).astype(np.float64)
    u = np.linalg.eigh(covariance)[1][:, -1]
    m = x[reference_rows].mean(axis=0, dtype=np.float64)
    m -= (m @ u) * u
    distances = np.empty(len(x))
    for start in range(0, len(x), 8192):
        block = x[start:start + 8192].astype(np.float64)
        block -= np.outer(block @ u, u)
        norms = np.linalg.norm(block, axis=1) * np.linalg.norm(m)
        distances[start:start + len(block)] = 1.0 - (block @ m) / np.maximum(norms, 1e-6)
    return distances


def reference(path, query_rows, result_file, first_padding=None):
    """numpy doing the statistics and the queries (run in its own process for its peak RSS); for a
    model directory also the input-versus-output alignment."""
    times = {}
    t = time.time()
    output = None
    if path.is_dir():
        output = np.ascontiguousarray(load(path / "model.safetensors", "lm_head.weight"))
        path = path / "model.safetensors"
    x = load(path)
    x = np.ascontiguousarray(x)  # the .npy is mapped: read it all, as the load does on our side
    times["load"] = time.time() - t

    t = time.time()
    norms = np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float64))
    mean_norm = float(np.linalg.norm(x.mean(axis=0, dtype=np.float64)))
    nonzero = np.flatnonzero(norms >= 1e-12)[:SAMPLE]
    sample = x[nonzero].astype(np.float64)
    rng = np.random.default_rng(42)
    i = rng.integers(0, len(sample), 10_000)
    j = (i + rng.integers(1, len(sample), 10_000)) % len(sample)

    def pair_cosine(m):
        n = np.linalg.norm(m, axis=1)
        return float(np.mean(np.einsum("ij,ij->i", m[i], m[j]) / (n[i] * n[j])))

    raw_cosine = pair_cosine(sample)
    sample -= sample.mean(axis=0)
    values, vectors = np.linalg.eigh(sample.T @ sample / (len(sample) - 1))
    values, vectors = values[::-1], vectors[:, ::-1]
    shares = values / values.clip(min=0).sum()
    removed = max(1, round(x.shape[1] / 100))
    top = vectors[:, :removed]
    abtt = sample - (sample @ top) @ top.T
    centred_cosine, abtt_cosine = pair_cosine(sample), pair_cosine(abtt)
    times["statistics"] = time.time() - t

    t = time.time()
    queries = x[query_rows] / norms[query_rows, None].astype(np.float32)
    safe = np.where(norms > 0, norms, np.inf).astype(np.float32)
    neighbours = []
    for start in range(0, len(queries), 100):
        scores = (x @ queries[start:start + 100].T) / safe[:, None]
        scores[query_rows[start:start + 100], np.arange(len(scores[0]))] = -np.inf
        best = np.argpartition(-scores, TOP, axis=0)[:TOP]
        for q in range(scores.shape[1]):
            order = best[np.argsort(-scores[best[:, q], q], kind="stable"), q]
            neighbours.append([int(r) for r in order])
    times["queries"] = time.time() - t
    aligned = {} if output is None else alignment(x, output, times)
    undertrained = {}
    if first_padding is not None:
        t = time.time()
        distances = unused_distances(x, np.arange(first_padding, len(x)))
        times["under-trained"] = time.time() - t
        ranked = np.argsort(distances[:first_padding], kind="stable")
        undertrained = {"undertrained": ranked[:50].tolist(),
                        "undertrained_values": distances[ranked[:50]].tolist()}
    json.dump({
        **aligned,
        **undertrained,
        "times": times,
        "norm_mean": float(norms.mean()),
        "mean_vector_norm": mean_norm,
        "explained_variance": shares[:20].tolist(),
        "anisotropy": [raw_cosine, centred_cosine, abtt_cosine],
        "neighbours": neighbours,
    }, open(result_file, "w"))


def alignment(a, b, times):
    """Orthogonal Procrustes of a's rows onto b's and each row's cosine after it, as `compare` does."""
    t = time.time()
    cross = (a.T @ b).astype(np.float64)
    u, _, vt = np.linalg.svd(cross)
    rotation = (u @ vt).astype(np.float32)
    times["procrustes"] = time.time() - t

    t = time.time()
    n = len(a)
    cosines, residual, target = np.empty(n), 0.0, 0.0
    for start in range(0, n, 8192):
        x, y = a[start:start + 8192] @ rotation, b[start:start + 8192]
        xy, xx, yy = (np.einsum("ij,ij->i", p, q, dtype=np.float64) for p, q in ((x, y), (x, x), (y, y)))
        cosines[start:start + len(x)] = np.clip(xy / np.sqrt(xx * yy), -1.0, 1.0)
        residual += float(np.square(x.astype(np.float64) - y).sum())
        target += float(yy.sum())
    times["drift"] = time.time() - t
    return {
        "relative_residual": float(np.sqrt(residual / target)),
        "cosine": [float(cosines.mean()), float(np.median(cosines)), float(cosines.min())],
        "moved_most": np.argsort(cosines, kind="stable")[:20].tolist(),
    }


def reference_compare(a_path, b_path, overlap_tokens, result_file):
    """numpy doing `compare`'s work on A and B (B's first rows are A's tokens in A's order)."""
    times = {}
    t = time.time()
    a = np.ascontiguousarray(load(a_path))
    b = np.ascontiguousarray(load(b_path))
    times["load"] = time.time() - t
    n = len(a)
    shared = b[:n]

    aligned = alignment(a, shared, times)
    t = time.time()
    def top(m):
        norms = np.sqrt(np.einsum("ij,ij->i", m, m, dtype=np.float64)).astype(np.float32)
        safe = np.where(norms > 0, norms, np.inf)
        lists = []
        for start in range(0, overlap_tokens, 100):
            rows = np.arange(start, min(start + 100, overlap_tokens))
            scores = (m @ (m[rows] / safe[rows, None]).T) / safe[:, None]
            scores[rows, np.arange(len(rows))] = -np.inf
            lists += [set(c) for c in np.argpartition(-scores, TOP, axis=0)[:TOP].T.tolist()]
        return lists
    kept = [len(x & y) / TOP for x, y in zip(top(a), top(shared))]
    times["overlap"] = time.time() - t

    old = shared.astype(np.float64)
    mean = old.mean(axis=0)
    spread = np.sqrt(max(np.square(old).sum(axis=1).mean() - mean @ mean, 0.0))
    distances = np.linalg.norm(b[n:].astype(np.float64) - mean, axis=1) / spread
    json.dump({
        "times": times,
        **aligned,
        "overlap": float(np.mean(kept)),
        "at_mean": int((distances <= 0.1).sum()),
    }, open(result_file, "w"))


def timed(command, env=None):
    """Runs `command` under /usr/bin/time: (wall s, cpu s, peak RSS MB)."""
    stats = OUT / "time.txt"
    subprocess.run(["/usr/bin/time", "-o", str(stats), "-f", "%e %U %S %M", *map(str, command)],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    wall, user, system, kb = stats.read_text().split()[-4:]
    return float(wall), float(user) + float(system), int(kb) / 1024


def print_results(results, reference, sizes):
    """The side-by-side table (wall, CPU, peak RSS and its ratio to each of `sizes`, {label: MB}),
    then the reference's time and memory over ours."""
    print("\n| who | wall | CPU | peak RSS | " + " | ".join(f"RSS / {label}" for label in sizes) + " |")
    print("|---" * (4 + len(sizes)) + "|")
    for who, (wall, cpu, mb) in results.items():
        ratios = " | ".join(f"{mb / size:.2f}x" for size in sizes.values())
        print(f"| {who} | {wall:.1f} s | {cpu:.1f} s | {mb:.0f} MB | {ratios} |")
    print(f"\n{reference} / embspace wall time: {results[reference][0] / results['embspace'][0]:.2f}; "
          f"peak RSS: {results[reference][2] / results['embspace'][2]:.2f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}", flush=True)


def write_untied(spec):
    """A model directory: the qwen table as input embedding, the tuned table's rows as lm_head."""
    rows, dim = spec["rows"], spec["dim"]
    a_path = write_table("qwen", **spec)
    b_path = write_tuned(a_path, rows, dim)
    folder = OUT / f"untied-{rows}x{dim}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.safetensors"
    if path.exists():
        return folder
    size = rows * dim * 2
    with open(path.with_suffix(".tmp"), "wb") as f:
        f.write(bf16_header({"model.embed_tokens.weight": (rows, dim), "lm_head.weight": (rows, dim)}))
        for source in (a_path, b_path):
            with open(source, "rb") as g:
                g.seek(8 + int.from_bytes(g.read(8), "little"))
                f.write(g.read(size))
    path.with_suffix(".tmp").rename(path)
    (folder / "config.json").write_text(json.dumps({
        "model_type": "qwen2", "tie_word_embeddings": False, "vocab_size": rows, "hidden_size": dim}))
    (folder / "vocab.txt").write_text("\n".join(tokens(rows)) + "\n")
    return folder


def bench(name, spec):
    path = write_untied(spec) if name == "untied" else write_table(name, **spec)
    rows, dim = spec["rows"], spec["dim"]
    matrix_mb = rows * dim * 4 / 2**20 * (2 if name == "untied" else 1)  # untied: input and output
    query_rows = np.linspace(0, min(rows, SAMPLE * 15) - 1, QUERIES).astype(int)
    names = tokens(rows)
    query_tokens = [names[r] for r in query_rows]
    # Read the file once so every side starts from a warm page cache.
    subprocess.run(["cat", str(path / "model.safetensors" if path.is_dir() else path)], check=True,
                   stdout=subprocess.DEVNULL)

    tokenizer = write_tokenizer(path.parent, rows) if name == "qwen" else None
    vocab = ["--vocab", tokenizer] if tokenizer else []

    def analyze(binary, out):
        return [binary, "analyze", path, *vocab, "--map", "0", "--report-format", "json", "--out", out,
                "--query", *query_tokens]

    results = {"embspace": timed(analyze(BINARY, OUT / f"out-{name}"))}
    ours = json.load(open(OUT / f"out-{name}" / "analysis.json"))["results"]
    if BEFORE.exists() and dim <= 1024:
        results["embspace before"] = timed(analyze(BEFORE, OUT / f"out-{name}-before"))
    reference_file = OUT / f"numpy-{name}.json"
    script = [sys.executable, __file__, "--reference", path, "--result", reference_file,
              "--query-rows", ",".join(map(str, query_rows))]
    if tokenizer:
        script += ["--first-padding", str(padding_rows(tokenizer))]
    results["numpy"] = timed(script)
    theirs = json.load(open(reference_file))

    shares = np.array(ours["diagnostics"]["explained_variance"][:20])
    exact = np.array(theirs["explained_variance"][:len(shares)])
    row_of = {t: i for i, t in enumerate(names)}
    row_of.update({f"<padding row {i}>": i for i in range(rows)})
    ours_lists = [[row_of[n["token"]] for n in q["neighbours"]] for q in ours["neighbours"]]
    agree = sum(len(set(a) & set(b)) for a, b in zip(ours_lists, theirs["neighbours"])) / (QUERIES * TOP)
    print(f"\n## {name}: {rows} x {dim} ({path.name}, f32 {'matrices' if name == 'untied' else 'matrix'} {matrix_mb:.0f} MB)")
    if tokenizer:
        found = ours["undertrained"]
        mine = [c["row"] for c in found["candidates"][:50]]
        values = np.array([c["value"] for c in found["candidates"][:50]])
        print(f"under-trained ({rows - padding_rows(tokenizer)} padding rows as reference): top 50 in common "
              f"with numpy: {len(set(mine) & set(theirs['undertrained']))}/50, max |value - numpy| = "
              f"{np.abs(values - np.array(theirs['undertrained_values'][:len(values)])).max():.2e}, "
              f"{len(found['candidates'])} candidates")
    if name == "untied":
        aligned = ours["input_output"]["alignment"]
        print(f"input vs output: relative residual {aligned['relative_residual']:.6f} (numpy "
              f"{theirs['relative_residual']:.6f}), cosine mean {aligned['cosine']['mean']:.6f} (numpy "
              f"{theirs['cosine'][0]:.6f}), min {aligned['cosine']['min']:.6f} (numpy {theirs['cosine'][2]:.6f}); "
              f"differ most, top 20 in common with numpy: "
              f"{len({int(t['token'][1:]) for t in aligned['moved_most']} & set(theirs['moved_most']))}/20")
    print(f"explained variance, top 20: max |ours - numpy eigh| = {np.abs(shares - exact).max():.2e} "
          f"(largest share {exact[0]:.4f}); neighbours in common with numpy: {agree:.2%}")
    d = ours["diagnostics"]
    print(f"mean norm {d['norm_stats']['mean']:.4f} (numpy {theirs['norm_mean']:.4f}), mean vector norm "
          f"{d['mean_vector_norm']:.4f} (numpy {theirs['mean_vector_norm']:.4f}); anisotropy raw/centred/abtt "
          + "/".join(f"{g['anisotropy']['mean']:.3f}" for g in d["geometry"])
          + " (numpy " + "/".join(f"{c:.3f}" for c in theirs["anisotropy"]) + ")")
    print("numpy phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in theirs["times"].items()))
    print_results(results, "numpy", {"f32 matrix": matrix_mb})


def bench_compare(spec):
    a_path = write_table("qwen", **spec)
    rows, dim = spec["rows"], spec["dim"]
    b_path = write_tuned(a_path, rows, dim)
    overlap_tokens = 1000
    for path in (a_path, b_path):
        subprocess.run(["cat", str(path)], check=True, stdout=subprocess.DEVNULL)
    out = OUT / "out-compare"
    results = {"embspace": timed([BINARY, "compare", a_path, b_path, "--report-format", "json", "--out", out,
                                  "--overlap-tokens", overlap_tokens])}
    ours = json.load(open(out / "comparison.json"))["results"]
    reference_file = OUT / "numpy-compare.json"
    results["numpy"] = timed([sys.executable, __file__, "--reference-compare", a_path, b_path,
                              "--result", reference_file, "--overlap-tokens", str(overlap_tokens)])
    theirs = json.load(open(reference_file))
    alignment, cosine = ours["alignment"], ours["alignment"]["cosine"]
    most = {int(t["token"][1:]) for t in alignment["moved_most"]}
    matrix_mb = 2 * rows * dim * 4 / 2**20
    print(f"\n## compare: {rows} x {dim} against {rows + ADDED} x {dim} (BF16; both f32 matrices {matrix_mb:.0f} MB)")
    print(f"relative residual {alignment['relative_residual']:.6f} (numpy {theirs['relative_residual']:.6f}); "
          f"drift cosine mean/median/min {cosine['mean']:.6f}/{cosine['median']:.6f}/{cosine['min']:.6f} "
          "(numpy " + "/".join(f"{c:.6f}" for c in theirs["cosine"]) + ")")
    print(f"moved most, top 20 in common with numpy: {len(most & set(theirs['moved_most']))}/20; "
          f"neighbour overlap@10 {ours['overlap']['mean']:.4f} (numpy {theirs['overlap']:.4f}); "
          f"added rows at the mean {ours['added']['at_mean']}/{ADDED} (numpy {theirs['at_mean']})")
    print("numpy phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in theirs["times"].items()))
    print_results(results, "numpy", {"both f32 matrices": matrix_mb})


def pseudo_words(n, rng):
    """`n` distinct lowercase pseudo-words of 3 to 11 letters."""
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
    seen, words = set(), []
    while len(words) < n:
        for length in rng.integers(3, 12, size=n - len(words)):
            word = bytes(letters[rng.integers(0, 26, size=length)])
            if word not in seen:
                seen.add(word)
                words.append(word)
    return words


def write_fasttext(words, buckets, dim, gzip=False):
    """A fastText v12 skipgram .bin: header, dictionary, input matrix (words then buckets), output;
    with `gzip`, that model compressed by `gzip -6` (as cc.en.300.bin.gz)."""
    if gzip:
        return gzipped(write_fasttext(words, buckets, dim))
    path = OUT / f"fasttext-{words}x{dim}" / "model.bin"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    rng = np.random.default_rng(SEED)
    names = pseudo_words(words + UNSEEN, rng)
    known = [names[r] for r in np.linspace(0, words - 1, QUERIES).astype(int)]
    (path.parent / "queries.txt").write_text("\n".join(w.decode() for w in known + names[words:]) + "\n")
    with open(path.with_suffix(".tmp"), "wb") as f:
        # magic, version; dim ws epoch minCount neg wordNgrams loss(ns) model(skipgram) bucket minn
        # maxn lrUpdateRate; t
        f.write(struct.pack("<ii12id", 793712314, 12, dim, 5, 5, 5, 10, 1, 2, 2, buckets, 3, 6, 100, 1e-4))
        # size, nwords, nlabels, ntokens, pruneidx_size (-1: not pruned)
        f.write(struct.pack("<iiiqq", words, words, 0, 1000 * words, -1))
        f.write(b"".join(w + b"\0" + struct.pack("<qb", words - i, 0) for i, w in enumerate(names[:words])))
        for rows, fill in ((words + buckets, rng.standard_normal), (words, None)):
            f.write(struct.pack("<?qq", False, rows, dim))
            for start in range(0, rows, 65536):
                m = min(65536, rows - start)
                block = np.zeros((m, dim), np.float32) if fill is None else fill((m, dim), np.float32) * 0.1
                f.write(block.astype("<f4").tobytes())
    path.with_suffix(".tmp").rename(path)
    print(f"wrote {path.relative_to(ROOT)} in {time.time() - started:.1f} s", flush=True)
    return path


def reference_gensim(path, reader, queries, result_file):
    """gensim's side of `fasttext`, `googlenews` and `wikinews`: load with `reader` (fasttext,
    word2vec-binary or word2vec), then the top 10 of each query."""
    from gensim.models import KeyedVectors
    from gensim.models.fasttext import load_facebook_vectors
    started = time.time()
    if reader == "fasttext":
        kv = load_facebook_vectors(str(path))
    else:
        kv = KeyedVectors.load_word2vec_format(str(path), binary=reader == "word2vec-binary")
    loaded = time.time()
    neighbours = [[w for w, _ in kv.most_similar(q, topn=TOP)] for q in queries]
    json.dump({"neighbours": neighbours, "times": {"load": loaded - started, "queries": time.time() - loaded}},
              open(result_file, "w"))


def gzipped(plain):
    """`plain` compressed by `gzip -6`, beside it, as the tables and models are published."""
    path = plain.with_name(plain.name + ".gz")
    if not path.exists():
        started = time.time()
        with open(path.with_suffix(".tmp"), "wb") as f:
            subprocess.run(["gzip", "-6", "-c", str(plain)], check=True, stdout=f)
        path.with_suffix(".tmp").rename(path)
        print(f"wrote {path.relative_to(ROOT)} in {time.time() - started:.1f} s", flush=True)
    return path


def write_word2vec(name, rows, dim, binary, gzip=False):
    """A word2vec table as the C tool and gensim write them: `rows dim`, then per row the token, a
    space and the values (binary: little-endian f32; text: 5 decimals, as fastText's .vec has);
    with `gzip`, that table compressed by `gzip -6` (as cc.en.300.vec.gz and GoogleNews' .bin.gz)."""
    if gzip:
        return gzipped(write_word2vec(name.removesuffix("-gz"), rows, dim, binary))
    path = OUT / f"{name}-{rows}x{dim}" / ("vectors.bin" if binary else "vectors.vec")
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    started, names = time.time(), tokens(rows)
    with open(path.with_suffix(".tmp"), "wb") as f:
        f.write(f"{rows} {dim}\n".encode())
        start = 0
        for x in chunks(rows, dim, SEED):
            if binary:
                f.write(b"".join(names[start + i].encode() + b" " + x[i].astype("<f4").tobytes()
                                 for i in range(len(x))))
            else:
                values = np.char.mod("%.5f", x)
                f.write("".join(names[start + i] + " " + " ".join(values[i]) + "\n"
                                for i in range(len(x))).encode())
            start += len(x)
    path.with_suffix(".tmp").rename(path)
    print(f"wrote {path.relative_to(ROOT)} in {time.time() - started:.1f} s", flush=True)
    return path


def bench_gensim(name, spec):
    """`analyze` of a table gensim reads, against gensim loading it and answering the same queries."""
    if name.startswith("fasttext"):
        path = write_fasttext(**spec)
        rows, dim = spec["words"], spec["dim"]
        queries = (path.parent / "queries.txt").read_text().split()
        what = f"{rows} words and {spec['buckets']} buckets x {dim}, fastText {''.join(path.suffixes)}"
        reader = "fasttext"
        sizes = {"f32 table": rows * dim * 4 / 2**20, "input matrix": (rows + spec["buckets"]) * dim * 4 / 2**20}
    else:
        path = write_word2vec(name, **spec)
        rows, dim = spec["rows"], spec["dim"]
        names = tokens(rows)
        queries = [names[r] for r in np.linspace(0, rows - 1, QUERIES).astype(int)]
        reader = "word2vec-binary" if spec["binary"] else "word2vec"
        what = f"{rows} x {dim}, {reader}"
        sizes = {"f32 table": rows * dim * 4 / 2**20}
    subprocess.run(["cat", str(path)], check=True, stdout=subprocess.DEVNULL)
    out = OUT / f"out-{name}"
    results = {"embspace": timed([BINARY, "analyze", path, "--map", "0", "--report-format", "json", "--out", out,
                                  "--query", *queries])}
    ours = json.load(open(out / "analysis.json"))["results"]
    reference_file = OUT / f"gensim-{name}.json"
    reference_path = path
    if name == "fasttext-gz":
        # gensim 4.4.0 cannot read a fastText .bin.gz: its workaround for np.fromfile on gzip data
        # checks for a gzip.GzipFile, smart_open 9 hands it a FileLikeProxy, and np.fromfile reads
        # the compressed bytes ("AssertionError: expected (1200000000,), got (1107518588,)").
        reference_path = path.with_suffix("")
        print("gensim 4.4.0 cannot read a fastText .bin.gz (smart_open's FileLikeProxy is not the "
              "gzip.GzipFile its np.fromfile workaround checks for): its side reads the same model "
              "uncompressed", flush=True)
    results["gensim"] = timed([sys.executable, __file__, "--reference-gensim", reference_path, "--reader",
                               reader, "--result", reference_file, "--queries", ",".join(queries)])
    theirs = json.load(open(reference_file))
    ours_lists = [[n["token"] for n in q["neighbours"]] for q in ours["neighbours"]]
    same = sum(a == b for a, b in zip(ours_lists, theirs["neighbours"]))
    print(f"\n## {name}: {what} ({path.stat().st_size / 1e9:.1f} GB)")
    unseen = f" ({UNSEEN} of the queries outside the table)" if name.startswith("fasttext") else ""
    print(f"top-10 lists equal to gensim's, in order: {same}/{len(queries)}{unseen}")
    print("gensim phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in theirs["times"].items()))
    print_results(results, "gensim", sizes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(TABLES) + ["compare", "untied", *GENSIM])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--reference", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--query-rows", help=argparse.SUPPRESS)
    parser.add_argument("--first-padding", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--reference-compare", type=Path, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--overlap-tokens", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--reference-gensim", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reader", help=argparse.SUPPRESS)
    parser.add_argument("--queries", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_gensim:
        reference_gensim(args.reference_gensim, args.reader, args.queries.split(","), args.result)
        return
    if args.reference_compare:
        reference_compare(*args.reference_compare, args.overlap_tokens, args.result)
        return
    if args.reference:
        reference(args.reference, np.array([int(r) for r in args.query_rows.split(",")]), args.result,
                  args.first_padding)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    tables = QUICK if args.quick else TABLES
    for name in [args.only] if args.only else [*tables, "compare", "untied", *GENSIM]:
        if name == "compare":
            bench_compare(tables["qwen"])
        elif name in GENSIM:
            bench_gensim(name, (QUICK_GENSIM if args.quick else GENSIM)[name])
        else:
            bench(name, tables["qwen" if name == "untied" else name])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Which clustering colours the map: ours against the usual alternatives, on the map's own rows.

    scripts/bench_clusters.sh            # both tables

The map colours its rows by cluster. Candidates, all with the map's 12 clusters where the method
takes a count:

    embspace        spherical k-means on the unit vectors (seeded k-means++, Lloyd to a fixed
                    point), read from analysis.json of `embspace analyze --map N`.
    kmeans          scikit-learn's KMeans on the raw vectors (Euclidean), n_init=10.
    kmeans-unit     the same on the unit vectors: what ours computes, by an independent code.
    louvain         Louvain communities (networkx) on the symmetrised 10-nearest-neighbour
                    cosine graph: the single-cell habit (scanpy); it picks its own count.
    hdbscan-2d      HDBSCAN on the 2-D layout (scikit-learn): clusters of the picture, as
                    Embedding Atlas draws them; rows it leaves as noise count as one more group.

Measures, on the same rows:

    planted (the clustered table of bench_map.py, 20 000 of its rows, 10 planted groups of 5
    clusters): adjusted Rand index against the groups and normalised mutual information against
    the 50 clusters; higher is better.
    real (all-MiniLM-L6-v2's 20 000 most frequent tokens): the share of each row's 10 exact cosine
    neighbours that share its cluster (kept together), the cosine silhouette on 5 000 rows, and
    the share of the largest cluster (one giant cluster keeps neighbours together for nothing).

Seconds are wall time of the clustering alone, this machine, one run.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_map import OUT, TABLES, clustered, minilm_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EMBSPACE = ROOT / "target" / "release" / "embspace"
ROWS, CLUSTERS, K, SEED = 20_000, 12, 10, 42


def map_of(file_args, out):
    """Our map of the first ROWS rows: tokens' rows, layout and clusters, from analysis.json."""
    command = [EMBSPACE, "analyze", *file_args, "--quiet", "--map", str(ROWS), "--out", out, "--report-format", "json"]
    subprocess.run([str(a) for a in command], check=True)
    found = json.loads((Path(out) / "analysis.json").read_text())["results"]["map"]
    return np.array(found["rows"]), np.column_stack([found["x"], found["y"]]), np.array(found["clusters"])


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def neighbours(x):
    """Each row's K exact cosine neighbours, in blocks."""
    u = unit(x).astype(np.float32)
    found = []
    for start in range(0, len(u), 2048):
        cosine = u[start:start + 2048] @ u.T
        cosine[np.arange(len(cosine)), np.arange(start, start + len(cosine))] = -np.inf
        found.append(np.argpartition(-cosine, K, axis=1)[:, :K])
    return np.vstack(found)


def candidates(x, layout, ours, near):
    """Every candidate's labels and seconds."""
    timed = {"embspace": (ours, float("nan"))}
    for name, data in (("kmeans", x), ("kmeans-unit", unit(x))):
        started = time.perf_counter()
        labels = KMeans(CLUSTERS, n_init=10, random_state=SEED).fit_predict(data)
        timed[name] = (labels, time.perf_counter() - started)
    started = time.perf_counter()
    graph = nx.Graph()
    graph.add_edges_from((i, int(j)) for i, row in enumerate(near) for j in row)
    communities = nx.community.louvain_communities(graph, seed=SEED)
    labels = np.empty(len(x), dtype=int)
    for c, members in enumerate(communities):
        labels[list(members)] = c
    timed["louvain"] = (labels, time.perf_counter() - started)
    started = time.perf_counter()
    labels = HDBSCAN(min_cluster_size=ROWS // 200, copy=True).fit_predict(layout)
    timed["hdbscan-2d"] = (labels, time.perf_counter() - started)
    return timed


def kept_together(labels, near):
    return float(np.mean(labels[near] == labels[:, None]))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # The planted table, its labels rebuilt by the same seeded draw bench_map.py makes.
    planted_path = OUT / TABLES["clustered"][0]
    groups_path = planted_path.with_suffix(".clusters.npy")
    if not groups_path.exists():
        clustered(planted_path, labels_path=groups_path)
    planted = np.load(planted_path)
    vocab = planted_path.with_suffix(".vocab.txt")
    if not vocab.exists():
        vocab.write_text("".join(f"row{i}\n" for i in range(len(planted))))
    rows, layout, ours = map_of([planted_path, "--vocab", vocab], OUT / "clusters-planted")
    truth = np.load(groups_path)[rows]
    x = planted[rows]
    print(f"planted: {len(rows)} rows of {planted.shape}, {len(set(truth // 5))} groups of {len(set(truth))} clusters")
    print(f"{'method':<12} {'clusters':>8} {'ARI groups':>10} {'NMI clusters':>12} {'seconds':>8}")
    for name, (labels, seconds) in candidates(x, layout, ours, neighbours(x)).items():
        print(f"{name:<12} {len(set(labels)):8d} {adjusted_rand_score(truth // 5, labels):10.3f} "
              f"{normalized_mutual_info_score(truth, labels):12.3f} {seconds:8.2f}")

    weights = minilm_file(None)[0]
    real_out = OUT / "clusters-minilm"
    rows, layout, ours = map_of([weights], real_out)
    from safetensors import safe_open

    with safe_open(str(weights), "np") as f:
        x = f.get_tensor("embeddings.word_embeddings.weight").astype(np.float32)[rows]
    near = neighbours(x)
    sample = np.random.default_rng(0).choice(len(x), 5_000, replace=False)
    print(f"\nreal: all-MiniLM-L6-v2, the map's {len(rows)} rows")
    print(f"{'method':<12} {'clusters':>8} {'kept@10':>8} {'silhouette':>10} {'largest':>8} {'seconds':>8}")
    for name, (labels, seconds) in candidates(x, layout, ours, near).items():
        silhouette = silhouette_score(unit(x[sample]), labels[sample], metric="cosine") if len(set(labels)) > 1 else float("nan")
        largest = np.bincount(labels - labels.min()).max() / len(labels)
        print(f"{name:<12} {len(set(labels)):8d} {kept_together(labels, near):8.3f} {silhouette:10.3f} "
              f"{largest:8.3f} {seconds:8.2f}")


if __name__ == "__main__":
    sys.exit(main())

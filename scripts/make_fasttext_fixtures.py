#!/usr/bin/env python3
"""Write the fastText .bin fixtures of `embspace analyze` with gensim, and let gensim's
load_facebook_vectors be the judge of every vector.

    scripts/make_fasttext_fixtures.sh            # write tests/fixtures/fasttext/ and fuzz/corpus/fasttext/
    scripts/make_fasttext_fixtures.sh --check    # write them into a temp dir, compare byte for byte

(run through the .sh, which installs the pinned gensim into target/pyenv).

Three small models, each a gensim FastText model whose vocabulary is built from a made-up corpus
(every word a distinct count, so the frequency order is fixed) and whose matrices are then filled
with seeded values (no training, whose floating point depends on the machine), saved with
gensim's save_facebook_model:

    skipgram.bin        fastText format v12 (magic and version), skipgram, 16 words x 8, 40 buckets
                        of 3-6 character n-grams; words with 2-, 3- and 4-byte UTF-8 and `</s>`
    cbow-unsigned.bin   the layout of models from before fastText's magic (no magic, version,
                        pruned index or quantisation flags: gensim reads it so), cbow, 16 words x 4,
                        12 buckets of 2-4 character n-grams
    no-subwords.bin     max_n < min_n: no buckets, so a word's vector is its row and a word not in
                        the table has none

Then every file is read back with gensim.models.fasttext.load_facebook_vectors:
`<stem>.vectors.npy` holds its words' vectors and `<stem>.unknown.npy` the vectors `wv[word]` gives
the words of UNKNOWN (zeros where gensim has none), which embspace must produce bit for bit;
expected.json holds per file the arguments, the words, the n-gram count of each unknown word
(null: gensim has no vector for it) and gensim's most_similar(word, topn=5) for some queries.
tests/testsuite/fasttext.rs compares. A re-run rewrites the same bytes.
"""

import filecmp
import json
import logging
import random
import shutil
import struct
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
from gensim.models.fasttext import FastText, ft_ngram_hashes, load_facebook_vectors, save_facebook_model

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "fasttext"
CORPUS = ROOT / "fuzz" / "corpus" / "fasttext"
SEEDS = ["skipgram.bin", "cbow-unsigned.bin"]  # the fuzz target's seed corpus

WORDS = ["the", "of", "and", "</s>", "where", "café", "naïve", "東京", "🙂", "ß", "über", "a-b", "x",
         "data", "database", "ünïcödé"]
# Words not in any table: fastText composes theirs from n-grams, or has none ("" has no 3-gram).
UNKNOWN = ["wherever", "cafés", "東", "🙂🙂", "xy", "datum", ""]
QUERIES = ["the", "café", "東京", "wherever", "东京", "xy"]

MODELS = {
    "skipgram.bin": dict(sg=1, vector_size=8, bucket=40, min_n=3, max_n=6),
    "cbow-unsigned.bin": dict(sg=0, vector_size=4, bucket=12, min_n=2, max_n=4),
    "no-subwords.bin": dict(sg=1, vector_size=6, bucket=40, min_n=3, max_n=2),
}


def seeded(rng, shape, scale):
    """Seeded normal values as f32 (Python's generator: the same numbers on every platform)."""
    values = [rng.gauss(0.0, scale) for _ in range(int(np.prod(shape)))]
    return np.array(values, dtype=np.float32).reshape(shape)


def model(params, seed):
    ft = FastText(min_count=1, workers=1, seed=seed, negative=5, hs=0, **params)
    corpus = [[word] * (len(WORDS) + 3 - i) for i, word in enumerate(WORDS)]
    ft.build_vocab(corpus_iterable=corpus)
    assert ft.wv.index_to_key == WORDS, ft.wv.index_to_key
    rng = random.Random(seed)
    ft.wv.vectors_vocab[:] = seeded(rng, ft.wv.vectors_vocab.shape, 1.0)
    ft.wv.vectors_ngrams = seeded(rng, (ft.wv.bucket, ft.vector_size), 0.5)
    ft.syn1neg[:] = seeded(rng, ft.syn1neg.shape, 0.1)
    return ft


def unsigned(signed, nwords):
    """A v12 file in the layout of models from before the magic, as gensim's loader reads those:
    the arguments first, no pruned-index size, no quantisation flag before either matrix."""
    args, counts = signed[8:64], signed[64:84]  # 12 i32 + t; size, nwords, nlabels, ntokens
    pos = 92  # after the pruned index size (-1)
    assert struct.unpack("<q", signed[84:92]) == (-1,)
    for _ in range(nwords):
        pos = signed.index(b"\0", pos) + 1 + 9  # the word's NUL, its count and entry type
    entries = signed[92:pos]
    assert signed[pos] == 0  # the input matrix is not quantised
    rows, dim = struct.unpack("<2q", signed[pos + 1:pos + 17])
    end = pos + 17 + rows * dim * 4
    assert signed[end] == 0  # neither is the output matrix
    return args + counts + entries + signed[pos + 1:end] + signed[end + 1:]


def write(out):
    out.mkdir(parents=True, exist_ok=True)
    expected = {}
    for seed, (name, params) in enumerate(MODELS.items(), start=42):
        path = out / name
        save_facebook_model(model(params, seed), str(path))
        if name == "cbow-unsigned.bin":
            path.write_bytes(unsigned(path.read_bytes(), len(WORDS)))
        kv = load_facebook_vectors(str(path))
        stem = name.removesuffix(".bin")
        np.save(out / f"{stem}.vectors.npy", kv.vectors)
        unknown, ngrams = [], []
        for word in UNKNOWN:
            count = len(ft_ngram_hashes(word, kv.min_n, kv.max_n, kv.bucket)) if kv.bucket else 0
            # gensim has no vector without buckets (KeyError), a zero one without n-grams.
            unknown.append(kv.get_vector(word) if count else np.zeros(kv.vector_size, dtype=np.float32))
            ngrams.append(count or None)
        np.save(out / f"{stem}.unknown.npy", np.array(unknown, dtype=np.float32))
        neighbours = {}
        for query in QUERIES:
            if query in kv.key_to_index or kv.bucket:
                neighbours[query] = [[t, float(s)] for t, s in kv.most_similar(query, topn=5)]
        expected[name] = {
            "version": 12 if name != "cbow-unsigned.bin" else None,
            "model": "skipgram" if params["sg"] else "cbow",
            "dim": kv.vector_size,
            "bucket": kv.bucket,
            "minn": kv.min_n,
            "maxn": kv.max_n,
            "words": kv.index_to_key,
            "unknown": dict(zip(UNKNOWN, ngrams)),
            "neighbours": neighbours,
        }
    with open(out / "expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


def main():
    logging.disable(logging.WARNING)
    print(f"gensim {version('gensim')}, numpy {version('numpy')}")
    check = sys.argv[1:] == ["--check"]
    if not check:
        write(FIXTURES)
        CORPUS.mkdir(parents=True, exist_ok=True)
        for name in SEEDS:
            shutil.copyfile(FIXTURES / name, CORPUS / name)
        print(f"wrote {FIXTURES.relative_to(ROOT)} and {CORPUS.relative_to(ROOT)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp))
        names = sorted(p.name for p in Path(tmp).iterdir())
        ours = sorted(p.name for p in FIXTURES.iterdir() if p.name != "README.md")
        _, mismatch, errors = filecmp.cmpfiles(tmp, FIXTURES, names, shallow=False)
        seeds = [n for n in SEEDS if not filecmp.cmp(FIXTURES / n, CORPUS / n, shallow=False)]
        if names != ours or mismatch or errors or seeds:
            print(f"fastText fixtures differ: files {sorted(set(names) ^ set(ours))}, contents {mismatch}, "
                  f"unreadable {errors}, fuzz seeds {seeds}")
            return 1
    print(f"fastText fixtures: {len(names)} files rebuilt byte for byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())

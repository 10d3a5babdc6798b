#!/usr/bin/env python3
"""Write the round-trip fixtures of `embspace analyze`'s loaders with the reference tools.

    python3 scripts/make_embedding_fixtures.py

writes into tests/fixtures/embeddings/ a 50x8 seeded random table (some tokens non-ASCII,
one with a no-break space, one with a tab) in every format the loaders read, each file written
by the tool people use to write it:

    word2vec.txt   gensim save_word2vec_format(binary=False)
    word2vec.bin   gensim save_word2vec_format(binary=True)
    glove.txt      gensim save_word2vec_format(write_header=False)
    fasttext.vec   fastText's own layout: header, then each row with a trailing space
    f32.npy f64.npy + vocab.txt           numpy.save
    model.safetensors (F32) + vocab.txt   safetensors.numpy.save_file, beside a second 2-D tensor
    hf/model.safetensors (BF16) + hf/tokenizer.json   ml_dtypes bfloat16, a WordPiece-style vocab

and expected.json: the tokens, the f32 vectors and their bfloat16 rounding, as gensim and numpy
read every file back (the script asserts each read-back equals them), plus which of the two each
file must load as. tests/testsuite/analyze_input.rs loads every file and compares exactly.
Re-running it rewrites the same bytes (seed 42), so the diff after a re-run is empty.
"""

import importlib
import json
import subprocess
import sys
from pathlib import Path

for module, package in [("gensim", "gensim"), ("numpy", "numpy"), ("safetensors", "safetensors"),
                        ("ml_dtypes", "ml-dtypes")]:
    try:
        importlib.import_module(module)
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", package])

import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402
from gensim.models import KeyedVectors  # noqa: E402
from safetensors.numpy import load_file, save_file  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "embeddings"
ROWS, DIM = 50, 8

SPECIAL = ["café", "naïve", "new\u00a0york", "東京", "Ünïcödé", "🙂", "tab\tinside", 'say"hi"', "ß"]
WORDS = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by",
         "on", "not", "he", "i", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an",
         "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there"]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "hf").mkdir(exist_ok=True)
    tokens = (WORDS + SPECIAL)[:ROWS]
    assert len(tokens) == ROWS and len(set(tokens)) == ROWS
    rng = np.random.default_rng(42)
    vectors = rng.normal(0.0, 0.5, size=(ROWS, DIM)).astype(np.float32)
    bf16 = vectors.astype(ml_dtypes.bfloat16)

    kv = KeyedVectors(DIM)
    kv.add_vectors(tokens, vectors)
    kv.save_word2vec_format(str(OUT / "word2vec.txt"), binary=False)
    kv.save_word2vec_format(str(OUT / "word2vec.bin"), binary=True)
    kv.save_word2vec_format(str(OUT / "glove.txt"), binary=False, write_header=False)
    with open(OUT / "fasttext.vec", "w", encoding="utf-8", newline="\n") as out:
        out.write(f"{ROWS} {DIM}\n")
        for token, row in zip(tokens, vectors):
            out.write(token + " " + " ".join(f"{v:.4f}" for v in row) + " \n")

    np.save(OUT / "f32.npy", vectors)
    np.save(OUT / "f64.npy", vectors.astype(np.float64))
    (OUT / "vocab.txt").write_text("".join(t + "\n" for t in tokens), encoding="utf-8")
    save_file({
        "embeddings.word_embeddings.weight": vectors,
        "encoder.layer.0.weight": np.eye(DIM, dtype=np.float32),
        "embeddings.LayerNorm.bias": np.zeros(DIM, dtype=np.float32),
    }, str(OUT / "model.safetensors"))
    save_file({"model.embed_tokens.weight": bf16}, str(OUT / "hf" / "model.safetensors"))
    tokenizer = {"version": "1.0", "added_tokens": [{"id": 0, "content": tokens[0], "special": True}],
                 "model": {"type": "WordPiece", "vocab": {t: i for i, t in enumerate(tokens)}}}
    (OUT / "hf" / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False, indent=1),
                                               encoding="utf-8")

    # Read every file back with the reference tools; each must equal the table it stands for.
    fasttext = np.array([[float(f"{v:.4f}") for v in row] for row in vectors], dtype=np.float32)
    readers = {
        "word2vec.txt": ("word2vec", "f32", lambda p: KeyedVectors.load_word2vec_format(p, binary=False)),
        "word2vec.bin": ("word2vec-binary", "f32", lambda p: KeyedVectors.load_word2vec_format(p, binary=True)),
        "glove.txt": ("glove", "f32", lambda p: KeyedVectors.load_word2vec_format(p, no_header=True)),
        "fasttext.vec": ("fasttext", "fasttext", lambda p: KeyedVectors.load_word2vec_format(p)),
    }
    expected_sets = {"f32": vectors, "bf16": bf16.astype(np.float32), "fasttext": fasttext}
    files = {}
    for name, (fmt, which, read) in readers.items():
        kv = read(str(OUT / name))
        assert list(kv.index_to_key) == tokens, name
        assert np.array_equal(kv.vectors, expected_sets[which]), name
        files[name] = {"format": fmt, "vectors": which}
    for name in ["f32.npy", "f64.npy"]:
        assert np.array_equal(np.load(OUT / name).astype(np.float32), vectors), name
        files[name] = {"format": "npy", "vectors": "f32"}
    assert np.array_equal(load_file(str(OUT / "model.safetensors"))["embeddings.word_embeddings.weight"], vectors)
    files["model.safetensors"] = {"format": "safetensors", "vectors": "f32"}
    assert np.array_equal(load_file(str(OUT / "hf" / "model.safetensors"))["model.embed_tokens.weight"]
                          .astype(np.float32), bf16.astype(np.float32))
    files["hf/model.safetensors"] = {"format": "safetensors", "vectors": "bf16"}

    expected = {
        "about": "written by scripts/make_embedding_fixtures.py; vectors as gensim/numpy read the files back",
        "tokens": tokens,
        "vectors": {which: [[float(v) for v in row] for row in table] for which, table in expected_sets.items()},
        "files": files,
    }
    (OUT / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {len(files)} fixtures and expected.json into {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()

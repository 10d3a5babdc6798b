#!/usr/bin/env bash
# Compares embspace's gensim-compatible benchmarks (src/analyze/) with gensim 4.4 itself:
# analogy accuracy per section, OOV counts, and word-pair correlations with p-values, on the
# vectors gensim ships for its tests and on a Word2Vec model trained on gensim's Lee corpus;
# then its fastText .bin reader with gensim's load_facebook_vectors on the fastText models gensim
# ships (words, vectors bit for bit, neighbours of words in and out of the table).
#
#   scripts/compare_gensim.sh
#
# Installs gensim 4.4.0, numpy 2.4.6 and scipy 1.17.1 from PyPI into target/pyenv (a virtualenv,
# so the system Python is left alone) when missing, builds the `evaluate` and `table_vectors`
# examples and the binary in release mode, then runs scripts/compare_gensim.py and
# scripts/compare_fasttext.py. Exit code 0 when everything agrees, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pinned_venv.sh
venv=target/pyenv
pinned_venv "$venv" gensim==4.4.0 scipy==1.17.1 numpy==2.4.6
cargo build --release --quiet --example evaluate --example table_vectors --bin embspace
# Word2Vec seeds its initial vectors with Python's string hash: fix it for a repeatable model.
PYTHONHASHSEED=0 "$venv/bin/python" scripts/compare_gensim.py
"$venv/bin/python" scripts/compare_fasttext.py
